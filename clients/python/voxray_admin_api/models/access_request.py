from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.access_request_timeline import AccessRequestTimeline
from ..models.access_state import AccessState
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="AccessRequest")



@_attrs_define
class AccessRequest:
    """ 
        Attributes:
            company (str):
            contact_email (str):
            contact_name (str):
            created_at (datetime.datetime):
            id (str):
            monthly_call_minutes (int): Expected volume
            timeline (AccessRequestTimeline):
            use_case (str): What the agents will do on calls
            contact_phone (None | str | Unset):
            decided_at (datetime.datetime | None | Unset):
            decided_by (None | str | Unset):
            reason (None | str | Unset):
            state (AccessState | Unset):
            tenant_id (None | str | Unset):
     """

    company: str
    contact_email: str
    contact_name: str
    created_at: datetime.datetime
    id: str
    monthly_call_minutes: int
    timeline: AccessRequestTimeline
    use_case: str
    contact_phone: None | str | Unset = UNSET
    decided_at: datetime.datetime | None | Unset = UNSET
    decided_by: None | str | Unset = UNSET
    reason: None | str | Unset = UNSET
    state: AccessState | Unset = UNSET
    tenant_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        company = self.company

        contact_email = self.contact_email

        contact_name = self.contact_name

        created_at = self.created_at.isoformat()

        id = self.id

        monthly_call_minutes = self.monthly_call_minutes

        timeline = self.timeline.value

        use_case = self.use_case

        contact_phone: None | str | Unset
        if isinstance(self.contact_phone, Unset):
            contact_phone = UNSET
        else:
            contact_phone = self.contact_phone

        decided_at: None | str | Unset
        if isinstance(self.decided_at, Unset):
            decided_at = UNSET
        elif isinstance(self.decided_at, datetime.datetime):
            decided_at = self.decided_at.isoformat()
        else:
            decided_at = self.decided_at

        decided_by: None | str | Unset
        if isinstance(self.decided_by, Unset):
            decided_by = UNSET
        else:
            decided_by = self.decided_by

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value


        tenant_id: None | str | Unset
        if isinstance(self.tenant_id, Unset):
            tenant_id = UNSET
        else:
            tenant_id = self.tenant_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "company": company,
            "contact_email": contact_email,
            "contact_name": contact_name,
            "created_at": created_at,
            "id": id,
            "monthly_call_minutes": monthly_call_minutes,
            "timeline": timeline,
            "use_case": use_case,
        })
        if contact_phone is not UNSET:
            field_dict["contact_phone"] = contact_phone
        if decided_at is not UNSET:
            field_dict["decided_at"] = decided_at
        if decided_by is not UNSET:
            field_dict["decided_by"] = decided_by
        if reason is not UNSET:
            field_dict["reason"] = reason
        if state is not UNSET:
            field_dict["state"] = state
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        company = d.pop("company")

        contact_email = d.pop("contact_email")

        contact_name = d.pop("contact_name")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        id = d.pop("id")

        monthly_call_minutes = d.pop("monthly_call_minutes")

        timeline = AccessRequestTimeline(d.pop("timeline"))




        use_case = d.pop("use_case")

        def _parse_contact_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contact_phone = _parse_contact_phone(d.pop("contact_phone", UNSET))


        def _parse_decided_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_at_type_0 = datetime.datetime.fromisoformat(data)



                return decided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        decided_at = _parse_decided_at(d.pop("decided_at", UNSET))


        def _parse_decided_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        decided_by = _parse_decided_by(d.pop("decided_by", UNSET))


        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))


        _state = d.pop("state", UNSET)
        state: AccessState | Unset
        if isinstance(_state,  Unset):
            state = UNSET
        else:
            state = AccessState(_state)




        def _parse_tenant_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id", UNSET))


        access_request = cls(
            company=company,
            contact_email=contact_email,
            contact_name=contact_name,
            created_at=created_at,
            id=id,
            monthly_call_minutes=monthly_call_minutes,
            timeline=timeline,
            use_case=use_case,
            contact_phone=contact_phone,
            decided_at=decided_at,
            decided_by=decided_by,
            reason=reason,
            state=state,
            tenant_id=tenant_id,
        )

        return access_request

