"""One system's numbers at one load, from the calls' results, the model's timings and the samples."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from benchmarks.accounting import Interval, call_cost, steady_bounds
from benchmarks.align import align_call, pct
from benchmarks.measure import ProcWatch, Sample, cpu_between, cpu_last_seen, group_delta
from benchmarks.outcomes import refused, tally

INFRA_KINDS = ("raylet", "gcs", "redis")


@dataclass
class Marks:
    """The samples that bound the phases of one run."""

    idle_from: Sample
    go: Sample
    end: Sample
    go_index: int
    steady: tuple[Sample, Sample] | None = None
    mid: Sample | None = None


def pick_steady(watch: ProcWatch, results: list[Any]) -> tuple[Sample, Sample] | None:
    """The first and last sample inside the window where every streaming call was live."""
    timed = [r for r in results if r.timing and r.timing.t0]
    bounds = steady_bounds([r.timing.t0 for r in timed], [r.timing.t0 + r.duration_s for r in timed])
    if bounds is None:
        return None
    inside = [s for s in watch.samples if bounds[0] <= s.at <= bounds[1]]
    if len(inside) < 2 or inside[-1].at - inside[0].at < 1.0:
        return None
    return inside[0], inside[-1]


def kind_groups(watch: ProcWatch, tree: set[int], live_actors: set[int]) -> dict[str, set[int]]:
    """The stack's processes by what they are: gateway, the calls' actors, the rest of Ray, Redis."""
    groups: dict[str, set[int]] = {"server": {p for p in tree if watch.kinds.get(p) == "server"},
                                   "session_actors": live_actors & tree}
    for kind in INFRA_KINDS:
        groups[kind] = {p for p in tree if watch.kinds.get(p) == kind}
    groups["new_workers"] = {p for p in tree if watch.kinds.get(p) in ("session_actor", "ray_worker")} - live_actors
    groups["ray_actors"] = {p for p in tree if watch.kinds.get(p, "").startswith("ray_actor:")}
    return groups


def whole_call(watch: ProcWatch, marks: Marks, results: list[Any], live_actors: set[int]) -> dict[str, Any]:
    """Idle cost, streaming CPU per call-second and setup+teardown CPU per call, every process."""
    tree = watch.of_root("server")
    groups = kind_groups(watch, tree, live_actors)
    idle = group_delta(marks.idle_from, marks.go, tree, groups)
    run = group_delta(marks.go, marks.end, tree, groups)
    window = group_delta(*marks.steady, tree, groups) if marks.steady else None
    streaming = [r for r in results if r.timing and r.timing.t0]
    call_s = sum(r.duration_s for r in streaming)
    live_n = len(streaming)

    def cost(key: str | None) -> dict[str, Any]:
        def total(d: dict[str, float]) -> float:
            return sum(d.values()) if key is None else d[key]

        w = None
        if window is not None and marks.steady:
            w = Interval(total(window), marks.steady[1].at - marks.steady[0].at)
        return asdict(call_cost(idle=Interval(total(idle), marks.go.at - marks.idle_from.at),
                                run=Interval(total(run), marks.end.at - marks.go.at), call_s=call_s,
                                calls=len(results), live_calls=live_n, window=w))

    return {"every_process": cost(None), "by_kind": {k: cost(k) for k in run},
            "processes": len(tree), "streaming_calls": live_n}


def summarize(system: str, n: int, results: list[Any], timings: dict[str, Any], watch: ProcWatch, marks: Marks,
              live_actors: set[int], info: dict[str, Any]) -> dict[str, Any]:
    inbound, outbound, turn_think, turn_net = [], [], [], []
    checks = {"calls_timed": 0, "inbound_negative": 0, "outbound_negative": 0, "outbound_unmatched": 0,
              "mark_errors": 0, "marks": 0, "frame_count_mismatch": 0, "unaligned_bytes": 0}
    for r in results:
        t = timings.get(r.call_sid)
        if t is None or r.timing is None:
            continue
        a = align_call(r, t)
        checks["calls_timed"] += 1
        for key in ("inbound_negative", "outbound_negative", "outbound_unmatched", "mark_errors", "marks"):
            checks[key] += a[key]
        checks["frame_count_mismatch"] += int(a["frames_sent"] != a["appends_received"])
        checks["unaligned_bytes"] += abs(a["agent_bytes"] - a["aligned_bytes"])
        inbound.append(a["inbound_ms"])
        outbound.append(a["outbound_ms"])
        for _, think, net in a["turns"]:
            turn_think.append(think)
            turn_net.append(net)
    inb = np.concatenate(inbound) if inbound else np.empty(0)
    outb = np.concatenate(outbound) if outbound else np.empty(0)
    all_turns = [t for r in results for t in r.turn_latencies_ms if t is not None]
    setup = [r.setup_ms for r in results if r.setup_ms is not None]
    busy = [r.setup_ms for r in results if r.setup_ms is not None and refused(r)]
    reactions = [x for r in results for x in r.barge_in_reaction_ms if x is not None]
    failures = [{"call_sid": r.call_sid, "status": r.status,
                 "detail": (r.setup_error or (r.errors[0] if r.errors else ""))[:200]} for r in results if not r.ok]
    call_s = sum(r.duration_s for r in results)
    return {
        "system": system, "n": n, "calls_ok": sum(r.ok for r in results), "calls": len(results),
        "outcomes": tally(results), "failures": failures[:20],
        "server": {k: info.get(k) for k in ("settings", "pool", "isolation", "env", "warm_s")},
        "call_seconds": round(call_s, 1), "turns": len(all_turns),
        "inbound_ms": {"p50": pct(inb, 50), "p99": pct(inb, 99), "max": pct(inb, 100), "frames": int(inb.size)},
        "outbound_ms": {"p50": pct(outb, 50), "p99": pct(outb, 99), "max": pct(outb, 100), "deltas": int(outb.size)},
        "turn_ms": {"p50": pct(all_turns, 50), "p95": pct(all_turns, 95), "p99": pct(all_turns, 99),
                    "max": pct(all_turns, 100)},
        "model_think_ms": {"p50": pct(turn_think, 50), "p99": pct(turn_think, 99)},
        "turn_minus_think_ms": {"p50": pct(turn_net, 50), "p99": pct(turn_net, 99), "max": pct(turn_net, 100),
                                "turns": len(turn_net)},
        "setup_ms": {"p50": pct(setup, 50), "p99": pct(setup, 99), "max": pct(setup, 100)},
        "refusal_ms": {"p50": pct(busy, 50), "p99": pct(busy, 99), "max": pct(busy, 100), "n": len(busy)},
        "barge_in_clear_ms": {"p50": pct(reactions, 50), "p95": pct(reactions, 95), "n": len(reactions)},
        "gaps": {"underruns": sum(r.underruns for r in results),
                 "underrun_ms": round(sum(r.underrun_ms for r in results), 1),
                 "calls_with_gaps": sum(1 for r in results if r.underruns)},
        "max_send_lag_ms": {"max": pct([r.max_send_lag_ms for r in results], 100),
                            "p50": pct([r.max_send_lag_ms for r in results], 50)},
        "cpu": hot_path_cpu(system, n, watch, marks, live_actors, call_s),
        "whole_call": whole_call(watch, marks, results, live_actors),
        "memory": memory(system, n, watch, marks, live_actors), "alignment": checks,
        "timeouts": sum(len(r.timeouts) for r in results), "clears": sum(r.clears_received for r in results),
    }


def hot_path_cpu(system: str, n: int, watch: ProcWatch, marks: Marks, live_actors: set[int],
                 call_s: float) -> dict[str, Any]:
    """The per-frame comparison's CPU figures: the runtime's hot path, steady and whole."""
    live = sorted(live_actors)
    other_workers = [p for p in watch.pids("session_actor", "ray_worker") if p not in live_actors]
    groups: dict[str, list[int]] = {"server": watch.pids("server"), "model": watch.pids("model"),
                                    "carrier": [p for p, k in watch.kinds.items() if k.startswith("carrier")]}
    if system == "voxray":
        groups.update({"session_actors": live, "refill_workers": other_workers, "raylet": watch.pids("raylet"),
                       "gcs": watch.pids("gcs"), "redis": watch.pids("redis"),
                       "ray_other": [p for p, k in watch.kinds.items() if k == "server_child"
                                     or k.startswith("ray_actor:")]})
    cpu: dict[str, Any] = {}
    if marks.steady is not None:
        s0, s1 = marks.steady
        window_call_s = n * (s1.at - s0.at)
        cpu["steady_window_s"] = round(s1.at - s0.at, 1)
        cpu["steady_per_call_s"] = {k: round(cpu_between(s0, s1, p) / window_call_s, 5) for k, p in groups.items()}
        cpu["host_busy_pct"] = round(100 * (s1.host_busy - s0.host_busy) / ((s1.at - s0.at) * (os.cpu_count() or 1)), 1)
    run = watch.samples[marks.go_index:]
    cpu["whole_run_call_s"] = round(call_s, 1)
    cpu["whole_per_call_s"] = {k: round(cpu_last_seen(run, p) / call_s, 5) if call_s else None
                               for k, p in groups.items()}
    hot = ["server"] + (["session_actors"] if system == "voxray" else [])
    infra = ["raylet", "gcs", "redis", "ray_other"] if system == "voxray" else []
    for key in ("steady_per_call_s", "whole_per_call_s"):
        if key in cpu:
            per = cpu[key]
            per["hot_path"] = round(sum(per[k] or 0 for k in hot), 5)
            per["hot_path_plus_infra"] = round(per["hot_path"] + sum(per[k] or 0 for k in infra), 5)
    return cpu


def memory(system: str, n: int, watch: ProcWatch, marks: Marks, live_actors: set[int]) -> dict[str, Any]:
    mem: dict[str, Any] = {}
    base, mid, live = marks.go, marks.mid, sorted(live_actors)
    server = watch.pids("server")
    if mid is not None:
        mem["server_rss_delta_per_call_mb"] = round(
            sum(mid.rss.get(p, 0) - base.rss.get(p, 0) for p in server) / n / 2**20, 2)
        if system == "voxray":
            mem["actor_rss_per_call_mb"] = round(sum(mid.rss.get(p, 0) for p in live) / n / 2**20, 1)
            mem["actor_rss_per_actor_mb"] = round(sum(mid.rss.get(p, 0) for p in live) / max(len(live), 1) / 2**20, 1)
            mem["actor_rss_idle_mb"] = round(sum(base.rss.get(p, 0) for p in live) / max(len(live), 1) / 2**20, 1)
            mem["live_actors"] = len(live)
    mem["server_rss_mb_at_start"] = round(sum(base.rss.get(p, 0) for p in server) / 2**20, 1)
    return mem
