from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.breach_kind import BreachKind
from ..models.guard_metric import GuardMetric
from typing import cast






T = TypeVar("T", bound="Breach")



@_attrs_define
class Breach:
    """ One guard limit the canary exceeded: ``canary_value`` is over ``limit`` by ``by``.

        Attributes:
            by (float):
            canary_value (float):
            guard (int):
            kind (BreachKind):
            limit (float):
            metric (GuardMetric):
            stable_value (float | None):
            threshold (float):
     """

    by: float
    canary_value: float
    guard: int
    kind: BreachKind
    limit: float
    metric: GuardMetric
    stable_value: float | None
    threshold: float





    def to_dict(self) -> dict[str, Any]:
        by = self.by

        canary_value = self.canary_value

        guard = self.guard

        kind = self.kind.value

        limit = self.limit

        metric = self.metric.value

        stable_value: float | None
        stable_value = self.stable_value

        threshold = self.threshold


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "by": by,
            "canary_value": canary_value,
            "guard": guard,
            "kind": kind,
            "limit": limit,
            "metric": metric,
            "stable_value": stable_value,
            "threshold": threshold,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        by = d.pop("by")

        canary_value = d.pop("canary_value")

        guard = d.pop("guard")

        kind = BreachKind(d.pop("kind"))




        limit = d.pop("limit")

        metric = GuardMetric(d.pop("metric"))




        def _parse_stable_value(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        stable_value = _parse_stable_value(d.pop("stable_value"))


        threshold = d.pop("threshold")

        breach = cls(
            by=by,
            canary_value=canary_value,
            guard=guard,
            kind=kind,
            limit=limit,
            metric=metric,
            stable_value=stable_value,
            threshold=threshold,
        )

        return breach

