"""CPU and memory of the processes under test, sampled with psutil.

``ProcWatch`` samples a fixed set of root processes and all their descendants every
``period_s``. Besides each live process's own CPU time it keeps the CPU time of the children it
has reaped (``cpu_times().children_*``): a Ray worker that ends mid-run is reaped by the raylet,
so its whole life lands in the raylet's ``children_*`` and ``tree_cpu`` misses none of it, where
summing last-seen samples would lose the time between a process's last sample and its exit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psutil


@dataclass
class Sample:
    at: float
    cpu: dict[int, float]  # own user+sys seconds of each live process
    rss: dict[int, int]
    reaped: dict[int, float] = field(default_factory=dict)  # user+sys of each live process's reaped children
    host_busy: float = 0.0  # host-wide busy CPU seconds (all processes, ours or not)


def tree_cpu(sample: Sample, pids: set[int] | None = None) -> float:
    """CPU seconds used so far by the live processes (of ``pids``) and every child they reaped."""
    keys = sample.cpu.keys() if pids is None else pids & sample.cpu.keys()
    return sum(sample.cpu[p] + sample.reaped.get(p, 0.0) for p in keys)


def classify(root: str, cmd: str, pname: str) -> str:
    """What a process is, from its command line and name."""
    if "ray::SessionActor" in cmd:
        return "session_actor"
    if cmd.startswith("ray::"):
        name = cmd[5:].split()[0] if len(cmd) > 5 else ""
        return "ray_worker" if name in ("", "IDLE") else f"ray_actor:{name.split('.')[0]}"
    if "raylet" in pname or "/raylet" in cmd:
        return "raylet"
    if "gcs_server" in pname or "gcs_server" in cmd:
        return "gcs"
    if "redis-server" in pname or "redis-server" in cmd:
        return "redis"
    if "default_worker.py" in cmd:
        return "ray_worker"
    return f"{root}_child"


@dataclass
class ProcWatch:
    """Samples CPU time and RSS of a fixed set of roots and all their descendants."""

    roots: dict[str, int]
    period_s: float = 0.5
    samples: list[Sample] = field(default_factory=list)
    kinds: dict[int, str] = field(default_factory=dict)
    owner: dict[int, str] = field(default_factory=dict)  # pid -> the root it descends from
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
                    self.owner[p.pid] = name
                    self.kinds[p.pid] = name if p.pid == pid else self._classify(name, p)
                elif p.pid != pid and self.kinds[p.pid] != "session_actor":
                    # A worker the raylet just forked still looks like the raylet until it execs.
                    kind = self._classify(name, p)
                    if kind != "gone":
                        self.kinds[p.pid] = kind

    @staticmethod
    def _classify(root: str, p: psutil.Process) -> str:
        try:
            return classify(root, " ".join(p.cmdline()), p.name())
        except psutil.Error:
            return "gone"

    def sample(self) -> Sample:
        with self._lock:
            return self._sample()

    def _sample(self) -> Sample:
        self._discover()
        s = Sample(time.monotonic(), {}, {})
        for pid, p in list(self._procs.items()):
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    s.cpu[pid] = t.user + t.system
                    s.reaped[pid] = t.children_user + t.children_system
                    s.rss[pid] = p.memory_info().rss
            except psutil.Error:
                continue
        host = psutil.cpu_times()
        s.host_busy = sum(host) - host.idle - getattr(host, "iowait", 0.0)
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
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        self.sample()

    @property
    def running(self) -> bool:
        return not self._stop.is_set()

    def nearest(self, t: float) -> Sample:
        return min(self.samples, key=lambda s: abs(s.at - t))

    def pids(self, *kinds: str) -> list[int]:
        return [pid for pid, k in self.kinds.items() if k in kinds]

    def of_root(self, root: str) -> set[int]:
        return {pid for pid, r in self.owner.items() if r == root}

    def wait_quiet(self, root: str, rate_s: float, *, window_s: float = 2.0, timeout_s: float = 60.0) -> Sample:
        """Sample until ``root``'s tree burns at most ``rate_s`` CPU-s per s over ``window_s``."""
        pids = self.of_root(root)
        deadline = time.monotonic() + timeout_s
        last = self.sample()
        while True:
            time.sleep(window_s)
            now = self.sample()
            pids |= self.of_root(root)
            busy = (tree_cpu(now, pids) - tree_cpu(last, pids)) / (now.at - last.at)
            if busy <= rate_s or time.monotonic() > deadline:
                return now
            last = now


def group_delta(a: Sample, b: Sample, tree: set[int], groups: dict[str, set[int]]) -> dict[str, float]:
    """CPU seconds each group of ``tree`` used from ``a`` to ``b``; the values sum to the tree's total.

    A process alive in ``b`` counts its own time since ``a`` (from zero if new). A process that
    exited in between is counted once, in ``exited``: its parent's reaped-children time grew by
    its whole life, less what it had already used by ``a``.
    """
    out = {g: sum(b.cpu[p] - a.cpu.get(p, 0.0) for p in pids & tree if p in b.cpu) for g, pids in groups.items()}
    grouped = set().union(*groups.values()) if groups else set()
    out["other"] = sum(b.cpu[p] - a.cpu.get(p, 0.0) for p in tree - grouped if p in b.cpu)
    reaped = sum(b.reaped.get(p, 0.0) - a.reaped.get(p, 0.0) for p in tree if p in b.cpu)
    gone = sum(a.cpu[p] + a.reaped.get(p, 0.0) for p in tree if p in a.cpu and p not in b.cpu)
    out["exited"] = reaped - gone
    return out


def cpu_between(a: Sample, b: Sample, pids: list[int]) -> float:
    """CPU seconds used by ``pids`` between two samples (a process new in b counts from zero)."""
    return sum(b.cpu[p] - a.cpu.get(p, 0.0) for p in pids if p in b.cpu)


def cpu_last_seen(samples: list[Sample], pids: list[int]) -> float:
    """CPU seconds from the first sample to the last one each process was seen alive in.

    An approximation for a group of processes (its members' reaped children are not counted,
    and a process that exits counts up to its last sample); ``tree_cpu`` is the exact total.
    """
    first, total = samples[0], 0.0
    for pid in pids:
        seen = [s.cpu[pid] for s in samples if pid in s.cpu]
        if seen:
            total += seen[-1] - first.cpu.get(pid, 0.0)
    return total


def uss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += psutil.Process(pid).memory_full_info().uss
        except psutil.Error:
            pass
    return total
