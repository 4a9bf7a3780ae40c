from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.version_action import VersionAction
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="LifecycleEvent")



@_attrs_define
class LifecycleEvent:
    """ 
        Attributes:
            action (VersionAction):
            actor (str):
            at (datetime.datetime):
            note (None | str | Unset):
     """

    action: VersionAction
    actor: str
    at: datetime.datetime
    note: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        actor = self.actor

        at = self.at.isoformat()

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
        })
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = VersionAction(d.pop("action"))




        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))




        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))


        lifecycle_event = cls(
            action=action,
            actor=actor,
            at=at,
            note=note,
        )

        return lifecycle_event

