from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.checklist_category import ChecklistCategory
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="ChecklistItem")



@_attrs_define
class ChecklistItem:
    """ 
        Attributes:
            category (ChecklistCategory):
            key (str):
            title (str):
            done_at (datetime.datetime | None | Unset):
            done_by (None | str | Unset):
            note (None | str | Unset):
            required (bool | Unset):  Default: True.
     """

    category: ChecklistCategory
    key: str
    title: str
    done_at: datetime.datetime | None | Unset = UNSET
    done_by: None | str | Unset = UNSET
    note: None | str | Unset = UNSET
    required: bool | Unset = True





    def to_dict(self) -> dict[str, Any]:
        category = self.category.value

        key = self.key

        title = self.title

        done_at: None | str | Unset
        if isinstance(self.done_at, Unset):
            done_at = UNSET
        elif isinstance(self.done_at, datetime.datetime):
            done_at = self.done_at.isoformat()
        else:
            done_at = self.done_at

        done_by: None | str | Unset
        if isinstance(self.done_by, Unset):
            done_by = UNSET
        else:
            done_by = self.done_by

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        required = self.required


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "category": category,
            "key": key,
            "title": title,
        })
        if done_at is not UNSET:
            field_dict["done_at"] = done_at
        if done_by is not UNSET:
            field_dict["done_by"] = done_by
        if note is not UNSET:
            field_dict["note"] = note
        if required is not UNSET:
            field_dict["required"] = required

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        category = ChecklistCategory(d.pop("category"))




        key = d.pop("key")

        title = d.pop("title")

        def _parse_done_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                done_at_type_0 = datetime.datetime.fromisoformat(data)



                return done_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        done_at = _parse_done_at(d.pop("done_at", UNSET))


        def _parse_done_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        done_by = _parse_done_by(d.pop("done_by", UNSET))


        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))


        required = d.pop("required", UNSET)

        checklist_item = cls(
            category=category,
            key=key,
            title=title,
            done_at=done_at,
            done_by=done_by,
            note=note,
            required=required,
        )

        return checklist_item

