from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.tenant_create_isolation import TenantCreateIsolation
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.rate_limits import RateLimits
  from ..models.runtime_config import RuntimeConfig





T = TypeVar("T", bound="TenantCreate")



@_attrs_define
class TenantCreate:
    """ 
        Attributes:
            id (str):
            name (str):
            twilio_account_sid (str):
            twilio_auth_token (str):
            isolation (TenantCreateIsolation | Unset): shared: calls share session-actor processes; dedicated: a process of
                its own per live call, reused for this tenant's next call Default: TenantCreateIsolation.SHARED.
            max_concurrent_calls (int | Unset):  Default: 50.
            phone_numbers (list[str] | Unset):
            rate_limits (RateLimits | Unset): Token buckets: ``*_per_s`` refill rate and ``*_burst`` capacity, per tenant
                and per key.
            runtime_config (RuntimeConfig | Unset): What new calls of a tenant run with. Changes apply to calls set up after
                them.
     """

    id: str
    name: str
    twilio_account_sid: str
    twilio_auth_token: str
    isolation: TenantCreateIsolation | Unset = TenantCreateIsolation.SHARED
    max_concurrent_calls: int | Unset = 50
    phone_numbers: list[str] | Unset = UNSET
    rate_limits: RateLimits | Unset = UNSET
    runtime_config: RuntimeConfig | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.rate_limits import RateLimits # noqa: PLC0415
        from ..models.runtime_config import RuntimeConfig # noqa: PLC0415
        id = self.id

        name = self.name

        twilio_account_sid = self.twilio_account_sid

        twilio_auth_token = self.twilio_auth_token

        isolation: str | Unset = UNSET
        if not isinstance(self.isolation, Unset):
            isolation = self.isolation.value


        max_concurrent_calls = self.max_concurrent_calls

        phone_numbers: list[str] | Unset = UNSET
        if not isinstance(self.phone_numbers, Unset):
            phone_numbers = self.phone_numbers



        rate_limits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.rate_limits, Unset):
            rate_limits = self.rate_limits.to_dict()

        runtime_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.runtime_config, Unset):
            runtime_config = self.runtime_config.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "id": id,
            "name": name,
            "twilio_account_sid": twilio_account_sid,
            "twilio_auth_token": twilio_auth_token,
        })
        if isolation is not UNSET:
            field_dict["isolation"] = isolation
        if max_concurrent_calls is not UNSET:
            field_dict["max_concurrent_calls"] = max_concurrent_calls
        if phone_numbers is not UNSET:
            field_dict["phone_numbers"] = phone_numbers
        if rate_limits is not UNSET:
            field_dict["rate_limits"] = rate_limits
        if runtime_config is not UNSET:
            field_dict["runtime_config"] = runtime_config

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rate_limits import RateLimits # noqa: PLC0415
        from ..models.runtime_config import RuntimeConfig # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        twilio_account_sid = d.pop("twilio_account_sid")

        twilio_auth_token = d.pop("twilio_auth_token")

        _isolation = d.pop("isolation", UNSET)
        isolation: TenantCreateIsolation | Unset
        if isinstance(_isolation,  Unset):
            isolation = UNSET
        else:
            isolation = TenantCreateIsolation(_isolation)




        max_concurrent_calls = d.pop("max_concurrent_calls", UNSET)

        phone_numbers = cast(list[str], d.pop("phone_numbers", UNSET))


        _rate_limits = d.pop("rate_limits", UNSET)
        rate_limits: RateLimits | Unset
        if isinstance(_rate_limits,  Unset):
            rate_limits = UNSET
        else:
            rate_limits = RateLimits.from_dict(_rate_limits)




        _runtime_config = d.pop("runtime_config", UNSET)
        runtime_config: RuntimeConfig | Unset
        if isinstance(_runtime_config,  Unset):
            runtime_config = UNSET
        else:
            runtime_config = RuntimeConfig.from_dict(_runtime_config)




        tenant_create = cls(
            id=id,
            name=name,
            twilio_account_sid=twilio_account_sid,
            twilio_auth_token=twilio_auth_token,
            isolation=isolation,
            max_concurrent_calls=max_concurrent_calls,
            phone_numbers=phone_numbers,
            rate_limits=rate_limits,
            runtime_config=runtime_config,
        )

        return tenant_create

