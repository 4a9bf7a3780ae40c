"""Session registry: the one place that talks to Ray about session actors.

Keeps a warm pool of ready actors (call setup must not wait for a worker process to start),
spreads them across the cluster's nodes, admits calls against capacity, and reaps actors when
their call ends. The gateway calls plain methods here and never touches Ray itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import ray
import structlog

from actors.session_actor import SessionActor
from actors.setup import CallSetup

log = structlog.get_logger("voxray.registry")


class AdmissionRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class LiveCall:
    call_sid: str
    tenant_id: str
    handle: Any
    host: str
    port: int
    link_key: str
    reaper: asyncio.Task[None] | None = field(default=None, repr=False)


@dataclass
class _Warm:
    handle: Any
    host: str
    port: int


class SessionRegistry:
    def __init__(self, *, pool_size: int, max_live_calls: int, actor_cpus: float, bind_host: str,
                 log_level: str = "info") -> None:
        self.pool_size = pool_size
        self.max_live_calls = max_live_calls
        self._actor_cls = ray.remote(SessionActor).options(
            num_cpus=actor_cpus, scheduling_strategy="SPREAD", max_concurrency=64, max_restarts=0)
        self._bind_host = bind_host
        self._log_level = log_level
        self._pool: asyncio.Queue[_Warm] = asyncio.Queue()
        self._live: dict[str, LiveCall] = {}
        self._filling = 0
        self._fill_lock = asyncio.Semaphore(2)  # worker start-up is CPU heavy; don't stampede

    # ---- pool
    async def _spawn(self) -> _Warm:
        handle = self._actor_cls.remote(self._bind_host, self._log_level)
        host, port = await handle.ready.remote()
        return _Warm(handle, host, port)

    def refill(self) -> None:
        missing = self.pool_size - self._pool.qsize() - self._filling
        for _ in range(max(0, missing)):
            self._filling += 1
            asyncio.get_running_loop().create_task(self._fill_one())

    async def _fill_one(self) -> None:
        try:
            async with self._fill_lock:
                self._pool.put_nowait(await self._spawn())
        except Exception:
            log.exception("warm_actor_failed")
        finally:
            self._filling -= 1

    async def warm_up(self, timeout_s: float = 120.0) -> None:
        """Fill the pool and wait until it is full (start-up, tests, benchmarks)."""
        self.refill()
        deadline = asyncio.get_running_loop().time() + timeout_s
        while self._pool.qsize() < self.pool_size and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)

    # ---- calls
    def live_count(self, tenant_id: str | None = None) -> int:
        return sum(1 for c in self._live.values() if tenant_id is None or c.tenant_id == tenant_id)

    async def open_call(self, setup: CallSetup, tenant_limit: int) -> LiveCall:
        if len(self._live) >= self.max_live_calls:
            raise AdmissionRejected("capacity")
        if self.live_count(setup.tenant_id) >= tenant_limit:
            raise AdmissionRejected("tenant_concurrency_limit")
        warm = self._pool.get_nowait() if not self._pool.empty() else await self._spawn()
        self.refill()
        await warm.handle.configure.remote(setup)
        call = LiveCall(setup.call_sid, setup.tenant_id, warm.handle, warm.host, warm.port, setup.link_key)
        self._live[setup.call_sid] = call
        call.reaper = asyncio.get_running_loop().create_task(self._reap(call))
        return call

    async def _reap(self, call: LiveCall) -> None:
        try:
            await call.handle.wait_done.remote()
        except Exception:
            log.exception("session_actor_died", call_sid=call.call_sid)
        finally:
            self._live.pop(call.call_sid, None)
            ray.kill(call.handle, no_restart=True)

    def get(self, call_sid: str) -> LiveCall | None:
        return self._live.get(call_sid)

    async def state(self, call_sid: str) -> dict[str, Any] | None:
        call = self._live.get(call_sid)
        return await call.handle.state.remote() if call else None

    async def states(self, tenant_id: str | None = None) -> list[dict[str, Any]]:
        calls = [c for c in self._live.values() if tenant_id is None or c.tenant_id == tenant_id]
        return list(await asyncio.gather(*(c.handle.state.remote() for c in calls)))

    async def end(self, call_sid: str, reason: str) -> bool:
        call = self._live.get(call_sid)
        if call is None:
            return False
        await call.handle.end.remote(reason)
        return True

    async def shutdown(self) -> None:
        for call in list(self._live.values()):
            try:
                await asyncio.wait_for(call.handle.end.remote("shutdown"), 5)
            except Exception:
                pass
            if call.reaper:
                call.reaper.cancel()
            ray.kill(call.handle, no_restart=True)
        self._live.clear()
        while not self._pool.empty():
            ray.kill(self._pool.get_nowait().handle, no_restart=True)
