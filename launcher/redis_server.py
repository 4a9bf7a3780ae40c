"""Start a private ``redis-server`` child process (AOF on) when no REDIS_URL is configured.

It binds loopback, asks for a password generated at each start (``requirepass``, handed over in
a 0600 config file, never on the command line where ``ps`` shows it), and keeps its data in a
0700 directory with files only its user can read (umask 077).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

from launcher.processes import stop_process


class RedisUnavailable(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def private_dir(path: Path) -> None:
    """Create ``path`` if needed and make it this user's only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


class RedisServer:
    """A redis-server child bound to loopback, data (AOF) under ``data_dir``."""

    def __init__(self, data_dir: Path, port: int | None = None, appendonly: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.appendonly = appendonly
        self.password = secrets.token_hex(24)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def _write_config(self) -> Path:
        path = self.data_dir / "redis.conf"
        lines = [f"port {self.port}", "bind 127.0.0.1", f'dir "{self.data_dir.resolve()}"',
                 f"appendonly {'yes' if self.appendonly else 'no'}", 'save ""', "daemonize no",
                 "protected-mode yes", "loglevel warning", f"requirepass {self.password}"]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path, 0o600)
        return path

    def start(self, timeout_s: float = 10.0) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable("redis-server not found; install the Debian package 'redis-server'")
        private_dir(self.data_dir)
        private_dir(self.data_dir.parent)
        self.proc = subprocess.Popen(
            [binary, str(self._write_config())], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            umask=0o077,  # the AOF and anything else redis writes: readable by this user only
        )
        client = redis.Redis(port=self.port, password=self.password)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                client.ping()
                client.close()
                return self
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    self.stop()
                    raise RedisUnavailable(f"redis-server did not start: {err.strip()}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None
