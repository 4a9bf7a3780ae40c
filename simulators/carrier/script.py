"""What the simulated caller does, as a list of steps run in order.

A script ends with an implicit ``Hangup()``. Times are wall-clock on the call's schedule:
each frame the caller sends is 20 ms, so ``Silence(500)`` is 25 frames of mu-law silence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from simulators.carrier.errors import ScriptError

_DIGIT = re.compile(r"^[0-9*#A-D]$")


@dataclass(frozen=True)
class Say:
    """Speak ``text`` (espeak-ng speech, trimmed of leading/trailing silence)."""

    text: str

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ScriptError("Say needs some text")


@dataclass(frozen=True)
class Silence:
    """Send silence for ``ms`` milliseconds (rounded up to whole 20 ms frames)."""

    ms: int

    def __post_init__(self) -> None:
        if self.ms < 0:
            raise ScriptError(f"Silence(ms={self.ms}) must not be negative")


@dataclass(frozen=True)
class WaitForAgent:
    """Stay silent until the agent has spoken and then been quiet (playout empty) for ``quiet_ms``.

    Gives up after ``timeout_s`` and records a timeout.
    """

    timeout_s: float = 10.0
    quiet_ms: int = 600

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.quiet_ms < 0:
            raise ScriptError(f"WaitForAgent(timeout_s={self.timeout_s}, quiet_ms={self.quiet_ms}) is invalid")


@dataclass(frozen=True)
class BargeIn:
    """Once the agent's audio has been playing for ``after_agent_ms``, speak ``text`` over it.

    Waits silently at most ``timeout_s`` for that; on timeout records it and skips the speech.
    """

    text: str
    after_agent_ms: int = 500
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ScriptError("BargeIn needs some text")
        if self.after_agent_ms < 0 or self.timeout_s <= 0:
            raise ScriptError(f"BargeIn(after_agent_ms={self.after_agent_ms}, timeout_s={self.timeout_s}) is invalid")


@dataclass(frozen=True)
class Dtmf:
    """Press a key: Twilio sends a ``dtmf`` message (bidirectional streams only)."""

    digit: str

    def __post_init__(self) -> None:
        if not _DIGIT.match(self.digit):
            raise ScriptError(f"Dtmf digit must be one of 0-9 * # A-D, got {self.digit!r}")


@dataclass(frozen=True)
class Hangup:
    """End the call: Twilio sends ``stop`` and closes the socket."""


Step = Union[Say, Silence, WaitForAgent, BargeIn, Dtmf, Hangup]
