"""The GA session object: defaults, ``session.update`` merging and validation.

Only the fields a client sends change (PROTOCOLS.md §D.2); ``turn_detection: null`` switches to
manual turns. An update is all-or-nothing: any invalid field gets an ``error`` and changes
nothing, as with the real API. Unknown keys are refused (``unknown_parameter``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .errors import ClientError, invalid_type, invalid_value, unknown_parameter
from .formats import PCM24K, AudioFormat, parse_format
from .vad import VadSettings
from .voice import VOICES

_SESSION_KEYS = {"type", "model", "instructions", "output_modalities", "audio", "tools", "tool_choice",
                 "parallel_tool_calls", "max_output_tokens", "tracing", "truncation", "prompt", "include",
                 "reasoning"}
_INPUT_KEYS = {"format", "noise_reduction", "transcription", "turn_detection"}
_OUTPUT_KEYS = {"format", "voice", "speed"}
_SERVER_VAD = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500,
               "idle_timeout_ms": None, "create_response": True, "interrupt_response": True}
_SEMANTIC_VAD = {"type": "semantic_vad", "eagerness": "auto", "create_response": True, "interrupt_response": True}
#: semantic_vad is emulated as server_vad with a silence that follows the eagerness.
_EAGER_SILENCE_MS = {"low": 900, "medium": 500, "auto": 500, "high": 300}


def default_session(session_id: str, model: str, voice: str, expires_at: int) -> dict[str, Any]:
    return {
        "type": "realtime", "object": "realtime.session", "id": session_id, "model": model,
        "output_modalities": ["audio"], "instructions": "", "tools": [], "tool_choice": "auto",
        "max_output_tokens": "inf", "tracing": None, "truncation": "auto", "prompt": None,
        "expires_at": expires_at, "include": None,
        "audio": {
            "input": {"format": PCM24K.as_dict(), "transcription": None, "noise_reduction": None,
                      "turn_detection": dict(_SERVER_VAD)},
            "output": {"format": PCM24K.as_dict(), "voice": voice, "speed": 1.0},
        },
    }


@dataclass(frozen=True)
class Effective:
    """Typed view of a session dict, for the protocol core."""

    input_format: AudioFormat
    output_format: AudioFormat
    vad: VadSettings | None
    create_response: bool
    interrupt_response: bool
    transcribe: bool
    voice: Any
    text_only: bool
    instructions: str
    #: server_vad only: re-prompt after this much caller silence following a reply's playback.
    idle_timeout_ms: int | None = None


def effective(session: dict[str, Any]) -> Effective:
    audio_in, audio_out = session["audio"]["input"], session["audio"]["output"]
    td = audio_in["turn_detection"]
    vad = None
    if td is not None:
        silence = td.get("silence_duration_ms") or _EAGER_SILENCE_MS.get(td.get("eagerness", "auto"), 500)
        vad = VadSettings(td.get("threshold", 0.5), td.get("prefix_padding_ms", 300), silence)
    return Effective(
        parse_format(audio_in["format"], "session.audio.input.format"),
        parse_format(audio_out["format"], "session.audio.output.format"),
        vad,
        bool(td and td.get("create_response", True)),
        bool(td and td.get("interrupt_response", True)),
        audio_in["transcription"] is not None,
        audio_out["voice"],
        session["output_modalities"] == ["text"],
        session.get("instructions") or "",
        td.get("idle_timeout_ms") if td is not None and td["type"] == "server_vad" else None,
    )


def apply_update(current: dict[str, Any], update: dict[str, Any], *, voice_locked: bool) -> dict[str, Any]:
    """Return ``current`` with ``update`` merged in; raise ``ClientError`` and change nothing if invalid."""
    for key in update:
        if key not in _SESSION_KEYS:
            raise unknown_parameter(f"session.{key}")
    if update.get("type") != "realtime":
        raise invalid_value("session.type", "This server supports only 'realtime' sessions.")
    merged = copy.deepcopy(current)
    for key, value in update.items():
        if key == "audio":
            _merge_audio(merged["audio"], value, voice_locked, current["audio"]["output"]["voice"])
        else:
            merged[key] = _check_top(key, value, current)
    return merged


def _check_top(key: str, value: Any, current: dict[str, Any]) -> Any:
    param = f"session.{key}"
    if key == "model" and value != current["model"]:
        raise invalid_value(param, "Cannot update a session's model.")
    if key == "instructions" and not isinstance(value, str):
        raise invalid_type(param, "a string")
    if key == "output_modalities" and value not in (["audio"], ["text"]):
        raise invalid_value(param, "Invalid value: output_modalities must be ['audio'] or ['text'].")
    if key == "tools":
        _check_tools(value)
    if key == "max_output_tokens" and value != "inf" and not (isinstance(value, int) and 1 <= value <= 4096):
        raise invalid_value(param, "max_output_tokens must be an integer from 1 to 4096, or 'inf'.")
    return copy.deepcopy(value)


def _check_tools(tools: Any) -> None:
    if not isinstance(tools, list):
        raise invalid_type("session.tools", "an array")
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or tool.get("type", "function") not in ("function", "mcp"):
            raise invalid_value(f"session.tools[{i}]", "Each tool must be an object of type 'function' or 'mcp'.")
        if tool.get("type", "function") == "function" and not isinstance(tool.get("name"), str):
            raise ClientError("missing_required_parameter", f"Missing required parameter: 'session.tools[{i}].name'.",
                              f"session.tools[{i}].name")


def _merge_audio(audio: dict[str, Any], update: Any, voice_locked: bool, voice: Any) -> None:
    if not isinstance(update, dict):
        raise invalid_type("session.audio", "an object")
    for key, value in update.items():
        if key not in ("input", "output"):
            raise unknown_parameter(f"session.audio.{key}")
        if not isinstance(value, dict):
            raise invalid_type(f"session.audio.{key}", "an object")
        allowed = _INPUT_KEYS if key == "input" else _OUTPUT_KEYS
        for field, item in value.items():
            param = f"session.audio.{key}.{field}"
            if field not in allowed:
                raise unknown_parameter(param)
            audio[key][field] = _check_audio_field(param, field, item, voice_locked, voice)


def _check_audio_field(param: str, field: str, value: Any, voice_locked: bool, voice: Any) -> Any:
    if field == "format":
        return parse_format(value, param).as_dict()
    if field == "turn_detection":
        return _turn_detection(value, param)
    if field == "transcription":
        if value is not None and not isinstance(value, dict):
            raise invalid_type(param, "an object or null")
        return copy.deepcopy(value)
    if field == "noise_reduction":
        if value is not None and (not isinstance(value, dict) or value.get("type") not in ("near_field", "far_field")):
            raise invalid_value(param, "noise_reduction.type must be 'near_field' or 'far_field'.")
        return copy.deepcopy(value)
    if field == "voice":
        if not (value in VOICES or (isinstance(value, dict) and isinstance(value.get("id"), str))):
            raise invalid_value(param, f"Invalid value: {value!r}. Supported voices: {', '.join(sorted(VOICES))}.")
        if voice_locked and value != voice:
            raise invalid_value(param, "Cannot update a conversation's voice if assistant audio is present.")
        return copy.deepcopy(value)
    if not isinstance(value, (int, float)) or not 0.25 <= value <= 1.5:
        raise invalid_value(param, "speed must be a number from 0.25 to 1.5.")
    return value


def _turn_detection(value: Any, param: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_type(param, "an object or null")
    kind = value.get("type")
    if kind not in ("server_vad", "semantic_vad"):
        raise invalid_value(f"{param}.type", "Supported values are: 'server_vad' and 'semantic_vad'.")
    base = _SERVER_VAD if kind == "server_vad" else _SEMANTIC_VAD
    for key in value:
        if key not in base:
            raise unknown_parameter(f"{param}.{key}")
    merged = {**base, **value}
    threshold = merged.get("threshold", 0.5)
    if not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise invalid_value(f"{param}.threshold", "threshold must be a number between 0 and 1.")
    for key in ("create_response", "interrupt_response"):
        if not isinstance(merged[key], bool):
            raise invalid_type(f"{param}.{key}", "a boolean")
    for key in ("prefix_padding_ms", "silence_duration_ms"):
        if key in merged and not (isinstance(merged[key], int) and 0 <= merged[key] <= 10_000):
            raise invalid_value(f"{param}.{key}", f"{key} must be an integer from 0 to 10000.")
    idle = merged.get("idle_timeout_ms")
    if idle is not None and not (isinstance(idle, int) and idle > 0):
        raise invalid_value(f"{param}.idle_timeout_ms", "idle_timeout_ms must be a positive integer.")
    if kind == "semantic_vad" and merged["eagerness"] not in _EAGER_SILENCE_MS:
        raise invalid_value(f"{param}.eagerness", "Supported values are: 'low', 'medium', 'high' and 'auto'.")
    return merged
