"""What one simulated call measured, and its recordings."""

from __future__ import annotations

import os
from array import array
from dataclasses import dataclass, field
from typing import Literal

from simulators.carrier.twiml import TwimlResponse
from simulators.speech import write_wav


@dataclass
class TurnResult:
    """One caller utterance. Times are seconds since the stream's first media frame."""

    index: int
    kind: Literal["say", "barge_in"]
    text: str
    speech_start_s: float
    speech_end_s: float | None = None
    #: Last speech frame sent -> first agent audio frame received after it.
    latency_ms: float | None = None


@dataclass
class BargeInResult:
    turn_index: int
    speech_start_s: float
    #: First barge-in speech frame sent -> ``clear`` received.
    reaction_ms: float | None = None


@dataclass
class CallTiming:
    """Per-frame times for latency benchmarks (``CallConfig(timing=True)``; None otherwise).

    Times are the event loop's clock, ``time.monotonic()`` (CLOCK_MONOTONIC, comparable across
    processes on one host). Arrays grow with the call, one entry per 20 ms frame at most.
    """

    #: When the caller's first frame was due (the stream's time zero).
    t0: float = 0.0
    #: Media frame k (k = 0, 1, ...): when its websocket send started (after serializing).
    frame_sent: array = field(default_factory=lambda: array("d"))  # type: ignore[type-arg]
    #: Each agent ``media`` message, in arrival order: when it arrived and its audio bytes.
    media_at: array = field(default_factory=lambda: array("d"))  # type: ignore[type-arg]
    media_bytes: array = field(default_factory=lambda: array("l"))  # type: ignore[type-arg]
    #: Each agent ``mark``: (arrival time, agent audio bytes received before it, name).
    marks: list[tuple[float, int, str]] = field(default_factory=list)
    #: For each caller utterance that ended: (turn index, index k of its last speech frame).
    turn_end_frames: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class CallResult:
    call_sid: str
    stream_sid: str
    from_number: str
    to_number: str
    setup_ms: float | None = None
    setup_error: str | None = None
    twiml: TwimlResponse | None = None
    custom_parameters: dict[str, str] = field(default_factory=dict)
    connected: bool = False
    #: Who ended the stream: the caller's script hung up, the gateway closed the socket, or
    #: Twilio itself (the call's TwiML was replaced or it was hung up over REST).
    closed_by: Literal["caller", "gateway", "carrier"] | None = None
    #: Twilio's ``stop`` message went out before the socket closed.
    stop_sent: bool = False
    close_code: int | None = None
    close_reason: str | None = None
    script_completed: bool = False
    #: The TwiML that ran after the stream ended because the gateway closed it (Twilio resumes
    #: the document after ``</Connect>``): e.g. ``["Say: We are sorry...", "Hangup"]``.
    after_stream: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    frames_sent: int = 0
    speech_frames_sent: int = 0
    frames_received: int = 0
    agent_audio_ms_received: float = 0.0
    agent_audio_ms_played: float = 0.0
    agent_audio_ms_cleared: float = 0.0
    agent_utterances: int = 0
    turns: list[TurnResult] = field(default_factory=list)
    barge_ins: list[BargeInResult] = field(default_factory=list)
    underruns: int = 0
    underrun_ms: float = 0.0
    marks_received: int = 0
    marks_echoed: int = 0
    clears_received: int = 0
    max_send_lag_ms: float = 0.0
    errors: list[str] = field(default_factory=list)
    timeouts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timing: CallTiming | None = field(default=None, repr=False)
    #: mu-law 8 kHz, time-aligned from the first media frame: every frame the caller sent,
    #: and the agent audio as the caller heard it (silence where nothing played).
    caller_audio: bytes = field(default=b"", repr=False)
    agent_audio: bytes = field(default=b"", repr=False)

    @property
    def turn_latencies_ms(self) -> list[float | None]:
        return [t.latency_ms for t in self.turns]

    @property
    def barge_in_reaction_ms(self) -> list[float | None]:
        return [b.reaction_ms for b in self.barge_ins]

    @property
    def ok(self) -> bool:
        return (
            self.setup_error is None
            and self.connected
            and self.frames_sent > 0
            and self.agent_audio_ms_received > 0
            and not self.errors
        )

    @property
    def status(self) -> str:
        if self.setup_error is not None:
            return "setup_error"
        if self.timeouts:
            return "timeout"
        if self.errors:
            return "error"
        return "ok" if self.ok else "no_agent_audio"

    def save_wavs(self, directory: str) -> tuple[str, str]:
        """Write ``caller.wav`` and ``agent.wav`` into ``directory``; return their paths."""
        os.makedirs(directory, exist_ok=True)
        caller, agent = os.path.join(directory, "caller.wav"), os.path.join(directory, "agent.wav")
        write_wav(caller, self.caller_audio)
        write_wav(agent, self.agent_audio)
        return caller, agent
