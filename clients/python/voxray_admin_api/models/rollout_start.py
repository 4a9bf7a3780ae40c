from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RolloutStart")



@_attrs_define
class RolloutStart:
    """ 
        Attributes:
            version (int): The approved version to canary
            policy (None | str | Unset): A rollout policy of the tenant (default: the standard policy)
     """

    version: int
    policy: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        version = self.version

        policy: None | str | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        else:
            policy = self.policy


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "version": version,
        })
        if policy is not UNSET:
            field_dict["policy"] = policy

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        version = d.pop("version")

        def _parse_policy(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        policy = _parse_policy(d.pop("policy", UNSET))


        rollout_start = cls(
            version=version,
            policy=policy,
        )

        return rollout_start

