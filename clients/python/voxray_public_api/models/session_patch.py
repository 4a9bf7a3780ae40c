from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.qa_patch import QaPatch





T = TypeVar("T", bound="SessionPatch")



@_attrs_define
class SessionPatch:
    """ Fields to change; absent fields stay as they are. ``tags`` replaces the whole list.

        Attributes:
            qa (None | QaPatch | Unset):
            tags (list[str] | None | Unset):
     """

    qa: None | QaPatch | Unset = UNSET
    tags: list[str] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.qa_patch import QaPatch # noqa: PLC0415
        qa: dict[str, Any] | None | Unset
        if isinstance(self.qa, Unset):
            qa = UNSET
        elif isinstance(self.qa, QaPatch):
            qa = self.qa.to_dict()
        else:
            qa = self.qa

        tags: list[str] | None | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, list):
            tags = self.tags


        else:
            tags = self.tags


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if qa is not UNSET:
            field_dict["qa"] = qa
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.qa_patch import QaPatch # noqa: PLC0415
        d = dict(src_dict)
        def _parse_qa(data: object) -> None | QaPatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                qa_type_0 = QaPatch.from_dict(data)



                return qa_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QaPatch | Unset, data)

        qa = _parse_qa(d.pop("qa", UNSET))


        def _parse_tags(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tags_type_0 = cast(list[str], data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))


        session_patch = cls(
            qa=qa,
            tags=tags,
        )

        return session_patch

