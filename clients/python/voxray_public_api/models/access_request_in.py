from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.access_request_in_timeline import AccessRequestInTimeline
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="AccessRequestIn")



@_attrs_define
class AccessRequestIn:
    """ 
        Attributes:
            company (str):
            contact_email (str):
            contact_name (str):
            monthly_call_minutes (int): Expected volume
            timeline (AccessRequestInTimeline):
            use_case (str): What the agents will do on calls
            contact_phone (None | str | Unset):
     """

    company: str
    contact_email: str
    contact_name: str
    monthly_call_minutes: int
    timeline: AccessRequestInTimeline
    use_case: str
    contact_phone: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        company = self.company

        contact_email = self.contact_email

        contact_name = self.contact_name

        monthly_call_minutes = self.monthly_call_minutes

        timeline = self.timeline.value

        use_case = self.use_case

        contact_phone: None | str | Unset
        if isinstance(self.contact_phone, Unset):
            contact_phone = UNSET
        else:
            contact_phone = self.contact_phone


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "company": company,
            "contact_email": contact_email,
            "contact_name": contact_name,
            "monthly_call_minutes": monthly_call_minutes,
            "timeline": timeline,
            "use_case": use_case,
        })
        if contact_phone is not UNSET:
            field_dict["contact_phone"] = contact_phone

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        company = d.pop("company")

        contact_email = d.pop("contact_email")

        contact_name = d.pop("contact_name")

        monthly_call_minutes = d.pop("monthly_call_minutes")

        timeline = AccessRequestInTimeline(d.pop("timeline"))




        use_case = d.pop("use_case")

        def _parse_contact_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contact_phone = _parse_contact_phone(d.pop("contact_phone", UNSET))


        access_request_in = cls(
            company=company,
            contact_email=contact_email,
            contact_name=contact_name,
            monthly_call_minutes=monthly_call_minutes,
            timeline=timeline,
            use_case=use_case,
            contact_phone=contact_phone,
        )

        return access_request_in

