"""Arrival shapes (when calls start) and call shapes (what each caller does).

Arrivals are offsets in ms from the go time. Neither shape puts calls on multiples of 10 ms:
calls whose 20 ms frame clocks tick at the same instants would batch every frame of every call
and flatter the event loops, so the frame phases (offset mod 20 ms) are spread over the period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Arrival = Literal["steady", "burst"]
Shape = Literal["short", "standard", "long"]
ARRIVALS: tuple[str, ...] = ("steady", "burst")
SHAPES: tuple[str, ...] = ("short", "standard", "long")

FRAME_MS = 20.0
GOLDEN = (math.sqrt(5) - 1) / 2  # frac(i * GOLDEN) spreads phases evenly for any count

CALLER_LINES = (
    "Hello, I would like to check the status of my order.",
    "It is order number four two one, placed last Tuesday.",
    "Thank you. Can you also tell me your opening hours?",
)
AGENT_LINES = (
    "Sure, let me look that up for you right away.",
    "Thanks. That order shipped yesterday and should arrive on Friday.",
    "We are open from nine to five, Monday to Saturday.",
)
BARGE_LINE = "Sorry, one more thing."
LEAD_SILENCE_MS = 1000
QUIET_MS = 600
SHORT_S = 12.0
LONG_S = 120.0
LONG_TURNS = 10
BARGE_EVERY = 3  # long calls: the caller talks over the agent on every third turn
BARGE_AFTER_MS = 800


def arrival_offsets_ms(arrival: str, n: int, *, stagger_ms: float = 53.0, burst_ms: float = 1000.0) -> list[float]:
    """When each of ``n`` calls starts, in ms after go.

    steady: one call every ``stagger_ms`` (53: not a multiple of 10).
    burst: all ``n`` within ``burst_ms``, one per slot of ``burst_ms / n``, each shifted inside
    its slot (by at most one frame) along a golden-ratio sequence, so the frame phases spread
    evenly even when the slot is a multiple of 20 ms (n = 50: 20 ms slots).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if arrival == "steady":
        return [round(i * stagger_ms, 3) for i in range(n)]
    if arrival == "burst":
        slot = burst_ms / max(n, 1)
        shift = min(slot, FRAME_MS)
        return [round(i * slot + ((i * GOLDEN) % 1.0) * shift, 3) for i in range(n)]
    raise ValueError(f"unknown arrival shape {arrival!r} (one of {', '.join(ARRIVALS)})")


@dataclass(frozen=True)
class Durations:
    """Seconds of the recorded speech: the caller's lines and the agent's replies."""

    caller_say_s: tuple[float, ...]
    agent_reply_s: tuple[float, ...]
    think_ms: int
    vad_silence_ms: int = 500

    def turn_s(self, i: int) -> float:
        """One turn: say line i, the model's VAD silence and think time, the reply, the quiet wait."""
        return (self.caller_say_s[i % len(self.caller_say_s)] + self.vad_silence_ms / 1000 + self.think_ms / 1000
                + self.agent_reply_s[i % len(self.agent_reply_s)] + QUIET_MS / 1000 + 0.1)


def plan_steps(shape: str, durations: Durations, seconds: float = 30.0) -> tuple[list[Any], dict[str, Any]]:
    """The caller's script for one call shape, and what it is expected to take."""
    from simulators.carrier.script import BargeIn, Hangup, Say, Silence, WaitForAgent

    lead = LEAD_SILENCE_MS / 1000
    steps: list[Any] = [Silence(LEAD_SILENCE_MS)]
    barge_ins = 0
    if shape == "short":
        turns = 1
        steps += [Say(CALLER_LINES[0]), WaitForAgent(timeout_s=30, quiet_ms=QUIET_MS)]
        pad = max(0.0, SHORT_S - lead - durations.turn_s(0))
        if pad >= 0.02:
            steps.append(Silence(int(pad * 1000)))  # the caller listens a moment before hanging up
    elif shape == "standard":
        cycle = sum(durations.turn_s(i) for i in range(3)) / 3
        turns = max(1, round((seconds - lead) / cycle))
        for i in range(turns):
            steps += [Say(CALLER_LINES[i % 3]), WaitForAgent(timeout_s=30, quiet_ms=QUIET_MS)]
    elif shape == "long":
        turns = LONG_TURNS
        spoken = sum(durations.turn_s(i) for i in range(turns))
        pause_ms = int(max(0.0, (LONG_S - lead - spoken) / turns) * 1000)
        for i in range(turns):
            steps.append(Say(CALLER_LINES[i % 3]))
            if i % BARGE_EVERY == BARGE_EVERY - 1:
                # Talk over the reply once it has played a while; the agent answers that instead.
                steps.append(BargeIn(BARGE_LINE, after_agent_ms=BARGE_AFTER_MS, timeout_s=30))
                barge_ins += 1
            steps.append(WaitForAgent(timeout_s=30, quiet_ms=QUIET_MS))
            if pause_ms >= 20 and i < turns - 1:
                steps.append(Silence(pause_ms))
    else:
        raise ValueError(f"unknown call shape {shape!r} (one of {', '.join(SHAPES)})")
    steps.append(Hangup())
    expected = lead + sum(step.ms / 1000 for step in steps[1:] if isinstance(step, Silence))
    expected += sum(durations.turn_s(i) for i in range(turns))
    return steps, {"shape": shape, "turns": turns, "barge_ins": barge_ins, "expected_s": round(expected, 1),
                   "caller_say_s": list(durations.caller_say_s), "agent_reply_s": list(durations.agent_reply_s)}


def measure_durations(think_ms: int) -> Durations:
    """Synthesize the lines once (espeak-ng) and measure them."""
    from simulators.carrier.caller import speech_frames
    from simulators.realtime.voice import espeak_voice
    from simulators.speech import synthesize_pcm, synthesize_ulaw

    say = tuple(round(len(speech_frames(synthesize_ulaw(t))) * 0.02, 2) for t in CALLER_LINES)
    reply = tuple(round(len(synthesize_pcm(t, 8000, espeak_voice("marin"))) / 2 / 8000, 2) for t in AGENT_LINES)
    return Durations(say, reply, think_ms)


def model_script_yaml(think_ms: int, responses: int) -> str:
    """The local model server's ``bench`` script: every caller turn answered by one fixed line."""
    lines = [f"think_ms: {think_ms}", "turns:"]
    lines += [f'  - say: "{AGENT_LINES[i % 3]}"' for i in range(responses + 50)]
    return "\n".join(lines) + "\n"
