"""A real multi-node deployment on this machine, once per module that asks for it.

Three Ray raylets (``tests/cluster/cluster_host.py``: a head and two call nodes advertising
``voxray_call_node``), a password-less private redis-server, the local realtime model server,
the carrier simulator's Twilio REST stand-in, and two ``voxray gateway`` processes behind the
carrier simulator's load balancer (``simulators/carrier/balancer.py``).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from launcher.redis_server import RedisServer, free_port
from launcher.stack import start_model_server
from launcher.processes import stop_process
from simulators.carrier.rest import TwilioRestSim

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://voice.cluster.test"
ADMIN_KEY = "cluster-admin-" + secrets.token_hex(16)


@dataclass
class Gateway:
    name: str
    port: int
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Gateway":
        out = open(self.log, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "launcher.cli", "gateway"], cwd=ROOT, env=self.env,
                                     stdout=out, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gateway {self.name} not ready: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def terminate(self) -> int:
        """SIGTERM (a deploy): returns the exit code once it has drained."""
        assert self.proc is not None
        self.proc.terminate()
        return self.proc.wait(120)


def read_json_line(proc: subprocess.Popen[str]) -> dict[str, Any]:
    """The host's next answer (Ray may print its own lines on stdout too)."""
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("the Ray cluster host exited")
        if line.startswith("{"):
            return json.loads(line)  # type: ignore[no-any-return]


@dataclass
class RayHost:
    proc: subprocess.Popen[str]
    address: str
    workers: list[str]

    def command(self, line: str) -> dict[str, str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return read_json_line(self.proc)


@dataclass
class ClusterEnv:
    ray: RayHost
    redis_url: str
    gateways: dict[str, Gateway]
    twilio: TwilioRestSim
    prefix: str
    extra: dict[str, object] = field(default_factory=dict)

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[ClusterEnv]:
    data = Path(tempfile.mkdtemp(prefix="voxray-cluster-"))
    redis = RedisServer(data / "redis").start()
    model_proc, model_url = start_model_server("127.0.0.1", free_port(), None, think_ms=150)
    twilio = TwilioRestSim({})
    twilio_url = twilio.start()
    host = subprocess.Popen([sys.executable, str(ROOT / "tests/cluster/cluster_host.py")], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(data / "ray.log", "ab"))
    assert host.stdout is not None
    up = read_json_line(host)
    ray_host = RayHost(host, up["address"], up["workers"])
    prefix = "vxcl"
    base_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("VOXRAY_")},
        "VOXRAY_REDIS_URL": redis.url, "VOXRAY_RAY_ADDRESS": ray_host.address, "VOXRAY_KEY_PREFIX": prefix,
        "VOXRAY_STREAM_TOKEN_SECRET": secrets.token_hex(32), "VOXRAY_SECRETS_KEY": _secrets_key(),
        "VOXRAY_MEDIA_LINK_KEY": secrets.token_urlsafe(32),  # the media link is TLS here, as on a real cluster
        "VOXRAY_PUBLIC_BASE_URL": PUBLIC, "VOXRAY_ADMIN_KEY": ADMIN_KEY, "VOXRAY_DATA_DIR": str(data),
        "VOXRAY_OPENAI_WEBSOCKET_BASE_URL": model_url or "", "VOXRAY_TWILIO_API_BASE_URL": twilio_url or "",
        "VOXRAY_CALL_NODE_RESOURCE": "voxray_call_node", "VOXRAY_CONTROL_RESOURCE": "voxray_control", "VOXRAY_CALLS_PER_ACTOR": "4", "VOXRAY_WARM_POOL_SIZE": "4",
        "VOXRAY_STREAM_START_TIMEOUT_S": "8", "VOXRAY_DRAIN_TIMEOUT_S": "60", "VOXRAY_LOG_LEVEL": "info",
        # These tests are about gateways and nodes; the host (2 cores, three raylets) is too busy
        # for the headroom signal to mean anything here (tests/integration covers refusal).
        "VOXRAY_HEADROOM_LAG_MS": "1000", "VOXRAY_HEADROOM_CPU": "10",
        "VOXRAY_ADMIN_BURST": "100000", "VOXRAY_ANON_BURST": "100000", "VOXRAY_AUTH_FAIL_BURST": "100000",
    }
    gateways = {name: Gateway(name, free_port(), {**base_env, "VOXRAY_PORT": "0"}, data / f"gateway-{name}.log")
                for name in ("a", "b")}
    for g in gateways.values():
        g.env["VOXRAY_PORT"] = str(g.port)
        g.start()
    env = ClusterEnv(ray_host, redis.url, gateways, twilio, prefix, {"data": data})
    try:
        for g in gateways.values():
            g.wait_ready()
        yield env
    finally:
        for g in gateways.values():
            if g.proc is not None and g.proc.poll() is None:
                g.proc.kill()
        try:
            ray_host.command("quit")
        except Exception:  # noqa: BLE001 - already gone
            pass
        stop_process(host)  # type: ignore[arg-type]
        twilio.stop()
        stop_process(model_proc)
        redis.stop()


def _secrets_key() -> str:
    from voxray.sealing import new_master_key

    return new_master_key()
