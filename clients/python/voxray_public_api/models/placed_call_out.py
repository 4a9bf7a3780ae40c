from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.call_status import CallStatus
from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast
import datetime






T = TypeVar("T", bound="PlacedCallOut")



@_attrs_define
class PlacedCallOut:
    """ 
        Attributes:
            created_at (datetime.datetime):
            from_number (str):
            id (str): The Twilio CallSid
            status (CallStatus): Twilio's call statuses (PROTOCOLS C.4), ``initiated`` included.
            to_number (str):
            direction (Literal['outbound'] | Unset):  Default: 'outbound'.
     """

    created_at: datetime.datetime
    from_number: str
    id: str
    status: CallStatus
    to_number: str
    direction: Literal['outbound'] | Unset = 'outbound'
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        from_number = self.from_number

        id = self.id

        status = self.status.value

        to_number = self.to_number

        direction = self.direction


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "from_number": from_number,
            "id": id,
            "status": status,
            "to_number": to_number,
        })
        if direction is not UNSET:
            field_dict["direction"] = direction

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        from_number = d.pop("from_number")

        id = d.pop("id")

        status = CallStatus(d.pop("status"))




        to_number = d.pop("to_number")

        direction = cast(Literal['outbound'] | Unset , d.pop("direction", UNSET))
        if direction != 'outbound'and not isinstance(direction, Unset):
            raise ValueError(f"direction must match const 'outbound', got '{direction}'")

        placed_call_out = cls(
            created_at=created_at,
            from_number=from_number,
            id=id,
            status=status,
            to_number=to_number,
            direction=direction,
        )


        placed_call_out.additional_properties = d
        return placed_call_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
