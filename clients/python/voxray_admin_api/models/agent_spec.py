from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.agent_spec_audio_mode import AgentSpecAudioMode
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.agent_spec_tools_item import AgentSpecToolsItem
  from ..models.vad_config import VadConfig





T = TypeVar("T", bound="AgentSpec")



@_attrs_define
class AgentSpec:
    """ Everything that makes the agent; frozen into the version once it is staged.

        Attributes:
            model (str):
            prompt_key (str):
            prompt_text (str):
            voice (str):
            audio_mode (AgentSpecAudioMode | Unset):  Default: AgentSpecAudioMode.PCMU.
            local_model_script (None | str | Unset):
            tools (list[AgentSpecToolsItem] | Unset):
            vad (VadConfig | Unset):
     """

    model: str
    prompt_key: str
    prompt_text: str
    voice: str
    audio_mode: AgentSpecAudioMode | Unset = AgentSpecAudioMode.PCMU
    local_model_script: None | str | Unset = UNSET
    tools: list[AgentSpecToolsItem] | Unset = UNSET
    vad: VadConfig | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_spec_tools_item import AgentSpecToolsItem # noqa: PLC0415
        from ..models.vad_config import VadConfig # noqa: PLC0415
        model = self.model

        prompt_key = self.prompt_key

        prompt_text = self.prompt_text

        voice = self.voice

        audio_mode: str | Unset = UNSET
        if not isinstance(self.audio_mode, Unset):
            audio_mode = self.audio_mode.value


        local_model_script: None | str | Unset
        if isinstance(self.local_model_script, Unset):
            local_model_script = UNSET
        else:
            local_model_script = self.local_model_script

        tools: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tools, Unset):
            tools = []
            for tools_item_data in self.tools:
                tools_item = tools_item_data.to_dict()
                tools.append(tools_item)



        vad: dict[str, Any] | Unset = UNSET
        if not isinstance(self.vad, Unset):
            vad = self.vad.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "model": model,
            "prompt_key": prompt_key,
            "prompt_text": prompt_text,
            "voice": voice,
        })
        if audio_mode is not UNSET:
            field_dict["audio_mode"] = audio_mode
        if local_model_script is not UNSET:
            field_dict["local_model_script"] = local_model_script
        if tools is not UNSET:
            field_dict["tools"] = tools
        if vad is not UNSET:
            field_dict["vad"] = vad

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_spec_tools_item import AgentSpecToolsItem # noqa: PLC0415
        from ..models.vad_config import VadConfig # noqa: PLC0415
        d = dict(src_dict)
        model = d.pop("model")

        prompt_key = d.pop("prompt_key")

        prompt_text = d.pop("prompt_text")

        voice = d.pop("voice")

        _audio_mode = d.pop("audio_mode", UNSET)
        audio_mode: AgentSpecAudioMode | Unset
        if isinstance(_audio_mode,  Unset):
            audio_mode = UNSET
        else:
            audio_mode = AgentSpecAudioMode(_audio_mode)




        def _parse_local_model_script(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        local_model_script = _parse_local_model_script(d.pop("local_model_script", UNSET))


        _tools = d.pop("tools", UNSET)
        tools: list[AgentSpecToolsItem] | Unset = UNSET
        if _tools is not UNSET:
            tools = []
            for tools_item_data in _tools:
                tools_item = AgentSpecToolsItem.from_dict(tools_item_data)



                tools.append(tools_item)


        _vad = d.pop("vad", UNSET)
        vad: VadConfig | Unset
        if isinstance(_vad,  Unset):
            vad = UNSET
        else:
            vad = VadConfig.from_dict(_vad)




        agent_spec = cls(
            model=model,
            prompt_key=prompt_key,
            prompt_text=prompt_text,
            voice=voice,
            audio_mode=audio_mode,
            local_model_script=local_model_script,
            tools=tools,
            vad=vad,
        )

        return agent_spec

