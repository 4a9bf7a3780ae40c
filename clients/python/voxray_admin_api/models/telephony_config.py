from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TelephonyConfig")



@_attrs_define
class TelephonyConfig:
    """ Per-tenant telephony defaults (runtime config; data in Redis, not environment).

        Attributes:
            caller_id (None | str | Unset):
            fallback_message (str | Unset):  Default: 'All of our operators are busy. Please leave a message after the
                tone.'.
            fallback_number (None | str | Unset):
            operator_number (None | str | Unset):
     """

    caller_id: None | str | Unset = UNSET
    fallback_message: str | Unset = 'All of our operators are busy. Please leave a message after the tone.'
    fallback_number: None | str | Unset = UNSET
    operator_number: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        caller_id: None | str | Unset
        if isinstance(self.caller_id, Unset):
            caller_id = UNSET
        else:
            caller_id = self.caller_id

        fallback_message = self.fallback_message

        fallback_number: None | str | Unset
        if isinstance(self.fallback_number, Unset):
            fallback_number = UNSET
        else:
            fallback_number = self.fallback_number

        operator_number: None | str | Unset
        if isinstance(self.operator_number, Unset):
            operator_number = UNSET
        else:
            operator_number = self.operator_number


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if caller_id is not UNSET:
            field_dict["caller_id"] = caller_id
        if fallback_message is not UNSET:
            field_dict["fallback_message"] = fallback_message
        if fallback_number is not UNSET:
            field_dict["fallback_number"] = fallback_number
        if operator_number is not UNSET:
            field_dict["operator_number"] = operator_number

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_caller_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        caller_id = _parse_caller_id(d.pop("caller_id", UNSET))


        fallback_message = d.pop("fallback_message", UNSET)

        def _parse_fallback_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fallback_number = _parse_fallback_number(d.pop("fallback_number", UNSET))


        def _parse_operator_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        operator_number = _parse_operator_number(d.pop("operator_number", UNSET))


        telephony_config = cls(
            caller_id=caller_id,
            fallback_message=fallback_message,
            fallback_number=fallback_number,
            operator_number=operator_number,
        )

        return telephony_config

