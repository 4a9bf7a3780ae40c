from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.agent_version import AgentVersion
  from ..models.route_decision import RouteDecision





T = TypeVar("T", bound="RoutePreview")



@_attrs_define
class RoutePreview:
    """ Where a new call from ``caller`` would go now, as call setup decides it.

        Attributes:
            caller (str):
            decision (RouteDecision): Where one new call goes. ``version`` is None for the fallback.
            number (str):
            version (AgentVersion | None):
     """

    caller: str
    decision: RouteDecision
    number: str
    version: AgentVersion | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_version import AgentVersion # noqa: PLC0415
        from ..models.route_decision import RouteDecision # noqa: PLC0415
        caller = self.caller

        decision = self.decision.to_dict()

        number = self.number

        version: dict[str, Any] | None
        if isinstance(self.version, AgentVersion):
            version = self.version.to_dict()
        else:
            version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "caller": caller,
            "decision": decision,
            "number": number,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_version import AgentVersion # noqa: PLC0415
        from ..models.route_decision import RouteDecision # noqa: PLC0415
        d = dict(src_dict)
        caller = d.pop("caller")

        decision = RouteDecision.from_dict(d.pop("decision"))




        number = d.pop("number")

        def _parse_version(data: object) -> AgentVersion | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                version_type_0 = AgentVersion.from_dict(data)



                return version_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgentVersion | None, data)

        version = _parse_version(d.pop("version"))


        route_preview = cls(
            caller=caller,
            decision=decision,
            number=number,
            version=version,
        )


        route_preview.additional_properties = d
        return route_preview

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
