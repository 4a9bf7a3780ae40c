"""The embedded deployment: Redis, Ray, the local realtime model server, the carrier
simulator's Twilio REST stand-in and the gateway.

Used by ``voxray up``, the integration tests and the benchmarks, so all three run the same
wiring. Each part is started only when the settings do not point at an existing one.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import ray
from pydantic import SecretStr
import uvicorn

from simulators.carrier.rest import TwilioRestSim
from launcher.processes import stop_process
from voxray.records import AgentConfig, Tenant
from launcher.redis_server import RedisServer, free_port
from voxray.settings import Settings
from voxray.store import Store

DEMO_TENANT = "demo"
DEMO_NUMBER = "+15550100000"


def start_model_server(host: str, port: int, script: str | None, think_ms: int | None = None,
                       timeout_s: float = 30.0) -> tuple[subprocess.Popen[str], str]:
    """Run ``python -m simulators.realtime`` and wait for its ``listening <url>`` line."""
    cmd = [sys.executable, "-m", "simulators.realtime", "--host", host, "--port", str(port)]
    if script:
        cmd += ["--script", script]
    if think_ms is not None:
        cmd += ["--think-ms", str(think_ms)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    done = threading.Event()
    found: list[str] = []

    def _wait() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("listening "):
                found.append(line.split()[1])
                break
        done.set()

    threading.Thread(target=_wait, daemon=True).start()
    if not done.wait(timeout_s) or not found:
        proc.kill()
        raise RuntimeError("local realtime server did not start")
    return proc, found[0]


def demo_tenant(auth_token: str, number: str = DEMO_NUMBER, tenant_id: str = DEMO_TENANT,
                agent: AgentConfig | None = None) -> Tenant:
    return Tenant(id=tenant_id, name="Demo Business", twilio_account_sid="AC" + secrets.token_hex(16),
                  twilio_auth_token=SecretStr(auth_token), phone_numbers=[number], agent=agent or AgentConfig())


@dataclass
class Stack:
    settings: Settings
    redis: RedisServer | None = None
    model_proc: subprocess.Popen[str] | None = None
    redis_url: str = ""
    model_url: str | None = None
    carrier: TwilioRestSim | None = None
    twilio_api_url: str | None = None
    _owns_ray: bool = field(default=False)

    def start_backends(self, think_ms: int | None = None) -> "Stack":
        """Start what the settings don't point at; on failure stop what was already started."""
        try:
            return self._start_backends(think_ms)
        except BaseException:
            self.stop()
            raise

    def _start_backends(self, think_ms: int | None) -> "Stack":
        s = self.settings
        if s.redis_url:
            self.redis_url = s.redis_url
        else:
            self.redis = RedisServer(Path(s.data_dir) / "redis").start()
            self.redis_url = self.redis.url
        if s.openai_websocket_base_url:
            self.model_url = s.openai_websocket_base_url
        else:
            port = s.local_model_port or free_port()
            self.model_proc, self.model_url = start_model_server("127.0.0.1", port, s.local_model_script, think_ms)
        if s.twilio_api_base_url:
            self.twilio_api_url = s.twilio_api_base_url
        else:
            # Twilio is unreachable here: its REST API is played by the carrier simulator.
            self.carrier = TwilioRestSim({})
            self.twilio_api_url = self.carrier.start()
        self._connect_ray()
        return self

    def attach(self) -> "Stack":
        """A gateway alone (``voxray gateway``): every backend already runs where the settings say."""
        s = self.settings
        missing = [name for name, value in (("VOXRAY_REDIS_URL", s.redis_url), ("VOXRAY_RAY_ADDRESS", s.ray_address),
                                            ("VOXRAY_STREAM_TOKEN_SECRET", s.stream_token_secret)) if not value]
        if missing:
            raise ValueError(f"a gateway alone needs {', '.join(missing)} (shared by every gateway)")
        self.redis_url = s.redis_url or ""
        self.model_url = s.openai_websocket_base_url  # None: the OpenAI API itself
        self.twilio_api_url = s.twilio_api_base_url  # None: Twilio's API itself
        self._connect_ray()
        return self

    def _connect_ray(self) -> None:
        s = self.settings
        if ray.is_initialized():
            return
        # Ray starts workers at nice 15; session actors carry live audio and must not be the
        # first to starve when the host is busy. (On a cluster: RAY_worker_niceness=0.)
        system_config = {} if s.ray_address else {"worker_niceness": 0}
        # "local": start our own even when another Ray on this host registered itself as current.
        ray.init(address=s.ray_address or "local", namespace=s.ray_namespace, include_dashboard=False,
                 log_to_driver=s.log_level == "debug", configure_logging=False, _system_config=system_config)
        self._owns_ray = True

    def uvicorn_config(self) -> uvicorn.Config:
        from gateway.anon_quotas import uvicorn_kwargs
        from gateway.app import create_app

        s = self.settings.model_copy(update={"twilio_api_base_url": self.twilio_api_url})
        app = create_app(s, redis_url=self.redis_url, model_websocket_base_url=self.model_url)
        return uvicorn.Config(app, host=s.host, port=s.port, ws_max_size=s.ws_max_message_bytes, **uvicorn_kwargs(s),
                              log_level="warning", access_log=False, lifespan="on", ws="websockets-sansio")

    async def seed_demo(self, auth_token: str) -> Tenant | None:
        store = Store.from_url(self.redis_url, self.settings.key_prefix)
        try:
            existing = await store.tenant_for_number(DEMO_NUMBER)
            if existing is not None:
                return existing
            if await store.tenant_count():
                return None
            tenant = demo_tenant(auth_token)
            await store.put_tenant(tenant)
            if self.carrier is not None:
                self.carrier.add_account(tenant.twilio_account_sid, auth_token)
            return tenant
        finally:
            await store.close()

    def gateway_started(self, gateway_url: str) -> None:
        """Tell the carrier simulator where the public URL really leads (it signs with the public one)."""
        if self.carrier is not None:
            self.carrier.add_route(self.settings.effective_public_base_url, gateway_url)

    def stop(self) -> None:
        if self.carrier is not None:
            self.carrier.stop()
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()
        stop_process(self.model_proc)
        if self.redis:
            self.redis.stop()


class GatewayThread:
    """uvicorn in a background thread with its own loop (tests and benchmarks)."""

    def __init__(self, config: uvicorn.Config) -> None:
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="gateway")

    def start(self, timeout_s: float = 60.0) -> "GatewayThread":
        self.thread.start()
        end = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > end:
                raise RuntimeError("gateway did not start")
            time.sleep(0.05)
        return self

    @property
    def port(self) -> int:
        return int(self.server.servers[0].sockets[0].getsockname()[1])

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
