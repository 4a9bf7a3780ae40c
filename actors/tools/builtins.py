"""Built-in tools as typed actions: the model's call, checked against its schema, for the session to run.

The session executes the action (redirect the call, hang up, play tones, collect keys) and then
answers the model's function call; ``acknowledgement`` gives a default output for that answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import orjson

from actors.tools.arguments import InvalidArguments, parse_arguments
from actors.tools.catalog import BUILTIN_SCHEMAS
from voxray.records import BuiltinTool

Urgency = Literal["low", "normal", "high"]


@dataclass(frozen=True)
class Transfer:
    reason: str
    urgency: Urgency = "normal"


@dataclass(frozen=True)
class EndCall:
    reason: str


@dataclass(frozen=True)
class SendDtmf:
    digits: str  # 0-9 * # plus 'w' (0.5 s pause) and 'W' (1 s pause); pipelines.dtmf.tone_ulaw plays them


@dataclass(frozen=True)
class CollectDtmf:
    prompt: str | None
    max_digits: int
    finish_on_key: str | None  # "#" or "*"; None: only max_digits or the timeout end the entry
    timeout_s: float  # inter-digit timeout (as Twilio <Gather timeout>)


Action = Transfer | EndCall | SendDtmf | CollectDtmf


def parse_builtin(name: BuiltinTool, arguments: str) -> Action | InvalidArguments:
    """The model's call of built-in ``name`` -> the action to run, or why its arguments were refused."""
    args = parse_arguments(arguments, BUILTIN_SCHEMAS[name])
    if isinstance(args, InvalidArguments):
        return args
    return _ACTIONS[name](args)


def _transfer(a: dict[str, Any]) -> Action:
    return Transfer(reason=a["reason"], urgency=a.get("urgency", "normal"))


def _end_call(a: dict[str, Any]) -> Action:
    return EndCall(reason=a["reason"])


def _send_dtmf(a: dict[str, Any]) -> Action:
    return SendDtmf(digits=a["digits"])


def _collect_dtmf(a: dict[str, Any]) -> Action:
    finish = a.get("finish_on_key", "#")
    return CollectDtmf(prompt=a.get("prompt") or None, max_digits=a["max_digits"],
                       finish_on_key=None if finish == "none" else finish, timeout_s=float(a.get("timeout_s", 5)))


_ACTIONS = {"transfer_to_operator": _transfer, "end_call": _end_call, "send_dtmf": _send_dtmf,
            "collect_dtmf": _collect_dtmf}


def acknowledgement(action: Action, **result: Any) -> str:
    """A ``function_call_output.output`` for a finished action: ``{"ok": true, "action": ..., **result}``.

    E.g. ``acknowledgement(collect, digits="1234", reason="finish_key")``.
    """
    kind = {Transfer: "transfer_to_operator", EndCall: "end_call", SendDtmf: "send_dtmf",
            CollectDtmf: "collect_dtmf"}[type(action)]
    return orjson.dumps({"ok": True, "action": kind, **result}).decode()
