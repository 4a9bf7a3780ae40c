from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.access_request import AccessRequest
  from ..models.new_key import NewKey
  from ..models.tenant_out import TenantOut





T = TypeVar("T", bound="Approved")



@_attrs_define
class Approved:
    """ 
        Attributes:
            api_key (NewKey):
            request (AccessRequest):
            tenant (TenantOut):
     """

    api_key: NewKey
    request: AccessRequest
    tenant: TenantOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.access_request import AccessRequest # noqa: PLC0415
        from ..models.new_key import NewKey # noqa: PLC0415
        from ..models.tenant_out import TenantOut # noqa: PLC0415
        api_key = self.api_key.to_dict()

        request = self.request.to_dict()

        tenant = self.tenant.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "api_key": api_key,
            "request": request,
            "tenant": tenant,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.access_request import AccessRequest # noqa: PLC0415
        from ..models.new_key import NewKey # noqa: PLC0415
        from ..models.tenant_out import TenantOut # noqa: PLC0415
        d = dict(src_dict)
        api_key = NewKey.from_dict(d.pop("api_key"))




        request = AccessRequest.from_dict(d.pop("request"))




        tenant = TenantOut.from_dict(d.pop("tenant"))




        approved = cls(
            api_key=api_key,
            request=request,
            tenant=tenant,
        )


        approved.additional_properties = d
        return approved

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
