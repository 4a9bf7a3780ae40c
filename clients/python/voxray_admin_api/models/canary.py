from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.rollout_state import RolloutState
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.rollout_event import RolloutEvent
  from ..models.rollout_policy import RolloutPolicy





T = TypeVar("T", bound="Canary")



@_attrs_define
class Canary:
    """ A rollout of ``version`` on one route, under the policy it was started with.

        Attributes:
            history (list[RolloutEvent]):
            policy (RolloutPolicy): Canary steps in percent (strictly increasing, ending at 100) and what each step needs.
            rollout_id (str):
            step_index (int):
            step_started_at (datetime.datetime):
            version (int):
            weight_pct (int):
            state (RolloutState | Unset):
     """

    history: list[RolloutEvent]
    policy: RolloutPolicy
    rollout_id: str
    step_index: int
    step_started_at: datetime.datetime
    version: int
    weight_pct: int
    state: RolloutState | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.rollout_event import RolloutEvent # noqa: PLC0415
        from ..models.rollout_policy import RolloutPolicy # noqa: PLC0415
        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)



        policy = self.policy.to_dict()

        rollout_id = self.rollout_id

        step_index = self.step_index

        step_started_at = self.step_started_at.isoformat()

        version = self.version

        weight_pct = self.weight_pct

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value



        field_dict: dict[str, Any] = {}

        field_dict.update({
            "history": history,
            "policy": policy,
            "rollout_id": rollout_id,
            "step_index": step_index,
            "step_started_at": step_started_at,
            "version": version,
            "weight_pct": weight_pct,
        })
        if state is not UNSET:
            field_dict["state"] = state

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rollout_event import RolloutEvent # noqa: PLC0415
        from ..models.rollout_policy import RolloutPolicy # noqa: PLC0415
        d = dict(src_dict)
        history = []
        _history = d.pop("history")
        for history_item_data in (_history):
            history_item = RolloutEvent.from_dict(history_item_data)



            history.append(history_item)


        policy = RolloutPolicy.from_dict(d.pop("policy"))




        rollout_id = d.pop("rollout_id")

        step_index = d.pop("step_index")

        step_started_at = datetime.datetime.fromisoformat(d.pop("step_started_at"))




        version = d.pop("version")

        weight_pct = d.pop("weight_pct")

        _state = d.pop("state", UNSET)
        state: RolloutState | Unset
        if isinstance(_state,  Unset):
            state = UNSET
        else:
            state = RolloutState(_state)




        canary = cls(
            history=history,
            policy=policy,
            rollout_id=rollout_id,
            step_index=step_index,
            step_started_at=step_started_at,
            version=version,
            weight_pct=weight_pct,
            state=state,
        )

        return canary

