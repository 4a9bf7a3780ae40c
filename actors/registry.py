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
from typing import Any, Awaitable, Callable, Coroutine

import ray
import structlog
from ray.exceptions import ActorUnavailableError, GetTimeoutError

from actors.pool import PoolConfig, PoolSupervisor, supervisor_name
from actors.setup import CallSetup
from voxray.live_calls import DEDICATED, SHARED, LiveCalls, LiveEntry, Refused
from voxray.redis_batch import Batch, Reply

log = structlog.get_logger("voxray.registry")

CONFIGURE_TIMEOUT_S = 5.0
HANDOVER_ATTEMPTS = 3
MAX_CACHED_HANDLES = 4096
SUPERVISOR_PING_S = 5.0
# A dedicated tenant's call may wait this long for a process to start, then hears the busy
# message: Twilio abandons a webhook after 15 s (error 11200), which is dead air, not a refusal.
DEDICATED_START_TIMEOUT_S = 8.0


LostHandler = Callable[[CallSetup, str], Awaitable[None]]


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
        self._handovers: dict[str, asyncio.Task[None]] = {}  # by CallSid
        self._abandons: set[asyncio.Task[None]] = set()
        self._keepalive: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Keep the pool supervisor's loops running: after Ray restarts it, a ping boots it again."""
        self._keepalive = asyncio.get_running_loop().create_task(self._ping_supervisor())

    async def stop(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
        await asyncio.gather(*self._handovers.values(), *self._abandons, return_exceptions=True)

    async def _ping_supervisor(self) -> None:
        while True:
            await asyncio.sleep(SUPERVISOR_PING_S)
            try:
                await asyncio.wait_for(self.supervisor.ping.remote(), SUPERVISOR_PING_S)
            except Exception as exc:  # noqa: BLE001 - restarting: the next ping boots it
                log.warning("pool_supervisor_unreachable", error=type(exc).__name__)

    async def warm_up(self, timeout_s: float = 120.0) -> dict[str, Any]:
        """Until the pool has its warm capacity (start-up, tests, benchmarks); then look up the
        actors' handles, so no call's setup waits on the GCS for one."""
        status: dict[str, Any] = await self.supervisor.ensure_warm.remote(timeout_s)
        for slot in await self.live.actors():
            try:
                await self._handle(slot.name)
            except ValueError:  # gone meanwhile: the supervisor's to clean up
                pass
        return status

    async def _handle(self, actor: str) -> Any:
        # A cache miss asks the GCS, off the event loop: only for actors started after warm-up.
        handle = self._handles.get(actor)
        if handle is None:
            handle = await asyncio.to_thread(ray.get_actor, actor, namespace=self.namespace)
            if len(self._handles) > MAX_CACHED_HANDLES:  # actors come and go: keep the cache bounded
                self._handles.clear()
            self._handles[actor] = handle
        return handle

    # ---- calls
    def _start_hand_over(self, setup: CallSetup, entry: LiveEntry, tenant_limit: int, isolation: str,
                         on_lost: LostHandler | None) -> None:
        task = asyncio.get_running_loop().create_task(self._hand_over(setup, entry, tenant_limit, isolation, on_lost))
        self._handovers[setup.call_sid] = task
        task.add_done_callback(lambda _: self._handovers.pop(setup.call_sid, None))

    def abandon(self, setup: CallSetup, why: str) -> None:
        """An admitted call whose TwiML never went out (a later setup step failed): end it on its
        actor, or give its slot back, now rather than when the actor's wait for media runs out.
        In the background: the caller's answer (an apology) does not wait for it."""
        self._in_background(self._abandon(setup, why))

    def give_back_unopened(self, setup: CallSetup, admitted: Reply[LiveEntry]) -> None:
        """Free the slot ``admit_on`` took for a call that was never handed to its actor (a
        duplicate webhook): one script, no Ray call. In the background."""
        if admitted.error is not None:
            return
        self._in_background(self._release_quietly(setup, admitted.get().actor))

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._abandons.add(task)  # held until done (the loop keeps only weak references)
        task.add_done_callback(self._abandons.discard)

    async def _release_quietly(self, setup: CallSetup, actor: str) -> None:
        try:
            await self.live.release(setup.call_sid, setup.tenant_id, actor)
        except Exception:  # noqa: BLE001 - the sweeper frees what is left
            log.exception("admitted_call_release_failed", call_sid=setup.call_sid)

    async def _abandon(self, setup: CallSetup, why: str) -> None:
        try:
            await self._give_back(setup, why)
        except Exception:  # noqa: BLE001 - Redis or Ray failing too: the sweeper frees what is left
            log.exception("admitted_call_abandon_failed", call_sid=setup.call_sid)

    async def _give_back(self, setup: CallSetup, why: str) -> None:
        task = self._handovers.get(setup.call_sid)
        if task is not None:  # let the hand-over settle first: then the entry names the final actor
            await asyncio.gather(task, return_exceptions=True)
        entry = await self.live.get(setup.call_sid)
        if entry is None or entry.link_key != setup.link_key:  # not admitted, or another webhook's call
            return
        try:
            ended = bool(await (await self._handle(entry.actor)).end.remote(setup.call_sid, why, failed=True))
        except Exception:  # noqa: BLE001 - the actor is gone or never had it: the slot is ours to free
            ended = False
        if not ended:
            await self.live.release(setup.call_sid, setup.tenant_id, entry.actor)
        log.info("admitted_call_abandoned", call_sid=setup.call_sid, actor=entry.actor, ended_on_actor=ended)

    def admit_on(self, batch: Batch, setup: CallSetup, tenant_limit: int, isolation: str = SHARED) -> Reply[LiveEntry]:
        """Admit the call (atomically, cluster-wide) as part of the caller's batch; ``open_admitted``
        reads the outcome and finishes."""
        return self.live.admit_on(batch, setup.call_sid, setup.tenant_id, tenant_limit=tenant_limit,
                                  max_live=self.max_live_calls, link_key=setup.link_key,
                                  isolation=DEDICATED if isolation == DEDICATED else SHARED)

    async def open_admitted(self, setup: CallSetup, admitted: Reply[LiveEntry], tenant_limit: int,
                            isolation: str = SHARED, on_lost: LostHandler | None = None) -> LiveEntry:
        """Finish a call's admission (made in the caller's batch, ``admit_on``) and hand it to its
        actor; raises AdmissionRejected. A dedicated tenant with no free process gets one started
        and is admitted again.

        The hand-over is not awaited: under a burst the actor's loop is busy connecting earlier
        calls' models, and the caller's TwiML must not wait for it. Twilio opens the media stream
        only after the TwiML, and the actor waits briefly for a HELLO that beats its setup. If the
        hand-over fails, the call moves to another actor (the media websocket looks the actor up
        when it starts); if none takes it, ``on_lost`` records why and the caller hears the
        apology after ``</Connect>``.
        """
        try:
            entry = admitted.get()
        except Refused as exc:
            if exc.reason != "no_dedicated_capacity":
                raise AdmissionRejected(exc.reason) from None
            entry = await self._admit(setup, tenant_limit, isolation)
        self._start_hand_over(setup, entry, tenant_limit, isolation, on_lost)
        return entry

    async def _admit(self, setup: CallSetup, tenant_limit: int, isolation: str) -> LiveEntry:
        for attempt in range(2):
            try:
                return await self.live.admit(setup.call_sid, setup.tenant_id, tenant_limit=tenant_limit,
                                             max_live=self.max_live_calls, link_key=setup.link_key,
                                             isolation=DEDICATED if isolation == DEDICATED else SHARED)
            except Refused as exc:
                if exc.reason == "no_dedicated_capacity" and attempt == 0:
                    # The tenant's first dedicated call (or all its processes busy): start one.
                    try:
                        await asyncio.wait_for(self.supervisor.spawn_dedicated.remote(), DEDICATED_START_TIMEOUT_S)
                    except asyncio.TimeoutError:
                        log.warning("dedicated_process_start_slow", call_sid=setup.call_sid)
                        break  # refused (busy message); the process still joins the pool when ready
                    continue
                raise AdmissionRejected(exc.reason) from None
        raise AdmissionRejected("no_dedicated_capacity")

    async def _hand_over(self, setup: CallSetup, entry: LiveEntry, tenant_limit: int, isolation: str,
                         on_lost: LostHandler | None) -> None:
        try:
            if await self._try_hand_over(setup, entry, tenant_limit, isolation):
                return
            why = "setup_failed: no session actor took the call"
        except Exception as exc:  # noqa: BLE001 - Redis or Ray failing mid-way: record it, never lose it
            log.exception("session_hand_over_failed", call_sid=setup.call_sid)
            why = f"setup_failed: {type(exc).__name__}"
        if on_lost is not None:
            try:
                await on_lost(setup, why)
            except Exception:  # noqa: BLE001 - the sweeper finds what is left
                log.exception("session_lost_record_failed", call_sid=setup.call_sid)

    async def _try_hand_over(self, setup: CallSetup, entry: LiveEntry, tenant_limit: int, isolation: str) -> bool:
        """True once an actor holds the call (or may: a slow or unavailable one keeps it)."""
        for attempt in range(HANDOVER_ATTEMPTS):
            try:
                handle = await self._handle(entry.actor)
                await asyncio.wait_for(handle.configure.remote(setup), CONFIGURE_TIMEOUT_S)
                return True
            except (asyncio.TimeoutError, ActorUnavailableError, GetTimeoutError):
                # Slow or unreachable, not known to have failed: it may still take the call, so the
                # call stays there (the media link waits for it; the sweeper ends it if it never arrives).
                log.error("session_actor_configure_unsure", call_sid=setup.call_sid, actor=entry.actor)
                await self.live.set_hot(entry.actor, time.time() + 5)
                return True
            except Exception:  # noqa: BLE001 - the actor refused or is gone: give the slot back, try another
                log.exception("session_actor_configure_failed", call_sid=setup.call_sid, actor=entry.actor)
                self._handles.pop(entry.actor, None)
                await self.live.set_hot(entry.actor, time.time() + 5)
                if not await self.live.release(setup.call_sid, setup.tenant_id, entry.actor):
                    return True  # the supervisor already ended it with the actor: don't revive it
            if attempt + 1 == HANDOVER_ATTEMPTS:
                break
            try:
                entry = await self._admit(setup, tenant_limit, isolation)
            except AdmissionRejected:
                break
        return False

    async def has_room(self) -> bool:
        """A shared slot free on an actor with headroom, under the cluster cap (for outbound calls)."""
        return await self.live.room(self.max_live_calls) is None

    def room_on(self, batch: Batch) -> Reply[str | None]:
        """``has_room`` in a batch: why a shared call would be refused now, None if it would not."""
        return self.live.room_on(batch, self.max_live_calls)

    async def get(self, call_sid: str) -> LiveEntry | None:
        return await self.live.get(call_sid)

    async def live_count(self, tenant_id: str | None = None) -> int:
        return await self.live.count(tenant_id)

    async def state(self, call_sid: str) -> dict[str, Any] | None:
        entry = await self.live.get(call_sid)
        if entry is None:
            return None
        try:
            return await (await self._handle(entry.actor)).state.remote(call_sid)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - the actor is gone: the supervisor records it
            return None

    async def states(self, tenant_id: str | None = None) -> list[dict[str, Any]]:
        by_actor: dict[str, list[str]] = {}
        for e in await self.live.entries():
            if tenant_id is None or e.tenant_id == tenant_id:
                by_actor.setdefault(e.actor, []).append(e.call_sid)

        async def ask(actor: str, sids: list[str]) -> list[dict[str, Any]]:
            return await (await self._handle(actor)).states.remote(sids)  # type: ignore[no-any-return]

        got = await asyncio.gather(*(ask(a, s) for a, s in by_actor.items()), return_exceptions=True)
        # An actor that died meanwhile is the supervisor's to record; its calls just aren't live.
        return [s for batch in got if isinstance(batch, list) for s in batch]

    async def end(self, call_sid: str, reason: str) -> bool:
        entry = await self.live.get(call_sid)
        if entry is None:
            return False
        try:
            return bool(await (await self._handle(entry.actor)).end.remote(call_sid, reason))
        except Exception:  # noqa: BLE001 - gone with its actor
            return False

    async def drain_node(self, node_id: str) -> dict[str, Any]:
        return await self.supervisor.drain_node.remote(node_id)  # type: ignore[no-any-return]

    async def pool_status(self) -> dict[str, Any]:
        return await self.supervisor.status.remote()  # type: ignore[no-any-return]
