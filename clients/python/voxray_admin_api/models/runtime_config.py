from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.runtime_config_audio_mode import RuntimeConfigAudioMode
from ..models.runtime_config_builtin_tools_item import RuntimeConfigBuiltinToolsItem
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.handoff_rules import HandoffRules
  from ..models.telephony_config import TelephonyConfig
  from ..models.tool_spec import ToolSpec
  from ..models.vad_config import VadConfig





T = TypeVar("T", bound="RuntimeConfig")



@_attrs_define
class RuntimeConfig:
    """ What new calls of a tenant run with. Changes apply to calls set up after them.

        Attributes:
            audio_mode (RuntimeConfigAudioMode | Unset):  Default: RuntimeConfigAudioMode.PCMU.
            builtin_tools (list[RuntimeConfigBuiltinToolsItem] | Unset):
            handoff (HandoffRules | Unset): Rules that hand the caller to a person regardless of what the model decides.
            instructions (str | Unset):  Default: 'You are a helpful phone agent for a small business. Be brief.'.
            local_model_script (None | str | Unset): Local realtime server only: the scripted conversation
            model (str | Unset):  Default: 'gpt-realtime'.
            prompt_key (None | str | Unset):
            telephony (TelephonyConfig | Unset): Per-tenant telephony defaults (runtime config; data in Redis, not
                environment).
            tools (list[ToolSpec] | Unset): Workflow tools: JSON-schema parameters, an endpoint, timeouts
            transcription_model (None | str | Unset):  Default: 'gpt-transcribe'.
            vad (VadConfig | Unset):
            voice (str | Unset):  Default: 'marin'.
     """

    audio_mode: RuntimeConfigAudioMode | Unset = RuntimeConfigAudioMode.PCMU
    builtin_tools: list[RuntimeConfigBuiltinToolsItem] | Unset = UNSET
    handoff: HandoffRules | Unset = UNSET
    instructions: str | Unset = 'You are a helpful phone agent for a small business. Be brief.'
    local_model_script: None | str | Unset = UNSET
    model: str | Unset = 'gpt-realtime'
    prompt_key: None | str | Unset = UNSET
    telephony: TelephonyConfig | Unset = UNSET
    tools: list[ToolSpec] | Unset = UNSET
    transcription_model: None | str | Unset = 'gpt-transcribe'
    vad: VadConfig | Unset = UNSET
    voice: str | Unset = 'marin'





    def to_dict(self) -> dict[str, Any]:
        from ..models.handoff_rules import HandoffRules # noqa: PLC0415
        from ..models.telephony_config import TelephonyConfig # noqa: PLC0415
        from ..models.tool_spec import ToolSpec # noqa: PLC0415
        from ..models.vad_config import VadConfig # noqa: PLC0415
        audio_mode: str | Unset = UNSET
        if not isinstance(self.audio_mode, Unset):
            audio_mode = self.audio_mode.value


        builtin_tools: list[str] | Unset = UNSET
        if not isinstance(self.builtin_tools, Unset):
            builtin_tools = []
            for builtin_tools_item_data in self.builtin_tools:
                builtin_tools_item = builtin_tools_item_data.value
                builtin_tools.append(builtin_tools_item)



        handoff: dict[str, Any] | Unset = UNSET
        if not isinstance(self.handoff, Unset):
            handoff = self.handoff.to_dict()

        instructions = self.instructions

        local_model_script: None | str | Unset
        if isinstance(self.local_model_script, Unset):
            local_model_script = UNSET
        else:
            local_model_script = self.local_model_script

        model = self.model

        prompt_key: None | str | Unset
        if isinstance(self.prompt_key, Unset):
            prompt_key = UNSET
        else:
            prompt_key = self.prompt_key

        telephony: dict[str, Any] | Unset = UNSET
        if not isinstance(self.telephony, Unset):
            telephony = self.telephony.to_dict()

        tools: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tools, Unset):
            tools = []
            for tools_item_data in self.tools:
                tools_item = tools_item_data.to_dict()
                tools.append(tools_item)



        transcription_model: None | str | Unset
        if isinstance(self.transcription_model, Unset):
            transcription_model = UNSET
        else:
            transcription_model = self.transcription_model

        vad: dict[str, Any] | Unset = UNSET
        if not isinstance(self.vad, Unset):
            vad = self.vad.to_dict()

        voice = self.voice


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if audio_mode is not UNSET:
            field_dict["audio_mode"] = audio_mode
        if builtin_tools is not UNSET:
            field_dict["builtin_tools"] = builtin_tools
        if handoff is not UNSET:
            field_dict["handoff"] = handoff
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if local_model_script is not UNSET:
            field_dict["local_model_script"] = local_model_script
        if model is not UNSET:
            field_dict["model"] = model
        if prompt_key is not UNSET:
            field_dict["prompt_key"] = prompt_key
        if telephony is not UNSET:
            field_dict["telephony"] = telephony
        if tools is not UNSET:
            field_dict["tools"] = tools
        if transcription_model is not UNSET:
            field_dict["transcription_model"] = transcription_model
        if vad is not UNSET:
            field_dict["vad"] = vad
        if voice is not UNSET:
            field_dict["voice"] = voice

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.handoff_rules import HandoffRules # noqa: PLC0415
        from ..models.telephony_config import TelephonyConfig # noqa: PLC0415
        from ..models.tool_spec import ToolSpec # noqa: PLC0415
        from ..models.vad_config import VadConfig # noqa: PLC0415
        d = dict(src_dict)
        _audio_mode = d.pop("audio_mode", UNSET)
        audio_mode: RuntimeConfigAudioMode | Unset
        if isinstance(_audio_mode,  Unset):
            audio_mode = UNSET
        else:
            audio_mode = RuntimeConfigAudioMode(_audio_mode)




        _builtin_tools = d.pop("builtin_tools", UNSET)
        builtin_tools: list[RuntimeConfigBuiltinToolsItem] | Unset = UNSET
        if _builtin_tools is not UNSET:
            builtin_tools = []
            for builtin_tools_item_data in _builtin_tools:
                builtin_tools_item = RuntimeConfigBuiltinToolsItem(builtin_tools_item_data)



                builtin_tools.append(builtin_tools_item)


        _handoff = d.pop("handoff", UNSET)
        handoff: HandoffRules | Unset
        if isinstance(_handoff,  Unset):
            handoff = UNSET
        else:
            handoff = HandoffRules.from_dict(_handoff)




        instructions = d.pop("instructions", UNSET)

        def _parse_local_model_script(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        local_model_script = _parse_local_model_script(d.pop("local_model_script", UNSET))


        model = d.pop("model", UNSET)

        def _parse_prompt_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt_key = _parse_prompt_key(d.pop("prompt_key", UNSET))


        _telephony = d.pop("telephony", UNSET)
        telephony: TelephonyConfig | Unset
        if isinstance(_telephony,  Unset):
            telephony = UNSET
        else:
            telephony = TelephonyConfig.from_dict(_telephony)




        _tools = d.pop("tools", UNSET)
        tools: list[ToolSpec] | Unset = UNSET
        if _tools is not UNSET:
            tools = []
            for tools_item_data in _tools:
                tools_item = ToolSpec.from_dict(tools_item_data)



                tools.append(tools_item)


        def _parse_transcription_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transcription_model = _parse_transcription_model(d.pop("transcription_model", UNSET))


        _vad = d.pop("vad", UNSET)
        vad: VadConfig | Unset
        if isinstance(_vad,  Unset):
            vad = UNSET
        else:
            vad = VadConfig.from_dict(_vad)




        voice = d.pop("voice", UNSET)

        runtime_config = cls(
            audio_mode=audio_mode,
            builtin_tools=builtin_tools,
            handoff=handoff,
            instructions=instructions,
            local_model_script=local_model_script,
            model=model,
            prompt_key=prompt_key,
            telephony=telephony,
            tools=tools,
            transcription_model=transcription_model,
            vad=vad,
            voice=voice,
        )

        return runtime_config

