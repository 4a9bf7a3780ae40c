"""Benchmark: voxray against a bare relay, N calls of a given arrival and call shape.

    python -m benchmarks.latency --calls 10 50 100 --seconds 30          (``./run bench``)
    python -m benchmarks.latency --runs burst:50 burst:100 steady:50 --shape short --tag whole

For each load it runs the bare relay (``bare_relay.py``, the floor) and then voxray
(``voxray_server.py``: ``Stack`` + gateway, configured by ``VOXRAY_*`` as ``voxray up`` is),
each against its own fresh local realtime server started with ``--record-timing``, with the
carrier simulator in separate processes placing the calls with ``timing=True``. Writes
``benchmarks/results/latency[-TAG]-<ts>.json`` and ``latency[-TAG].json`` (latest), prints the
per-frame and the whole-call tables, and rewrites their blocks in ``benchmarks/README.md``.
Method: see that README.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil

from benchmarks import report
from benchmarks.align import WARMUP_FRAMES
from benchmarks.procs import Tree
from benchmarks.runner import Load, run_load
from benchmarks.shapes import ARRIVALS, SHAPES, measure_durations, model_script_yaml, plan_steps

RESULTS = Path(__file__).resolve().parent / "results"


def parse_runs(runs: list[str] | None, calls: list[int], arrivals: list[str]) -> list[tuple[str, int]]:
    """``["burst:50", "steady:50"]`` -> [("burst", 50), ("steady", 50)]; default: arrivals x calls."""
    if not runs:
        return [(a, n) for a in arrivals for n in calls]
    out = []
    for item in runs:
        arrival, _, n = item.partition(":")
        if arrival not in ARRIVALS or not n.isdigit() or int(n) < 1:
            raise SystemExit(f"--runs {item!r}: want ARRIVAL:N with ARRIVAL one of {', '.join(ARRIVALS)}")
        out.append((arrival, int(n)))
    return out


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, nargs="+", default=[10, 50, 100])
    p.add_argument("--arrival", nargs="+", default=["steady"], choices=ARRIVALS,
                   help="steady: one call every --stagger-ms; burst: all N within one second")
    p.add_argument("--runs", nargs="+", metavar="ARRIVAL:N", help="loads to run, e.g. burst:50 steady:50 "
                   "(instead of --arrival x --calls)")
    p.add_argument("--shape", default="standard", choices=SHAPES,
                   help="short: ~12 s, one turn; standard: --seconds, 4 turns at 30 s; long: ~2 min, 10 turns, barge-ins")
    p.add_argument("--seconds", type=float, default=30.0, help="standard shape: conversation length per call")
    p.add_argument("--systems", nargs="+", default=["bare", "voxray"], choices=["bare", "voxray"])
    p.add_argument("--think-ms", type=int, default=300, help="the model's think time")
    p.add_argument("--stagger-ms", type=float, default=53.0,
                   help="steady: between call starts; not a multiple of 10, so the calls' 20 ms frame phases spread")
    p.add_argument("--carrier-procs", type=int, default=0, help="0: one per --calls-per-carrier calls")
    p.add_argument("--calls-per-carrier", type=int, default=50)
    p.add_argument("--sample-s", type=float, default=0.5, help="process sampling period")
    p.add_argument("--settle-s", type=float, default=5.0, help="after the server is ready, before measuring idle")
    p.add_argument("--idle-s", type=float, default=5.0, help="idle cost measured over this long, before the calls")
    p.add_argument("--quiet-ms-per-s", type=float, default=10.0,
                   help="the run ends once the stack burns at most idle + this (CPU ms per s) over 2 s")
    p.add_argument("--warm-up-wave", action="store_true",
                   help="run the same calls once, unmeasured, before the measured run (reuse: dedicated processes)")
    p.add_argument("--quiet-timeout-s", type=float, default=90.0)
    p.add_argument("--warm-timeout", type=float, default=900.0)
    knobs = p.add_argument_group("voxray deployment knobs (passed as VOXRAY_* env; default: the Settings defaults)")
    knobs.add_argument("--calls-per-actor", type=int, default=None, help="VOXRAY_CALLS_PER_ACTOR")
    knobs.add_argument("--warm-pool", type=int, default=None, help="VOXRAY_WARM_POOL_SIZE")
    knobs.add_argument("--max-live-calls", type=int, default=None, help="VOXRAY_MAX_LIVE_CALLS")
    knobs.add_argument("--env", action="append", metavar="KEY=VALUE", help="any other VOXRAY_ setting (repeatable)")
    knobs.add_argument("--isolation", choices=["shared", "dedicated"], help="the bench tenant's isolation")
    knobs.add_argument("--media-gateway", action="store_true",
                       help="media streams to a second gateway process (VOXRAY_MEDIA_PUBLIC_BASE_URL)")
    knobs.add_argument("--tenant-calls", type=int, default=0, help="the bench tenant's call limit (default: N)")
    p.add_argument("--profile-setup", action="store_true",
                   help="py-spy the voxray server and its Python descendants during the calls' setup")
    p.add_argument("--profile-s", type=float, default=0.0,
                   help="how long to profile from go (0: the arrival span + 6 s)")
    p.add_argument("--profile-rate", type=positive_int, default=100, help="py-spy samples per second per process")
    p.add_argument("--no-snapshot", action="store_true",
                   help="run the processes from the working tree instead of a private copy of it")
    p.add_argument("--no-readme", action="store_true")
    p.add_argument("--raw", help="also pickle raw per-call timings and process samples into this directory")
    p.add_argument("--tag", default="", help="a variant's name: results go to latency-TAG.* and their own README blocks")
    p.add_argument("--report-only", help="re-render tables, plot and README blocks from a results JSON")
    return p


def describe(meta: dict[str, Any]) -> str:
    settings = meta.get("server_settings") or {}
    knobs = ", ".join(f"{k} {v}" for k, v in settings.items()) or "Settings defaults"
    script = meta.get("script", {})
    length = script.get("expected_s", meta.get("seconds", "?"))
    return (f"Run {meta['started']} ({meta.get('shape', 'standard')} calls ~{length} s, "
            f"{script.get('turns', '?')} turns, think {meta['think_ms']} ms; voxray: {knobs}; "
            f"{'after an unmeasured warm-up wave of the same calls; ' if meta.get('knobs', {}).get('warm_up_wave') else ''}"
            f"source {meta.get('source', {}).get('commit', '')[:10] or 'working tree'})")


def render(meta: dict[str, Any], runs: list[dict[str, Any]], tag: str, readme: bool) -> None:
    suffix = f"-{tag}" if tag else ""
    per_frame, whole = report.table(runs), report.whole_call_table(runs)
    print(per_frame + "\n\n" + whole)
    compared = all("bare" in r and "voxray" in r for r in runs)  # the plot sets one beside the other
    if meta.get("shape", "standard") == "standard" and compared:
        try:
            report.plot(runs, RESULTS / f"latency{suffix}.png")
        except Exception as exc:  # noqa: BLE001 - the numbers matter more than the picture
            print(f"plot failed: {exc!r}")
    if not readme:
        return
    if meta.get("shape", "standard") == "standard":
        report.write_readme(f"{describe(meta)}:\n\n{per_frame}\n\n![latency](results/latency{suffix}.png)", tag)
    report.write_readme(f"{describe(meta)}:\n\n{whole}", f"whole-call{suffix}")


def main(argv: list[str] | None = None) -> int:
    args = options().parse_args(argv)
    if args.report_only:
        doc = json.loads(Path(args.report_only).read_text())
        render(doc["meta"], doc["runs"], args.tag, not args.no_readme)
        return 0
    loads = parse_runs(args.runs, args.calls, args.arrival)
    args.results = RESULTS
    args.tag_suffix = f"-{args.tag}" if args.tag else ""
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="voxray-bench-"))
    tree, source = (Tree(), {}) if args.no_snapshot else Tree.snapshot()
    log_path = RESULTS / f"latency{args.tag_suffix}-last.log"
    script, plan = plan_steps(args.shape, measure_durations(args.think_ms), args.seconds)
    (workdir / "bench.yaml").write_text(model_script_yaml(args.think_ms, plan["turns"] + plan["barge_ins"]))
    started = datetime.now(timezone.utc)
    meta: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"), "shape": args.shape, "seconds": args.seconds,
        "think_ms": args.think_ms, "stagger_ms": args.stagger_ms, "loads": loads, "script": plan,
        "host": {"cpus": os.cpu_count(), "mem_gib": round(psutil.virtual_memory().total / 2**30, 1),
                 "python": sys.version.split()[0]},
        "warmup_frames_excluded": WARMUP_FRAMES, "source": source, "profiled": args.profile_setup,
        "knobs": {k: getattr(args, k) for k in ("calls_per_actor", "warm_pool", "max_live_calls", "env", "isolation",
                                                   "media_gateway", "warm_up_wave")},
    }
    print(f"script: {args.shape}, {plan['turns']} turns, ~{plan['expected_s']} s per call; log {log_path}", flush=True)
    runs: list[dict[str, Any]] = []
    with open(log_path, "w") as log:
        for arrival, n in loads:
            run: dict[str, Any] = {"n": n, "arrival": arrival, "shape": args.shape}
            for system in args.systems:
                print(f"N={n} {arrival} {system} ...", flush=True)
                print(f"==== N={n} {arrival} {system}", file=log, flush=True)
                if args.profile_setup and not args.profile_s:
                    args.profile_s = (n * args.stagger_ms / 1000 if arrival == "steady" else 1.0) + 6.0
                r = run_load(tree, Load(system, n, arrival, args.shape, plan["expected_s"]), script, workdir, args, log)
                run[system] = r
                if "error" in r:
                    print(f"  broke: {r['error']}", flush=True)
                    continue
                if system == "voxray":
                    meta["server_settings"] = r["server"]["settings"]
                o, w = r["outcomes"], r["whole_call"]["every_process"]
                print(f"  audio {o['with_audio']}/{o['calls']}, refused {o['refused']}, failed {o['failed']}, "
                      f"setup p99 {r['setup_ms']['p99']} ms, turn p50 {r['turn_ms']['p50']} ms, "
                      f"setup+teardown {w['setup_teardown_ms_per_call']} ms/call, "
                      f"stream {w['stream_ms_per_call_s']} ms/call-s, idle {w['idle_ms_per_s']} ms/s, "
                      f"wall {r['wall_s']} s", flush=True)
            if "bare" in run and "voxray" in run and "error" not in run["bare"] and "error" not in run["voxray"]:
                run["added"] = report.added(run["bare"], run["voxray"])
                run["whole_added"] = report.whole_call_added(run["bare"], run["voxray"])
            runs.append(run)
            doc = {"meta": {**meta, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")},
                   "runs": runs}
            stamp = started.strftime("%Y%m%dT%H%M%SZ")
            (RESULTS / f"latency{args.tag_suffix}-{stamp}.json").write_text(json.dumps(doc, indent=2))
            (RESULTS / f"latency{args.tag_suffix}.json").write_text(json.dumps(doc, indent=2))
    shutil.rmtree(workdir, ignore_errors=True)
    tree.remove()
    render(meta, runs, args.tag, not args.no_readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
