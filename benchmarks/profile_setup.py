"""Where setup CPU goes: py-spy over the voxray server and its Python descendants during call setup.

``record`` starts one ``py-spy record --format raw`` per process: the server (the gateway and Ray
driver) and every Ray actor alive when the calls start (session actors, the pool and governance
actors); py-spy's ``--subprocesses`` does not follow Ray workers, which the raylet forks and
renames. A worker started during the calls is not profiled. ``merge`` joins the outputs; the raw output is collapsed stacks (one
``frame;frame;... count`` line per distinct stack; speedscope.app and flamegraph.pl read it).
``summarize`` turns it into a top-N text: samples per process kind, and the functions with the
most samples on CPU, by self time and by inclusive time. py-spy needs ptrace (root here).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Any

_PROCESS = re.compile(r'^process (\d+):')


def pyspy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise RuntimeError("py-spy is not installed: pip install -e '.[test]'")
    return found


def record(pid: int, out: Path, duration_s: float, log: IO[Any], rate: int = 100) -> subprocess.Popen[bytes]:
    """Sample ``pid`` on CPU for ``duration_s`` into ``out`` (raw collapsed stacks)."""
    cmd = [pyspy(), "record", "--pid", str(pid), "--format", "raw", "--output", str(out),
           "--duration", str(max(1, round(duration_s))), "--rate", str(rate), "--nonblocking", "--function"]
    return subprocess.Popen(cmd, stdout=log, stderr=log)


def merge(parts: dict[int, str], kinds: dict[int, str]) -> str:
    """One collapsed-stack text from per-process ones, each stack rooted at its process."""
    lines = []
    for pid, text in parts.items():
        root = f'process {pid}:"{kinds.get(pid, "?")}"'
        lines += [line if line.startswith("process ") else f"{root};{line}" for line in text.splitlines() if line]
    return "\n".join(lines) + "\n"


def parse(text: str) -> list[tuple[list[str], int]]:
    """Collapsed stacks: ``a;b;c 12`` -> (["a", "b", "c"], 12); malformed lines are skipped."""
    stacks = []
    for line in text.splitlines():
        head, _, count = line.rpartition(" ")
        if head and count.isdigit():
            stacks.append((head.split(";"), int(count)))
    return stacks


def summarize(text: str, kinds: dict[int, str], top: int = 25) -> str:
    """Samples per process kind, then the top functions by self and by inclusive samples."""
    stacks = parse(text)
    total = sum(c for _, c in stacks) or 1
    per_kind: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, count in stacks:
        kind = "?"
        if frames and (m := _PROCESS.match(frames[0])):
            kind = kinds.get(int(m.group(1)), f"pid {m.group(1)}")
            frames = frames[1:]
        frames = [f for f in frames if not f.startswith("thread ")]
        per_kind[kind] += count
        if frames:
            self_time[f"[{kind}] {frames[-1]}"] += count
        for f in set(frames):
            inclusive[f"[{kind}] {f}"] += count
    lines = [f"{total} samples on CPU", "", "samples by process kind:"]
    lines += [f"  {100 * c / total:5.1f}%  {k}" for k, c in per_kind.most_common()]
    lines += ["", f"top {top} functions by self samples:"]
    lines += [f"  {100 * c / total:5.1f}%  {f}" for f, c in self_time.most_common(top)]
    lines += ["", f"top {top} functions by inclusive samples:"]
    lines += [f"  {100 * c / total:5.1f}%  {f}" for f, c in inclusive.most_common(top)]
    return "\n".join(lines) + "\n"
