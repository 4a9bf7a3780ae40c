from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.pool_status_actors_item import PoolStatusActorsItem





T = TypeVar("T", bound="PoolStatus")



@_attrs_define
class PoolStatus:
    """ 
        Attributes:
            actors (list[PoolStatusActorsItem]):
            free_slots (int):
            lost_calls (int):
     """

    actors: list[PoolStatusActorsItem]
    free_slots: int
    lost_calls: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.pool_status_actors_item import PoolStatusActorsItem # noqa: PLC0415
        actors = []
        for actors_item_data in self.actors:
            actors_item = actors_item_data.to_dict()
            actors.append(actors_item)



        free_slots = self.free_slots

        lost_calls = self.lost_calls


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "actors": actors,
            "free_slots": free_slots,
            "lost_calls": lost_calls,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pool_status_actors_item import PoolStatusActorsItem # noqa: PLC0415
        d = dict(src_dict)
        actors = []
        _actors = d.pop("actors")
        for actors_item_data in (_actors):
            actors_item = PoolStatusActorsItem.from_dict(actors_item_data)



            actors.append(actors_item)


        free_slots = d.pop("free_slots")

        lost_calls = d.pop("lost_calls")

        pool_status = cls(
            actors=actors,
            free_slots=free_slots,
            lost_calls=lost_calls,
        )


        pool_status.additional_properties = d
        return pool_status

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
