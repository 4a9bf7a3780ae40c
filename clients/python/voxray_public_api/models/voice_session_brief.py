from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.call_log import CallLog
  from ..models.session_review_qa import SessionReviewQa





T = TypeVar("T", bound="VoiceSessionBrief")



@_attrs_define
class VoiceSessionBrief:
    """ 
        Attributes:
            call (CallLog):
            id (str):
            qa (SessionReviewQa):
            tags (list[str]):
     """

    call: CallLog
    id: str
    qa: SessionReviewQa
    tags: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.call_log import CallLog # noqa: PLC0415
        from ..models.session_review_qa import SessionReviewQa # noqa: PLC0415
        call = self.call.to_dict()

        id = self.id

        qa = self.qa.to_dict()

        tags = self.tags




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "call": call,
            "id": id,
            "qa": qa,
            "tags": tags,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.call_log import CallLog # noqa: PLC0415
        from ..models.session_review_qa import SessionReviewQa # noqa: PLC0415
        d = dict(src_dict)
        call = CallLog.from_dict(d.pop("call"))




        id = d.pop("id")

        qa = SessionReviewQa.from_dict(d.pop("qa"))




        tags = cast(list[str], d.pop("tags"))


        voice_session_brief = cls(
            call=call,
            id=id,
            qa=qa,
            tags=tags,
        )


        voice_session_brief.additional_properties = d
        return voice_session_brief

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
