from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.rollout_policy import RolloutPolicy





T = TypeVar("T", bound="NamedPolicy")



@_attrs_define
class NamedPolicy:
    """ 
        Attributes:
            name (str):
            policy (RolloutPolicy): Canary steps in percent (strictly increasing, ending at 100) and what each step needs.
     """

    name: str
    policy: RolloutPolicy
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.rollout_policy import RolloutPolicy # noqa: PLC0415
        name = self.name

        policy = self.policy.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
            "policy": policy,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rollout_policy import RolloutPolicy # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        policy = RolloutPolicy.from_dict(d.pop("policy"))




        named_policy = cls(
            name=name,
            policy=policy,
        )


        named_policy.additional_properties = d
        return named_policy

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
