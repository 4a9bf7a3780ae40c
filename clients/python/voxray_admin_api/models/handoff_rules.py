from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.handoff_rules_transfer_mode import HandoffRulesTransferMode
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="HandoffRules")



@_attrs_define
class HandoffRules:
    """ Rules that hand the caller to a person regardless of what the model decides.

        Attributes:
            dtmf_digit (None | str | Unset):  Default: '0'.
            keywords (list[str] | Unset):
            max_call_s (float | None | Unset):  Default: 1800.0.
            max_tool_failures (int | None | Unset):  Default: 3.
            max_turns_without_progress (int | None | Unset):  Default: 8.
            transfer_mode (HandoffRulesTransferMode | Unset):  Default: HandoffRulesTransferMode.WARM.
     """

    dtmf_digit: None | str | Unset = '0'
    keywords: list[str] | Unset = UNSET
    max_call_s: float | None | Unset = 1800.0
    max_tool_failures: int | None | Unset = 3
    max_turns_without_progress: int | None | Unset = 8
    transfer_mode: HandoffRulesTransferMode | Unset = HandoffRulesTransferMode.WARM





    def to_dict(self) -> dict[str, Any]:
        dtmf_digit: None | str | Unset
        if isinstance(self.dtmf_digit, Unset):
            dtmf_digit = UNSET
        else:
            dtmf_digit = self.dtmf_digit

        keywords: list[str] | Unset = UNSET
        if not isinstance(self.keywords, Unset):
            keywords = self.keywords



        max_call_s: float | None | Unset
        if isinstance(self.max_call_s, Unset):
            max_call_s = UNSET
        else:
            max_call_s = self.max_call_s

        max_tool_failures: int | None | Unset
        if isinstance(self.max_tool_failures, Unset):
            max_tool_failures = UNSET
        else:
            max_tool_failures = self.max_tool_failures

        max_turns_without_progress: int | None | Unset
        if isinstance(self.max_turns_without_progress, Unset):
            max_turns_without_progress = UNSET
        else:
            max_turns_without_progress = self.max_turns_without_progress

        transfer_mode: str | Unset = UNSET
        if not isinstance(self.transfer_mode, Unset):
            transfer_mode = self.transfer_mode.value



        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if dtmf_digit is not UNSET:
            field_dict["dtmf_digit"] = dtmf_digit
        if keywords is not UNSET:
            field_dict["keywords"] = keywords
        if max_call_s is not UNSET:
            field_dict["max_call_s"] = max_call_s
        if max_tool_failures is not UNSET:
            field_dict["max_tool_failures"] = max_tool_failures
        if max_turns_without_progress is not UNSET:
            field_dict["max_turns_without_progress"] = max_turns_without_progress
        if transfer_mode is not UNSET:
            field_dict["transfer_mode"] = transfer_mode

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_dtmf_digit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dtmf_digit = _parse_dtmf_digit(d.pop("dtmf_digit", UNSET))


        keywords = cast(list[str], d.pop("keywords", UNSET))


        def _parse_max_call_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_call_s = _parse_max_call_s(d.pop("max_call_s", UNSET))


        def _parse_max_tool_failures(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_tool_failures = _parse_max_tool_failures(d.pop("max_tool_failures", UNSET))


        def _parse_max_turns_without_progress(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_turns_without_progress = _parse_max_turns_without_progress(d.pop("max_turns_without_progress", UNSET))


        _transfer_mode = d.pop("transfer_mode", UNSET)
        transfer_mode: HandoffRulesTransferMode | Unset
        if isinstance(_transfer_mode,  Unset):
            transfer_mode = UNSET
        else:
            transfer_mode = HandoffRulesTransferMode(_transfer_mode)




        handoff_rules = cls(
            dtmf_digit=dtmf_digit,
            keywords=keywords,
            max_call_s=max_call_s,
            max_tool_failures=max_tool_failures,
            max_turns_without_progress=max_turns_without_progress,
            transfer_mode=transfer_mode,
        )

        return handoff_rules

