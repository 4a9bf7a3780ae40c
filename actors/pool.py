"""The pool supervisor: one detached Ray actor per deployment that keeps session actors.

Session actors are detached and named, so they belong to no gateway: a gateway that dies loses
only the websockets it carried. The supervisor starts actors where the plan says (one shared
actor per call node at least, more for the warm slots, one per CPU at most), records them in
Redis (``voxray.live_calls``), watches each with a call that only returns when it dies, ends the
calls of a dead actor or node with a recorded reason, retires idle actors, asks the Ray
autoscaler for capacity, and sweeps call entries whose actor no longer has them. If the
supervisor itself restarts it finds its actors again by name from Redis.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import ray
import structlog
from ray.exceptions import ActorDiedError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from actors import metrics as actor_metrics
from actors.pool_policy import PoolTargets, node_layout, plan, wanted_bundles
from actors.session_actor import SessionActor, SessionActorConfig
from voxray.live_calls import DEDICATED, SHARED, LiveCalls
from voxray.logging import configure_logging
from voxray.records import CallStatus, utcnow
from voxray.store import Store

log = structlog.get_logger("voxray.pool")

RECONCILE_S = 1.0
SWEEP_S = 10.0
NODES_TTL_S = 5.0  # ray.nodes() is a GCS round trip; deaths refresh it at once
ORPHAN_AFTER_S = 30.0  # an admitted call its actor never heard of (the gateway died mid-setup)
START_CONCURRENCY = 2
READY_TIMEOUT_S = 60.0  # worker start-up is CPU heavy: never stampede a node


@dataclass(frozen=True)
class PoolConfig:
    redis_url: str
    prefix: str
    namespace: str
    bind_host: str
    targets: PoolTargets
    actor_cpus: float = 0.01
    call_resource: str = ""  # nodes advertising it host calls ("" = every node)
    log_level: str = "info"
    model_api_key: str | None = None
    model_websocket_base_url: str | None = None
    idle_retire_s: float = 60.0
    hot_lag_ms: float = 25.0
    hot_cpu: float = 0.85
    media_link_key: str | None = None


def supervisor_name(prefix: str) -> str:
    return f"voxray-pool-{prefix}"


def lost_reason(exc: BaseException) -> str:
    """Why an actor's calls ended: its node went away, or only its process did."""
    return "node_lost" if "node has died" in str(exc) or "node_died" in str(exc) else "session_actor_died"


async def node_alive(node_id: str, timeout_s: float = 1.0) -> bool:
    """Ray still lists the node as alive and its raylet accepts a connection."""
    node = next((n for n in ray.nodes() if n["NodeID"] == node_id), None)
    if node is None or not node.get("Alive"):
        return False
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(node["NodeManagerAddress"], int(node["NodeManagerPort"])), timeout_s)
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    return True


async def finalize_lost(store: Store, tenant_id: str, call_sid: str, reason: str) -> bool:
    """Record the end of a call whose actor is gone (transcript segments so far stay as written)."""
    record = await store.get_call(tenant_id, call_sid)
    if record is None or record.ended_at is not None:
        return False
    ended = utcnow()
    duration = (ended - record.started_at).total_seconds() if record.started_at else None
    await store.update_call(tenant_id, call_sid, status=CallStatus.FAILED, ended_at=ended, end_reason=reason,
                            duration_s=duration)
    log.warning("call_lost", call_sid=call_sid, tenant=tenant_id, reason=reason)
    return True


@dataclass
class _Member:
    handle: Any
    node: str
    kind: str
    watch: asyncio.Task[None] | None = None
    idle_since: float | None = None


@dataclass
class _State:
    members: dict[str, _Member] = field(default_factory=dict)
    retiring: set[str] = field(default_factory=set)
    drained_nodes: set[str] = field(default_factory=set)
    starting: int = 0
    last_bundles: int = -1
    lost_calls: int = 0


