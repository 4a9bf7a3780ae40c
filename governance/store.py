"""Governance state in Redis: versions, checklists, routes, rollout policies, kill switches, audit.

Layout (all under ``{prefix}:gov:``; JSON values; tenant ids and agent names hold no colon):

- ``generation``  INT, bumped by every change of state, in the same MULTI as the change
- ``versions``    HASH ``{tenant}:{agent}:{n}`` -> AgentVersion
- ``checklists``  HASH ``{tenant}:{agent}:{n}`` -> LaunchChecklist
- ``routes``      HASH ``{number}`` -> PhoneRoute
- ``policies``    HASH ``{tenant}:{name}`` -> RolloutPolicy
- ``tenant_kill`` HASH ``{tenant}`` -> KillSwitch
- ``audit``       STREAM, append-only (trimmed ~MAXLEN from the oldest end): at, actor, action,
  tenant, subject, details (JSON); the stream id is the entry's id

The governance actor is the only writer. ``load`` reads everything in one MULTI, so a restarted
actor starts from a consistent picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, AsyncIterator

import orjson
import redis.asyncio as aioredis
from redis.exceptions import WatchError
from pydantic import AwareDatetime, BaseModel, ConfigDict

from governance.models import AgentVersion, KillSwitch, LaunchChecklist, PhoneRoute, RolloutPolicy

VersionKey = tuple[str, str, int]  # tenant, agent, number
PolicyKey = tuple[str, str]  # tenant, name


class StaleGeneration(Exception):
    """Redis holds a newer state than the writer's picture of it."""


class Audit(BaseModel):
    """One audit record before it is written: who did what to which subject, and the particulars."""

    model_config = ConfigDict(frozen=True)
    at: AwareDatetime
    actor: str
    action: str
    tenant_id: str | None
    subject: str
    details: dict[str, Any] = {}


class AuditEntry(Audit):
    id: str  # the stream id: milliseconds-sequence, ordered by time of writing


@dataclass
class Change:
    """What one governance operation writes: records to put or delete, and its audit entries."""

    versions: list[AgentVersion] = field(default_factory=list)
    checklists: list[LaunchChecklist] = field(default_factory=list)
    routes: list[PhoneRoute] = field(default_factory=list)
    deleted_routes: list[str] = field(default_factory=list)
    policies: dict[PolicyKey, RolloutPolicy | None] = field(default_factory=dict)  # None deletes
    tenant_kill_switches: dict[str, KillSwitch | None] = field(default_factory=dict)  # None releases
    audit: list[Audit] = field(default_factory=list)

    @property
    def changes_state(self) -> bool:
        return bool(self.versions or self.checklists or self.routes or self.deleted_routes or self.policies
                    or self.tenant_kill_switches)


@dataclass
class GovernanceState:
    """Everything the actor holds, as loaded from Redis and kept in step with each commit."""

    generation: int = 0
    versions: dict[VersionKey, AgentVersion] = field(default_factory=dict)
    checklists: dict[VersionKey, LaunchChecklist] = field(default_factory=dict)
    routes: dict[str, PhoneRoute] = field(default_factory=dict)
    policies: dict[PolicyKey, RolloutPolicy] = field(default_factory=dict)
    tenant_kill_switches: dict[str, KillSwitch] = field(default_factory=dict)

    def apply(self, change: Change, generation: int) -> None:
        for v in change.versions:
            self.versions[(v.tenant_id, v.agent, v.number)] = v
        for c in change.checklists:
            self.checklists[(c.tenant_id, c.agent, c.version)] = c
        for r in change.routes:
            self.routes[r.number] = r
        for number in change.deleted_routes:
            self.routes.pop(number, None)
        for key, policy in change.policies.items():
            _put(self.policies, key, policy)
        for tid, switch in change.tenant_kill_switches.items():
            _put(self.tenant_kill_switches, tid, switch)
        self.generation = generation


def _put(mapping: dict[Any, Any], key: Any, value: Any) -> None:
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _vkey(tenant_id: str, agent: str, number: int) -> str:
    return f"{tenant_id}:{agent}:{number}"


def _parse_vkey(raw: bytes | str) -> VersionKey:
    tenant_id, agent, number = _text(raw).split(":")
    return tenant_id, agent, int(number)


def _parse_pkey(raw: bytes | str) -> PolicyKey:
    tenant_id, name = _text(raw).split(":")
    return tenant_id, name


