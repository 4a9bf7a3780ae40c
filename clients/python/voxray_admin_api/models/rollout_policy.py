from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.guard import Guard





T = TypeVar("T", bound="RolloutPolicy")



@_attrs_define
class RolloutPolicy:
    """ Canary steps in percent (strictly increasing, ending at 100) and what each step needs.

        Attributes:
            bake_time_s (float | Unset):  Default: 900.0.
            guards (list[Guard] | Unset):
            min_calls (int | Unset):  Default: 50.
            steps (list[int] | Unset):
     """

    bake_time_s: float | Unset = 900.0
    guards: list[Guard] | Unset = UNSET
    min_calls: int | Unset = 50
    steps: list[int] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.guard import Guard # noqa: PLC0415
        bake_time_s = self.bake_time_s

        guards: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.guards, Unset):
            guards = []
            for guards_item_data in self.guards:
                guards_item = guards_item_data.to_dict()
                guards.append(guards_item)



        min_calls = self.min_calls

        steps: list[int] | Unset = UNSET
        if not isinstance(self.steps, Unset):
            steps = self.steps




        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if bake_time_s is not UNSET:
            field_dict["bake_time_s"] = bake_time_s
        if guards is not UNSET:
            field_dict["guards"] = guards
        if min_calls is not UNSET:
            field_dict["min_calls"] = min_calls
        if steps is not UNSET:
            field_dict["steps"] = steps

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.guard import Guard # noqa: PLC0415
        d = dict(src_dict)
        bake_time_s = d.pop("bake_time_s", UNSET)

        _guards = d.pop("guards", UNSET)
        guards: list[Guard] | Unset = UNSET
        if _guards is not UNSET:
            guards = []
            for guards_item_data in _guards:
                guards_item = Guard.from_dict(guards_item_data)



                guards.append(guards_item)


        min_calls = d.pop("min_calls", UNSET)

        steps = cast(list[int], d.pop("steps", UNSET))


        rollout_policy = cls(
            bake_time_s=bake_time_s,
            guards=guards,
            min_calls=min_calls,
            steps=steps,
        )

        return rollout_policy

