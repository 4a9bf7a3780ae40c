from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.speaker import Speaker
from typing import cast






T = TypeVar("T", bound="TranscriptLine")



@_attrs_define
class TranscriptLine:
    """ 
        Attributes:
            end_ms (int):
            interrupted (bool):
            speaker (Speaker):
            start_ms (int):
            text (None | str): null when the words are unknown (no transcription)
     """

    end_ms: int
    interrupted: bool
    speaker: Speaker
    start_ms: int
    text: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        end_ms = self.end_ms

        interrupted = self.interrupted

        speaker = self.speaker.value

        start_ms = self.start_ms

        text: None | str
        text = self.text


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "end_ms": end_ms,
            "interrupted": interrupted,
            "speaker": speaker,
            "start_ms": start_ms,
            "text": text,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        end_ms = d.pop("end_ms")

        interrupted = d.pop("interrupted")

        speaker = Speaker(d.pop("speaker"))




        start_ms = d.pop("start_ms")

        def _parse_text(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        text = _parse_text(d.pop("text"))


        transcript_line = cls(
            end_ms=end_ms,
            interrupted=interrupted,
            speaker=speaker,
            start_ms=start_ms,
            text=text,
        )


        transcript_line.additional_properties = d
        return transcript_line

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
