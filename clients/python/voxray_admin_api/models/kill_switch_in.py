from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.kill_switch_in_mode import KillSwitchInMode






T = TypeVar("T", bound="KillSwitchIn")



@_attrs_define
class KillSwitchIn:
    """ 
        Attributes:
            mode (KillSwitchInMode): stable: every call to the stable version; fallback: every call to the operator or
                fallback message
            reason (str):
     """

    mode: KillSwitchInMode
    reason: str





    def to_dict(self) -> dict[str, Any]:
        mode = self.mode.value

        reason = self.reason


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "mode": mode,
            "reason": reason,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        mode = KillSwitchInMode(d.pop("mode"))




        reason = d.pop("reason")

        kill_switch_in = cls(
            mode=mode,
            reason=reason,
        )

        return kill_switch_in

