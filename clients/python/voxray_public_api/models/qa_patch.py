from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.qa_state import QaState
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="QaPatch")



@_attrs_define
class QaPatch:
    """ 
        Attributes:
            notes (None | str | Unset):
            score (float | None | Unset): null clears the score
            state (None | QaState | Unset):
     """

    notes: None | str | Unset = UNSET
    score: float | None | Unset = UNSET
    state: None | QaState | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        notes: None | str | Unset
        if isinstance(self.notes, Unset):
            notes = UNSET
        else:
            notes = self.notes

        score: float | None | Unset
        if isinstance(self.score, Unset):
            score = UNSET
        else:
            score = self.score

        state: None | str | Unset
        if isinstance(self.state, Unset):
            state = UNSET
        elif isinstance(self.state, QaState):
            state = self.state.value
        else:
            state = self.state


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if notes is not UNSET:
            field_dict["notes"] = notes
        if score is not UNSET:
            field_dict["score"] = score
        if state is not UNSET:
            field_dict["state"] = state

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_notes(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notes = _parse_notes(d.pop("notes", UNSET))


        def _parse_score(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        score = _parse_score(d.pop("score", UNSET))


        def _parse_state(data: object) -> None | QaState | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                state_type_0 = QaState(data)



                return state_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QaState | Unset, data)

        state = _parse_state(d.pop("state", UNSET))


        qa_patch = cls(
            notes=notes,
            score=score,
            state=state,
        )

        return qa_patch

