"""Child processes of a benchmark run: a private copy of the source, start, wait for a line, stop."""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PACKAGES = ("pipelines", "actors", "gateway", "governance", "voxray", "simulators", "launcher", "clients", "benchmarks")


class Tree:
    """Where the processes under test run from: the working tree or a private snapshot of it."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root

    @classmethod
    def snapshot(cls) -> tuple["Tree", dict[str, Any]]:
        """Copy the packages so edits to the working tree during a run cannot mix two versions."""
        snap = Path(tempfile.mkdtemp(prefix="voxray-snap-"))
        for name in PACKAGES:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, snap / name, ignore=shutil.ignore_patterns("__pycache__", "results"))
        return cls(snap), {"commit": _git("rev-parse", "HEAD"), "dirty": _git("status", "--porcelain").splitlines()}

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(self.root) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.update(extra or {})
        return env

    def popen(self, cmd: list[str], log: Any, stdin: Any = None,
              env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(cmd, cwd=self.root, env=self.env(env), stdin=stdin, stdout=subprocess.PIPE,
                                stderr=log, text=True)

    def remove(self) -> None:
        if self.root != ROOT:
            shutil.rmtree(self.root, ignore_errors=True)


def _git(*cmd: str) -> str:
    try:
        return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
