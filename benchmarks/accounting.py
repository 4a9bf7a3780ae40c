"""Whole-call CPU accounting (pure): split a run's CPU into idle, streaming, and setup+teardown.

A run of N calls on a stack costs

    total = idle_rate x run_s  +  stream_rate x call_s  +  N x setup_teardown

where ``idle_rate`` is what the stack burns with no call (CPU-s per s, measured over the settle
period before the first call), ``stream_rate`` what a call costs per second while it streams
(measured in the steady window, every call live, net of idle), and ``setup_teardown`` whatever
else each call costs: webhook, records, actor placement, model connect, teardown, pool refill.
``total`` is the CPU of every process of the stack from the first webhook until it is quiet
again after the last call. Solving for ``setup_teardown`` gives the per-call cost of a call that
the per-frame numbers cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    """CPU seconds a set of processes used over ``seconds`` of wall time."""

    cpu_s: float
    seconds: float


@dataclass(frozen=True)
class CallCost:
    idle_ms_per_s: float
    stream_ms_per_call_s: float | None  # None: no steady window (calls did not overlap long enough)
    setup_teardown_ms_per_call: float | None
    total_cpu_s: float
    run_s: float
    call_s: float
    calls: int


def rate(interval: Interval) -> float:
    """CPU-s per s over an interval."""
    if interval.seconds <= 0:
        raise ValueError(f"an interval needs a positive duration, got {interval.seconds}")
    return interval.cpu_s / interval.seconds


def stream_rate(window: Interval, live_calls: int, idle_rate: float) -> float:
    """CPU-s per call-second while ``live_calls`` calls stream, net of the stack's idle cost."""
    if live_calls <= 0:
        raise ValueError("a steady window needs live calls")
    return (window.cpu_s - idle_rate * window.seconds) / (live_calls * window.seconds)


def call_cost(*, idle: Interval, run: Interval, call_s: float, calls: int, live_calls: int,
              window: Interval | None) -> CallCost:
    """Split ``run`` (every process, first webhook .. quiet again) into idle, streaming, per call.

    ``calls``: every call placed (a refused one pays its webhook too); ``live_calls``: those that
    streamed, all live in ``window``; ``call_s``: the seconds they streamed, summed.
    """
    idle_rate = rate(idle)
    stream = stream_rate(window, live_calls, idle_rate) if window is not None and live_calls else None
    setup = None
    if stream is not None and calls:
        setup = (run.cpu_s - stream * call_s - idle_rate * run.seconds) / calls
    return CallCost(
        idle_ms_per_s=round(idle_rate * 1000, 2),
        stream_ms_per_call_s=None if stream is None else round(stream * 1000, 3),
        setup_teardown_ms_per_call=None if setup is None else round(setup * 1000, 1),
        total_cpu_s=round(run.cpu_s, 3), run_s=round(run.seconds, 2), call_s=round(call_s, 2), calls=calls,
    )


def steady_bounds(starts: list[float], ends: list[float], *, margin_s: float = 0.5,
                  min_s: float = 1.5) -> tuple[float, float] | None:
    """The window in which every call streams: after the last start, before the first end.

    ``margin_s`` keeps the set-up of the last call and the teardown of the first out of it;
    None when what is left is shorter than ``min_s``.
    """
    if not starts or not ends:
        return None
    a, b = max(starts) + margin_s, min(ends) - margin_s
    return (a, b) if b - a >= min_s else None
