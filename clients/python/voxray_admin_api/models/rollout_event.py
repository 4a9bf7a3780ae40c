from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.rollout_action import RolloutAction
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="RolloutEvent")



@_attrs_define
class RolloutEvent:
    """ 
        Attributes:
            action (RolloutAction):
            actor (str):
            at (datetime.datetime):
            step_index (int):
            note (None | str | Unset):
     """

    action: RolloutAction
    actor: str
    at: datetime.datetime
    step_index: int
    note: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        actor = self.actor

        at = self.at.isoformat()

        step_index = self.step_index

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "action": action,
            "actor": actor,
            "at": at,
            "step_index": step_index,
        })
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = RolloutAction(d.pop("action"))




        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))




        step_index = d.pop("step_index")

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))


        rollout_event = cls(
            action=action,
            actor=actor,
            at=at,
            step_index=step_index,
            note=note,
        )

        return rollout_event

