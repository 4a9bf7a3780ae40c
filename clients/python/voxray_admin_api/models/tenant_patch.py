from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.tenant_patch_isolation_type_0 import TenantPatchIsolationType0
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.rate_limits import RateLimits





T = TypeVar("T", bound="TenantPatch")



@_attrs_define
class TenantPatch:
    """ 
        Attributes:
            isolation (None | TenantPatchIsolationType0 | Unset):
            max_concurrent_calls (int | None | Unset):
            name (None | str | Unset):
            phone_numbers (list[str] | None | Unset):
            rate_limits (None | RateLimits | Unset):
            twilio_auth_token (None | str | Unset):
     """

    isolation: None | TenantPatchIsolationType0 | Unset = UNSET
    max_concurrent_calls: int | None | Unset = UNSET
    name: None | str | Unset = UNSET
    phone_numbers: list[str] | None | Unset = UNSET
    rate_limits: None | RateLimits | Unset = UNSET
    twilio_auth_token: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.rate_limits import RateLimits # noqa: PLC0415
        isolation: None | str | Unset
        if isinstance(self.isolation, Unset):
            isolation = UNSET
        elif isinstance(self.isolation, TenantPatchIsolationType0):
            isolation = self.isolation.value
        else:
            isolation = self.isolation

        max_concurrent_calls: int | None | Unset
        if isinstance(self.max_concurrent_calls, Unset):
            max_concurrent_calls = UNSET
        else:
            max_concurrent_calls = self.max_concurrent_calls

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        phone_numbers: list[str] | None | Unset
        if isinstance(self.phone_numbers, Unset):
            phone_numbers = UNSET
        elif isinstance(self.phone_numbers, list):
            phone_numbers = self.phone_numbers


        else:
            phone_numbers = self.phone_numbers

        rate_limits: dict[str, Any] | None | Unset
        if isinstance(self.rate_limits, Unset):
            rate_limits = UNSET
        elif isinstance(self.rate_limits, RateLimits):
            rate_limits = self.rate_limits.to_dict()
        else:
            rate_limits = self.rate_limits

        twilio_auth_token: None | str | Unset
        if isinstance(self.twilio_auth_token, Unset):
            twilio_auth_token = UNSET
        else:
            twilio_auth_token = self.twilio_auth_token


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if isolation is not UNSET:
            field_dict["isolation"] = isolation
        if max_concurrent_calls is not UNSET:
            field_dict["max_concurrent_calls"] = max_concurrent_calls
        if name is not UNSET:
            field_dict["name"] = name
        if phone_numbers is not UNSET:
            field_dict["phone_numbers"] = phone_numbers
        if rate_limits is not UNSET:
            field_dict["rate_limits"] = rate_limits
        if twilio_auth_token is not UNSET:
            field_dict["twilio_auth_token"] = twilio_auth_token

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rate_limits import RateLimits # noqa: PLC0415
        d = dict(src_dict)
        def _parse_isolation(data: object) -> None | TenantPatchIsolationType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                isolation_type_0 = TenantPatchIsolationType0(data)



                return isolation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TenantPatchIsolationType0 | Unset, data)

        isolation = _parse_isolation(d.pop("isolation", UNSET))


        def _parse_max_concurrent_calls(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_concurrent_calls = _parse_max_concurrent_calls(d.pop("max_concurrent_calls", UNSET))


        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_phone_numbers(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                phone_numbers_type_0 = cast(list[str], data)

                return phone_numbers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        phone_numbers = _parse_phone_numbers(d.pop("phone_numbers", UNSET))


        def _parse_rate_limits(data: object) -> None | RateLimits | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rate_limits_type_0 = RateLimits.from_dict(data)



                return rate_limits_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RateLimits | Unset, data)

        rate_limits = _parse_rate_limits(d.pop("rate_limits", UNSET))


        def _parse_twilio_auth_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        twilio_auth_token = _parse_twilio_auth_token(d.pop("twilio_auth_token", UNSET))


        tenant_patch = cls(
            isolation=isolation,
            max_concurrent_calls=max_concurrent_calls,
            name=name,
            phone_numbers=phone_numbers,
            rate_limits=rate_limits,
            twilio_auth_token=twilio_auth_token,
        )

        return tenant_patch

