"""Conversation scripts for the local realtime server (YAML, validated with pydantic).

A script makes the local model say chosen lines, call tools and misbehave on cue. Schema::

    greeting: "Thanks for calling Acme."   # optional. Spoken right after the first successful
                                            # session.update (the agent speaks first).
    think_ms: 300                           # optional. Delay before a response's first output
                                            # item; overrides the server's think_ms.
    turns:                                  # consumed one per response, in order. Each entry
                                            # has exactly one of these shapes:
      - say: "How can I help?"              # speak this text (transcript == text)
      - tool_call:                          # emit a function_call item (call_id call_...)
          name: lookup_order
          arguments: {order_id: "A-42"}
        then_say: "Your order is {status}." # optional. Spoken by the response.create that
                                            # follows the function_call_output for this call,
                                            # {field}s filled from the output's JSON object;
                                            # without it that response consumes the next turn.
      - error: {code: server_error_test, message: "boom", type: server_error}
                                            # send this `error` event instead of a response
      - drop: true                          # close the websocket with code 1011, mid-call
    A say or tool_call turn may add ``heard: "I want a person"``: the caller's words in the turn
    it answers, reported as that turn's transcript (the model cannot transcribe; only a script
    may state them).

Responses are started by a caller turn (server VAD with create_response) or a client
``response.create``; one whose ``instructions`` read ``Say exactly: "<line>"`` speaks that line
and consumes no turn. When the turns run out the server falls back to its honest unscripted lines.
Script names are file stems in the script directory (``demo`` -> ``demo.yaml``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator

DEFAULT_SCRIPT_DIR = Path(__file__).with_name("scripts")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class ScriptError(ValueError):
    """A script that does not exist or does not validate."""


def _spoken(text: str) -> str:
    return " ".join(text.split())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SayTurn(_Strict):
    say: Annotated[str, Field(min_length=1)]
    # What the caller said in the turn this answers. This model cannot transcribe, so only a
    # script may state the words; the server then reports them as the caller's transcript.
    heard: Annotated[str, Field(min_length=1, max_length=2000)] | None = None

    @field_validator("say")
    @classmethod
    def _norm(cls, text: str) -> str:
        return _spoken(text)


class ToolCallSpec(_Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolCallTurn(_Strict):
    tool_call: ToolCallSpec
    then_say: Annotated[str, Field(min_length=1)] | None = None
    heard: Annotated[str, Field(min_length=1, max_length=2000)] | None = None

    @field_validator("then_say")
    @classmethod
    def _norm(cls, text: str | None) -> str | None:
        return None if text is None else _spoken(text)


class FailureSpec(_Strict):
    code: str
    message: str
    type: str = "server_error"


class ErrorTurn(_Strict):
    error: FailureSpec


class DropTurn(_Strict):
    drop: Literal[True]


def _turn_kind(value: Any) -> str | None:
    keys = value.keys() if isinstance(value, dict) else vars(value).keys()
    for kind in ("say", "tool_call", "error", "drop"):
        if kind in keys:
            return kind
    return None


Turn = Annotated[
    Union[Annotated[SayTurn, Tag("say")], Annotated[ToolCallTurn, Tag("tool_call")],
          Annotated[ErrorTurn, Tag("error")], Annotated[DropTurn, Tag("drop")]],
    Discriminator(_turn_kind, custom_error_type="turn_kind",
                  custom_error_message="a turn needs one of: say, tool_call, error, drop"),
]


class Script(_Strict):
    greeting: Annotated[str, Field(min_length=1)] | None = None
    think_ms: Annotated[int, Field(ge=0, le=60_000)] | None = None
    turns: list[Turn] = Field(default_factory=list)

    @field_validator("greeting")
    @classmethod
    def _norm(cls, text: str | None) -> str | None:
        return None if text is None else _spoken(text)


def script_path(script_dir: Path, name: str) -> Path:
    if not _NAME.match(name):
        raise ScriptError(f"invalid script name {name!r}")
    path = script_dir / f"{name}.yaml"
    if not path.is_file():
        raise ScriptError(f"no script named {name!r}")
    return path


def load_script(script_dir: Path, name: str) -> Script:
    path = script_path(script_dir, name)
    try:
        return Script.model_validate(yaml.safe_load(path.read_text()) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise ScriptError(f"script {name!r} is invalid: {exc}") from None
