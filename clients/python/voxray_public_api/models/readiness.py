from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.readiness_missing_item import ReadinessMissingItem
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.readiness_check import ReadinessCheck





T = TypeVar("T", bound="Readiness")



@_attrs_define
class Readiness:
    """ 
        Attributes:
            checked_at (datetime.datetime):
            checks (list[ReadinessCheck]):
            missing (list[ReadinessMissingItem]): The checks that fail, blocking or not
            ready (bool): The tenant can take calls now: no blocking check fails
            tenant_id (str):
     """

    checked_at: datetime.datetime
    checks: list[ReadinessCheck]
    missing: list[ReadinessMissingItem]
    ready: bool
    tenant_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.readiness_check import ReadinessCheck # noqa: PLC0415
        checked_at = self.checked_at.isoformat()

        checks = []
        for checks_item_data in self.checks:
            checks_item = checks_item_data.to_dict()
            checks.append(checks_item)



        missing = []
        for missing_item_data in self.missing:
            missing_item = missing_item_data.value
            missing.append(missing_item)



        ready = self.ready

        tenant_id = self.tenant_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "checked_at": checked_at,
            "checks": checks,
            "missing": missing,
            "ready": ready,
            "tenant_id": tenant_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.readiness_check import ReadinessCheck # noqa: PLC0415
        d = dict(src_dict)
        checked_at = datetime.datetime.fromisoformat(d.pop("checked_at"))




        checks = []
        _checks = d.pop("checks")
        for checks_item_data in (_checks):
            checks_item = ReadinessCheck.from_dict(checks_item_data)



            checks.append(checks_item)


        missing = []
        _missing = d.pop("missing")
        for missing_item_data in (_missing):
            missing_item = ReadinessMissingItem(missing_item_data)



            missing.append(missing_item)


        ready = d.pop("ready")

        tenant_id = d.pop("tenant_id")

        readiness = cls(
            checked_at=checked_at,
            checks=checks,
            missing=missing,
            ready=ready,
            tenant_id=tenant_id,
        )


        readiness.additional_properties = d
        return readiness

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
