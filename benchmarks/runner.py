"""One system at one load: start model, server and carriers, measure idle, place the calls, collect.

Phases on one clock (``time.monotonic()``): the server is ready; ``settle_s`` for fresh
workers to finish starting; ``idle_s`` with no call (the stack's idle cost); go: the carriers
start the calls at go + their arrival offsets; the calls end; records are read back; then the
stack is sampled until it is quiet again (within ``quiet_ms_per_s`` of its idle rate), which ends
the run interval so that teardown and pool refill are inside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import pickle
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from benchmarks import gc_scrape, profile_setup
from benchmarks.measure import ProcWatch, tree_cpu
from benchmarks.outcomes import tally
from benchmarks.procs import PY, Tree, free_port, read_line, stop_tree
from benchmarks.shapes import arrival_offsets_ms
from benchmarks.summary import Marks, pick_steady, summarize


@dataclass(frozen=True)
class Load:
    system: str
    n: int
    arrival: str
    shape: str
    expected_s: float  # one call, as planned


def start_model(tree: Tree, workdir: Path, think_ms: int, log: Any) -> tuple[subprocess.Popen[str], str]:
    proc = tree.popen([PY, "-m", "simulators.realtime", "--port", "0", "--script", "bench", "--script-dir",
                       str(workdir), "--think-ms", str(think_ms), "--record-timing"], log)
    return proc, read_line(proc, "listening ", 60)


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """The deployment knobs the options ask for, as ``voxray up`` reads them; nothing else."""
    env = {}
    for option, name in (("calls_per_actor", "CALLS_PER_ACTOR"), ("warm_pool", "WARM_POOL_SIZE"),
                         ("max_live_calls", "MAX_LIVE_CALLS")):
        value = getattr(args, option, None)
        if value is not None:
            env[f"VOXRAY_{name}"] = str(value)
    for item in args.env or ():
        key, _, value = item.partition("=")
        env[key if key.startswith("VOXRAY_") else f"VOXRAY_{key}"] = value
    return env


def start_server(tree: Tree, load: Load, model_url: str, workdir: Path, args: argparse.Namespace,
                 log: Any) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    port = free_port()
    if load.system == "bare":
        proc = tree.popen([PY, "-m", "benchmarks.bare_relay", "--port", str(port), "--model-url", model_url], log)
        url = read_line(proc, "listening ", 60)
        return proc, {"gateway_url": url, "public_base_url": url, "auth_token": "unused",
                      "to_number": "+15550100000", "account_sid": "AC" + "0" * 32}
    cmd = [PY, "-m", "benchmarks.voxray_server", "--port", str(port), "--model-url", model_url,
           "--tenant-calls", str(max(load.n, args.tenant_calls or 0)), "--warm-timeout", str(args.warm_timeout),
           "--data-dir", str(workdir / f"voxray-{load.n}-{load.arrival}")]
    if args.isolation:
        cmd += ["--isolation", args.isolation]
    if getattr(args, "media_gateway", False):
        cmd += ["--media-gateway"]
    # A private Ray cluster per run: without this, ray.init() joins any cluster another process on
    # this host registered in /tmp/ray/ray_current_cluster.
    env = {"RAY_ADDRESS": "local", **server_env(args)}
    proc = tree.popen(cmd, log, env=env)
    return proc, json.loads(read_line(proc, "listening ", args.warm_timeout + 180))


def start_carriers(tree: Tree, load: Load, info: dict[str, Any], script: list[Any], workdir: Path,
                   args: argparse.Namespace, log: Any) -> list[tuple[subprocess.Popen[str], Path]]:
    procs = args.carrier_procs or max(1, math.ceil(load.n / args.calls_per_carrier))
    offsets = arrival_offsets_ms(load.arrival, load.n, stagger_ms=args.stagger_ms)
    workers = []
    for w in range(procs):
        out = workdir / f"carrier-{w}.pkl"
        indices = list(range(w, load.n, procs))
        spec = {**{k: info[k] for k in ("gateway_url", "public_base_url", "auth_token", "to_number", "account_sid")},
                "indices": indices, "offsets_ms": [offsets[i] for i in indices], "out": str(out),
                "media_gateway": bool(getattr(args, "media_gateway", False)) and load.system != "bare",
                "max_duration_s": load.expected_s * 4 + 120, "script": pickle.dumps(script).hex()}
        path = workdir / f"carrier-{w}.json"
        path.write_text(json.dumps(spec))
        proc = tree.popen([PY, "-m", "benchmarks.carrier_worker", str(path)], log, stdin=subprocess.PIPE)
        workers.append((proc, out))
    for proc, _ in workers:
        read_line(proc, "ready", 120)
    return workers


def go_all(workers: list[tuple[subprocess.Popen[str], Path]], t_go: float) -> None:
    for proc, _ in workers:
        assert proc.stdin is not None
        proc.stdin.write(f"go {t_go}\n")
        proc.stdin.flush()


def fetch_json(url: str) -> Any:
    import httpx

    r = httpx.get(url, timeout=30, trust_env=False)
    r.raise_for_status()
    return r.json()


async def voxray_sessions(info: dict[str, Any], call_sids: list[str], timeout_s: float = 30.0) -> dict[str, str | None]:
    """callSid -> model session id from the call records (written when each call ends)."""
    from voxray.store import Store

    store = Store.from_url(info["redis_url"], info["key_prefix"])
    found: dict[str, str | None] = {}
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for sid in call_sids:
                if found.get(sid) is None:
                    call = await store.get_call(info["tenant_id"], sid)
                    if call is not None and call.ended_at is not None:
                        found[sid] = call.model_session_id
            if len([s for s in found.values() if s]) == len(call_sids):
                break
            await asyncio.sleep(0.5)
    finally:
        await store.close()
    return found


def run_load(tree: Tree, load: Load, script: list[Any], workdir: Path, args: argparse.Namespace,
             log: Any) -> dict[str, Any]:
    """Measure one system at one load; a load that breaks is recorded with its error."""
    model = server = None
    spy: dict[int, tuple[subprocess.Popen[bytes], Path]] | None = None
    workers: list[tuple[subprocess.Popen[str], Path]] = []
    watch: ProcWatch | None = None
    t_wall = time.monotonic()
    try:
        model, model_url = start_model(tree, workdir, args.think_ms, log)
        model_http = model_url.replace("ws://", "http://").removesuffix("/v1")
        t_up = time.monotonic()
        server, info = start_server(tree, load, model_url, workdir, args, log)
        startup_s = time.monotonic() - t_up
        workers = start_carriers(tree, load, info, script, workdir, args, log)
        roots = {"server": server.pid, "model": model.pid}
        roots.update({f"carrier{i}": p.pid for i, (p, _) in enumerate(workers)})
        watch = ProcWatch(roots, period_s=args.sample_s).start()
        time.sleep(args.settle_s)  # freshly started workers finish their start-up
        if args.warm_up_wave:
            # The same calls once, unmeasured: the stack then runs as it does in service (warm
            # processes refilled, a dedicated tenant's processes kept for its next calls).
            before = watch.sample()
            time.sleep(2.0)
            base = (tree_cpu(watch.sample(), watch.of_root("server")) - tree_cpu(before, watch.of_root("server"))) / 2.0
            t_warm = time.monotonic() + 0.3
            go_all(workers, t_warm)
            for proc, _ in workers:
                read_line(proc, "done", max(t_warm + load.expected_s * 4 + 240 - time.monotonic(), 1))
            warm = [r for _, out in workers for r in pickle.loads(out.read_bytes())]
            print(f"  warm-up wave: {tally(warm)}", file=log, flush=True)
            watch.wait_quiet("server", base + args.quiet_ms_per_s / 1000, timeout_s=args.quiet_timeout_s)
            time.sleep(args.settle_s)
        idle_from = watch.sample()
        time.sleep(args.idle_s)
        go = watch.sample()
        go_index = len(watch.samples) - 1
        live_actors = set(watch.pids("session_actor"))
        idle_rate = (tree_cpu(go, watch.of_root("server")) - tree_cpu(idle_from, watch.of_root("server"))) / (
            go.at - idle_from.at)
        gc_before = gc_scrape.read(info) if load.system == "voxray" else {}
        t_go = time.monotonic() + 0.3
        if args.profile_setup and load.system == "voxray":
            targets = [server.pid] + [p for p, k in watch.kinds.items() if p in go.cpu
                                      and (k == "session_actor" or k.startswith("ray_actor:"))]
            spy = {pid: (profile_setup.record(pid, workdir / f"spy-{pid}.txt", args.profile_s, log,
                                                       args.profile_rate),
                         workdir / f"spy-{pid}.txt") for pid in targets}
        go_all(workers, t_go)
        for proc, _ in workers:
            read_line(proc, "done", max(t_go + load.expected_s * 4 + 240 - time.monotonic(), 1))
        results: list[Any] = []
        for _, out in workers:
            results.extend(pickle.loads(out.read_bytes()))
        results.sort(key=lambda r: r.from_number)
        streamed = [r.call_sid for r in results if r.connected]
        if load.system == "bare":
            sessions = fetch_json(info["gateway_url"] + "/sessions")
        else:
            sessions = asyncio.run(voxray_sessions(info, streamed))
        end = watch.wait_quiet("server", idle_rate + args.quiet_ms_per_s / 1000, timeout_s=args.quiet_timeout_s)
        watch.stop()
        marks = Marks(idle_from=idle_from, go=go, end=end, go_index=go_index, steady=pick_steady(watch, results))
        if marks.steady:
            marks.mid = watch.nearest((marks.steady[0].at + marks.steady[1].at) / 2)
        timings = {}
        for sid in streamed:
            msid = sessions.get(sid)
            if msid:
                try:
                    timings[sid] = fetch_json(f"{model_http}/local/sessions/{msid}/timing")
                except Exception as exc:  # noqa: BLE001 - recorded as a missing timing
                    print(f"  timing for {sid} ({msid}) unavailable: {exc!r}", file=log, flush=True)
        if args.raw:
            raw = Path(args.raw)
            raw.mkdir(parents=True, exist_ok=True)
            (raw / f"{load.system}-{load.arrival}-{load.n}.pkl").write_bytes(pickle.dumps(
                {"results": results, "timings": timings, "samples": watch.samples, "kinds": watch.kinds,
                 "live_actor_pids": live_actors}))
        summary = summarize(load.system, load.n, results, timings, watch, marks, live_actors, info)
        if load.system == "voxray":  # the collector's passes while the calls ran (and ended)
            summary["gc"] = gc_scrape.during(gc_before, gc_scrape.read(info))
            print(f"  collector passes during the run: {summary['gc']}", file=log, flush=True)
        if spy:
            name = f"setup-profile{args.tag_suffix}-{load.arrival}-{load.n}"
            summary["profile"] = finish_profile(spy, args.results / f"{name}.raw.txt", watch.kinds)
        summary.update(arrival=load.arrival, shape=load.shape, startup_s=round(startup_s, 1),
                       carrier_procs=len(workers), wall_s=round(time.monotonic() - t_wall, 1),
                       actor_nice=sorted(nice_of(live_actors)))
        return summary
    except Exception as exc:  # a load that breaks is recorded, the run goes on
        return {"system": load.system, "n": load.n, "arrival": load.arrival, "shape": load.shape,
                "error": f"{type(exc).__name__}: {exc}", "wall_s": round(time.monotonic() - t_wall, 1)}
    finally:
        if watch is not None:
            watch.stop()
        for spying, _ in (spy or {}).values():
            if spying.poll() is None:
                spying.terminate()
        for proc, _ in workers:
            stop_tree(proc, timeout_s=10)
        stop_tree(server, watch.of_root("server") if watch else None, timeout_s=90)
        stop_tree(model, timeout_s=10)


def finish_profile(spy: dict[int, tuple[subprocess.Popen[bytes], Path]], out: Path,
                   kinds: dict[int, str]) -> dict[str, Any]:
    """Wait for every py-spy, merge their stacks into ``out`` and write the top-N summary beside it."""
    parts = {}
    for pid, (proc, path) in spy.items():
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(10)
        if path.exists():
            parts[pid] = path.read_text()
    if not parts:
        return {"error": "py-spy wrote nothing; see the log"}
    text = profile_setup.merge(parts, kinds)
    out.write_text(text)
    top = out.with_name(out.name.replace(".raw.txt", ".top.txt"))
    top.write_text(profile_setup.summarize(text, kinds))
    return {"raw": out.name, "top": top.name, "processes": {str(p): kinds.get(p, "?") for p in parts}}


def nice_of(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            out.add(psutil.Process(pid).nice())
        except psutil.Error:
            pass
    return out
