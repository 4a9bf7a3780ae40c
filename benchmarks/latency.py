"""Latency benchmark: voxray against a bare relay, N concurrent conversational calls each.

    python -m benchmarks.latency --calls 10 50 100 --seconds 30      (``./run bench``)

For each N it runs the bare relay (``bare_relay.py``, the floor) and then voxray (``Stack`` +
gateway in ``voxray_server.py``, warm pool >= N), each against its own fresh local realtime
server started with ``--record-timing``, with the carrier simulator in separate processes
placing N staggered calls with ``timing=True``. Writes ``benchmarks/results/latency-<ts>.json``,
``latency.json`` (latest), ``latency.png``, prints a table, and rewrites the results section
of ``benchmarks/README.md``. Method: see that README.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import math
import os
import pickle
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
#: Where the processes under test run from: a private copy of the tree (``--snapshot``), so that
#: edits to the working tree during a run cannot mix two versions of the code in one run.
RUN_ROOT = ROOT
RESULTS = Path(__file__).resolve().parent / "results"
README = Path(__file__).resolve().parent / "README.md"
PY = sys.executable

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
LEAD_SILENCE_MS = 1000
WARMUP_FRAMES = 50  # first 1 s of each stream (model connect / early-audio buffering) left out
QUIET_MS = 600
FRAME_BYTES = 160


# ---- small helpers --------------------------------------------------------------------------


def snapshot_tree() -> tuple[Path, dict[str, Any]]:
    snap = Path(tempfile.mkdtemp(prefix="voxray-snap-"))
    for name in ("pipelines", "actors", "gateway", "governance", "voxray", "simulators", "launcher", "benchmarks"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, snap / name, ignore=shutil.ignore_patterns("__pycache__", "results"))

    def git(*cmd: str) -> str:
        try:
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return snap, {"commit": git("rev-parse", "HEAD"), "dirty": git("status", "--porcelain").splitlines()}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(RUN_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def popen(cmd: list[str], log: Any, stdin: Any = None) -> subprocess.Popen[str]:
    return subprocess.Popen(cmd, cwd=RUN_ROOT, env=child_env(), stdin=stdin, stdout=subprocess.PIPE, stderr=log,
                            text=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: Any, q: float) -> float | None:
    arr = np.asarray(values, dtype=float)
    return None if arr.size == 0 else round(float(np.percentile(arr, q)), 2)


def read_line(proc: subprocess.Popen[str], prefix: str, timeout_s: float) -> str:
    """Wait for a stdout line starting with ``prefix``; raise if the process dies or times out."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no {prefix!r} line within {timeout_s:.0f} s")
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
        if ready:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"process exited ({proc.wait()}) before {prefix!r}")
            if line.startswith(prefix):
                return line[len(prefix):].strip()
        elif proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before {prefix!r}")


