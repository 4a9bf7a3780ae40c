"""The one place that talks to Ray about governance: the named, detached governance actor.

``GovernanceClient.connect`` gets or creates the actor (one per key prefix, so deployments and
test sessions sharing a cluster keep apart). Its methods are plain async calls that raise the
original ``GovernanceError`` types. A dead actor is recreated (it reloads its state from Redis)
and the call retried, so a caller sees at most a short delay. ``decide_call`` routes a new call
from the gateway's cache without a cross-node call while nothing changed.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, AsyncIterator, Callable, Literal

import ray
import redis.asyncio as aioredis
import structlog
from ray.exceptions import RayActorError, RayTaskError

from governance.actor import GovernanceActor
from governance.agent_config import agent_config
from governance.errors import CarriedError, GovernanceUnavailable
from governance.models import (AgentSpec, AgentVersion, KillSwitch, LaunchChecklist, PhoneRoute, RolloutPolicy,
                               SweepReport)
from governance.routing import CallRouting, RouteCache, RoutingSnapshot
from governance.store import AuditEntry, GovernanceStore
from voxray.redis_client import resilient

__all__ = ["ACTOR_NAME", "CallRouting", "GovernanceClient", "actor_name", "agent_config"]

log = structlog.get_logger("voxray.governance")

ACTOR_NAME = "voxray-governance"
ATTEMPTS = 3  # a dead actor is recreated between attempts
CALL_TIMEOUT_S = 10.0  # an actor being rescheduled must not hold a request (or call setup) forever
Mode = Literal["stable", "fallback"]


def actor_name(prefix: str) -> str:
    return f"{ACTOR_NAME}-{prefix}"


class GovernanceClient:
    def __init__(self, make_handle: Callable[[], Any], redis: aioredis.Redis, prefix: str) -> None:
        self._make_handle = make_handle
        self._handle: Any = None
        self._reconnecting = asyncio.Lock()
        self._redis = redis
        self.store = GovernanceStore(redis, prefix)  # the audit log is read straight from Redis
        self.routes = RouteCache(redis, self.store.generation_key, self.snapshot_routes)

    @classmethod
    async def connect(cls, redis_url: str, prefix: str, namespace: str | None = None, *, num_cpus: float = 0.01,
                      control_resource: str = "",
                      audit_max_entries: int = 1_000_000) -> GovernanceClient:
        """Get or create the actor and wait until it has loaded its state."""
        options: dict[str, Any] = dict(name=actor_name(prefix), lifetime="detached", get_if_exists=True,
                                       num_cpus=num_cpus, max_restarts=-1)
        if control_resource:  # the head's control resource: never a call node
            options["resources"] = {control_resource: 0.001}
        if namespace is not None:
            options["namespace"] = namespace
        remote = ray.remote(GovernanceActor).options(**options)

        def make_handle() -> Any:
            return remote.remote(redis_url, prefix, audit_max_entries)  # type: ignore[attr-defined]

        client = cls(make_handle, resilient(redis_url), prefix)  # rides out a Redis restart
        await client.ping()
        return client

    async def close(self) -> None:
        """Closes this client's connections; the detached actor lives on."""
        await self._redis.aclose()

    async def _reconnect(self, dead: Any) -> Any:
        async with self._reconnecting:
            if self._handle is dead:  # not already replaced by a concurrent caller
                self._handle = await asyncio.to_thread(self._make_handle)
            return self._handle

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        failure: Exception | None = None
        for attempt in range(ATTEMPTS):
            handle = self._handle if self._handle is not None else await self._reconnect(None)
            try:
                return await asyncio.wait_for(getattr(handle, method).remote(*args, **kwargs), CALL_TIMEOUT_S)
            except TimeoutError:
                # Not retried: the call may still run, and a change must not be applied twice.
                raise GovernanceUnavailable(f"the governance actor did not answer {method} in time") from None
            except RayTaskError as exc:
                if isinstance(exc.cause, CarriedError):
                    raise exc.cause.restore() from None
                raise
            except RayActorError as exc:  # died (killed, node lost) or restarting
                log.warning("governance_actor_unreachable", method=method, attempt=attempt, error=type(exc).__name__)
                failure = exc
                await asyncio.sleep(0.1 * attempt)
                await self._reconnect(handle)
        raise GovernanceUnavailable(f"the governance actor did not answer {method}") from failure

    # ---- routing (call setup)
    async def decide_call(self, number: str, caller: str, generation: int | None = None) -> CallRouting | None:
        """Where a new call to ``number`` from ``caller`` goes; None when the number has no route.
        ``generation``: the routes' generation when the caller read it already (a batch)."""
        return await self.routes.decide(number, caller, generation)

    async def snapshot_routes(self) -> RoutingSnapshot:
        return await self._call("snapshot_routes")

    async def ping(self) -> int:
        return await self._call("ping")

    # ---- versions and checklists
    async def create_version(self, tenant_id: str, agent: str, spec: AgentSpec, *, actor: str) -> AgentVersion:
        return await self._call("create_version", tenant_id, agent, spec, actor=actor)

    async def get_version(self, tenant_id: str, agent: str, number: int) -> AgentVersion:
        return await self._call("get_version", tenant_id, agent, number)

    async def list_versions(self, tenant_id: str, agent: str | None = None) -> list[AgentVersion]:
        return await self._call("list_versions", tenant_id, agent)

    async def edit_version(self, tenant_id: str, agent: str, number: int, spec: AgentSpec, *,
                           actor: str) -> AgentVersion:
        return await self._call("edit_version", tenant_id, agent, number, spec, actor=actor)

    async def stage_version(self, tenant_id: str, agent: str, number: int, *, actor: str) -> AgentVersion:
        return await self._call("stage_version", tenant_id, agent, number, actor=actor)

    async def approve_version(self, tenant_id: str, agent: str, number: int, *, actor: str) -> AgentVersion:
        return await self._call("approve_version", tenant_id, agent, number, actor=actor)

    async def reject_version(self, tenant_id: str, agent: str, number: int, *, actor: str,
                             reason: str) -> AgentVersion:
        return await self._call("reject_version", tenant_id, agent, number, actor=actor, reason=reason)

    async def retire_version(self, tenant_id: str, agent: str, number: int, *, actor: str,
                             reason: str | None = None) -> AgentVersion:
        return await self._call("retire_version", tenant_id, agent, number, actor=actor, reason=reason)

    async def get_checklist(self, tenant_id: str, agent: str, number: int) -> LaunchChecklist:
        return await self._call("get_checklist", tenant_id, agent, number)

    async def complete_checklist_item(self, tenant_id: str, agent: str, number: int, key: str, *, actor: str,
                                      note: str | None = None) -> LaunchChecklist:
        return await self._call("complete_checklist_item", tenant_id, agent, number, key, actor=actor, note=note)

    async def reopen_checklist_item(self, tenant_id: str, agent: str, number: int, key: str, *,
                                    actor: str) -> LaunchChecklist:
        return await self._call("reopen_checklist_item", tenant_id, agent, number, key, actor=actor)

    # ---- rollout policies
    async def put_policy(self, tenant_id: str, name: str, policy: RolloutPolicy, *, actor: str) -> RolloutPolicy:
        return await self._call("put_policy", tenant_id, name, policy, actor=actor)

    async def get_policy(self, tenant_id: str, name: str) -> RolloutPolicy:
        return await self._call("get_policy", tenant_id, name)

    async def list_policies(self, tenant_id: str) -> list[tuple[str, RolloutPolicy]]:
        return await self._call("list_policies", tenant_id)

    async def delete_policy(self, tenant_id: str, name: str, *, actor: str) -> None:
        await self._call("delete_policy", tenant_id, name, actor=actor)

    # ---- phone routes, rollouts, kill switches
    async def put_route(self, number: str, tenant_id: str, agent: str, version: int, *, actor: str) -> PhoneRoute:
        return await self._call("put_route", number, tenant_id, agent, version, actor=actor)

    async def get_route(self, number: str) -> PhoneRoute:
        return await self._call("get_route", number)

    async def list_routes(self, tenant_id: str | None = None) -> list[PhoneRoute]:
        return await self._call("list_routes", tenant_id)

    async def delete_route(self, number: str, *, actor: str) -> None:
        await self._call("delete_route", number, actor=actor)

    async def start_rollout(self, number: str, version: int, policy_name: str | None, *, actor: str) -> PhoneRoute:
        return await self._call("start_rollout", number, version, policy_name, actor=actor)

    async def pause_rollout(self, number: str, *, actor: str, reason: str | None = None) -> PhoneRoute:
        return await self._call("pause_rollout", number, actor=actor, reason=reason)

    async def resume_rollout(self, number: str, *, actor: str) -> PhoneRoute:
        return await self._call("resume_rollout", number, actor=actor)

    async def abort_rollout(self, number: str, *, actor: str, reason: str) -> PhoneRoute:
        return await self._call("abort_rollout", number, actor=actor, reason=reason)

    async def engage_route_kill_switch(self, number: str, *, mode: Mode, reason: str, actor: str) -> PhoneRoute:
        return await self._call("engage_route_kill_switch", number, mode=mode, reason=reason, actor=actor)

    async def release_route_kill_switch(self, number: str, *, actor: str) -> PhoneRoute:
        return await self._call("release_route_kill_switch", number, actor=actor)

    async def tenant_kill_switch(self, tenant_id: str) -> KillSwitch | None:
        return await self._call("tenant_kill_switch", tenant_id)

    async def engage_tenant_kill_switch(self, tenant_id: str, *, mode: Mode, reason: str, actor: str) -> KillSwitch:
        return await self._call("engage_tenant_kill_switch", tenant_id, mode=mode, reason=reason, actor=actor)

    async def release_tenant_kill_switch(self, tenant_id: str, *, actor: str) -> bool:
        return await self._call("release_tenant_kill_switch", tenant_id, actor=actor)

    # ---- sweep and audit
    async def sweep(self, *, dry_run: bool, now: datetime, tenant_id: str | None = None) -> list[SweepReport]:
        return await self._call("sweep", dry_run=dry_run, now=now, tenant_id=tenant_id)

    def audit_log(self, *, before: str | None = None, since: datetime | None = None,
                  until: datetime | None = None) -> AsyncIterator[AuditEntry]:
        """Audit entries newest first (read from Redis; the log is append-only, no actor needed)."""
        return self.store.audit(before=before, since=since, until=until)
