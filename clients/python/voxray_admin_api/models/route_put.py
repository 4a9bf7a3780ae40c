from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="RoutePut")



@_attrs_define
class RoutePut:
    """ 
        Attributes:
            agent (str):
            tenant_id (str): Must own the number
            version (int): An approved version; the route's stable version
     """

    agent: str
    tenant_id: str
    version: int





    def to_dict(self) -> dict[str, Any]:
        agent = self.agent

        tenant_id = self.tenant_id

        version = self.version


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "agent": agent,
            "tenant_id": tenant_id,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agent = d.pop("agent")

        tenant_id = d.pop("tenant_id")

        version = d.pop("version")

        route_put = cls(
            agent=agent,
            tenant_id=tenant_id,
            version=version,
        )

        return route_put

