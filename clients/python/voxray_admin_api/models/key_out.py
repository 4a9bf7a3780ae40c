from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.key_kind import KeyKind
from ..models.key_out_role_type_0 import KeyOutRoleType0
from ..models.scope import Scope
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="KeyOut")



@_attrs_define
class KeyOut:
    """ 
        Attributes:
            created_at (datetime.datetime):
            created_by (None | str):
            id (str):
            kind (KeyKind):
            last_used_at (datetime.datetime | None):
            name (str):
            prefix (str): The key's first characters, to recognise it without its secret
            revoked_at (datetime.datetime | None):
            role (KeyOutRoleType0 | None):
            scopes (list[Scope]):
            tenant_id (None | str):
            owner (None | str | Unset):
            vouched (bool | Unset): Admin keys: whether an admin other than the key's owner vouched for its person (needed
                to approve versions) Default: False.
     """

    created_at: datetime.datetime
    created_by: None | str
    id: str
    kind: KeyKind
    last_used_at: datetime.datetime | None
    name: str
    prefix: str
    revoked_at: datetime.datetime | None
    role: KeyOutRoleType0 | None
    scopes: list[Scope]
    tenant_id: None | str
    owner: None | str | Unset = UNSET
    vouched: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        created_by: None | str
        created_by = self.created_by

        id = self.id

        kind = self.kind.value

        last_used_at: None | str
        if isinstance(self.last_used_at, datetime.datetime):
            last_used_at = self.last_used_at.isoformat()
        else:
            last_used_at = self.last_used_at

        name = self.name

        prefix = self.prefix

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        role: None | str
        if isinstance(self.role, KeyOutRoleType0):
            role = self.role.value
        else:
            role = self.role

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)



        tenant_id: None | str
        tenant_id = self.tenant_id

        owner: None | str | Unset
        if isinstance(self.owner, Unset):
            owner = UNSET
        else:
            owner = self.owner

        vouched = self.vouched


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "created_by": created_by,
            "id": id,
            "kind": kind,
            "last_used_at": last_used_at,
            "name": name,
            "prefix": prefix,
            "revoked_at": revoked_at,
            "role": role,
            "scopes": scopes,
            "tenant_id": tenant_id,
        })
        if owner is not UNSET:
            field_dict["owner"] = owner
        if vouched is not UNSET:
            field_dict["vouched"] = vouched

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        def _parse_created_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_by = _parse_created_by(d.pop("created_by"))


        id = d.pop("id")

        kind = KeyKind(d.pop("kind"))




        def _parse_last_used_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_used_at_type_0 = datetime.datetime.fromisoformat(data)



                return last_used_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_used_at = _parse_last_used_at(d.pop("last_used_at"))


        name = d.pop("name")

        prefix = d.pop("prefix")

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)



                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at"))


        def _parse_role(data: object) -> KeyOutRoleType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                role_type_0 = KeyOutRoleType0(data)



                return role_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KeyOutRoleType0 | None, data)

        role = _parse_role(d.pop("role"))


        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in (_scopes):
            scopes_item = Scope(scopes_item_data)



            scopes.append(scopes_item)


        def _parse_tenant_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id"))


        def _parse_owner(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        owner = _parse_owner(d.pop("owner", UNSET))


        vouched = d.pop("vouched", UNSET)

        key_out = cls(
            created_at=created_at,
            created_by=created_by,
            id=id,
            kind=kind,
            last_used_at=last_used_at,
            name=name,
            prefix=prefix,
            revoked_at=revoked_at,
            role=role,
            scopes=scopes,
            tenant_id=tenant_id,
            owner=owner,
            vouched=vouched,
        )


        key_out.additional_properties = d
        return key_out

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