class PoolSupervisor:
    def __init__(self, config: PoolConfig) -> None:
        configure_logging(config.log_level)
        self.config = config
        self.store = Store.from_url(config.redis_url, config.prefix)
        self.live = LiveCalls(self.store.redis, config.prefix)
        self.state = _State()
        self._loops: list[asyncio.Task[None]] = []
        self._start_gate = asyncio.Semaphore(START_CONCURRENCY)
        self._reconciling = asyncio.Lock()
        self._booting = asyncio.Lock()
        self._nodes: tuple[float, list[dict[str, Any]]] | None = None

    # ---- public (Ray) -------------------------------------------------------------------------

    async def ensure_warm(self, timeout_s: float = 120.0) -> dict[str, Any]:
        """Start the loops if needed and wait until the plan has nothing left to start."""
        await self._boot()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pending = await self._reconcile()
            if not pending and not self.state.starting:
                break
            await asyncio.sleep(0.1)
        return await self.status()

    async def ping(self) -> bool:
        await self._boot()
        return True

    async def status(self) -> dict[str, Any]:
        await self._boot()
        slots = await self.live.actors()
        return {"actors": [s.__dict__ for s in slots], "starting": self.state.starting,
                "drained_nodes": sorted(self.state.drained_nodes), "lost_calls": self.state.lost_calls,
                "free_slots": sum(s.free for s in slots if s.kind == SHARED and s.capacity > 0)}

    async def spawn_dedicated(self) -> None:
        """A dedicated tenant found no process: start one now (its own, reused afterwards)."""
        await self._boot()
        nodes = self._call_nodes()
        if nodes:
            counts: dict[str, int] = {}
            for m in self.state.members.values():
                counts[m.node] = counts.get(m.node, 0) + 1
            await self._start(min(nodes, key=lambda n: (counts.get(n, 0) / max(nodes[n], 1.0), n)), DEDICATED)

    async def drain_node(self, node_id: str, deadline_s: float = 600.0) -> dict[str, Any]:
        """No new calls on the node; its actors leave once their calls end, then Ray drains it."""
        await self._boot()
        self.state.drained_nodes.add(node_id)
        await self.live.mark_drained(node_id)  # survives a supervisor restart
        for name, m in list(self.state.members.items()):
            if m.node == node_id:
                await self.live.set_capacity(name, 0)
                self.state.retiring.add(name)
        try:  # Ray's own drain (private API in 2.60): cordons the node, which exits once idle
            from ray.core.generated import autoscaler_pb2

            gcs = ray._raylet.GcsClient(address=ray.get_runtime_context().gcs_address)  # type: ignore[attr-defined]
            reason = autoscaler_pb2.DrainNodeReason.Value("DRAIN_NODE_REASON_PREEMPTION")  # type: ignore[attr-defined]
            accepted = await asyncio.to_thread(gcs.drain_node, node_id, reason,
                                      "voxray drain", int((time.time() + deadline_s) * 1000))
        except Exception as exc:  # noqa: BLE001 - our own cordon above already holds
            log.warning("ray_drain_failed", node=node_id, error=str(exc)[:200])
            accepted = None
        await self._reconcile()
        return {"node": node_id, "ray_drain": str(accepted)}

    async def shutdown(self) -> None:
        """Kill every session actor of this pool (the deployment is stopping)."""
        for task in self._loops:
            task.cancel()
        for name, m in list(self.state.members.items()):
            await self._kill(name, m)
        await self.store.close()

    # ---- loops ----------------------------------------------------------------------------------

    async def _boot(self) -> None:
        """Start the loops once; after a Ray restart the first gateway ping does it (gateways ping
        every few seconds). Adoption comes first, so no round plans without the adopted actors."""
        async with self._booting:
            if self._loops:
                return
            await self._adopt()  # raises on a Redis blip: the next ping tries again
            self.state.drained_nodes |= await self.live.drained_nodes()
            self._loops = [asyncio.create_task(self._every(RECONCILE_S, self._reconcile)),
                           asyncio.create_task(self._every(SWEEP_S, self.sweep))]

    async def _every(self, period_s: float, fn: Any) -> None:
        while True:
            await asyncio.sleep(period_s)
            try:
                await fn()
            except Exception:  # noqa: BLE001 - a failed round is retried on the next tick
                log.exception("pool_loop_failed", loop=getattr(fn, "__name__", "?"))

    async def _adopt(self) -> None:
        """After a restart: take over the actors Redis lists, end the calls of those that are gone."""
        for slot in await self.live.actors():
            if slot.name in self.state.members:
                continue
            try:
                handle = ray.get_actor(slot.name, namespace=self.config.namespace)
            except ValueError:
                await self._forget(slot.name, "session_actor_died")
                continue
            self._watch(slot.name, _Member(handle, slot.node, slot.kind))

    def _watch(self, name: str, member: _Member) -> None:
        self.state.members[name] = member
        member.watch = asyncio.create_task(self._await_death(name, member))

    async def _await_death(self, name: str, member: _Member) -> None:
        delay = 0.2
        while True:
            try:
                await member.handle.watch.remote()
                reason = "session_actor_died"
                break
            except ActorDiedError as exc:
                reason = lost_reason(exc)
                break
            except asyncio.CancelledError:
                return
            except Exception as exc:  # noqa: BLE001 - unavailable for now (network, restart): watch again
                if not await node_alive(member.node):
                    reason = "node_lost"
                    break
                log.warning("session_actor_unavailable", actor=name, error=type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        if reason != "node_lost" and not await node_alive(member.node):
            # A killed node's workers die before Ray's health checks declare the node dead
            # (seconds later): its raylet no longer answering says so at once.
            reason = "node_lost"
        if self.state.members.get(name) is member:
            await self._forget(name, reason)

    async def _forget(self, name: str, reason: str) -> int:
        """Take a gone actor out of the pool and end its calls (returns how many records it ended).
        Redis first: if that fails the member stays, with its watch over, and the sweep finds it
        and tries again."""
        lost = await self.live.drop_actor(name)
        self.state.members.pop(name, None)
        self._nodes = None  # a node may be gone with it
        retired = name in self.state.retiring
        self.state.retiring.discard(name)
        ended = 0
        for sid, tenant in lost:
            try:
                ended += await finalize_lost(self.store, tenant, sid, reason)
            except Exception:  # noqa: BLE001 - the slot is back; the record stays as it was
                log.exception("lost_call_record_failed", call_sid=sid, actor=name)
        self.state.lost_calls += ended
        if not retired:
            log.warning("session_actor_lost", actor=name, reason=reason)
        return ended

    async def _forget_unwatched(self, listed: set[str]) -> int:
        """Actors Redis lists that nobody watches (a failed ``_forget``, a kill): gone ones leave."""
        ended = 0
        for name in listed:
            member = self.state.members.get(name)
            if member is not None and (member.watch is None or not member.watch.done()):
                continue
            try:
                ray.get_actor(name, namespace=self.config.namespace)
            except ValueError:
                ended += await self._forget(name, "session_actor_died")
                continue
            if member is not None and name not in self.state.retiring:  # alive, its watch ended on an error
                self._watch(name, member)
        return ended

    def _call_nodes(self) -> dict[str, float]:
        now = time.monotonic()
        if self._nodes is None or now - self._nodes[0] > NODES_TTL_S:
            self._nodes = (now, ray.nodes())
        res = self.config.call_resource
        out: dict[str, float] = {}
        for n in self._nodes[1]:
            if not n.get("Alive") or n["NodeID"] in self.state.drained_nodes:
                continue
            resources = n.get("Resources", {})
            if res and res not in resources:
                continue
            out[n["NodeID"]] = float(resources.get("CPU", 1.0))
        return out

    async def _reconcile(self) -> bool:
        """One round of the plan; True if something is still starting or was started."""
        async with self._reconciling:
            slots = await self.live.actors()
            now = time.monotonic()
            idle: set[str] = set()
            for s in slots:
                m = self.state.members.get(s.name)
                if m is None:
                    continue
                if s.live:
                    m.idle_since = None
                else:
                    m.idle_since = m.idle_since or now
                    if now - m.idle_since >= self.config.idle_retire_s:
                        idle.add(s.name)
            known = [s for s in slots if s.name in self.state.members]
            nodes = self._call_nodes()
            todo = plan(known, nodes, self.config.targets, idle) if not self.state.starting else None
            if todo is not None:
                for node in todo.add_shared:
                    self._spawn(node, SHARED)
                for node in todo.add_dedicated:
                    self._spawn(node, DEDICATED)
                for name in todo.retire:
                    await self.live.set_capacity(name, 0)
                    self.state.retiring.add(name)
            # Actors told to stop taking calls (retired, drained, dedicated ones done) leave when idle.
            for s in slots:
                if s.capacity == 0 and s.live == 0 and s.name in self.state.members:
                    self.state.retiring.add(s.name)
                    await self._kill(s.name, self.state.members[s.name])
            await self._ask_autoscaler(sum(s.live for s in slots))
            for node in nodes:
                mine = [s for s in known if s.node == node and s.kind == SHARED and s.capacity > 0]
                actor_metrics.pool_size(node[:12], sum(s.free for s in mine), len(mine))
            return bool(self.state.starting or (todo and (todo.add_shared or todo.add_dedicated)))

    def _spawn(self, node: str, kind: str) -> None:
        self.state.starting += 1
        task = asyncio.create_task(self._start_counted(node, kind))
        self._loops.append(task)
        task.add_done_callback(self._loops.remove)

    async def _start_counted(self, node: str, kind: str) -> None:
        try:
            await self._start(node, kind)
        except Exception:  # noqa: BLE001 - the next reconcile tries again
            log.exception("session_actor_start_failed", node=node, kind=kind)
        finally:
            self.state.starting -= 1

    async def _start(self, node: str, kind: str) -> None:
        cfg, targets = self.config, self.config.targets
        name = f"vx-{cfg.prefix}-{kind[0]}-{secrets.token_hex(5)}"
        capacity = node_layout(self._call_nodes().get(node, 1.0), targets).actor_calls if kind == SHARED else 1
        actor_cfg = SessionActorConfig(
            name=name, kind=kind, capacity=capacity, bind_host=cfg.bind_host, log_level=cfg.log_level,
            redis_url=cfg.redis_url, prefix=cfg.prefix, model_api_key=cfg.model_api_key,
            model_websocket_base_url=cfg.model_websocket_base_url, dedicated_max_calls=targets.dedicated_max_calls,
            hot_lag_ms=cfg.hot_lag_ms, hot_cpu=cfg.hot_cpu, media_link_key=cfg.media_link_key)
        options: dict[str, Any] = dict(
            name=name, namespace=cfg.namespace, lifetime="detached", num_cpus=cfg.actor_cpus, max_restarts=0,
            max_concurrency=1000, scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False))
        if cfg.call_resource:
            options["resources"] = {cfg.call_resource: 0.001}
        async with self._start_gate:
            handle: Any = ray.remote(SessionActor).options(**options).remote(actor_cfg)
            try:
                host, port, actual_node = await asyncio.wait_for(handle.ready.remote(), READY_TIMEOUT_S)
            except BaseException:  # never started (no room on the node, a bad image): don't wait forever
                ray.kill(handle, no_restart=True)
                raise
        drained = actual_node in self.state.drained_nodes  # a drain that came while it started
        try:
            await self.live.register_actor(name, capacity=0 if drained else capacity, kind=kind, host=host,
                                           port=port, node=actual_node)
        except BaseException:  # unlisted, nobody would ever find (or stop) it
            ray.kill(handle, no_restart=True)
            raise
        self._watch(name, _Member(handle, actual_node, kind))
        if not drained and actual_node in self.state.drained_nodes:  # a drain during the registration
            await self.live.set_capacity(name, 0)
            self.state.retiring.add(name)
        log.info("session_actor_started", actor=name, node=actual_node[:12], kind=kind, capacity=capacity)

    async def _kill(self, name: str, member: _Member) -> None:
        self.state.retiring.add(name)
        if member.watch is not None:
            member.watch.cancel()
        try:  # first: should Redis fail below, the sweep finds an unwatched, gone actor to forget
            ray.kill(member.handle, no_restart=True)
        except Exception:  # noqa: BLE001 - already gone
            pass
        await self._forget(name, "retired")

    async def _ask_autoscaler(self, live: int) -> None:
        if not self.config.call_resource:
            return
        bundles = wanted_bundles(self.config.targets, live, self.config.call_resource)
        if len(bundles) == self.state.last_bundles:
            return
        try:
            from ray.autoscaler.sdk import request_resources

            await asyncio.to_thread(request_resources, bundles=bundles)
            self.state.last_bundles = len(bundles)  # a failed request is made again next round
        except Exception as exc:  # noqa: BLE001 - no autoscaler (a fixed cluster): nothing to ask
            log.debug("request_resources_failed", error=str(exc)[:200])

    async def sweep(self) -> int:
        """End calls whose actor is gone or never heard of them (after any crash); returns how many."""
        entries = await self.live.entries()
        names = {s.name for s in await self.live.actors()}
        forgotten = await self._forget_unwatched(names)
        ended = 0
        by_actor: dict[str, list[Any]] = {}
        for e in entries:
            if e.actor not in names:
                await self.live.release(e.call_sid, e.tenant_id, e.actor)
                ended += await finalize_lost(self.store, e.tenant_id, e.call_sid, "session_actor_died")
            elif time.time() - e.admitted_at > ORPHAN_AFTER_S:
                by_actor.setdefault(e.actor, []).append(e)
        for name, stale in by_actor.items():
            member = self.state.members.get(name)
            if member is None:
                continue
            try:
                known = set(await asyncio.wait_for(member.handle.sessions.remote(), 5))
            except Exception:  # noqa: BLE001 - its watch reports a death; a slow actor waits a round
                continue
            for e in stale:
                if e.call_sid not in known:
                    await self.live.release(e.call_sid, e.tenant_id, e.actor)
                    ended += await finalize_lost(self.store, e.tenant_id, e.call_sid, "session_lost")
        self.state.lost_calls += ended
        return ended + forgotten


def pool_config(settings: Any, redis_url: str, model_websocket_base_url: str | None) -> PoolConfig:
    """The pool as the settings describe it (every gateway of a deployment computes the same)."""
    targets = PoolTargets(warm_slots=settings.warm_pool_size, calls_per_core=settings.calls_per_core,
                          calls_per_actor=settings.calls_per_actor,
                          dedicated_warm=settings.dedicated_warm, dedicated_max_calls=settings.dedicated_max_calls)
    return PoolConfig(redis_url=redis_url, prefix=settings.key_prefix, namespace=settings.ray_namespace,
                      bind_host=settings.media_bind_host, targets=targets, actor_cpus=settings.actor_cpus,
                      call_resource=settings.call_node_resource, log_level=settings.log_level,
                      model_api_key=settings.openai_api_key.get_secret_value(),
                      model_websocket_base_url=model_websocket_base_url, idle_retire_s=settings.pool_idle_retire_s,
                      hot_lag_ms=settings.headroom_lag_ms, hot_cpu=settings.headroom_cpu,
                      media_link_key=settings.media_link_key.get_secret_value() if settings.media_link_key else None)
