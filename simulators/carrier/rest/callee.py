"""How the person at a dialed number behaves: answers, is busy, never picks up, or fails.

Configured per destination number, from Python or the local control endpoint. An answering
callee runs a caller script (``simulators.carrier.script``) on the call's media stream.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from simulators.carrier.errors import ScriptError
from simulators.carrier.rest.errors import CalleeError
from simulators.carrier.script import BargeIn, Dtmf, Hangup, Say, Silence, Step, WaitForAgent

Answer = Literal["human", "busy", "no-answer", "failed"]
ANSWERS: tuple[Answer, ...] = get_args(Answer)

#: Say hello, let the agent speak, hang up after a short silence: a call of a few seconds.
DEFAULT_SCRIPT: tuple[Step, ...] = (Say("Hello?"), WaitForAgent(timeout_s=4.0, quiet_ms=600), Silence(300), Hangup())

_STEPS: dict[str, type[Step]] = {
    "say": Say, "silence": Silence, "wait_for_agent": WaitForAgent, "barge_in": BargeIn, "dtmf": Dtmf,
    "hangup": Hangup,
}
_NAMES = {cls: name for name, cls in _STEPS.items()}


@dataclass(frozen=True)
class Callee:
    """``answer``: ``human`` picks up after ``ring_ms`` and runs ``script`` on the stream;
    ``busy``/``failed`` end the call after ``ring_ms`` without ringing; ``no-answer`` rings
    for ``ring_ms`` (or the call's ``Timeout``, if shorter) and gives up."""

    answer: Answer = "human"
    ring_ms: int = 200
    script: tuple[Step, ...] = field(default=DEFAULT_SCRIPT)

    def __post_init__(self) -> None:
        if self.answer not in ANSWERS:
            raise CalleeError(f"answer must be one of {', '.join(ANSWERS)}, got {self.answer!r}")
        if self.ring_ms < 0:
            raise CalleeError(f"ring_ms must not be negative, got {self.ring_ms}")


def step_from_json(data: Mapping[str, Any]) -> Step:
    """``{"step": "say", "text": "Hello?"}`` -> ``Say("Hello?")``; raises ``ScriptError``."""
    if not isinstance(data, Mapping):
        raise ScriptError(f"a script step must be an object, got {data!r}")
    kind = data.get("step")
    cls = _STEPS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ScriptError(f"unknown script step {kind!r}; expected one of {', '.join(_STEPS)}")
    try:
        return cls(**{k: v for k, v in data.items() if k != "step"})
    except TypeError as exc:
        raise ScriptError(f"bad arguments for step {kind!r}: {exc}") from None


def step_to_json(step: Step) -> dict[str, Any]:
    return {"step": _NAMES[type(step)], **vars(step)}


def callee_from_json(data: Mapping[str, Any], base: Callee | None = None) -> Callee:
    """Build a callee from JSON; fields left out keep ``base``'s (the default callee's)."""
    base = base or Callee()
    script: Sequence[Mapping[str, Any]] | None = data.get("script")
    if script is not None and not isinstance(script, list):
        raise ScriptError("script must be a list of steps")
    ring_ms = data.get("ring_ms", base.ring_ms)
    if not isinstance(ring_ms, int):
        raise CalleeError(f"ring_ms must be an integer, got {ring_ms!r}")
    return Callee(
        answer=data.get("answer", base.answer),
        ring_ms=ring_ms,
        script=base.script if script is None else tuple(step_from_json(step) for step in script),
    )


def callee_to_json(callee: Callee) -> dict[str, Any]:
    return {"answer": callee.answer, "ring_ms": callee.ring_ms, "script": [step_to_json(s) for s in callee.script]}


class CalleeBook:
    """The callee at each number; numbers not set get ``default``."""

    def __init__(self, default: Callee | None = None, numbers: Mapping[str, Callee] | None = None) -> None:
        self.default = default or Callee()
        self._numbers: dict[str, Callee] = dict(numbers or {})

    def get(self, number: str) -> Callee:
        return self._numbers.get(number, self.default)

    def set(self, number: str, callee: Callee) -> None:
        self._numbers[number] = callee

    def clear(self, number: str) -> None:
        self._numbers.pop(number, None)