class GovernanceStore:
    def __init__(self, redis: aioredis.Redis, prefix: str, audit_max_entries: int = 1_000_000) -> None:
        self.redis = redis
        self.p = f"{prefix}:gov"
        self.audit_max_entries = audit_max_entries

    @property
    def generation_key(self) -> str:
        return f"{self.p}:generation"

    def _key(self, name: str) -> str:
        return f"{self.p}:{name}"

    async def generation(self) -> int:
        raw = await self.redis.get(self.generation_key)
        return int(raw) if raw else 0

    async def load(self) -> GovernanceState:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(self.generation_key)
            for name in ("versions", "checklists", "routes", "policies", "tenant_kill"):
                pipe.hgetall(self._key(name))
            generation, versions, checklists, routes, policies, kills = await pipe.execute()
        return GovernanceState(
            generation=int(generation) if generation else 0,
            versions={_parse_vkey(k): AgentVersion.model_validate_json(v) for k, v in versions.items()},
            checklists={_parse_vkey(k): LaunchChecklist.model_validate_json(v) for k, v in checklists.items()},
            routes={_text(k): PhoneRoute.model_validate_json(v) for k, v in routes.items()},
            policies={_parse_pkey(k): RolloutPolicy.model_validate_json(v) for k, v in policies.items()},
            tenant_kill_switches={_text(k): KillSwitch.model_validate_json(v) for k, v in kills.items()},
        )

    async def commit(self, change: Change, expected_generation: int) -> int | None:
        """Write ``change`` and its audit entries atomically; the new generation if state changed.

        The generation is a fencing token: a change made from a picture of the state that another
        writer has moved on from (a second actor in a split brain) raises ``StaleGeneration`` and
        writes nothing.
        """
        async with self.redis.pipeline(transaction=True) as pipe:
            if change.changes_state:
                await pipe.watch(self.generation_key)
                current = await pipe.get(self.generation_key)
                if (int(current) if current else 0) != expected_generation:
                    raise StaleGeneration(f"generation moved past {expected_generation}")
                pipe.multi()
            self._queue_writes(pipe, change)
            for entry in change.audit:
                pipe.xadd(self._key("audit"), _audit_fields(entry), maxlen=self.audit_max_entries, approximate=True)
            if change.changes_state:
                pipe.incr(self.generation_key)
            try:
                results = await pipe.execute()
            except WatchError:
                raise StaleGeneration(f"generation moved past {expected_generation}") from None
        return int(results[-1]) if change.changes_state else None

    def _queue_writes(self, pipe: Any, change: Change) -> None:
        def hset(name: str, mapping: dict[str, str]) -> None:
            if mapping:
                pipe.hset(self._key(name), mapping=mapping)

        hset("versions", {_vkey(v.tenant_id, v.agent, v.number): v.model_dump_json() for v in change.versions})
        hset("checklists", {_vkey(c.tenant_id, c.agent, c.version): c.model_dump_json() for c in change.checklists})
        hset("routes", {r.number: r.model_dump_json() for r in change.routes})
        if change.deleted_routes:
            pipe.hdel(self._key("routes"), *change.deleted_routes)
        for (tid, name), policy in change.policies.items():
            if policy is None:
                pipe.hdel(self._key("policies"), f"{tid}:{name}")
            else:
                pipe.hset(self._key("policies"), f"{tid}:{name}", policy.model_dump_json())
        for tid, switch in change.tenant_kill_switches.items():
            if switch is None:
                pipe.hdel(self._key("tenant_kill"), tid)
            else:
                pipe.hset(self._key("tenant_kill"), tid, switch.model_dump_json())

    async def audit(self, *, before: str | None = None, since: datetime | None = None,
                    until: datetime | None = None, batch: int = 200) -> AsyncIterator[AuditEntry]:
        """Audit entries newest first, from just below the stream id ``before`` down to ``since``."""
        high = f"({before}" if before else ("+" if until is None else str(max(0, int(until.timestamp() * 1000))))
        low = "-" if since is None else str(max(0, int(since.timestamp() * 1000)))
        while True:
            found: Any = await self.redis.xrevrange(self._key("audit"), max=high, min=low, count=batch)
            rows: list[Any] = list(found or [])
            for entry_id, fields in rows:
                yield _audit_entry(_text(entry_id), fields)
            if len(rows) < batch:
                return
            high = f"({_text(rows[-1][0])}"


def _audit_fields(entry: Audit) -> dict[Any, Any]:
    return {"at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action,
            "tenant": entry.tenant_id or "", "subject": entry.subject,
            "details": orjson.dumps(entry.details, default=str).decode()}


def _audit_entry(entry_id: str, raw: dict[Any, Any]) -> AuditEntry:
    fields = {_text(k): _text(v) for k, v in raw.items()}
    at = datetime.fromisoformat(fields["at"])
    return AuditEntry(id=entry_id, at=at if at.tzinfo else at.replace(tzinfo=timezone.utc), actor=fields["actor"],
                      action=fields["action"], tenant_id=fields["tenant"] or None, subject=fields["subject"],
                      details=orjson.loads(fields["details"]))
