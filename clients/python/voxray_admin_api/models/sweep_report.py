from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.phone_route import PhoneRoute
  from ..models.sweep_decision import SweepDecision





T = TypeVar("T", bound="SweepReport")



@_attrs_define
class SweepReport:
    """ 
        Attributes:
            decision (SweepDecision):
            route (PhoneRoute):
     """

    decision: SweepDecision
    route: PhoneRoute





    def to_dict(self) -> dict[str, Any]:
        from ..models.phone_route import PhoneRoute # noqa: PLC0415
        from ..models.sweep_decision import SweepDecision # noqa: PLC0415
        decision = self.decision.to_dict()

        route = self.route.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "decision": decision,
            "route": route,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.phone_route import PhoneRoute # noqa: PLC0415
        from ..models.sweep_decision import SweepDecision # noqa: PLC0415
        d = dict(src_dict)
        decision = SweepDecision.from_dict(d.pop("decision"))




        route = PhoneRoute.from_dict(d.pop("route"))




        sweep_report = cls(
            decision=decision,
            route=route,
        )

        return sweep_report

