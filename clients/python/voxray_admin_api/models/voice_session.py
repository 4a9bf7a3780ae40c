from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.call_log import CallLog
  from ..models.function_call_out import FunctionCallOut
  from ..models.session_review_qa import SessionReviewQa
  from ..models.transcript_line import TranscriptLine





T = TypeVar("T", bound="VoiceSession")



@_attrs_define
class VoiceSession:
    """ 
        Attributes:
            call (CallLog):
            function_calls (list[FunctionCallOut]):
            id (str):
            qa (SessionReviewQa):
            tags (list[str]):
            transcript (list[TranscriptLine]):
     """

    call: CallLog
    function_calls: list[FunctionCallOut]
    id: str
    qa: SessionReviewQa
    tags: list[str]
    transcript: list[TranscriptLine]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.call_log import CallLog # noqa: PLC0415
        from ..models.function_call_out import FunctionCallOut # noqa: PLC0415
        from ..models.session_review_qa import SessionReviewQa # noqa: PLC0415
        from ..models.transcript_line import TranscriptLine # noqa: PLC0415
        call = self.call.to_dict()

        function_calls = []
        for function_calls_item_data in self.function_calls:
            function_calls_item = function_calls_item_data.to_dict()
            function_calls.append(function_calls_item)



        id = self.id

        qa = self.qa.to_dict()

        tags = self.tags



        transcript = []
        for transcript_item_data in self.transcript:
            transcript_item = transcript_item_data.to_dict()
            transcript.append(transcript_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call": call,
            "function_calls": function_calls,
            "id": id,
            "qa": qa,
            "tags": tags,
            "transcript": transcript,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_log import CallLog # noqa: PLC0415
        from ..models.function_call_out import FunctionCallOut # noqa: PLC0415
        from ..models.session_review_qa import SessionReviewQa # noqa: PLC0415
        from ..models.transcript_line import TranscriptLine # noqa: PLC0415
        d = dict(src_dict)
        call = CallLog.from_dict(d.pop("call"))




        function_calls = []
        _function_calls = d.pop("function_calls")
        for function_calls_item_data in (_function_calls):
            function_calls_item = FunctionCallOut.from_dict(function_calls_item_data)



            function_calls.append(function_calls_item)


        id = d.pop("id")

        qa = SessionReviewQa.from_dict(d.pop("qa"))




        tags = cast(list[str], d.pop("tags"))


        transcript = []
        _transcript = d.pop("transcript")
        for transcript_item_data in (_transcript):
            transcript_item = TranscriptLine.from_dict(transcript_item_data)



            transcript.append(transcript_item)


        voice_session = cls(
            call=call,
            function_calls=function_calls,
            id=id,
            qa=qa,
            tags=tags,
            transcript=transcript,
        )


        voice_session.additional_properties = d
        return voice_session

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
