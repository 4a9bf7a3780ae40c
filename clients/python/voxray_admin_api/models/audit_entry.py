from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.audit_entry_details import AuditEntryDetails





T = TypeVar("T", bound="AuditEntry")



@_attrs_define
class AuditEntry:
    """ 
        Attributes:
            action (str):
            actor (str):
            at (datetime.datetime):
            id (str):
            subject (str):
            tenant_id (None | str):
            details (AuditEntryDetails | Unset):
     """

    action: str
    actor: str
    at: datetime.datetime
    id: str
    subject: str
    tenant_id: None | str
    details: AuditEntryDetails | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_entry_details import AuditEntryDetails # noqa: PLC0415
        action = self.action

        actor = self.actor

        at = self.at.isoformat()

        id = self.id

        subject = self.subject

        tenant_id: None | str
        tenant_id = self.tenant_id

        details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = self.details.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "action": action,
            "actor": actor,
            "at": at,
            "id": id,
            "subject": subject,
            "tenant_id": tenant_id,
        })
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_entry_details import AuditEntryDetails # noqa: PLC0415
        d = dict(src_dict)
        action = d.pop("action")

        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))




        id = d.pop("id")

        subject = d.pop("subject")

        def _parse_tenant_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id"))


        _details = d.pop("details", UNSET)
        details: AuditEntryDetails | Unset
        if isinstance(_details,  Unset):
            details = UNSET
        else:
            details = AuditEntryDetails.from_dict(_details)




        audit_entry = cls(
            action=action,
            actor=actor,
            at=at,
            id=id,
            subject=subject,
            tenant_id=tenant_id,
            details=details,
        )


        audit_entry.additional_properties = d
        return audit_entry

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
