"""The governance actor: holds launch state, serializes changes, persists each with its audit entry.

A thin shell around ``governance.policy`` (``governance.client`` runs it as a named, detached
Ray actor). It loads the state from Redis on first use, applies the pure rules under one lock,
commits the new records and their audit entries in one MULTI (bumping the generation), and only
then updates what it holds; so a restarted actor reloads exactly what was committed. The
generation also fences commits: an actor whose picture is older than Redis (another writer got
there first) reloads and redoes the change instead of overwriting.

Errors leave as ``CarriedError`` (Ray cannot pickle every ``GovernanceError``); the client
restores the original type.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any, Literal, ParamSpec, TypeVar

import redis.asyncio as aioredis
import structlog
from pydantic import ValidationError

from governance import policy as gp
from governance.errors import CarriedError, InvalidRecord, PolicyNotFound, RouteNotFound, VersionInUse, VersionNotFound
from governance.metrics import collect
from governance.models import (AgentSpec, AgentVersion, KillSwitch, LaunchChecklist, PhoneRoute, RolloutPolicy,
                               SweepAction, SweepDecision, SweepReport, VersionAction)
from governance.routing import RoutingSnapshot
from governance.store import Audit, Change, GovernanceState, GovernanceStore, StaleGeneration
from voxray import events
from voxray.redis_client import resilient
from voxray.store import Store

log = structlog.get_logger("voxray.governance")

P = ParamSpec("P")
R = TypeVar("R")
Mode = Literal["stable", "fallback"]

_LIFECYCLE: dict[VersionAction, Callable[..., AgentVersion]] = {
    VersionAction.GO_LIVE: gp.go_live, VersionAction.WITHDRAW: gp.withdraw, VersionAction.RETIRE: gp.retire}
_EVENTS = {SweepAction.PROMOTE: events.EventType.ROLLOUT_PROMOTED,
           SweepAction.COMPLETE: events.EventType.ROLLOUT_PROMOTED,
           SweepAction.HOLD: events.EventType.ROLLOUT_HELD,
           SweepAction.ROLLBACK: events.EventType.ROLLOUT_ROLLED_BACK}


def _carried(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Errors leave as ``CarriedError``; a change made on a stale picture is redone on a fresh one."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            try:
                return await method(*args, **kwargs)
            except StaleGeneration:
                log.warning("governance_state_reloaded", method=method.__name__)
                return await method(*args, **kwargs)  # _commit dropped the stale state: this reloads
        except gp.GovernanceError as exc:
            raise CarriedError.of(exc) from None
        except ValidationError as exc:
            raise CarriedError.of(InvalidRecord(str(exc))) from None

    return wrapper


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _uses(route: PhoneRoute | None) -> set[int]:
    """The versions a route sends calls to."""
    if route is None:
        return set()
    return {route.stable_version} | ({route.canary.version} if route.canary else set())


def _version_subject(tenant_id: str, agent: str, number: int) -> str:
    return f"version:{tenant_id}/{agent}/{number}"


def _spec_summary(spec: AgentSpec) -> dict[str, Any]:
    digest = hashlib.sha256(spec.model_dump_json().encode()).hexdigest()
    return {"spec_sha256": digest, "prompt_key": spec.prompt_key, "model": spec.model, "voice": spec.voice,
            "tools": [t["name"] for t in spec.tools]}


def _window(route: PhoneRoute) -> tuple[str, int, datetime] | None:
    c = route.canary
    return (c.rollout_id, c.step_index, c.step_started_at) if c else None


class GovernanceActor:
    def __init__(self, redis_url: str, prefix: str, audit_max_entries: int = 1_000_000) -> None:
        self._redis = resilient(redis_url)  # rides out a Redis restart (voxray/redis_client.py)
        self._prefix = prefix
        self._store = GovernanceStore(self._redis, prefix, audit_max_entries)
        self._calls = Store(self._redis, prefix)
        self._lock = asyncio.Lock()  # every change holds it from reading the state to committing
        self._loading = asyncio.Lock()
        self._sweeping = asyncio.Lock()
        self._state: GovernanceState | None = None

    # ---- state, commits, audit
    async def _loaded(self) -> GovernanceState:
        if self._state is None:
            async with self._loading:
                if self._state is None:
                    self._state = await self._store.load()
        return self._state

    @asynccontextmanager
    async def _changing(self) -> AsyncIterator[GovernanceState]:
        state = await self._loaded()
        async with self._lock:
            yield state

    async def _commit(self, state: GovernanceState, change: Change) -> None:
        try:
            generation = await self._store.commit(change, state.generation)
        except StaleGeneration:
            if self._state is state:
                self._state = None
            raise
        if generation is not None:
            state.apply(change, generation)

    @staticmethod
    def _audit(at: datetime, actor: str, action: str, subject: str, tenant_id: str | None,
               **details: Any) -> Audit:
        return Audit(at=at, actor=actor, action=action, tenant_id=tenant_id, subject=subject, details=details)

    def _version_audit(self, at: datetime, actor: str, action: str, v: AgentVersion, **details: Any) -> Audit:
        return self._audit(at, actor, action, _version_subject(v.tenant_id, v.agent, v.number), v.tenant_id,
                           state=v.state.value, **details)

    def _route_audit(self, at: datetime, actor: str, action: str, route: PhoneRoute, **details: Any) -> Audit:
        return self._audit(at, actor, action, f"route:{route.number}", route.tenant_id, agent=route.agent,
                           stable_version=route.stable_version, **details)

    # ---- lookups
    @staticmethod
    def _version(state: GovernanceState, tenant_id: str, agent: str, number: int) -> AgentVersion:
        version = state.versions.get((tenant_id, agent, number))
        if version is None:
            raise VersionNotFound(f"no version {number} of agent {agent!r} for tenant {tenant_id!r}")
        return version

    @staticmethod
    def _route(state: GovernanceState, number: str) -> PhoneRoute:
        route = state.routes.get(number)
        if route is None:
            raise RouteNotFound(f"no phone route for {number}")
        return route

    # ---- version lifecycle follows traffic
    def _follow_traffic(self, state: GovernanceState, before: PhoneRoute | None, after: PhoneRoute | None, *,
                        completed: bool, actor: str, now: datetime) -> tuple[list[AgentVersion], list[Audit]]:
        """Versions that start taking calls go live; those that stop on every route are withdrawn,
        or retired when a completed rollout replaced them."""
        route = after or before
        assert route is not None
        elsewhere: set[int] = set()
        for number, other in state.routes.items():
            if number != route.number and (other.tenant_id, other.agent) == (route.tenant_id, route.agent):
                elsewhere |= _uses(other)
        stop = VersionAction.RETIRE if completed else VersionAction.WITHDRAW
        moves = [(n, VersionAction.GO_LIVE) for n in sorted(_uses(after) - _uses(before))]
        moves += [(n, stop) for n in sorted(_uses(before) - _uses(after) - elsewhere)]
        versions, audit = [], []
        for n, action in moves:
            v = state.versions.get((route.tenant_id, route.agent, n))
            if v is None or (v.state, action) not in gp.VERSION_TRANSITIONS:
                continue
            moved = _LIFECYCLE[action](v, actor=actor, now=now)
            versions.append(moved)
            audit.append(self._version_audit(now, actor, f"version.{action.value}", moved, route=route.number))
        return versions, audit

    async def _move_route(self, state: GovernanceState, before: PhoneRoute, after: PhoneRoute, audit: Audit, *,
                          actor: str, now: datetime, completed: bool = False) -> PhoneRoute:
        versions, lifecycle = self._follow_traffic(state, before, after, completed=completed, actor=actor, now=now)
        await self._commit(state, Change(routes=[after], versions=versions, audit=[audit, *lifecycle]))
        return after

    # ---- versions
    @_carried
    async def ping(self) -> int:
        return (await self._loaded()).generation

    @_carried
    async def create_version(self, tenant_id: str, agent: str, spec: AgentSpec, *, actor: str) -> AgentVersion:
        async with self._changing() as state:
            number = 1 + max((n for (t, a, n) in state.versions if (t, a) == (tenant_id, agent)), default=0)
            now = _now()
            version = gp.new_version(tenant_id=tenant_id, agent=agent, number=number, spec=spec, author=actor, now=now)
            audit = self._version_audit(now, actor, "version.create", version, **_spec_summary(spec))
            await self._commit(state, Change(versions=[version], checklists=[gp.default_checklist(version)],
                                             audit=[audit]))
            return version

    @_carried
    async def get_version(self, tenant_id: str, agent: str, number: int) -> AgentVersion:
        return self._version(await self._loaded(), tenant_id, agent, number)

    @_carried
    async def list_versions(self, tenant_id: str, agent: str | None = None) -> list[AgentVersion]:
        state = await self._loaded()
        return [v for k, v in sorted(state.versions.items()) if k[0] == tenant_id and agent in (None, k[1])]

    async def _version_step(self, tenant_id: str, agent: str, number: int, action: str, actor: str,
                            step: Callable[[GovernanceState, AgentVersion, datetime], AgentVersion],
                            **details: Any) -> AgentVersion:
        async with self._changing() as state:
            now = _now()
            version = step(state, self._version(state, tenant_id, agent, number), now)
            audit = self._version_audit(now, actor, action, version, **details)
            await self._commit(state, Change(versions=[version], audit=[audit]))
            return version

    @_carried
    async def edit_version(self, tenant_id: str, agent: str, number: int, spec: AgentSpec, *,
                           actor: str) -> AgentVersion:
        return await self._version_step(tenant_id, agent, number, "version.edit", actor,
                                        lambda s, v, now: gp.edit_version(v, spec, actor=actor, now=now),
                                        **_spec_summary(spec))

    @_carried
    async def stage_version(self, tenant_id: str, agent: str, number: int, *, actor: str) -> AgentVersion:
        return await self._version_step(tenant_id, agent, number, "version.stage", actor,
                                        lambda s, v, now: gp.stage(v, actor=actor, now=now))

    @_carried
    async def approve_version(self, tenant_id: str, agent: str, number: int, *, actor: str) -> AgentVersion:
        def approve(state: GovernanceState, v: AgentVersion, now: datetime) -> AgentVersion:
            checklist = state.checklists.get((tenant_id, agent, number)) or gp.default_checklist(v)
            return gp.approve(v, approver=actor, checklist=checklist, now=now)

        return await self._version_step(tenant_id, agent, number, "version.approve", actor, approve)

    @_carried
    async def reject_version(self, tenant_id: str, agent: str, number: int, *, actor: str,
                             reason: str) -> AgentVersion:
        return await self._version_step(tenant_id, agent, number, "version.reject", actor,
                                        lambda s, v, now: gp.reject(v, actor=actor, reason=reason, now=now),
                                        reason=reason)

    @_carried
    async def retire_version(self, tenant_id: str, agent: str, number: int, *, actor: str,
                             reason: str | None = None) -> AgentVersion:
        def retire(state: GovernanceState, v: AgentVersion, now: datetime) -> AgentVersion:
            using = sorted(r.number for r in state.routes.values()
                           if (r.tenant_id, r.agent) == (tenant_id, agent) and number in _uses(r))
            if using:
                raise VersionInUse(f"v{number} still takes calls on {', '.join(using)}")
            return gp.retire(v, actor=actor, now=now, reason=reason)

        return await self._version_step(tenant_id, agent, number, "version.retire", actor, retire, reason=reason)

    # ---- checklists
    @_carried
    async def get_checklist(self, tenant_id: str, agent: str, number: int) -> LaunchChecklist:
        state = await self._loaded()
        version = self._version(state, tenant_id, agent, number)
        return state.checklists.get((tenant_id, agent, number)) or gp.default_checklist(version)

    async def _checklist_step(self, tenant_id: str, agent: str, number: int, key: str, actor: str, action: str,
                              step: Callable[[LaunchChecklist, datetime], LaunchChecklist],
                              **details: Any) -> LaunchChecklist:
        async with self._changing() as state:
            now = _now()
            version = self._version(state, tenant_id, agent, number)
            checklist = step(state.checklists.get((tenant_id, agent, number)) or gp.default_checklist(version), now)
            audit = self._version_audit(now, actor, action, version, item=key, **details)
            await self._commit(state, Change(checklists=[checklist], audit=[audit]))
            return checklist

    @_carried
    async def complete_checklist_item(self, tenant_id: str, agent: str, number: int, key: str, *, actor: str,
                                      note: str | None = None) -> LaunchChecklist:
        return await self._checklist_step(tenant_id, agent, number, key, actor, "checklist.complete",
                                          lambda c, now: gp.complete_item(c, key, actor=actor, now=now, note=note),
                                          note=note)

    @_carried
    async def reopen_checklist_item(self, tenant_id: str, agent: str, number: int, key: str, *,
                                    actor: str) -> LaunchChecklist:
        return await self._checklist_step(tenant_id, agent, number, key, actor, "checklist.reopen",
                                          lambda c, now: gp.reopen_item(c, key))

    # ---- rollout policies
    @_carried
    async def put_policy(self, tenant_id: str, name: str, policy: RolloutPolicy, *, actor: str) -> RolloutPolicy:
        async with self._changing() as state:
            audit = self._audit(_now(), actor, "policy.put", f"policy:{tenant_id}/{name}", tenant_id,
                                policy=policy.model_dump(mode="json"))
            await self._commit(state, Change(policies={(tenant_id, name): policy}, audit=[audit]))
            return policy

    @_carried
    async def get_policy(self, tenant_id: str, name: str) -> RolloutPolicy:
        policy = (await self._loaded()).policies.get((tenant_id, name))
        if policy is None:
            raise PolicyNotFound(f"no rollout policy {name!r} for tenant {tenant_id!r}")
        return policy

    @_carried
    async def list_policies(self, tenant_id: str) -> list[tuple[str, RolloutPolicy]]:
        state = await self._loaded()
        return [(name, p) for (tid, name), p in sorted(state.policies.items()) if tid == tenant_id]

    @_carried
    async def delete_policy(self, tenant_id: str, name: str, *, actor: str) -> None:
        """Rollouts already started keep the copy of the policy they were started with."""
        async with self._changing() as state:
            if (tenant_id, name) not in state.policies:
                raise PolicyNotFound(f"no rollout policy {name!r} for tenant {tenant_id!r}")
            audit = self._audit(_now(), actor, "policy.delete", f"policy:{tenant_id}/{name}", tenant_id)
            await self._commit(state, Change(policies={(tenant_id, name): None}, audit=[audit]))

    # ---- phone routes
    @_carried
    async def put_route(self, number: str, tenant_id: str, agent: str, version: int, *, actor: str) -> PhoneRoute:
        """Create the route on ``version``, or switch its stable version outright (not during a rollout)."""
        async with self._changing() as state:
            now = _now()
            target = self._version(state, tenant_id, agent, version)
            before = state.routes.get(number)
            if before is None:
                after, action = gp.new_route(number=number, version=target), "route.create"
            else:
                after, action = gp.set_stable(before, target), "route.set_stable"
                if after == before:
                    return before
            versions, lifecycle = self._follow_traffic(state, before, after, completed=False, actor=actor, now=now)
            audit = self._route_audit(now, actor, action, after,
                                      previous_stable=before.stable_version if before else None)
            await self._commit(state, Change(routes=[after], versions=versions, audit=[audit, *lifecycle]))
            return after

    @_carried
    async def get_route(self, number: str) -> PhoneRoute:
        return self._route(await self._loaded(), number)

    @_carried
    async def list_routes(self, tenant_id: str | None = None) -> list[PhoneRoute]:
        routes = (await self._loaded()).routes
        return [r for _, r in sorted(routes.items()) if tenant_id in (None, r.tenant_id)]

    @_carried
    async def delete_route(self, number: str, *, actor: str) -> None:
        """Calls to the number then run the tenant's runtime config again."""
        async with self._changing() as state:
            now = _now()
            route = self._route(state, number)
            if route.canary is not None:
                raise gp.RolloutInProgress(f"rollout {route.canary.rollout_id} is {route.canary.state.value} "
                                           f"on {number}; abort it first")
            versions, lifecycle = self._follow_traffic(state, route, None, completed=False, actor=actor, now=now)
            audit = self._route_audit(now, actor, "route.delete", route)
            await self._commit(state, Change(deleted_routes=[number], versions=versions, audit=[audit, *lifecycle]))

    # ---- rollouts
    @_carried
    async def start_rollout(self, number: str, version: int, policy_name: str | None, *, actor: str) -> PhoneRoute:
        """Start a canary of ``version`` under the tenant's named policy (None: the default policy)."""
        async with self._changing() as state:
            now = _now()
            route = self._route(state, number)
            target = self._version(state, route.tenant_id, route.agent, version)
            policy = RolloutPolicy()
            if policy_name is not None:
                found = state.policies.get((route.tenant_id, policy_name))
                if found is None:
                    raise PolicyNotFound(f"no rollout policy {policy_name!r} for tenant {route.tenant_id!r}")
                policy = found
            rollout_id = f"ro_{secrets.token_hex(8)}"
            after = gp.start_rollout(route, target, policy, rollout_id=rollout_id, actor=actor, now=now)
            audit = self._route_audit(now, actor, "rollout.start", after, rollout_id=rollout_id, version=version,
                                      policy_name=policy_name, policy=policy.model_dump(mode="json"),
                                      weight_pct=policy.steps[0])
            return await self._move_route(state, route, after, audit, actor=actor, now=now)

    async def _rollout_step(self, number: str, action: str, actor: str,
                            step: Callable[[PhoneRoute, datetime], PhoneRoute], **details: Any) -> PhoneRoute:
        async with self._changing() as state:
            now = _now()
            route = self._route(state, number)
            after = step(route, now)
            rollout = route.canary  # the one acted on, if any
            audit = self._route_audit(now, actor, action, after, rollout_id=rollout.rollout_id if rollout else None,
                                      version=rollout.version if rollout else None,
                                      weight_pct=rollout.weight_pct if rollout else None, **details)
            return await self._move_route(state, route, after, audit, actor=actor, now=now)

    @_carried
    async def pause_rollout(self, number: str, *, actor: str, reason: str | None = None) -> PhoneRoute:
        return await self._rollout_step(number, "rollout.pause", actor,
                                        lambda r, now: gp.pause_rollout(r, actor=actor, now=now, reason=reason),
                                        reason=reason)

    @_carried
    async def resume_rollout(self, number: str, *, actor: str) -> PhoneRoute:
        return await self._rollout_step(number, "rollout.resume", actor,
                                        lambda r, now: gp.resume_rollout(r, actor=actor, now=now))

    @_carried
    async def abort_rollout(self, number: str, *, actor: str, reason: str) -> PhoneRoute:
        return await self._rollout_step(number, "rollout.abort", actor,
                                        lambda r, now: gp.abort_rollout(r, actor=actor, now=now, reason=reason),
                                        reason=reason)

    # ---- kill switches
    @_carried
    async def engage_route_kill_switch(self, number: str, *, mode: Mode, reason: str, actor: str) -> PhoneRoute:
        return await self._rollout_step(
            number, "kill_switch.engage", actor,
            lambda r, now: gp.engage_kill_switch(r, mode=mode, actor=actor, reason=reason, now=now),
            mode=mode, reason=reason)

    @_carried
    async def release_route_kill_switch(self, number: str, *, actor: str) -> PhoneRoute:
        route = self._route(await self._loaded(), number)
        if route.kill_switch is None:
            return route
        return await self._rollout_step(number, "kill_switch.release", actor,
                                        lambda r, now: gp.release_kill_switch(r))

    @_carried
    async def tenant_kill_switch(self, tenant_id: str) -> KillSwitch | None:
        return (await self._loaded()).tenant_kill_switches.get(tenant_id)

    @_carried
    async def engage_tenant_kill_switch(self, tenant_id: str, *, mode: Mode, reason: str, actor: str) -> KillSwitch:
        async with self._changing() as state:
            now = _now()
            switch = KillSwitch(mode=mode, by=actor, at=now, reason=reason)
            audit = self._audit(now, actor, "tenant_kill_switch.engage", f"tenant:{tenant_id}", tenant_id,
                                mode=mode, reason=reason)
            await self._commit(state, Change(tenant_kill_switches={tenant_id: switch}, audit=[audit]))
            return switch

    @_carried
    async def release_tenant_kill_switch(self, tenant_id: str, *, actor: str) -> bool:
        """Whether a switch was engaged (and is now released)."""
        async with self._changing() as state:
            if tenant_id not in state.tenant_kill_switches:
                return False
            audit = self._audit(_now(), actor, "tenant_kill_switch.release", f"tenant:{tenant_id}", tenant_id)
            await self._commit(state, Change(tenant_kill_switches={tenant_id: None}, audit=[audit]))
            return True

    # ---- routing
    @_carried
    async def snapshot_routes(self) -> RoutingSnapshot:
        state = await self._loaded()
        versions = {number: {n: state.versions[key] for n in _uses(r)
                             if (key := (r.tenant_id, r.agent, n)) in state.versions}
                    for number, r in state.routes.items()}
        return RoutingSnapshot(generation=state.generation, routes=dict(state.routes), versions=versions,
                               tenant_kill_switches=dict(state.tenant_kill_switches))

    # ---- the sweep
    @_carried
    async def sweep(self, *, dry_run: bool, now: datetime, tenant_id: str | None = None) -> list[SweepReport]:
        """Evaluate every active rollout (of one tenant, if given) on its current step's calls.

        Applied decisions (holds included) are audit-logged and sent to the tenant's webhooks.
        Metrics are read without the lock; a rollout that moved meanwhile is left for the next sweep.
        """
        async with self._sweeping:
            state = await self._loaded()
            active = [r for r in state.routes.values() if r.canary and tenant_id in (None, r.tenant_id)]
            metrics = await collect(self._calls, active)
            reports: list[SweepReport] = []
            applied: list[tuple[PhoneRoute, SweepDecision]] = []
            async with self._lock:
                for seen in active:
                    route = state.routes.get(seen.number)
                    if route is None or _window(route) != _window(seen):
                        continue
                    canary_m, stable_m = metrics[route.number]
                    decision = gp.evaluate_rollout(route, canary_m, stable_m, now=now,
                                                   tenant_kill_switch=state.tenant_kill_switches.get(route.tenant_id))
                    after = gp.apply_decision(route, decision, now=now)
                    if not dry_run:
                        await self._apply_sweep(state, route, after, decision, now)
                        applied.append((route, decision))
                    reports.append(SweepReport(decision=decision, route=after))
        for route, decision in applied:
            await _emit_rollout_event(self._redis, self._prefix, route, decision)
        return reports

    async def _apply_sweep(self, state: GovernanceState, route: PhoneRoute, after: PhoneRoute,
                           decision: SweepDecision, now: datetime) -> None:
        details = decision.model_dump(mode="json", exclude={"number", "at", "action"})
        audit = self._route_audit(now, gp.SWEEP_ACTOR, f"rollout.{decision.action.value}", after, **details)
        if decision.action is SweepAction.HOLD:
            await self._commit(state, Change(audit=[audit]))
            return
        await self._move_route(state, route, after, audit, actor=gp.SWEEP_ACTOR, now=now,
                               completed=decision.action is SweepAction.COMPLETE)


async def _emit_rollout_event(redis: aioredis.Redis, prefix: str, route: PhoneRoute, decision: SweepDecision) -> None:
    """rollout.promoted (also on completion), rollout.held or rollout.rolled_back to the tenant's webhooks."""
    assert route.canary is not None  # the route as it was when the decision was made
    data = {"phone_number": route.number, "agent": route.agent, "rollout_id": decision.rollout_id,
            "version": route.canary.version, "stable_version": route.stable_version,
            "action": decision.action.value, "completed": decision.action is SweepAction.COMPLETE,
            "from_step": decision.from_step, "to_step": decision.to_step, "from_weight_pct": decision.from_weight,
            "to_weight_pct": decision.to_weight, "reasons": decision.reasons,
            "breaches": [b.model_dump(mode="json") for b in decision.breaches], "at": decision.at.isoformat()}
    await events.emit(redis, prefix, route.tenant_id, _EVENTS[decision.action], data)
