from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.rate_limits import RateLimits
  from ..models.runtime_config import RuntimeConfig





T = TypeVar("T", bound="TenantOut")



@_attrs_define
class TenantOut:
    """ 
        Attributes:
            config_version (int):
            created_at (datetime.datetime):
            id (str):
            isolation (str):
            max_concurrent_calls (int):
            name (str):
            phone_numbers (list[str]):
            rate_limits (RateLimits): Token buckets: ``*_per_s`` refill rate and ``*_burst`` capacity, per tenant and per
                key.
            runtime_config (RuntimeConfig): What new calls of a tenant run with. Changes apply to calls set up after them.
            twilio_account_sid (str):
     """

    config_version: int
    created_at: datetime.datetime
    id: str
    isolation: str
    max_concurrent_calls: int
    name: str
    phone_numbers: list[str]
    rate_limits: RateLimits
    runtime_config: RuntimeConfig
    twilio_account_sid: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.rate_limits import RateLimits # noqa: PLC0415
        from ..models.runtime_config import RuntimeConfig # noqa: PLC0415
        config_version = self.config_version

        created_at = self.created_at.isoformat()

        id = self.id

        isolation = self.isolation

        max_concurrent_calls = self.max_concurrent_calls

        name = self.name

        phone_numbers = self.phone_numbers



        rate_limits = self.rate_limits.to_dict()

        runtime_config = self.runtime_config.to_dict()

        twilio_account_sid = self.twilio_account_sid


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "config_version": config_version,
            "created_at": created_at,
            "id": id,
            "isolation": isolation,
            "max_concurrent_calls": max_concurrent_calls,
            "name": name,
            "phone_numbers": phone_numbers,
            "rate_limits": rate_limits,
            "runtime_config": runtime_config,
            "twilio_account_sid": twilio_account_sid,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rate_limits import RateLimits # noqa: PLC0415
        from ..models.runtime_config import RuntimeConfig # noqa: PLC0415
        d = dict(src_dict)
        config_version = d.pop("config_version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        id = d.pop("id")

        isolation = d.pop("isolation")

        max_concurrent_calls = d.pop("max_concurrent_calls")

        name = d.pop("name")

        phone_numbers = cast(list[str], d.pop("phone_numbers"))


        rate_limits = RateLimits.from_dict(d.pop("rate_limits"))




        runtime_config = RuntimeConfig.from_dict(d.pop("runtime_config"))




        twilio_account_sid = d.pop("twilio_account_sid")

        tenant_out = cls(
            config_version=config_version,
            created_at=created_at,
            id=id,
            isolation=isolation,
            max_concurrent_calls=max_concurrent_calls,
            name=name,
            phone_numbers=phone_numbers,
            rate_limits=rate_limits,
            runtime_config=runtime_config,
            twilio_account_sid=twilio_account_sid,
        )


        tenant_out.additional_properties = d
        return tenant_out

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