def stop_tree(proc: subprocess.Popen[str] | None, known: set[int] | None = None, timeout_s: float = 60.0) -> None:
    """SIGTERM our child, wait, then SIGKILL it and any descendants of it we saw that survive."""
    if proc is None:
        return
    pids = set(known or ())
    try:
        pids |= {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        pass
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    for pid in pids:
        try:
            p = psutil.Process(pid)
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                p.kill()
        except psutil.Error:
            pass


# ---- the caller's and the model's script --------------------------------------------------


def plan_script(seconds: float, think_ms: int) -> tuple[list[Any], dict[str, Any]]:
    """Caller: lead silence, then (say, wait for the agent) repeated to fill about ``seconds``."""
    from simulators.carrier.caller import speech_frames
    from simulators.carrier.script import Hangup, Say, Silence, WaitForAgent
    from simulators.realtime.voice import espeak_voice
    from simulators.speech import synthesize_pcm, synthesize_ulaw

    say_s = [len(speech_frames(synthesize_ulaw(t))) * 0.02 for t in CALLER_LINES]
    reply_s = [len(synthesize_pcm(t, 8000, espeak_voice("marin"))) / 2 / 8000 for t in AGENT_LINES]
    cycle = sum(say_s) / 3 + 0.5 + think_ms / 1000 + sum(reply_s) / 3 + QUIET_MS / 1000 + 0.1
    turns = max(1, round((seconds - LEAD_SILENCE_MS / 1000) / cycle))
    steps: list[Any] = [Silence(LEAD_SILENCE_MS)]
    for i in range(turns):
        steps += [Say(CALLER_LINES[i % 3]), WaitForAgent(timeout_s=30, quiet_ms=QUIET_MS)]
    steps.append(Hangup())
    return steps, {"turns": turns, "cycle_s": round(cycle, 2), "caller_say_s": [round(s, 2) for s in say_s],
                   "agent_reply_s": [round(s, 2) for s in reply_s]}


def write_model_script(directory: Path, think_ms: int, turns: int) -> None:
    lines = [f"think_ms: {think_ms}", "turns:"]
    lines += [f'  - say: "{AGENT_LINES[i % 3]}"' for i in range(turns + 50)]
    (directory / "bench.yaml").write_text("\n".join(lines) + "\n")


# ---- carrier worker (a separate process) ----------------------------------------------------


def carrier_worker(spec_path: str) -> int:
    """Place this worker's share of the calls; pickle the results. Talks to the driver on stdio."""
    import httpx

    from simulators.carrier.call import CallConfig, SimulatedCall, synthesize_script
    from simulators.carrier.runner import caller_number
    from simulators.speech import synthesize_ulaw

    spec = json.loads(Path(spec_path).read_text())
    script = pickle.loads(bytes.fromhex(spec["script"]))

    async def warm(http: Any) -> None:
        """One throwaway request and signature, so the first call does not pay for lazy imports."""
        from twilio.request_validator import RequestValidator

        RequestValidator(spec["auth_token"]).compute_signature(spec["public_base_url"], {"a": "b"})
        try:
            await http.get(spec["gateway_url"] + "/warm-up-404", timeout=10)
        except httpx.HTTPError:
            pass

    async def run() -> list[Any]:
        await synthesize_script(script, synthesize_ulaw)
        async with httpx.AsyncClient(trust_env=False) as http:
            await warm(http)
        print("ready", flush=True)
        line = await asyncio.to_thread(sys.stdin.readline)
        t_go = float(line.split()[1])
        n = len(spec["indices"])
        limits = httpx.Limits(max_connections=max(n, 1), max_keepalive_connections=max(n, 1))
        async with httpx.AsyncClient(trust_env=False, limits=limits) as http:

            async def one(index: int) -> Any:
                await asyncio.sleep(max(0.0, t_go + index * spec["stagger_ms"] / 1000 - time.monotonic()))
                config = CallConfig(gateway_url=spec["gateway_url"], public_base_url=spec["public_base_url"],
                                    auth_token=spec["auth_token"], to_number=spec["to_number"],
                                    from_number=caller_number(index), script=tuple(script),
                                    account_sid=spec["account_sid"], max_duration_s=spec["max_duration_s"],
                                    timing=True)
                result = await SimulatedCall(config, http=http).run()
                result.caller_audio = result.agent_audio = b""
                return result

            return list(await asyncio.gather(*(one(i) for i in spec["indices"])))

    assert type(asyncio.new_event_loop()).__module__.startswith("asyncio")  # loop.time() is time.monotonic()
    results = asyncio.run(run())
    Path(spec["out"]).write_bytes(pickle.dumps(results))
    print("done", flush=True)
    return 0


# ---- process CPU / memory sampling ----------------------------------------------------------


@dataclass
class Sample:
    at: float
    cpu: dict[int, float]
    rss: dict[int, int]
    host_busy: float = 0.0  # host-wide busy CPU seconds (all processes, ours or not)


@dataclass
class ProcWatch:
    """Samples CPU time and RSS of a fixed set of roots and all their descendants."""

    roots: dict[str, int]
    period_s: float = 0.5
    samples: list[Sample] = field(default_factory=list)
    kinds: dict[int, str] = field(default_factory=dict)
    go_index: int = 0
    _procs: dict[int, psutil.Process] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def _discover(self) -> None:
        for name, pid in self.roots.items():
            try:
                root = psutil.Process(pid)
                procs = [root] + root.children(recursive=True)
            except psutil.NoSuchProcess:
                continue
            for p in procs:
                if p.pid not in self._procs:
                    self._procs[p.pid] = p
                    self.kinds[p.pid] = name if p.pid == pid else self._classify(name, p)
                elif p.pid != pid and self.kinds[p.pid] != "session_actor":
                    # A worker the raylet just forked still looks like the raylet until it execs.
                    kind = self._classify(name, p)
                    if kind != "gone":
                        self.kinds[p.pid] = kind

    @staticmethod
    def _classify(root: str, p: psutil.Process) -> str:
        try:
            cmd = " ".join(p.cmdline())
            pname = p.name()
        except psutil.Error:
            return "gone"
        if "ray::SessionActor" in cmd:
            return "session_actor"
        if cmd.startswith("ray::"):
            return "ray_worker"
        if "raylet" in pname or "/raylet" in cmd:
            return "raylet"
        if "gcs_server" in pname or "gcs_server" in cmd:
            return "gcs"
        if "redis-server" in pname or "redis-server" in cmd:
            return "redis"
        if "default_worker.py" in cmd:
            return "ray_worker"
        return f"{root}_child"

    def sample(self) -> Sample:
        with self._lock:
            return self._sample()

    def _sample(self) -> Sample:
        self._discover()
        cpu: dict[int, float] = {}
        rss: dict[int, int] = {}
        for pid, p in list(self._procs.items()):
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    cpu[pid] = t.user + t.system
                    rss[pid] = p.memory_info().rss
            except psutil.Error:
                continue
        host = psutil.cpu_times()
        s = Sample(time.monotonic(), cpu, rss, host_busy=sum(host) - host.idle - getattr(host, "iowait", 0.0))
        self.samples.append(s)
        return s

    def start(self) -> "ProcWatch":
        self.sample()

        def loop() -> None:
            while not self._stop.wait(self.period_s):
                self.sample()

        self._thread = threading.Thread(target=loop, daemon=True, name="procwatch")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        self.sample()

    def nearest(self, t: float) -> Sample:
        return min(self.samples, key=lambda s: abs(s.at - t))

    def pids(self, *kinds: str) -> list[int]:
        return [pid for pid, k in self.kinds.items() if k in kinds]

    def uss(self, pids: list[int]) -> int:
        total = 0
        for pid in pids:
            try:
                total += psutil.Process(pid).memory_full_info().uss
            except psutil.Error:
                pass
        return total


def cpu_between(a: Sample, b: Sample, pids: list[int]) -> float:
    """CPU seconds used by ``pids`` between two samples (a process new in b counts from zero)."""
    return sum(b.cpu[p] - a.cpu.get(p, 0.0) for p in pids if p in b.cpu)


def cpu_whole(watch: ProcWatch, pids: list[int]) -> float:
    """CPU seconds from the go sample to the last one each process was seen alive in."""
    samples = watch.samples[watch.go_index:]
    first, total = samples[0], 0.0
    for pid in pids:
        seen = [s.cpu[pid] for s in samples if pid in s.cpu]
        if seen:
            total += seen[-1] - first.cpu.get(pid, 0.0)
    return total


# ---- timing alignment -----------------------------------------------------------------------


def align_call(result: Any, timing: dict[str, Any]) -> dict[str, Any]:
    """Per-frame latencies of one call from the carrier's and the model server's timestamps."""
    ct = result.timing
    sent = np.frombuffer(ct.frame_sent, dtype=float) if len(ct.frame_sent) else np.empty(0)
    appends = np.asarray(timing["appends"], dtype=float)
    m = min(len(sent), len(appends))
    inbound = (appends[WARMUP_FRAMES:m] - sent[WARMUP_FRAMES:m]) * 1000 if m > WARMUP_FRAMES else np.empty(0)
    out: dict[str, Any] = {"frames_sent": len(sent), "appends_received": len(appends),
                           "inbound_ms": inbound, "inbound_negative": int((inbound < 0).sum())}

    # Outbound: responses in order; each delta lands at (response start + its offset) in the
    # caller's byte stream; the next response starts at the first message boundary at or after
    # the end of this one (voxray pads only a response's last frame, the bare relay never pads).
    arrivals = np.frombuffer(ct.media_at, dtype=float) if len(ct.media_at) else np.empty(0)
    sizes = np.frombuffer(ct.media_bytes, dtype=np.int64) if len(ct.media_bytes) else np.empty(0, dtype=np.int64)
    ends = np.cumsum(sizes)  # ends[j]: stream position just after message j
    responses: dict[str, list[list[Any]]] = {}
    for d in timing["deltas"]:
        responses.setdefault(d[1], []).append(d)
    outbound: list[float] = []
    first_delta: list[tuple[float, str]] = []
    unmatched = mark_errors = 0
    start = 0
    ranges: list[tuple[int, int, str]] = []
    total = int(ends[-1]) if len(ends) else 0
    for rid, deltas in responses.items():
        first_delta.append((float(deltas[0][0]), rid))
        size = sum(int(d[4]) for d in deltas)
        for d in deltas:
            pos = start + int(d[3])
            j = int(np.searchsorted(ends, pos, side="right"))
            if j >= len(arrivals):
                unmatched += 1
                continue
            outbound.append((arrivals[j] - float(d[0])) * 1000)
        j = int(np.searchsorted(ends, start + size, side="left"))
        end = int(ends[j]) if j < len(ends) else start + size
        ranges.append((start, end, str(deltas[0][2])))
        start = end
    # Cross-check with the marks both systems send (names start with the model's item id): a
    # mark of item X must arrive after X's first byte and no later than X's last byte + padding.
    for _, position, name in ct.marks:
        item = name.split(":")[0]
        k = bisect.bisect_right([r[0] for r in ranges], position - 1) - 1
        if k < 0 or ranges[k][2] != item or not (ranges[k][0] < position <= ranges[k][1]):
            mark_errors += 1
    outbound_arr = np.asarray(outbound, dtype=float)
    out.update(outbound_ms=outbound_arr, outbound_negative=int((outbound_arr < 0).sum()),
               outbound_unmatched=unmatched, mark_errors=mark_errors, marks=len(ct.marks),
               agent_bytes=total, aligned_bytes=start, responses=len(responses))

    # Turns: think = model's first delta of the reply - model receipt of the caller's last speech frame.
    turns = []
    firsts = sorted(first_delta)
    for turn_index, k in ct.turn_end_frames:
        latency = result.turns[turn_index].latency_ms
        if latency is None or k >= len(appends):
            continue
        heard = float(appends[k])
        nxt = next((t for t, _ in firsts if t > heard), None)
        if nxt is None:
            continue
        think = (nxt - heard) * 1000
        turns.append((latency, think, latency - think))
    out["turns"] = turns
    return out


# ---- one system at one N --------------------------------------------------------------------


def start_model(workdir: Path, think_ms: int, log: Any) -> tuple[subprocess.Popen[str], str]:
    proc = popen([PY, "-m", "simulators.realtime", "--port", "0", "--script", "bench", "--script-dir", str(workdir),
                  "--think-ms", str(think_ms), "--record-timing"], log)
    return proc, read_line(proc, "listening ", 60)


def start_server(system: str, n: int, model_url: str, workdir: Path, args: argparse.Namespace,
                 log: Any) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    port = free_port()
    if system == "bare":
        proc = popen([PY, "-m", "benchmarks.bare_relay", "--port", str(port), "--model-url", model_url], log)
        url = read_line(proc, "listening ", 60)
        return proc, {"gateway_url": url, "public_base_url": url, "auth_token": "unused", "to_number": "+15550100000",
                      "account_sid": "AC" + "0" * 32}
    cmd = [PY, "-m", "benchmarks.voxray_server", "--port", str(port), "--model-url", model_url, "--pool", str(n),
           "--max-calls", str(n), "--data-dir", str(workdir / f"voxray-{n}")]
    if args.freeze_pool:
        cmd.append("--freeze-pool")
    if args.calls_per_actor:
        cmd += ["--calls-per-actor", str(args.calls_per_actor)]
    proc = popen(cmd, log)
    return proc, json.loads(read_line(proc, "listening ", args.warm_timeout + 120))


def start_carriers(n: int, info: dict[str, Any], script: list[Any], workdir: Path, args: argparse.Namespace,
                   seconds: float, log: Any) -> list[tuple[subprocess.Popen[str], Path]]:
    procs = args.carrier_procs or max(1, math.ceil(n / args.calls_per_carrier))
    workers = []
    for w in range(procs):
        out = workdir / f"carrier-{w}.pkl"
        spec = {**{k: info[k] for k in ("gateway_url", "public_base_url", "auth_token", "to_number", "account_sid")},
                "indices": list(range(w, n, procs)), "stagger_ms": args.stagger_ms, "out": str(out),
                "max_duration_s": seconds * 4 + 120, "script": pickle.dumps(script).hex()}
        path = workdir / f"carrier-{w}.json"
        path.write_text(json.dumps(spec))
        proc = popen([PY, "-m", "benchmarks.latency", "--carrier-worker", str(path)], log, stdin=subprocess.PIPE)
        workers.append((proc, out))
    for proc, _ in workers:
        read_line(proc, "ready", 120)
    return workers


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


def run_system(system: str, n: int, seconds: float, script: list[Any], workdir: Path, args: argparse.Namespace,
               log: Any) -> dict[str, Any]:
    model = server = None
    workers: list[tuple[subprocess.Popen[str], Path]] = []
    watch: ProcWatch | None = None
    t_wall = time.monotonic()
    try:
        model, model_url = start_model(workdir, args.think_ms, log)
        model_http = model_url.replace("ws://", "http://").removesuffix("/v1")
        t_up = time.monotonic()
        server, info = start_server(system, n, model_url, workdir, args, log)
        startup_s = time.monotonic() - t_up
        workers = start_carriers(n, info, script, workdir, args, seconds, log)
        roots = {"server": server.pid, "model": model.pid}
        roots.update({f"carrier{i}": p.pid for i, (p, _) in enumerate(workers)})
        watch = ProcWatch(roots, period_s=args.sample_s).start()
        # Let freshly started workers finish their start-up; measure what idle actors cost meanwhile.
        settle0 = watch.samples[-1]
        time.sleep(args.settle_s)
        go = watch.sample()
        watch.go_index = len(watch.samples) - 1
        live_actor_pids = set(watch.pids("session_actor"))
        idle = [(go.cpu[p] - settle0.cpu[p]) / (go.at - settle0.at) for p in live_actor_pids
                if p in go.cpu and p in settle0.cpu]
        info["idle_actor_cpu_ms_per_s"] = round(1000 * float(np.mean(idle)), 2) if idle else None
        nice = set()
        for pid in live_actor_pids:
            try:
                nice.add(psutil.Process(pid).nice())
            except psutil.Error:
                pass
        info["actor_nice"] = sorted(nice)
        t_go = time.monotonic() + 0.3
        for proc, _ in workers:
            assert proc.stdin is not None
            proc.stdin.write(f"go {t_go}\n")
            proc.stdin.flush()
        mid_sample: Sample | None = None
        for proc, _ in workers:
            left = t_go + seconds * 4 + 240 - time.monotonic()
            read_line(proc, "done", max(left, 1))
        results: list[Any] = []
        for _, out in workers:
            results.extend(pickle.loads(out.read_bytes()))
        results.sort(key=lambda r: r.from_number)
        sids = [r.call_sid for r in results]
        if system == "bare":
            sessions = fetch_json(info["gateway_url"] + "/sessions")
        else:
            sessions = asyncio.run(voxray_sessions(info, sids))
        time.sleep(1.0)
        watch.stop()
        # Steady window: every call streaming, none ended yet.
        starts = [r.timing.t0 for r in results if r.timing and r.timing.t0]
        ends = [r.timing.t0 + r.duration_s for r in results if r.timing and r.timing.t0]
        steady = None
        if starts and ends and min(ends) - max(starts) > 3:
            a, b = watch.nearest(max(starts) + 0.5), watch.nearest(min(ends) - 0.5)
            if b.at - a.at > 1.5:
                steady = (a, b)
                mid_sample = watch.nearest((a.at + b.at) / 2)
        timings = {}
        for sid in sids:
            msid = sessions.get(sid)
            if msid:
                try:
                    timings[sid] = fetch_json(f"{model_http}/local/sessions/{msid}/timing")
                except Exception as exc:  # noqa: BLE001 - recorded as a missing timing
                    print(f"  timing for {sid} ({msid}) unavailable: {exc!r}", file=log, flush=True)
        if args.raw:
            raw = Path(args.raw)
            raw.mkdir(parents=True, exist_ok=True)
            (raw / f"{system}-{n}.pkl").write_bytes(pickle.dumps(
                {"results": results, "timings": timings, "samples": watch.samples, "kinds": watch.kinds,
                 "live_actor_pids": live_actor_pids}))
        return summarize(system, n, results, timings, watch, steady, mid_sample, live_actor_pids, info, startup_s,
                         len(workers), t_wall)
    except Exception as exc:  # a size that breaks is recorded, the run goes on
        return {"system": system, "n": n, "error": f"{type(exc).__name__}: {exc}",
                "wall_s": round(time.monotonic() - t_wall, 1)}
    finally:
        if watch is not None and not watch._stop.is_set():
            watch.stop()
        for proc, _ in workers:
            stop_tree(proc, timeout_s=10)
        known = {pid for pid in (watch.kinds if watch else {})}
        stop_tree(server, known, timeout_s=90)
        stop_tree(model, timeout_s=10)


def summarize(system: str, n: int, results: list[Any], timings: dict[str, Any], watch: ProcWatch,
              steady: tuple[Sample, Sample] | None, mid: Sample | None, live_actor_pids: set[int],
              info: dict[str, Any], startup_s: float, carrier_procs: int, t_wall: float) -> dict[str, Any]:
    inbound, outbound, turn_raw, turn_think, turn_net = [], [], [], [], []
    checks = {"calls_timed": 0, "inbound_negative": 0, "outbound_negative": 0, "outbound_unmatched": 0,
              "mark_errors": 0, "marks": 0, "frame_count_mismatch": 0, "unaligned_bytes": 0}
    for r in results:
        t = timings.get(r.call_sid)
        if t is None or r.timing is None:
            continue
        a = align_call(r, t)
        checks["calls_timed"] += 1
        checks["inbound_negative"] += a["inbound_negative"]
        checks["outbound_negative"] += a["outbound_negative"]
        checks["outbound_unmatched"] += a["outbound_unmatched"]
        checks["mark_errors"] += a["mark_errors"]
        checks["marks"] += a["marks"]
        checks["frame_count_mismatch"] += int(a["frames_sent"] != a["appends_received"])
        checks["unaligned_bytes"] += abs(a["agent_bytes"] - a["aligned_bytes"])
        inbound.append(a["inbound_ms"])
        outbound.append(a["outbound_ms"])
        for raw, think, net in a["turns"]:
            turn_raw.append(raw)
            turn_think.append(think)
            turn_net.append(net)
    inb = np.concatenate(inbound) if inbound else np.empty(0)
    outb = np.concatenate(outbound) if outbound else np.empty(0)
    all_turns = [t for r in results for t in r.turn_latencies_ms if t is not None]
    setup = [r.setup_ms for r in results if r.setup_ms is not None]
    failures = [{"call_sid": r.call_sid, "status": r.status,
                 "detail": (r.setup_error or (r.errors[0] if r.errors else ""))[:200]} for r in results if not r.ok]
    call_s = sum(r.duration_s for r in results)

    # CPU: steady window (all calls streaming) and whole run (first webhook .. records written).
    server_kinds = {"bare": ["server"], "voxray": ["server"]}[system]
    live = sorted(live_actor_pids)
    other_workers = [p for p in watch.pids("session_actor", "ray_worker") if p not in live_actor_pids]
    groups: dict[str, list[int]] = {"server": watch.pids(*server_kinds), "model": watch.pids("model"),
                                    "carrier": [p for p, k in watch.kinds.items() if k.startswith("carrier")]}
    if system == "voxray":
        groups.update({"session_actors": live, "refill_workers": other_workers, "raylet": watch.pids("raylet"),
                       "gcs": watch.pids("gcs"), "redis": watch.pids("redis"),
                       "ray_other": watch.pids("server_child")})
    cpu: dict[str, Any] = {}
    if steady is not None:
        s0, s1 = steady
        window_call_s = n * (s1.at - s0.at)
        cpu["steady_window_s"] = round(s1.at - s0.at, 1)
        cpu["steady_per_call_s"] = {k: round(cpu_between(s0, s1, p) / window_call_s, 5) for k, p in groups.items()}
        cpu["host_busy_pct"] = round(100 * (s1.host_busy - s0.host_busy) / ((s1.at - s0.at) * (os.cpu_count() or 1)), 1)
    cpu["whole_run_call_s"] = round(call_s, 1)
    cpu["whole_per_call_s"] = {k: round(cpu_whole(watch, p) / call_s, 5) if call_s else None for k, p in groups.items()}
    # The runtime's hot path: bare = relay process; voxray = gateway + the calls' session actors.
    hot = ["server"] + (["session_actors"] if system == "voxray" else [])
    infra = ["raylet", "gcs", "redis", "ray_other"] if system == "voxray" else []
    for key in ("steady_per_call_s", "whole_per_call_s"):
        if key in cpu:
            per = cpu[key]
            per["hot_path"] = round(sum(per[k] or 0 for k in hot), 5)
            per["hot_path_plus_infra"] = round(per["hot_path"] + sum(per[k] or 0 for k in infra), 5)

    mem: dict[str, Any] = {}
    base = watch.samples[watch.go_index]
    if mid is not None:
        mem["server_rss_delta_per_call_mb"] = round(
            sum(mid.rss.get(p, 0) - base.rss.get(p, 0) for p in groups["server"]) / n / 2**20, 2)
        if system == "voxray":
            mem["actor_rss_per_call_mb"] = round(sum(mid.rss.get(p, 0) for p in live) / n / 2**20, 1)
            mem["actor_rss_per_actor_mb"] = round(sum(mid.rss.get(p, 0) for p in live) / max(len(live), 1) / 2**20, 1)
            mem["actor_rss_idle_mb"] = round(sum(base.rss.get(p, 0) for p in live) / max(len(live), 1) / 2**20, 1)
            mem["live_actors"] = len(live)
    mem["server_rss_mb_at_start"] = round(sum(base.rss.get(p, 0) for p in groups["server"]) / 2**20, 1)

    return {
        "system": system, "n": n, "calls_ok": sum(r.ok for r in results), "calls": len(results),
        "failures": failures, "startup_s": round(startup_s, 1), "wall_s": round(time.monotonic() - t_wall, 1),
        "warm_pool": info.get("warm"), "warm_s": info.get("warm_s"), "carrier_procs": carrier_procs,
        "idle_actor_cpu_ms_per_s": info.get("idle_actor_cpu_ms_per_s"), "actor_nice": info.get("actor_nice"),
        "call_seconds": round(call_s, 1), "turns": len(all_turns),
        "inbound_ms": {"p50": pct(inb, 50), "p99": pct(inb, 99), "max": pct(inb, 100), "frames": int(inb.size)},
        "outbound_ms": {"p50": pct(outb, 50), "p99": pct(outb, 99), "max": pct(outb, 100), "deltas": int(outb.size)},
        "turn_ms": {"p50": pct(all_turns, 50), "p99": pct(all_turns, 99), "max": pct(all_turns, 100)},
        "model_think_ms": {"p50": pct(turn_think, 50), "p99": pct(turn_think, 99)},
        "turn_minus_think_ms": {"p50": pct(turn_net, 50), "p99": pct(turn_net, 99), "max": pct(turn_net, 100),
                                "turns": len(turn_net)},
        "setup_ms": {"p50": pct(setup, 50), "p99": pct(setup, 99), "max": pct(setup, 100)},
        "gaps": {"underruns": sum(r.underruns for r in results), "underrun_ms": round(sum(r.underrun_ms for r in results), 1),
                 "calls_with_gaps": sum(1 for r in results if r.underruns)},
        "max_send_lag_ms": {"max": pct([r.max_send_lag_ms for r in results], 100),
                            "p50": pct([r.max_send_lag_ms for r in results], 50)},
        "cpu": cpu, "memory": mem, "alignment": checks,
        "timeouts": sum(len(r.timeouts) for r in results), "clears": sum(r.clears_received for r in results),
    }


# ---- report -------------------------------------------------------------------------------


def added(bare: dict[str, Any], vox: dict[str, Any]) -> dict[str, Any]:
    def diff(key: str, q: str) -> float | None:
        a, b = bare.get(key, {}).get(q), vox.get(key, {}).get(q)
        return None if a is None or b is None else round(b - a, 2)

    out = {f"{k}_{q}": diff(k, q) for k in ("inbound_ms", "outbound_ms", "turn_ms", "turn_minus_think_ms", "setup_ms")
           for q in ("p50", "p99")}
    for key in ("steady_per_call_s", "whole_per_call_s"):
        b = bare.get("cpu", {}).get(key, {}).get("hot_path")
        v = vox.get("cpu", {}).get(key, {})
        if b:
            out[f"cpu_ratio_{key.split('_')[0]}"] = round(v.get("hot_path", 0) / b, 2) if v else None
            out[f"cpu_ratio_{key.split('_')[0]}_with_infra"] = round(v.get("hot_path_plus_infra", 0) / b, 2) if v else None
    return out


def fmt(v: Any, digits: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def table(runs: list[dict[str, Any]]) -> str:
    head = ["N", "system", "ok", "in p50/p99 ms", "out p50/p99 ms", "turn p50/p99 ms", "turn-think p50/p99 ms",
            "setup p50/p99 ms", "gaps (calls)", "CPU ms/call-s steady", "CPU ms/call-s whole",
            "mem MB/call", "send lag max ms", "host busy %"]
    rows = []
    for run in runs:
        for system in ("bare", "voxray"):
            r = run.get(system)
            if r is None:
                continue
            if "error" in r:
                rows.append([str(run["n"]), system, "BROKE", r["error"][:60]] + [""] * (len(head) - 4))
                continue
            cpu = r["cpu"]
            steady = cpu.get("steady_per_call_s", {})
            whole = cpu.get("whole_per_call_s", {})

            def ms(x: float | None) -> str:
                return "-" if x is None else f"{x * 1000:.2f}"

            cpu_s = ms(steady.get("hot_path"))
            cpu_w = ms(whole.get("hot_path"))
            if system == "voxray":
                def extra(d: dict[str, Any]) -> str:
                    infra = (d.get("hot_path_plus_infra") or 0) - (d.get("hot_path") or 0)
                    return f" +{ms(infra)} infra +{ms(d.get('refill_workers') or 0)} refill"
                cpu_s += extra(steady) if steady else ""
                cpu_w += extra(whole)
            mem = r["memory"]
            mem_s = fmt(mem.get("server_rss_delta_per_call_mb"), 2)
            if system == "voxray":
                mem_s = f"{fmt(mem.get('actor_rss_per_call_mb'))} actor + {mem_s} gw"
            al = r["alignment"]
            bad = al["mark_errors"] or al["outbound_negative"] or al["inbound_negative"] or al["frame_count_mismatch"]
            rows.append([
                str(run["n"]), system, f"{r['calls_ok']}/{r['calls']}",
                f"{fmt(r['inbound_ms']['p50'], 2)} / {fmt(r['inbound_ms']['p99'], 2)}",
                f"{fmt(r['outbound_ms']['p50'], 2)} / {fmt(r['outbound_ms']['p99'], 2)}" + (" (misaligned)" if bad else ""),
                f"{fmt(r['turn_ms']['p50'], 0)} / {fmt(r['turn_ms']['p99'], 0)}",
                f"{fmt(r['turn_minus_think_ms']['p50'], 1)} / {fmt(r['turn_minus_think_ms']['p99'], 1)}",
                f"{fmt(r['setup_ms']['p50'], 1)} / {fmt(r['setup_ms']['p99'], 1)}",
                f"{r['gaps']['underruns']} ({r['gaps']['calls_with_gaps']})",
                cpu_s, cpu_w, mem_s, fmt(r["max_send_lag_ms"]["max"], 1), fmt(cpu.get("host_busy_pct"), 0),
            ])
        add = run.get("added")
        if add:
            rows.append([str(run["n"]), "voxray-bare",
                         "", f"{fmt(add['inbound_ms_p50'], 2)} / {fmt(add['inbound_ms_p99'], 2)}",
                         f"{fmt(add['outbound_ms_p50'], 2)} / {fmt(add['outbound_ms_p99'], 2)}",
                         f"{fmt(add['turn_ms_p50'], 0)} / {fmt(add['turn_ms_p99'], 0)}",
                         f"{fmt(add['turn_minus_think_ms_p50'], 1)} / {fmt(add['turn_minus_think_ms_p99'], 1)}",
                         f"{fmt(add['setup_ms_p50'], 1)} / {fmt(add['setup_ms_p99'], 1)}", "",
                         f"x{fmt(add.get('cpu_ratio_steady'), 2)} (x{fmt(add.get('cpu_ratio_steady_with_infra'), 2)})",
                         f"x{fmt(add.get('cpu_ratio_whole'), 2)} (x{fmt(add.get('cpu_ratio_whole_with_infra'), 2)})",
                         "", "", ""])
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join(lines)


def plot(runs: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in runs if all("error" not in r.get(s, {"error": 1}) for s in ("bare", "voxray"))]
    fig, axes = plt.subplots(2, 2, figsize=(13, 9.5))
    colors = {"bare": "tab:gray", "voxray": "tab:blue"}
    ns = [r["n"] for r in ok]
    x = np.arange(len(ns))

    def bars(ax: Any, key: str, title: str, ylabel: str) -> None:
        width = 0.2
        for i, system in enumerate(("bare", "voxray")):
            for j, q in enumerate(("p50", "p99")):
                vals = [r[system][key][q] or 0 for r in ok]
                off = (i * 2 + j - 1.5) * width
                b = ax.bar(x + off, vals, width, color=colors[system], alpha=1.0 if q == "p50" else 0.5,
                           label=f"{system} {q}")
                ax.bar_label(b, labels=[f"{v:.2f}" if v < 10 else f"{v:,.0f}" for v in vals], fontsize=7, padding=1)
        ax.set_yscale("log")
        ax.set_ylim(0.1, max(10.0, max((r[s][key]["p99"] or 0) for r in ok for s in ("bare", "voxray")) * 4))
        ax.set_xticks(x, xlabels)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", ncol=2)

    def busy(r: dict[str, Any]) -> str:
        b = r["cpu"].get("host_busy_pct")
        return "-" if b is None else f"{b:.0f}%"

    xlabels = [f"N={r['n']}" + (f"\nhost busy {busy(r['bare'])} / {busy(r['voxray'])}"
                                if r["bare"]["cpu"].get("host_busy_pct") is not None else "") for r in ok]

    bars(axes[0][0], "inbound_ms", "Inbound per frame: carrier send -> model receive", "ms (log)")
    bars(axes[0][1], "outbound_ms", "Outbound per delta: model send -> carrier receive", "ms (log)")
    bars(axes[1][0], "turn_minus_think_ms", "Turn latency minus the model's think time", "ms (log)")
    ax = axes[1][1]
    width = 0.35
    bare_cpu = [(r["bare"]["cpu"].get("steady_per_call_s", {}).get("hot_path") or 0) * 1000 for r in ok]
    ax.bar(x - width / 2, bare_cpu, width, color=colors["bare"], label="bare relay")
    bottom = np.zeros(len(ok))
    parts = [("server", "gateway", "tab:blue"), ("session_actors", "session actors", "tab:cyan"),
             ("raylet", "raylet", "tab:orange"), ("gcs", "GCS", "tab:red"), ("redis", "redis", "tab:purple"),
             ("ray_other", "other ray", "tab:brown"), ("refill_workers", "pool refill (new workers)", "white")]
    for key, label, color in parts:
        vals = np.array([(r["voxray"]["cpu"].get("steady_per_call_s", {}).get(key) or 0) * 1000 for r in ok])
        ax.bar(x + width / 2, vals, width, bottom=bottom, color=color, label=f"voxray {label}",
               edgecolor="tab:blue" if key == "refill_workers" else None, hatch="//" if key == "refill_workers" else None)
        bottom += vals
    for i, r in enumerate(ok):
        ratio = r["added"].get("cpu_ratio_steady")
        ax.text(x[i] + width / 2, bottom[i], f"hot path x{ratio}" if ratio else "", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, xlabels)
    ax.set_title("Server CPU per call-second, steady window (lower when the host is saturated)", fontsize=10)
    ax.set_ylabel("CPU ms per call-second")
    ax.set_ylim(0, max(float(bottom.max()) if len(bottom) else 1.0, max(bare_cpu or [1.0])) * 1.8)
    ax.legend(fontsize=7, loc="upper right", ncol=2)
    misaligned = [str(r["n"]) for r in ok if r["voxray"]["alignment"]["mark_errors"]]
    note = f" (voxray outbound at N={', '.join(misaligned)}: alignment failed under overload)" if misaligned else ""
    fig.suptitle("voxray vs bare relay, same local realtime model, same carrier load" + note, fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_readme(text: str, tag: str = "") -> None:
    """Replace the generated block of this tag (``<!-- results[:tag] -->`` .. ``<!-- end -->``)."""
    start, end = f"<!-- results{':' + tag if tag else ''} -->", f"<!-- end results{':' + tag if tag else ''} -->"
    current = README.read_text() if README.exists() else ""
    block = f"{start}\n{text}\n{end}"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        README.write_text(head + block + rest.split(end, 1)[1])
    elif start in current:
        head, rest = current.split(start, 1)
        README.write_text(head + block + "\n" + rest)
    else:
        README.write_text(current.rstrip("\n") + "\n\n" + block + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--seconds", type=float, default=30.0, help="conversation length per call")
    parser.add_argument("--systems", nargs="+", default=["bare", "voxray"], choices=["bare", "voxray"])
    parser.add_argument("--think-ms", type=int, default=300, help="the model's think time")
    parser.add_argument("--stagger-ms", type=int, default=53,
                        help="between call starts; not a multiple of 10, so the calls' 20 ms frame phases spread out")
    parser.add_argument("--carrier-procs", type=int, default=0, help="0: one per --calls-per-carrier calls")
    parser.add_argument("--calls-per-carrier", type=int, default=50)
    parser.add_argument("--sample-s", type=float, default=0.5, help="process sampling period")
    parser.add_argument("--settle-s", type=float, default=5.0, help="idle time between server ready and first call")
    parser.add_argument("--freeze-pool", action="store_true",
                        help="voxray: no warm-pool refill during the run (isolates the media path)")
    parser.add_argument("--warm-timeout", type=float, default=900.0)
    parser.add_argument("--calls-per-actor", type=int, default=0, help="voxray: calls per session actor (0: default)")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="run the processes from the working tree instead of a private copy of it")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--raw", help="also pickle raw per-call timings and process samples into this directory")
    parser.add_argument("--tag", default="", help="a variant's name: results go to latency-TAG.* and their own README section")
    parser.add_argument("--carrier-worker", help=argparse.SUPPRESS)
    parser.add_argument("--report-only", help="re-render table, plot and README block from a results JSON")
    args = parser.parse_args(argv)
    if args.carrier_worker:
        return carrier_worker(args.carrier_worker)
    if args.report_only:
        doc = json.loads(Path(args.report_only).read_text())
        meta, saved_runs = doc["meta"], doc["runs"]
        tag = f"-{args.tag}" if args.tag else ""
        text = table(saved_runs)
        print(text)
        plot(saved_runs, RESULTS / f"latency{tag}.png")
        if not args.no_readme:
            write_readme(f"Run {meta['started']} ({meta['seconds']:g} s calls, think {meta['think_ms']} ms, "
                         f"{'pool frozen' if meta['freeze_pool'] else 'pool refilling'}, calls per actor "
                         f"{meta.get('calls_per_actor', 'default')}, source "
                         f"{meta.get('source', {}).get('commit', '')[:10] or 'working tree'}):"
                         f"\n\n{text}\n\n![latency](results/latency{tag}.png)", args.tag)
        return 0

    global RUN_ROOT
    tag = f"-{args.tag}" if args.tag else ""
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="voxray-bench-"))
    snap, source = (ROOT, {}) if args.no_snapshot else snapshot_tree()
    RUN_ROOT = snap
    log_path = RESULTS / "latency-last.log"
    script, plan = plan_script(args.seconds, args.think_ms)
    write_model_script(workdir, args.think_ms, plan["turns"])
    started = datetime.now(timezone.utc)
    meta = {"started": started.isoformat(timespec="seconds"), "seconds": args.seconds, "think_ms": args.think_ms,
            "stagger_ms": args.stagger_ms, "freeze_pool": args.freeze_pool, "script": plan,
            "host": {"cpus": os.cpu_count(), "mem_gib": round(psutil.virtual_memory().total / 2**30, 1),
                     "python": sys.version.split()[0]},
            "warmup_frames_excluded": WARMUP_FRAMES, "source": source,
            "calls_per_actor": args.calls_per_actor or "default"}
    print(f"script: {plan['turns']} turns per call (~{plan['cycle_s']} s each); log {log_path}", flush=True)
    runs: list[dict[str, Any]] = []
    with open(log_path, "w") as log:
        for n in args.calls:
            run: dict[str, Any] = {"n": n}
            for system in args.systems:
                print(f"N={n} {system} ...", flush=True)
                print(f"==== N={n} {system}", file=log, flush=True)
                r = run_system(system, n, args.seconds, script, workdir, args, log)
                run[system] = r
                if "error" in r:
                    print(f"  broke: {r['error']}", flush=True)
                else:
                    print(f"  ok {r['calls_ok']}/{r['calls']}, in p99 {r['inbound_ms']['p99']} ms, out p99 "
                          f"{r['outbound_ms']['p99']} ms, turn-think p99 {r['turn_minus_think_ms']['p99']} ms, "
                          f"wall {r['wall_s']} s", flush=True)
            if "bare" in run and "voxray" in run and "error" not in run["bare"] and "error" not in run["voxray"]:
                run["added"] = added(run["bare"], run["voxray"])
            runs.append(run)
            doc = {"meta": {**meta, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}, "runs": runs}
            stamp = started.strftime("%Y%m%dT%H%M%SZ")
            (RESULTS / f"latency{tag}-{stamp}.json").write_text(json.dumps(doc, indent=2))
            (RESULTS / f"latency{tag}.json").write_text(json.dumps(doc, indent=2))
    shutil.rmtree(workdir, ignore_errors=True)
    if snap != ROOT:
        shutil.rmtree(snap, ignore_errors=True)
    text = table(runs)
    print(text)
    try:
        plot(runs, RESULTS / f"latency{tag}.png")
    except Exception as exc:  # noqa: BLE001 - the numbers matter more than the picture
        print(f"plot failed: {exc!r}")
    if not args.no_readme:
        write_readme(f"Run {meta['started']} ({args.seconds:g} s calls, think {args.think_ms} ms, "
                     f"{'pool frozen' if args.freeze_pool else 'pool refilling'}, calls per actor "
                     f"{args.calls_per_actor or 'default'}, source {source.get('commit', '')[:10] or 'working tree'}):"
                     f"\n\n{text}\n\n![latency](results/latency{tag}.png)", args.tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
