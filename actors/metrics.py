"""Metrics of session actors, reported through Ray's metrics agent (``ray.util.metrics``).

Ray exports them from each node's metrics port with a ``ray_`` prefix (``ray_voxray_turn_latency_ms``)
and adds ``NodeAddress``/``WorkerId`` tags; gauges are per worker, so sum them in PromQL. The
objects are built on first use inside the worker (never at import), and outside a Ray worker
every function is a no-op, so ``CallSession`` runs unchanged in plain unit tests. Labels are
bounded: tenant, agent, outcome, tool kind; never a call id.
"""

from __future__ import annotations

import re
import socket
from collections import Counter as Tally
from typing import Any

from voxray import gc_pauses

MS: list[float] = [5, 10, 25, 50, 100, 250, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000]
_LABEL = re.compile(r"^[a-z0-9_.-]{1,40}$")
_metrics: dict[str, Any] | None = None
_live: Tally[tuple[str, str, str]] = Tally()
_gc_reported: list[tuple[int, float]] = [(0, 0.0)] * gc_pauses.GENERATIONS


def label(value: str | None, default: str = "other") -> str:
    value = (value or "").lower()
    return value if _LABEL.match(value) else default


def prepare() -> None:
    """Build the metrics (and import Ray's metrics module) now, not inside a burst's first call."""
    _build()


def _build() -> dict[str, Any] | None:
    global _metrics
    if _metrics is not None:
        return _metrics
    import ray

    if not ray.is_initialized():
        return None
    from ray.util.metrics import Counter, Gauge, Histogram

    _metrics = {
        "live": Gauge("voxray_live_calls", "Live calls in this worker", tag_keys=("node", "tenant", "agent_version")),
        "ended": Counter("voxray_calls_ended", "Calls ended, by status and reason class", tag_keys=("status", "reason")),
        "turn": Histogram("voxray_turn_latency_ms", "Caller stops speaking to first agent audio", boundaries=MS,
                          tag_keys=("agent",)),
        "hop": Histogram("voxray_audio_hop_ms", "Per-hop audio latency", boundaries=MS, tag_keys=("hop",)),
        "barge": Counter("voxray_barge_ins", "Caller interruptions acted on", tag_keys=("source",)),
        "barge_ms": Histogram("voxray_barge_in_reaction_ms", "Caller speech start to playout cleared", boundaries=MS,
                              tag_keys=("source",)),
        "model_err": Counter("voxray_model_errors", "Model errors, by code", tag_keys=("code",)),
        "reconnect": Counter("voxray_model_reconnects", "Model stream reconnects, by outcome", tag_keys=("outcome",)),
        "connect_ms": Histogram("voxray_model_connect_ms", "Model session open time", boundaries=MS),
        "tool": Counter("voxray_tool_calls", "Tool calls, by kind and status", tag_keys=("kind", "status")),
        "pool_slots": Gauge("voxray_warm_pool_slots", "Spare call slots kept warm", tag_keys=("node",)),
        "pool_actors": Gauge("voxray_pool_actors", "Session actors in the pool", tag_keys=("node",)),
        "tool_ms": Histogram("voxray_tool_call_ms", "Tool call latency", boundaries=MS, tag_keys=("kind", "status")),
        "gc_passes": Counter("voxray_gc_passes", "Garbage-collector passes in this worker, by generation",
                             tag_keys=("generation",)),
        "gc_pause_ms": Counter("voxray_gc_pause_ms", "Time this worker stood still in the garbage collector",
                               tag_keys=("generation",)),
    }
    return _metrics


def call_started(tenant_id: str, agent_version: str) -> None:
    _live_change(tenant_id, agent_version, +1)


def call_ended(tenant_id: str, agent_version: str, status: str, reason: str, was_live: bool) -> None:
    """``reason`` is the recorded end reason; only its class (before ``:``) becomes a label.
    ``was_live``: the call had started streaming (was counted by ``call_started``)."""
    if was_live:
        _live_change(tenant_id, agent_version, -1)
    m = _build()
    if m is not None:
        m["ended"].inc(1, tags={"status": label(status), "reason": label(reason.split(":", 1)[0])})


def _live_change(tenant_id: str, agent_version: str, delta: int) -> None:
    key = (socket.gethostname(), label(tenant_id), label(agent_version))
    _live[key] = max(0, _live[key] + delta)
    m = _build()
    if m is not None:
        m["live"].set(_live[key], tags={"node": key[0], "tenant": key[1], "agent_version": key[2]})


def turn_latency(ms: float, agent: str) -> None:
    m = _build()
    if m is not None:
        m["turn"].observe(max(ms, 0.001), tags={"agent": label(agent)})
        m["hop"].observe(max(ms, 0.001), tags={"hop": "model"})


def audio_hop(hop: str, ms: float) -> None:
    """``hop``: ``model`` (speech stop to first audio), ``playout`` (frame sent to its mark echoed)."""
    m = _build()
    if m is not None:
        m["hop"].observe(max(ms, 0.001), tags={"hop": label(hop)})


def barge_in(source: str, reaction_ms: float | None) -> None:
    """``source``: ``vad`` (our detector) or ``model`` (the model's speech_started)."""
    m = _build()
    if m is not None:
        m["barge"].inc(1, tags={"source": label(source)})
        if reaction_ms is not None:
            m["barge_ms"].observe(max(reaction_ms, 0.001), tags={"source": label(source)})


def model_error(code: str | None) -> None:
    m = _build()
    if m is not None:
        m["model_err"].inc(1, tags={"code": label(code)})


def model_reconnect(outcome: str) -> None:
    """A model stream dropped and was reopened: ``outcome`` is ``restored`` or ``failed``."""
    m = _build()
    if m is not None:
        m["reconnect"].inc(1, tags={"outcome": label(outcome)})


def model_connected(ms: float) -> None:
    m = _build()
    if m is not None:
        m["connect_ms"].observe(max(ms, 0.001))


def tool_call(kind: str, status: str, ms: float) -> None:
    """``kind``: a built-in's name or ``webhook`` (tenant tools are named freely: not a label)."""
    m = _build()
    if m is not None:
        tags = {"kind": label(kind), "status": label(status)}
        m["tool"].inc(1, tags=tags)
        m["tool_ms"].observe(max(ms, 0.001), tags=tags)


def pool_size(node: str, warm_slots: int, actors: int) -> None:
    """The pool owner's view of one node: spare call slots and session actors (set after each change)."""
    m = _build()
    if m is not None:
        m["pool_slots"].set(warm_slots, tags={"node": label(node, "unknown")})
        m["pool_actors"].set(actors, tags={"node": label(node, "unknown")})


def collector_pauses() -> dict[int, tuple[int, float]]:
    """Report the collector's passes since the last report (``voxray.gc_pauses``); call periodically.
    Returns them, by generation: (passes, ms stood still). Outside a Ray worker nothing is reported
    (and the baseline does not move)."""
    m = _build()
    if m is None:
        return {}
    out: dict[int, tuple[int, float]] = {}
    for generation, tally in enumerate(gc_pauses.PROCESS_PAUSES.snapshot()):
        count, total_s = _gc_reported[generation]
        passes, ms = tally.count - count, (tally.total_s - total_s) * 1000
        if passes <= 0:
            continue
        _gc_reported[generation] = (tally.count, tally.total_s)  # first: a failed report is not repeated
        out[generation] = (passes, ms)
        tags = {"generation": str(generation)}
        m["gc_passes"].inc(passes, tags=tags)
        if ms > 0:  # Ray's Counter refuses 0
            m["gc_pause_ms"].inc(ms, tags=tags)
    return out
