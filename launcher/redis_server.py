"""Start a private ``redis-server`` child process (AOF on) when no REDIS_URL is configured.

It binds loopback, asks for a password generated at each start (``requirepass``, handed over in
a 0600 config file, never on the command line where ``ps`` shows it), and keeps its data in a
0700 directory with files only its user can read (umask 077).

It is supervised: when the process dies it is started again on the same port, with the same
password and data (Redis writes each command to the AOF file before it answers, so a killed
process loses no acknowledged write; `appendfsync everysec` leaves at most a second to a power
loss: `always` would fsync every write and, measured, made each command of a call burst wait
20-50 ms); clients reconnect by themselves and the sessions' write-behind buffers flush.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import redis
import structlog

from launcher.processes import stop_process

log = structlog.get_logger("voxray.redis")


class RedisUnavailable(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def redacted_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for printing)."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    userinfo, _, host = rest.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


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
        self.restarts = 0
        self._halt = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def _write_config(self) -> Path:
        path = self.data_dir / "redis.conf"
        lines = [f"port {self.port}", "bind 127.0.0.1", f'dir "{self.data_dir.resolve()}"',
                 f"appendonly {'yes' if self.appendonly else 'no'}", "appendfsync everysec", 'save ""', "daemonize no",
                 "protected-mode yes", "loglevel warning", f"requirepass {self.password}"]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path, 0o600)
        return path

    def start(self, timeout_s: float = 10.0, supervise: bool = True) -> "RedisServer":
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
                if supervise:
                    self._supervise()
                return self
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    stop_process(self.proc)
                    self.proc = None
                    raise RedisUnavailable(f"redis-server did not start: {err.strip()}") from None
                time.sleep(0.05)

    def suspend_supervision(self) -> None:
        """Stop restarting it (fault tests hold an outage open; ``start()`` supervises again)."""
        self._halt.set()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(15)
        self._watcher = None

    def _supervise(self, interval_s: float = 0.1) -> None:
        if self._watcher is not None:
            return
        self._halt.clear()
        self._watcher = threading.Thread(target=self._watch, args=(interval_s,), daemon=True, name="redis-supervisor")
        self._watcher.start()

    def _watch(self, interval_s: float) -> None:
        """Restart redis-server whenever it exits, until ``stop``; back off while it will not start."""
        backoff = interval_s
        while not self._halt.wait(backoff):
            proc = self.proc
            if proc is not None and proc.poll() is None:
                backoff = interval_s
                continue
            log.error("redis_server_exited", code=None if proc is None else proc.returncode, port=self.port)
            try:
                self.start(supervise=False)
            except (RedisUnavailable, OSError) as exc:
                log.error("redis_server_restart_failed", error=str(exc)[:200])
                backoff = min(backoff * 2, 5.0)
                continue
            if self._halt.is_set():  # stopped while it was starting
                stop_process(self.proc)
                return
            self.restarts += 1
            log.warning("redis_server_restarted", restarts=self.restarts, port=self.port)
            backoff = interval_s

    def stop(self) -> None:
        self.suspend_supervision()
        stop_process(self.proc)
        self.proc = None
