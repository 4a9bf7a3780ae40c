"""The simulated caller's behaviour: runs a script one 20 ms frame at a time (pure).

``Caller.tick(now, playout)`` is called once per frame on the media schedule and returns the
frame to send plus what happened (an utterance started or ended, digits pressed, a step timed
out, hang-up). It reads only the playout buffer, i.e. what the caller has *heard*.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from pipelines import g711
from pipelines.twilio_media import FRAME_BYTES, FRAME_MS
from simulators.carrier.playout import PlayoutBuffer
from simulators.carrier.script import BargeIn, Dtmf, Hangup, Say, Silence, Step, WaitForAgent

SILENCE_FRAME = bytes([g711.SILENCE_BYTE]) * FRAME_BYTES
#: Samples quieter than this (int16) count as silence when trimming synthesized speech.
_TRIM_LEVEL = 300


@dataclass(frozen=True)
class Utterance:
    kind: Literal["say", "barge_in"]
    text: str


@dataclass(frozen=True)
class Tick:
    """One frame's worth of caller behaviour. ``audio`` is empty once the caller hangs up."""

    audio: bytes
    speech: bool = False
    started: Utterance | None = None
    ended: bool = False
    digits: tuple[str, ...] = ()
    timeouts: tuple[str, ...] = ()
    hangup: bool = False


def speech_frames(ulaw: bytes) -> list[bytes]:
    """Cut speech into 20 ms frames, trimming leading/trailing silence, padding the last frame."""
    pcm = g711.decode(ulaw)
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > _TRIM_LEVEL)
    if loud.size:
        ulaw = ulaw[int(loud[0]) : int(loud[-1]) + 1]
    frames = [ulaw[i : i + FRAME_BYTES] for i in range(0, len(ulaw), FRAME_BYTES)]
    if frames and len(frames[-1]) < FRAME_BYTES:
        frames[-1] = frames[-1] + SILENCE_FRAME[len(frames[-1]) :]
    return frames or [SILENCE_FRAME]


@dataclass
class _Active:
    """State of the step being run."""

    started_at: float
    baseline_played: int = 0
    frames: deque[bytes] | None = None


_QUIET = Tick(audio=SILENCE_FRAME)


class Caller:
    """Runs a caller script against what the caller hears from the playout buffer.

    Step handlers return the frame's ``Tick``, or None once their step is over without
    producing a frame; the next step then runs within the same tick.
    """

    def __init__(self, script: Sequence[Step], speak: Callable[[str], bytes]) -> None:
        self.script = tuple(script)
        self._speak = speak
        self._index = 0
        self._active: _Active | None = None
        self._hung_up = False

    @property
    def finished(self) -> bool:
        return self._hung_up

    @property
    def step_index(self) -> int:
        return self._index

    def tick(self, now: float, agent: PlayoutBuffer) -> Tick:
        """The frame to send at ``now`` and what happened; ``hangup`` once the script is done."""
        digits: list[str] = []
        timeouts: list[str] = []
        while not self._hung_up and self._index < len(self.script):
            step = self.script[self._index]
            if self._active is None:
                self._active = _Active(started_at=now, baseline_played=agent.played_bytes)
            if isinstance(step, Dtmf):
                digits.append(step.digit)
                self._next()
                tick = None
            elif isinstance(step, Hangup):
                break
            elif isinstance(step, Silence):
                tick = self._silence(step, self._active)
            elif isinstance(step, Say):
                tick = self._say(self._active, Utterance("say", step.text))
            elif isinstance(step, WaitForAgent):
                tick = self._wait(step, self._active, now, agent, timeouts)
            elif isinstance(step, BargeIn):
                tick = self._barge_in(step, self._active, now, agent, timeouts)
            else:
                raise TypeError(f"unknown script step {step!r}")
            if tick is not None:
                return replace(tick, digits=tuple(digits), timeouts=tuple(timeouts))
        self._hung_up = True
        self._active = None
        return Tick(audio=b"", digits=tuple(digits), timeouts=tuple(timeouts), hangup=True)

    def _silence(self, step: Silence, active: _Active) -> Tick | None:
        if active.frames is None:
            active.frames = deque([SILENCE_FRAME] * math.ceil(step.ms / FRAME_MS))
        return self._play(active, speech=False)

    def _say(self, active: _Active, utterance: Utterance) -> Tick | None:
        started = None
        if active.frames is None:
            active.frames = deque(speech_frames(self._speak(utterance.text)))
            started = utterance
        tick = self._play(active, speech=True)
        return None if tick is None else replace(tick, started=started)

    def _wait(
        self, step: WaitForAgent, active: _Active, now: float, agent: PlayoutBuffer, timeouts: list[str]
    ) -> Tick | None:
        quiet = agent.quiet_for(now)
        spoke = agent.played_bytes > active.baseline_played
        if spoke and quiet is not None and quiet * 1000 >= step.quiet_ms:
            self._next()
            return None
        if now - active.started_at >= step.timeout_s:
            timeouts.append(f"step {self._index} WaitForAgent: agent not done within {step.timeout_s:g} s")
            self._next()
            return None
        return _QUIET

    def _barge_in(
        self, step: BargeIn, active: _Active, now: float, agent: PlayoutBuffer, timeouts: list[str]
    ) -> Tick | None:
        if active.frames is None and agent.playing_for(now) * 1000 < step.after_agent_ms:
            if now - active.started_at >= step.timeout_s:
                timeouts.append(
                    f"step {self._index} BargeIn: agent audio never played {step.after_agent_ms} ms"
                    f" within {step.timeout_s:g} s"
                )
                self._next()
                return None
            return _QUIET
        return self._say(active, Utterance("barge_in", step.text))

    def _play(self, active: _Active, *, speech: bool) -> Tick | None:
        """Next queued frame of the step; moves on to the next step after its last frame."""
        frames = active.frames
        assert frames is not None
        if not frames:
            self._next()
            return None
        audio = frames.popleft()
        if not frames:
            self._next()
        return Tick(audio=audio, speech=speech, ended=speech and not frames)

    def _next(self) -> None:
        self._index += 1
        self._active = None
