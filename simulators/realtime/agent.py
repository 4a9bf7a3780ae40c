"""What the local model says: honest unscripted lines, or a YAML script (see ``script.py``).

The local model cannot understand speech, so unscripted replies only report what it measured
(how long the caller spoke) and never pretend to have heard words.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from .script import DropTurn, ErrorTurn, SayTurn, Script, ToolCallTurn


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class CallTool:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    then_say: str | None = None


@dataclass(frozen=True)
class Fail:
    code: str
    message: str
    type: str = "server_error"


@dataclass(frozen=True)
class Drop:
    pass


Action = Say | CallTool | Fail | Drop


class Agent(Protocol):
    @property
    def think_ms(self) -> int | None: ...

    def greeting(self) -> Say | None: ...

    def next_heard(self) -> str | None: ...

    def reply(self, heard_ms: int) -> Action: ...

    def resume(self, said: int) -> None: ...


_ROTATING = (
    "Thank you. I heard about {s} seconds of speech. I am a local test agent and cannot understand words.",
    "I heard you speak for {s} seconds. Please go on.",
    "That was {s} seconds of audio. This local agent does not transcribe speech, but I am listening.",
)


class HonestAgent:
    """The unscripted local model: reports the heard duration, claims nothing more."""

    think_ms: int | None = None

    def __init__(self, greeted: bool = False) -> None:
        self._turns = 1 if greeted else 0

    def greeting(self) -> Say | None:
        return None

    def resume(self, said: int) -> None:
        """A restored conversation in which the agent already spoke ``said`` times."""
        self._turns = max(self._turns, said)

    def next_heard(self) -> str | None:
        return None

    def reply(self, heard_ms: int) -> Action:
        seconds = f"{heard_ms / 1000:.1f}"
        first, self._turns = self._turns == 0, self._turns + 1
        if first:
            heard = f" I heard you speak for {seconds} seconds." if heard_ms > 0 else ""
            return Say(f"Hello, this is the voxray local agent.{heard} How can I help?")
        if heard_ms <= 0:
            return Say("I am the voxray local agent. I did not hear any speech this time.")
        return Say(_ROTATING[(self._turns - 2) % len(_ROTATING)].format(s=seconds))


class ScriptedAgent:
    """Plays a ``Script`` turn by turn, then falls back to honest lines."""

    def __init__(self, script: Script) -> None:
        self._script = script
        self._turns = deque(script.turns)
        self._fallback = HonestAgent(greeted=True)

    @property
    def think_ms(self) -> int | None:
        return self._script.think_ms

    def greeting(self) -> Say | None:
        return Say(self._script.greeting) if self._script.greeting else None

    def resume(self, said: int) -> None:
        """Skip the turns a restored conversation already holds: each assistant message after the
        greeting answered one turn (a heuristic: lines said on request count too)."""
        for _ in range(said - (1 if self._script.greeting else 0)):
            if self._turns:
                self._turns.popleft()
        self._fallback.resume(said)

    def next_heard(self) -> str | None:
        """The caller's words the script states for the turn about to be answered."""
        turn = self._turns[0] if self._turns else None
        return getattr(turn, "heard", None)

    def reply(self, heard_ms: int) -> Action:
        if not self._turns:
            return self._fallback.reply(heard_ms)
        turn = self._turns.popleft()
        if isinstance(turn, SayTurn):
            return Say(turn.say)
        if isinstance(turn, ToolCallTurn):
            return CallTool(turn.tool_call.name, dict(turn.tool_call.arguments), turn.then_say)
        if isinstance(turn, ErrorTurn):
            return Fail(turn.error.code, turn.error.message, turn.error.type)
        assert isinstance(turn, DropTurn)
        return Drop()
