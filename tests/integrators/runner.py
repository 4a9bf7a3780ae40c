"""Run the examples (curl, Node, Python, Go) as a person would: as programs, with environment
variables, reading what they print."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TS_DIR = ROOT / "clients" / "typescript"
LANGS = ("curl", "node", "python", "go")
SERVER_LANGS = ("node", "python", "go")  # curl has no server: it verifies saved requests instead


@dataclass(frozen=True)
class Kit:
    go_bin: Path

    def command(self, lang: str, example: str, *args: str) -> list[str]:
        if lang == "curl":
            return ["bash", str(EXAMPLES / "curl" / f"{example}.sh"), *args]
        if lang == "node":
            return ["node", str(EXAMPLES / "node" / f"{example}.mjs"), *args]
        if lang == "python":
            return [sys.executable, str(EXAMPLES / "python" / f"{example.replace('-', '_')}.py"), *args]
        return [str(self.go_bin / example), *args]


def example_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOXRAY_", "TOOL_", "WEBHOOK_", "TWILIO_"))}
    env["PYTHONPATH"] = f"{ROOT / 'clients' / 'python'}{os.pathsep}{EXAMPLES / 'python'}"
    return env | values


def _check(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)}: {done.stdout}\n{done.stderr}"


def build_kit(out: Path) -> Kit:
    """npm ci + tsc for the TypeScript client; go build for the Go examples (standard library only)."""
    if not (TS_DIR / "node_modules" / ".bin" / "tsc").exists():
        _check(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], TS_DIR)
    _check([str(TS_DIR / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.json"], TS_DIR)
    go = shutil.which("go")
    assert go is not None, "Go is needed for the Go examples: apt-get install golang-go"
    go_env = os.environ | {"GOCACHE": str(EXAMPLES / "go" / ".gocache"), "GOPROXY": "off", "GOFLAGS": "-mod=mod",
                           "GOPATH": str(EXAMPLES / "go" / ".gocache" / "gopath")}
    _check([go, "build", "-o", str(out) + os.sep, "./..."], EXAMPLES / "go", go_env)
    return Kit(go_bin=out)


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def line(self, pattern: str) -> re.Match[str]:
        for line in self.out.splitlines():
            match = re.fullmatch(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matches {pattern!r} in:\n{self.out}\n{self.err}")


async def run(args: list[str], env: dict[str, str], timeout_s: float = 60) -> Ran:
    proc = await asyncio.create_subprocess_exec(*args, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    return Ran(proc.returncode or 0, out.decode(), err.decode())


async def ok(args: list[str], env: dict[str, str], timeout_s: float = 60) -> Ran:
    ran = await run(args, env, timeout_s)
    assert ran.code == 0, f"{' '.join(args)} exited {ran.code}:\n{ran.out}\n{ran.err}"
    return ran


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: asyncio.subprocess.Process
    port: int
    lines: list[str]

    async def wait_for(self, pattern: str, timeout_s: float = 20) -> re.Match[str]:
        deadline = asyncio.get_running_loop().time() + timeout_s
        seen = 0
        while True:
            for line in self.lines[seen:]:
                match = re.fullmatch(pattern, line)
                if match:
                    return match
            seen = len(self.lines)
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no line matches {pattern!r}; printed: {self.lines}")
            await asyncio.sleep(0.05)


@asynccontextmanager
async def serving(args: list[str], env: dict[str, str], port: int) -> AsyncIterator[Server]:
    proc = await asyncio.create_subprocess_exec(*args, env=env | {"PORT": str(port)},
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    server = Server(proc, port, [])

    async def pump() -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            server.lines.append(raw.decode().rstrip("\n"))

    reader = asyncio.create_task(pump())
    try:
        await server.wait_for(rf"listening on 127\.0\.0\.1:{port}")
        yield server
    finally:
        proc.terminate()
        await proc.wait()
        await reader
