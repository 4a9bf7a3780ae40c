from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.guard_metric import GuardMetric
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Guard")



@_attrs_define
class Guard:
    """ A limit on one canary metric; any limit exceeded is a breach.

    ``min_samples`` counts the metric's own denominator (calls, tool calls or QA reviews). Limits
    relative to stable are checked only when stable has that many samples too.

        Attributes:
            metric (GuardMetric):
            absolute_max (float | None | Unset):
            max_absolute_delta (float | None | Unset):
            max_ratio_vs_stable (float | None | Unset):
            min_samples (int | Unset):  Default: 30.
     """

    metric: GuardMetric
    absolute_max: float | None | Unset = UNSET
    max_absolute_delta: float | None | Unset = UNSET
    max_ratio_vs_stable: float | None | Unset = UNSET
    min_samples: int | Unset = 30





    def to_dict(self) -> dict[str, Any]:
        metric = self.metric.value

        absolute_max: float | None | Unset
        if isinstance(self.absolute_max, Unset):
            absolute_max = UNSET
        else:
            absolute_max = self.absolute_max

        max_absolute_delta: float | None | Unset
        if isinstance(self.max_absolute_delta, Unset):
            max_absolute_delta = UNSET
        else:
            max_absolute_delta = self.max_absolute_delta

        max_ratio_vs_stable: float | None | Unset
        if isinstance(self.max_ratio_vs_stable, Unset):
            max_ratio_vs_stable = UNSET
        else:
            max_ratio_vs_stable = self.max_ratio_vs_stable

        min_samples = self.min_samples


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "metric": metric,
        })
        if absolute_max is not UNSET:
            field_dict["absolute_max"] = absolute_max
        if max_absolute_delta is not UNSET:
            field_dict["max_absolute_delta"] = max_absolute_delta
        if max_ratio_vs_stable is not UNSET:
            field_dict["max_ratio_vs_stable"] = max_ratio_vs_stable
        if min_samples is not UNSET:
            field_dict["min_samples"] = min_samples

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        metric = GuardMetric(d.pop("metric"))




        def _parse_absolute_max(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        absolute_max = _parse_absolute_max(d.pop("absolute_max", UNSET))


        def _parse_max_absolute_delta(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_absolute_delta = _parse_max_absolute_delta(d.pop("max_absolute_delta", UNSET))


        def _parse_max_ratio_vs_stable(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_ratio_vs_stable = _parse_max_ratio_vs_stable(d.pop("max_ratio_vs_stable", UNSET))


        min_samples = d.pop("min_samples", UNSET)

        guard = cls(
            metric=metric,
            absolute_max=absolute_max,
            max_absolute_delta=max_absolute_delta,
            max_ratio_vs_stable=max_ratio_vs_stable,
            min_samples=min_samples,
        )

        return guard

