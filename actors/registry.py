"""Session registry, the gateway's side: the one place a gateway talks to Ray about calls.

Stateless: which actor owns a call, and the admission counters, live in Redis
(``voxray.live_calls``), so any gateway can answer a call's webhook and any other its media
websocket, and limits hold across gateways. Actors belong to the pool supervisor
(``actors/pool.py``), not to a gateway. A call costs one admission script in Redis and one
Ray call (``configure``) to set up; ending it costs the actor one release script.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import ray
import structlog

from actors.pool import PoolConfig, PoolSupervisor, supervisor_name
from actors.setup import CallSetup
from voxray.live_calls import DEDICATED, SHARED, LiveCalls, LiveEntry, Refused

log = structlog.get_logger("voxray.registry")

CONFIGURE_TIMEOUT_S = 5.0
DEDICATED_START_TIMEOUT_S = 30.0


class AdmissionRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SessionUnavailable(Exception):
    """No session actor could take the call (actors failing to start or to configure)."""


def connect_supervisor(config: PoolConfig, control_resource: str = "") -> Any:
    """Get the deployment's pool supervisor, creating it if this is the first gateway (on the
    node advertising ``control_resource`` when one is set)."""
    cls = ray.remote(PoolSupervisor)
    resources = {control_resource: 0.001} if control_resource else None
    return cls.options(name=supervisor_name(config.prefix), namespace=config.namespace, lifetime="detached",
                       get_if_exists=True, num_cpus=0, max_restarts=-1, max_concurrency=1000,
                       resources=resources).remote(config)


class SessionRegistry:
    def __init__(self, live: LiveCalls, supervisor: Any, *, namespace: str, max_live_calls: int) -> None:
        self.live = live
        self.supervisor = supervisor
        self.namespace = namespace
        self.max_live_calls = max_live_calls
        self._handles: dict[str, Any] = {}

    async def warm_up(self, timeout_s: float = 120.0) -> dict[str, Any]:
        """Until the pool has its warm capacity (start-up, tests, benchmarks); then look up the
        actors' handles, so no call's setup waits on the GCS for one."""
        status: dict[str, Any] = await self.supervisor.ensure_warm.remote(timeout_s)
        for slot in await self.live.actors():
            try:
                await asyncio.to_thread(self._handle, slot.name)
            except ValueError:  # gone meanwhile: the supervisor's to clean up
                pass
        return status

    def _handle(self, actor: str) -> Any:
        # A cache miss asks the GCS (blocking, ~1 ms): only for actors started after warm-up.
        handle = self._handles.get(actor)
        if handle is None:
            handle = self._handles[actor] = ray.get_actor(actor, namespace=self.namespace)
        return handle

    # ---- calls
    async def open_call(self, setup: CallSetup, tenant_limit: int, isolation: str = SHARED) -> LiveEntry:
        """Admit the call (atomically, cluster-wide) and hand it to its actor; raises AdmissionRejected."""
        for attempt in range(3):
            try:
                entry = await self.live.admit(setup.call_sid, setup.tenant_id, tenant_limit=tenant_limit,
                                              max_live=self.max_live_calls, link_key=setup.link_key,
                                              isolation=DEDICATED if isolation == DEDICATED else SHARED)
            except Refused as exc:
                if exc.reason == "no_dedicated_capacity" and attempt == 0:
                    # The tenant's first dedicated call (or all its processes busy): start one.
                    await asyncio.wait_for(self.supervisor.spawn_dedicated.remote(), DEDICATED_START_TIMEOUT_S)
                    continue
                raise AdmissionRejected(exc.reason) from None
            try:
                await asyncio.wait_for(self._handle(entry.actor).configure.remote(setup), CONFIGURE_TIMEOUT_S)
                return entry
            except Exception:  # noqa: BLE001 - that actor is dying or stuck: give the slot back, try another
                log.exception("session_actor_configure_failed", call_sid=setup.call_sid, actor=entry.actor)
                self._handles.pop(entry.actor, None)
                await self.live.release(setup.call_sid, setup.tenant_id)
                await self.live.set_hot(entry.actor, time.time() + 5)
        raise SessionUnavailable("no session actor could take the call")

    async def get(self, call_sid: str) -> LiveEntry | None:
        return await self.live.get(call_sid)

    async def live_count(self, tenant_id: str | None = None) -> int:
        return await self.live.count(tenant_id)

    async def state(self, call_sid: str) -> dict[str, Any] | None:
        entry = await self.live.get(call_sid)
        if entry is None:
            return None
        try:
            return await self._handle(entry.actor).state.remote(call_sid)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - the actor is gone: the supervisor records it
            return None

    async def states(self, tenant_id: str | None = None) -> list[dict[str, Any]]:
        by_actor: dict[str, list[str]] = {}
        for e in await self.live.entries():
            if tenant_id is None or e.tenant_id == tenant_id:
                by_actor.setdefault(e.actor, []).append(e.call_sid)

        async def ask(actor: str, sids: list[str]) -> list[dict[str, Any]]:
            return await self._handle(actor).states.remote(sids)  # type: ignore[no-any-return]

        got = await asyncio.gather(*(ask(a, s) for a, s in by_actor.items()), return_exceptions=True)
        # An actor that died meanwhile is the supervisor's to record; its calls just aren't live.
        return [s for batch in got if isinstance(batch, list) for s in batch]

    async def end(self, call_sid: str, reason: str) -> bool:
        entry = await self.live.get(call_sid)
        if entry is None:
            return False
        try:
            return bool(await self._handle(entry.actor).end.remote(call_sid, reason))
        except Exception:  # noqa: BLE001 - gone with its actor
            return False

    async def drain_node(self, node_id: str) -> dict[str, Any]:
        return await self.supervisor.drain_node.remote(node_id)  # type: ignore[no-any-return]

    async def pool_status(self) -> dict[str, Any]:
        return await self.supervisor.status.remote()  # type: ignore[no-any-return]
