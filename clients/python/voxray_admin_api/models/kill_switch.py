from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.kill_switch_mode import KillSwitchMode
from typing import cast
import datetime






T = TypeVar("T", bound="KillSwitch")



@_attrs_define
class KillSwitch:
    """ All new calls go to the stable version, or to the fallback (operator / message).

        Attributes:
            at (datetime.datetime):
            by (str):
            mode (KillSwitchMode):
            reason (str):
     """

    at: datetime.datetime
    by: str
    mode: KillSwitchMode
    reason: str





    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        by = self.by

        mode = self.mode.value

        reason = self.reason


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "at": at,
            "by": by,
            "mode": mode,
            "reason": reason,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))




        by = d.pop("by")

        mode = KillSwitchMode(d.pop("mode"))




        reason = d.pop("reason")

        kill_switch = cls(
            at=at,
            by=by,
            mode=mode,
            reason=reason,
        )

        return kill_switch

