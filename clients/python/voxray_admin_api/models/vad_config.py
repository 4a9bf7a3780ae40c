from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="VadConfig")



@_attrs_define
class VadConfig:
    """ 
        Attributes:
            aggressiveness (int | Unset):  Default: 2.
            hangover_frames (int | Unset):  Default: 15.
            start_frames (int | Unset):  Default: 3.
     """

    aggressiveness: int | Unset = 2
    hangover_frames: int | Unset = 15
    start_frames: int | Unset = 3





    def to_dict(self) -> dict[str, Any]:
        aggressiveness = self.aggressiveness

        hangover_frames = self.hangover_frames

        start_frames = self.start_frames


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if aggressiveness is not UNSET:
            field_dict["aggressiveness"] = aggressiveness
        if hangover_frames is not UNSET:
            field_dict["hangover_frames"] = hangover_frames
        if start_frames is not UNSET:
            field_dict["start_frames"] = start_frames

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        aggressiveness = d.pop("aggressiveness", UNSET)

        hangover_frames = d.pop("hangover_frames", UNSET)

        start_frames = d.pop("start_frames", UNSET)

        vad_config = cls(
            aggressiveness=aggressiveness,
            hangover_frames=hangover_frames,
            start_frames=start_frames,
        )

        return vad_config

