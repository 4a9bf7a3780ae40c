from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="WindowMetrics")



@_attrs_define
class WindowMetrics:
    """ One version's completed calls on one route over one window (the current step).

        Attributes:
            calls (int | Unset):  Default: 0.
            escalated (int | Unset):  Default: 0.
            failed (int | Unset):  Default: 0.
            qa_failed (int | Unset):  Default: 0.
            qa_reviewed (int | Unset):  Default: 0.
            tool_calls (int | Unset):  Default: 0.
            tool_errors (int | Unset):  Default: 0.
            turn_latency_p95_ms (float | None | Unset):
     """

    calls: int | Unset = 0
    escalated: int | Unset = 0
    failed: int | Unset = 0
    qa_failed: int | Unset = 0
    qa_reviewed: int | Unset = 0
    tool_calls: int | Unset = 0
    tool_errors: int | Unset = 0
    turn_latency_p95_ms: float | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        calls = self.calls

        escalated = self.escalated

        failed = self.failed

        qa_failed = self.qa_failed

        qa_reviewed = self.qa_reviewed

        tool_calls = self.tool_calls

        tool_errors = self.tool_errors

        turn_latency_p95_ms: float | None | Unset
        if isinstance(self.turn_latency_p95_ms, Unset):
            turn_latency_p95_ms = UNSET
        else:
            turn_latency_p95_ms = self.turn_latency_p95_ms


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if calls is not UNSET:
            field_dict["calls"] = calls
        if escalated is not UNSET:
            field_dict["escalated"] = escalated
        if failed is not UNSET:
            field_dict["failed"] = failed
        if qa_failed is not UNSET:
            field_dict["qa_failed"] = qa_failed
        if qa_reviewed is not UNSET:
            field_dict["qa_reviewed"] = qa_reviewed
        if tool_calls is not UNSET:
            field_dict["tool_calls"] = tool_calls
        if tool_errors is not UNSET:
            field_dict["tool_errors"] = tool_errors
        if turn_latency_p95_ms is not UNSET:
            field_dict["turn_latency_p95_ms"] = turn_latency_p95_ms

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        calls = d.pop("calls", UNSET)

        escalated = d.pop("escalated", UNSET)

        failed = d.pop("failed", UNSET)

        qa_failed = d.pop("qa_failed", UNSET)

        qa_reviewed = d.pop("qa_reviewed", UNSET)

        tool_calls = d.pop("tool_calls", UNSET)

        tool_errors = d.pop("tool_errors", UNSET)

        def _parse_turn_latency_p95_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        turn_latency_p95_ms = _parse_turn_latency_p95_ms(d.pop("turn_latency_p95_ms", UNSET))


        window_metrics = cls(
            calls=calls,
            escalated=escalated,
            failed=failed,
            qa_failed=qa_failed,
            qa_reviewed=qa_reviewed,
            tool_calls=tool_calls,
            tool_errors=tool_errors,
            turn_latency_p95_ms=turn_latency_p95_ms,
        )

        return window_metrics

