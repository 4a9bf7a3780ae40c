from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.agent_spec_patch_audio_mode_type_0 import AgentSpecPatchAudioModeType0
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.agent_spec_patch_tools_type_0_item import AgentSpecPatchToolsType0Item
  from ..models.vad_config import VadConfig





T = TypeVar("T", bound="AgentSpecPatch")



@_attrs_define
class AgentSpecPatch:
    """ Fields of a draft's spec to replace; the rest stay.

        Attributes:
            audio_mode (AgentSpecPatchAudioModeType0 | None | Unset):
            local_model_script (None | str | Unset):
            model (None | str | Unset):
            prompt_key (None | str | Unset):
            prompt_text (None | str | Unset):
            tools (list[AgentSpecPatchToolsType0Item] | None | Unset):
            vad (None | Unset | VadConfig):
            voice (None | str | Unset):
     """

    audio_mode: AgentSpecPatchAudioModeType0 | None | Unset = UNSET
    local_model_script: None | str | Unset = UNSET
    model: None | str | Unset = UNSET
    prompt_key: None | str | Unset = UNSET
    prompt_text: None | str | Unset = UNSET
    tools: list[AgentSpecPatchToolsType0Item] | None | Unset = UNSET
    vad: None | Unset | VadConfig = UNSET
    voice: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_spec_patch_tools_type_0_item import AgentSpecPatchToolsType0Item # noqa: PLC0415
        from ..models.vad_config import VadConfig # noqa: PLC0415
        audio_mode: None | str | Unset
        if isinstance(self.audio_mode, Unset):
            audio_mode = UNSET
        elif isinstance(self.audio_mode, AgentSpecPatchAudioModeType0):
            audio_mode = self.audio_mode.value
        else:
            audio_mode = self.audio_mode

        local_model_script: None | str | Unset
        if isinstance(self.local_model_script, Unset):
            local_model_script = UNSET
        else:
            local_model_script = self.local_model_script

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        prompt_key: None | str | Unset
        if isinstance(self.prompt_key, Unset):
            prompt_key = UNSET
        else:
            prompt_key = self.prompt_key

        prompt_text: None | str | Unset
        if isinstance(self.prompt_text, Unset):
            prompt_text = UNSET
        else:
            prompt_text = self.prompt_text

        tools: list[dict[str, Any]] | None | Unset
        if isinstance(self.tools, Unset):
            tools = UNSET
        elif isinstance(self.tools, list):
            tools = []
            for tools_type_0_item_data in self.tools:
                tools_type_0_item = tools_type_0_item_data.to_dict()
                tools.append(tools_type_0_item)


        else:
            tools = self.tools

        vad: dict[str, Any] | None | Unset
        if isinstance(self.vad, Unset):
            vad = UNSET
        elif isinstance(self.vad, VadConfig):
            vad = self.vad.to_dict()
        else:
            vad = self.vad

        voice: None | str | Unset
        if isinstance(self.voice, Unset):
            voice = UNSET
        else:
            voice = self.voice


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if audio_mode is not UNSET:
            field_dict["audio_mode"] = audio_mode
        if local_model_script is not UNSET:
            field_dict["local_model_script"] = local_model_script
        if model is not UNSET:
            field_dict["model"] = model
        if prompt_key is not UNSET:
            field_dict["prompt_key"] = prompt_key
        if prompt_text is not UNSET:
            field_dict["prompt_text"] = prompt_text
        if tools is not UNSET:
            field_dict["tools"] = tools
        if vad is not UNSET:
            field_dict["vad"] = vad
        if voice is not UNSET:
            field_dict["voice"] = voice

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_spec_patch_tools_type_0_item import AgentSpecPatchToolsType0Item # noqa: PLC0415
        from ..models.vad_config import VadConfig # noqa: PLC0415
        d = dict(src_dict)
        def _parse_audio_mode(data: object) -> AgentSpecPatchAudioModeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                audio_mode_type_0 = AgentSpecPatchAudioModeType0(data)



                return audio_mode_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgentSpecPatchAudioModeType0 | None | Unset, data)

        audio_mode = _parse_audio_mode(d.pop("audio_mode", UNSET))


        def _parse_local_model_script(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        local_model_script = _parse_local_model_script(d.pop("local_model_script", UNSET))


        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))


        def _parse_prompt_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt_key = _parse_prompt_key(d.pop("prompt_key", UNSET))


        def _parse_prompt_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt_text = _parse_prompt_text(d.pop("prompt_text", UNSET))


        def _parse_tools(data: object) -> list[AgentSpecPatchToolsType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tools_type_0 = []
                _tools_type_0 = data
                for tools_type_0_item_data in (_tools_type_0):
                    tools_type_0_item = AgentSpecPatchToolsType0Item.from_dict(tools_type_0_item_data)



                    tools_type_0.append(tools_type_0_item)

                return tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[AgentSpecPatchToolsType0Item] | None | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))


        def _parse_vad(data: object) -> None | Unset | VadConfig:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                vad_type_0 = VadConfig.from_dict(data)



                return vad_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VadConfig, data)

        vad = _parse_vad(d.pop("vad", UNSET))


        def _parse_voice(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voice = _parse_voice(d.pop("voice", UNSET))


        agent_spec_patch = cls(
            audio_mode=audio_mode,
            local_model_script=local_model_script,
            model=model,
            prompt_key=prompt_key,
            prompt_text=prompt_text,
            tools=tools,
            vad=vad,
            voice=voice,
        )

        return agent_spec_patch

