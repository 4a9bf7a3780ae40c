from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.readiness_check_name import ReadinessCheckName
from ..models.readiness_check_status import ReadinessCheckStatus






T = TypeVar("T", bound="ReadinessCheck")



@_attrs_define
class ReadinessCheck:
    """ 
        Attributes:
            blocking (bool): True when calls cannot be taken while this check fails
            detail (str): What was checked, or what is missing and how to fix it
            name (ReadinessCheckName):
            status (ReadinessCheckStatus):
     """

    blocking: bool
    detail: str
    name: ReadinessCheckName
    status: ReadinessCheckStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        blocking = self.blocking

        detail = self.detail

        name = self.name.value

        status = self.status.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "blocking": blocking,
            "detail": detail,
            "name": name,
            "status": status,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        blocking = d.pop("blocking")

        detail = d.pop("detail")

        name = ReadinessCheckName(d.pop("name"))




        status = ReadinessCheckStatus(d.pop("status"))




        readiness_check = cls(
            blocking=blocking,
            detail=detail,
            name=name,
            status=status,
        )


        readiness_check.additional_properties = d
        return readiness_check

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
