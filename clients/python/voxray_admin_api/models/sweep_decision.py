from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.sweep_action import SweepAction
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.breach import Breach
  from ..models.window_metrics import WindowMetrics





T = TypeVar("T", bound="SweepDecision")



@_attrs_define
class SweepDecision:
    """ 
        Attributes:
            action (SweepAction):
            at (datetime.datetime):
            canary_metrics (WindowMetrics): One version's completed calls on one route over one window (the current step).
            from_step (int):
            from_weight (int):
            number (str):
            reasons (list[str]):
            rollout_id (str):
            stable_metrics (WindowMetrics): One version's completed calls on one route over one window (the current step).
            to_step (int | None):
            to_weight (int):
            breaches (list[Breach] | Unset):
     """

    action: SweepAction
    at: datetime.datetime
    canary_metrics: WindowMetrics
    from_step: int
    from_weight: int
    number: str
    reasons: list[str]
    rollout_id: str
    stable_metrics: WindowMetrics
    to_step: int | None
    to_weight: int
    breaches: list[Breach] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.breach import Breach # noqa: PLC0415
        from ..models.window_metrics import WindowMetrics # noqa: PLC0415
        action = self.action.value

        at = self.at.isoformat()

        canary_metrics = self.canary_metrics.to_dict()

        from_step = self.from_step

        from_weight = self.from_weight

        number = self.number

        reasons = self.reasons



        rollout_id = self.rollout_id

        stable_metrics = self.stable_metrics.to_dict()

        to_step: int | None
        to_step = self.to_step

        to_weight = self.to_weight

        breaches: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.breaches, Unset):
            breaches = []
            for breaches_item_data in self.breaches:
                breaches_item = breaches_item_data.to_dict()
                breaches.append(breaches_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "action": action,
            "at": at,
            "canary_metrics": canary_metrics,
            "from_step": from_step,
            "from_weight": from_weight,
            "number": number,
            "reasons": reasons,
            "rollout_id": rollout_id,
            "stable_metrics": stable_metrics,
            "to_step": to_step,
            "to_weight": to_weight,
        })
        if breaches is not UNSET:
            field_dict["breaches"] = breaches

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.breach import Breach # noqa: PLC0415
        from ..models.window_metrics import WindowMetrics # noqa: PLC0415
        d = dict(src_dict)
        action = SweepAction(d.pop("action"))




        at = datetime.datetime.fromisoformat(d.pop("at"))




        canary_metrics = WindowMetrics.from_dict(d.pop("canary_metrics"))




        from_step = d.pop("from_step")

        from_weight = d.pop("from_weight")

        number = d.pop("number")

        reasons = cast(list[str], d.pop("reasons"))


        rollout_id = d.pop("rollout_id")

        stable_metrics = WindowMetrics.from_dict(d.pop("stable_metrics"))




        def _parse_to_step(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        to_step = _parse_to_step(d.pop("to_step"))


        to_weight = d.pop("to_weight")

        _breaches = d.pop("breaches", UNSET)
        breaches: list[Breach] | Unset = UNSET
        if _breaches is not UNSET:
            breaches = []
            for breaches_item_data in _breaches:
                breaches_item = Breach.from_dict(breaches_item_data)



                breaches.append(breaches_item)


        sweep_decision = cls(
            action=action,
            at=at,
            canary_metrics=canary_metrics,
            from_step=from_step,
            from_weight=from_weight,
            number=number,
            reasons=reasons,
            rollout_id=rollout_id,
            stable_metrics=stable_metrics,
            to_step=to_step,
            to_weight=to_weight,
            breaches=breaches,
        )

        return sweep_decision

