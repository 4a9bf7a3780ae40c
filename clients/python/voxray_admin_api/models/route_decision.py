from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.route_decision_arm import RouteDecisionArm
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RouteDecision")



@_attrs_define
class RouteDecision:
    """ Where one new call goes. ``version`` is None for the fallback.

        Attributes:
            arm (RouteDecisionArm):
            reason (str):
            version (int | None):
            bucket (int | None | Unset):
     """

    arm: RouteDecisionArm
    reason: str
    version: int | None
    bucket: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        arm = self.arm.value

        reason = self.reason

        version: int | None
        version = self.version

        bucket: int | None | Unset
        if isinstance(self.bucket, Unset):
            bucket = UNSET
        else:
            bucket = self.bucket


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "arm": arm,
            "reason": reason,
            "version": version,
        })
        if bucket is not UNSET:
            field_dict["bucket"] = bucket

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        arm = RouteDecisionArm(d.pop("arm"))




        reason = d.pop("reason")

        def _parse_version(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        version = _parse_version(d.pop("version"))


        def _parse_bucket(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bucket = _parse_bucket(d.pop("bucket", UNSET))


        route_decision = cls(
            arm=arm,
            reason=reason,
            version=version,
            bucket=bucket,
        )

        return route_decision

