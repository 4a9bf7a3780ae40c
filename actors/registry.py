"""Session registry: the one place that talks to Ray about session actors.

Keeps warm capacity (spare call slots on ready actors, so call setup never waits for a worker
process to start), places each call on the least-loaded actor (actors themselves are spread
across the cluster's nodes), admits calls against capacity, and retires actors whose calls
have ended. The gateway calls plain methods here and never touches Ray itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import ray
import structlog

from actors.session_actor import SessionActor
from actors.setup import CallSetup
from voxray.records import CallStatus, utcnow
from voxray.store import Store

log = structlog.get_logger("voxray.registry")

COLD_START_WAIT_S = 30.0


class AdmissionRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SessionUnavailable(Exception):
    """No session actor could take the call (actors failing to start or to configure)."""


@dataclass(eq=False)
class _Actor:
    handle: Any
    host: str
    port: int
    capacity: int
    live: int = 0

    @property
    def free(self) -> int:
        return self.capacity - self.live


@dataclass
class LiveCall:
    call_sid: str
    tenant_id: str
    actor: _Actor = field(repr=False)
    link_key: str = field(repr=False)
    reaper: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def host(self) -> str:
        return self.actor.host

    @property
    def port(self) -> int:
        return self.actor.port


class SessionRegistry:
    def __init__(self, *, pool_size: int, max_live_calls: int, actor_cpus: float, bind_host: str,
                 calls_per_actor: int = 1, log_level: str = "info", model_api_key: str | None = None,
                 model_websocket_base_url: str | None = None, store: Store | None = None) -> None:
        self.pool_size = pool_size  # spare call slots kept warm
        self.max_live_calls = max_live_calls
        self.calls_per_actor = calls_per_actor
        self._actor_cls = ray.remote(SessionActor).options(
            num_cpus=actor_cpus, scheduling_strategy="SPREAD", max_concurrency=1000, max_restarts=0)
        self._actor_args = (bind_host, log_level, calls_per_actor, model_api_key, model_websocket_base_url)
        self._actors: list[_Actor] = []
        self._live: dict[str, LiveCall] = {}
        self._reserved: dict[str, str] = {}  # call_sid -> tenant, admitted but not yet configured
        self._store = store
        self._starting = 0
        self._start_lock = asyncio.Semaphore(2)  # worker start-up is CPU heavy; don't stampede

    # ---- warm capacity
    def spare_slots(self) -> int:
        return sum(a.free for a in self._actors) + self._starting * self.calls_per_actor

    async def _start_actor(self) -> _Actor:
        handle = self._actor_cls.remote(*self._actor_args)
        host, port = await handle.ready.remote()  # type: ignore[attr-defined]
        return _Actor(handle, host, port, self.calls_per_actor)

    def refill(self) -> None:
        while self.spare_slots() < self.pool_size:
            self._starting += 1
            asyncio.get_running_loop().create_task(self._fill_one())

    async def _fill_one(self) -> None:
        try:
            async with self._start_lock:
                self._actors.append(await self._start_actor())
        except Exception:
            log.exception("session_actor_start_failed")
        finally:
            self._starting -= 1

    async def warm_up(self, timeout_s: float = 120.0) -> None:
        """Fill the warm capacity and wait until it is ready (start-up, tests, benchmarks)."""
        self.refill()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._starting and loop.time() < deadline:
            await asyncio.sleep(0.05)

    # ---- calls
    def live_count(self, tenant_id: str | None = None) -> int:
        tenants = [c.tenant_id for c in self._live.values()] + list(self._reserved.values())
        return sum(1 for t in tenants if tenant_id is None or t == tenant_id)

    async def _place(self) -> _Actor:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + COLD_START_WAIT_S
        while True:
            candidates = [a for a in self._actors if a.free > 0]
            if candidates:
                return min(candidates, key=lambda a: a.live)
            if not self._starting or loop.time() > deadline:
                break
            await asyncio.sleep(0.02)  # an actor is already starting: take it, don't start another
        actor = await self._start_actor()  # cold start: warm capacity ran out and none is coming
        self._actors.append(actor)
        return actor

    async def open_call(self, setup: CallSetup, tenant_limit: int) -> LiveCall:
        # Admission and the CallSid claim happen before the first await, so a burst can't
        # overshoot the limits and two webhooks for one call can't start two sessions.
        sid = setup.call_sid
        if sid in self._live or sid in self._reserved:
            raise AdmissionRejected("duplicate_call")
        if self.live_count() >= self.max_live_calls:
            raise AdmissionRejected("capacity")
        if self.live_count(setup.tenant_id) >= tenant_limit:
            raise AdmissionRejected("tenant_concurrency_limit")
        self._reserved[sid] = setup.tenant_id
        try:
            actor = await self._configure(setup)
        finally:
            self._reserved.pop(sid, None)
        call = LiveCall(setup.call_sid, setup.tenant_id, actor, setup.link_key)
        self._live[setup.call_sid] = call
        call.reaper = asyncio.get_running_loop().create_task(self._reap(call))
        return call

    async def _configure(self, setup: CallSetup) -> _Actor:
        """Hand the call to an actor; an actor that fails is retired and another one tried."""
        for _ in range(2):
            actor = await self._place()
            actor.live += 1
            self.refill()
            try:
                await actor.handle.configure.remote(setup)
                return actor
            except Exception:
                log.exception("session_actor_configure_failed", call_sid=setup.call_sid)
                actor.live -= 1
                self._retire(actor)
        raise SessionUnavailable("no session actor could take the call")

    async def _reap(self, call: LiveCall) -> None:
        try:
            await call.actor.handle.wait_done.remote(call.call_sid)
        except Exception:
            log.exception("session_actor_died", call_sid=call.call_sid)
            await self._record_actor_death(call)
            self._retire(call.actor)
        finally:
            if self._live.get(call.call_sid) is call:
                self._live.pop(call.call_sid)
            call.actor.live -= 1
            if self.calls_per_actor == 1:  # one call, one process: never reuse it
                self._retire(call.actor)

    async def _record_actor_death(self, call: LiveCall) -> None:
        """The actor took the call with it: make sure its record says so."""
        if self._store is None:
            return
        record = await self._store.get_call(call.tenant_id, call.call_sid)
        if record is not None and record.ended_at is None:
            await self._store.update_call(call.tenant_id, call.call_sid, status=CallStatus.FAILED,
                                          ended_at=utcnow(), end_reason="session_actor_died")

    def _retire(self, actor: _Actor) -> None:
        if actor not in self._actors:
            return
        self._actors.remove(actor)
        try:
            ray.kill(actor.handle, no_restart=True)
        except Exception:  # already gone
            log.warning("session_actor_kill_failed")

    def get(self, call_sid: str) -> LiveCall | None:
        return self._live.get(call_sid)

    async def state(self, call_sid: str) -> dict[str, Any] | None:
        call = self._live.get(call_sid)
        return await call.actor.handle.state.remote(call_sid) if call else None

    async def states(self, tenant_id: str | None = None) -> list[dict[str, Any]]:
        calls = [c for c in self._live.values() if tenant_id is None or c.tenant_id == tenant_id]
        states = await asyncio.gather(*(c.actor.handle.state.remote(c.call_sid) for c in calls),
                                      return_exceptions=True)
        # An actor that died meanwhile is the reaper's to record; it just isn't live.
        return [s for s in states if isinstance(s, dict)]

    async def end(self, call_sid: str, reason: str) -> bool:
        call = self._live.get(call_sid)
        if call is None:
            return False
        await call.actor.handle.end.remote(call_sid, reason)
        return True

    async def shutdown(self) -> None:
        for call in list(self._live.values()):
            try:
                await asyncio.wait_for(call.actor.handle.end.remote(call.call_sid, "shutdown"), 5)
            except Exception:
                pass
            if call.reaper:
                call.reaper.cancel()
        self._live.clear()
        for actor in list(self._actors):
            self._retire(actor)
