from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.admin_key_create_role import AdminKeyCreateRole
from ..types import UNSET, Unset






T = TypeVar("T", bound="AdminKeyCreate")



@_attrs_define
class AdminKeyCreate:
    """ 
        Attributes:
            owner (str): The person the key belongs to; approvals are counted per person
            name (str | Unset):  Default: ''.
            role (AdminKeyCreateRole | Unset):  Default: AdminKeyCreateRole.OPERATOR.
     """

    owner: str
    name: str | Unset = ''
    role: AdminKeyCreateRole | Unset = AdminKeyCreateRole.OPERATOR





    def to_dict(self) -> dict[str, Any]:
        owner = self.owner

        name = self.name

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value



        field_dict: dict[str, Any] = {}

        field_dict.update({
            "owner": owner,
        })
        if name is not UNSET:
            field_dict["name"] = name
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        owner = d.pop("owner")

        name = d.pop("name", UNSET)

        _role = d.pop("role", UNSET)
        role: AdminKeyCreateRole | Unset
        if isinstance(_role,  Unset):
            role = UNSET
        else:
            role = AdminKeyCreateRole(_role)




        admin_key_create = cls(
            owner=owner,
            name=name,
            role=role,
        )

        return admin_key_create

