from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="TwilioVoiceRequest")



@_attrs_define
class TwilioVoiceRequest:
    """ Twilio's voice webhook parameters (form-encoded); every parameter Twilio sends is signed

        Attributes:
            account_sid (str): Must be the tenant's Twilio account
            call_sid (str):
            from_ (str): The caller (E.164)
            to (str): The tenant's number that was called (E.164)
            api_version (str | Unset):
            call_status (str | Unset):
            direction (str | Unset):
     """

    account_sid: str
    call_sid: str
    from_: str
    to: str
    api_version: str | Unset = UNSET
    call_status: str | Unset = UNSET
    direction: str | Unset = UNSET
    additional_properties: dict[str, str] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        account_sid = self.account_sid

        call_sid = self.call_sid

        from_ = self.from_

        to = self.to

        api_version = self.api_version

        call_status = self.call_status

        direction = self.direction


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "AccountSid": account_sid,
            "CallSid": call_sid,
            "From": from_,
            "To": to,
        })
        if api_version is not UNSET:
            field_dict["ApiVersion"] = api_version
        if call_status is not UNSET:
            field_dict["CallStatus"] = call_status
        if direction is not UNSET:
            field_dict["Direction"] = direction

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        account_sid = d.pop("AccountSid")

        call_sid = d.pop("CallSid")

        from_ = d.pop("From")

        to = d.pop("To")

        api_version = d.pop("ApiVersion", UNSET)

        call_status = d.pop("CallStatus", UNSET)

        direction = d.pop("Direction", UNSET)

        twilio_voice_request = cls(
            account_sid=account_sid,
            call_sid=call_sid,
            from_=from_,
            to=to,
            api_version=api_version,
            call_status=call_status,
            direction=direction,
        )


        twilio_voice_request.additional_properties = d
        return twilio_voice_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> str:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: str) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
