from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.version_state import VersionState
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.agent_spec import AgentSpec
  from ..models.lifecycle_event import LifecycleEvent





T = TypeVar("T", bound="AgentVersion")



@_attrs_define
class AgentVersion:
    """ 
        Attributes:
            agent (str):
            history (list[LifecycleEvent]):
            number (int):
            spec (AgentSpec): Everything that makes the agent; frozen into the version once it is staged.
            tenant_id (str):
            state (VersionState | Unset):
     """

    agent: str
    history: list[LifecycleEvent]
    number: int
    spec: AgentSpec
    tenant_id: str
    state: VersionState | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_spec import AgentSpec # noqa: PLC0415
        from ..models.lifecycle_event import LifecycleEvent # noqa: PLC0415
        agent = self.agent

        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)



        number = self.number

        spec = self.spec.to_dict()

        tenant_id = self.tenant_id

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value



        field_dict: dict[str, Any] = {}

        field_dict.update({
            "agent": agent,
            "history": history,
            "number": number,
            "spec": spec,
            "tenant_id": tenant_id,
        })
        if state is not UNSET:
            field_dict["state"] = state

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_spec import AgentSpec # noqa: PLC0415
        from ..models.lifecycle_event import LifecycleEvent # noqa: PLC0415
        d = dict(src_dict)
        agent = d.pop("agent")

        history = []
        _history = d.pop("history")
        for history_item_data in (_history):
            history_item = LifecycleEvent.from_dict(history_item_data)



            history.append(history_item)


        number = d.pop("number")

        spec = AgentSpec.from_dict(d.pop("spec"))




        tenant_id = d.pop("tenant_id")

        _state = d.pop("state", UNSET)
        state: VersionState | Unset
        if isinstance(_state,  Unset):
            state = UNSET
        else:
            state = VersionState(_state)




        agent_version = cls(
            agent=agent,
            history=history,
            number=number,
            spec=spec,
            tenant_id=tenant_id,
            state=state,
        )

        return agent_version

