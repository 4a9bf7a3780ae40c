from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="MakeCall")



@_attrs_define
class MakeCall:
    """ 
        Attributes:
            to (str): The number to call (E.164)
            from_number (None | str | Unset): Caller ID; one of the tenant's numbers. Default: telephony.caller_id
     """

    to: str
    from_number: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        to = self.to

        from_number: None | str | Unset
        if isinstance(self.from_number, Unset):
            from_number = UNSET
        else:
            from_number = self.from_number


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "to": to,
        })
        if from_number is not UNSET:
            field_dict["from_number"] = from_number

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        to = d.pop("to")

        def _parse_from_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_number = _parse_from_number(d.pop("from_number", UNSET))


        make_call = cls(
            to=to,
            from_number=from_number,
        )

        return make_call

