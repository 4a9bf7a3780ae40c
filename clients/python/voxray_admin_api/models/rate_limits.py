from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="RateLimits")



@_attrs_define
class RateLimits:
    """ Token buckets: ``*_per_s`` refill rate and ``*_burst`` capacity, per tenant and per key.

        Attributes:
            key_burst (int | Unset):  Default: 40.
            key_per_s (float | Unset):  Default: 20.0.
            tenant_burst (int | Unset):  Default: 100.
            tenant_per_s (float | Unset):  Default: 50.0.
     """

    key_burst: int | Unset = 40
    key_per_s: float | Unset = 20.0
    tenant_burst: int | Unset = 100
    tenant_per_s: float | Unset = 50.0





    def to_dict(self) -> dict[str, Any]:
        key_burst = self.key_burst

        key_per_s = self.key_per_s

        tenant_burst = self.tenant_burst

        tenant_per_s = self.tenant_per_s


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if key_burst is not UNSET:
            field_dict["key_burst"] = key_burst
        if key_per_s is not UNSET:
            field_dict["key_per_s"] = key_per_s
        if tenant_burst is not UNSET:
            field_dict["tenant_burst"] = tenant_burst
        if tenant_per_s is not UNSET:
            field_dict["tenant_per_s"] = tenant_per_s

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key_burst = d.pop("key_burst", UNSET)

        key_per_s = d.pop("key_per_s", UNSET)

        tenant_burst = d.pop("tenant_burst", UNSET)

        tenant_per_s = d.pop("tenant_per_s", UNSET)

        rate_limits = cls(
            key_burst=key_burst,
            key_per_s=key_per_s,
            tenant_burst=tenant_burst,
            tenant_per_s=tenant_per_s,
        )

        return rate_limits

