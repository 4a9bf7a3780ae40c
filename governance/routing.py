"""Route decisions at call setup, made in the gateway from a cached snapshot of the routes.

The governance actor hands out a ``RoutingSnapshot`` tagged with the state's generation; every
change bumps ``{prefix}:gov:generation`` in Redis. ``RouteCache`` reads that counter (one GET)
per call and fetches a new snapshot only when it moved, so call setup makes no cross-node call
while nothing changes, and sees a kill switch as soon as it is committed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Awaitable, Callable

import redis.asyncio as aioredis
import structlog
from pydantic import BaseModel, ConfigDict

from governance import policy as gp
from governance.errors import GovernanceUnavailable
from governance.models import AgentVersion, KillSwitch, PhoneRoute, RouteDecision
from voxray.redis_batch import Batch, Reply

log = structlog.get_logger("voxray.governance")


class RoutingSnapshot(BaseModel):
    """Every route, the versions each may send calls to, and the tenants' kill switches."""

    model_config = ConfigDict(frozen=True)
    generation: int
    routes: dict[str, PhoneRoute]
    versions: dict[str, dict[int, AgentVersion]]  # route number -> its stable and canary versions
    tenant_kill_switches: dict[str, KillSwitch]

    def decide(self, number: str, caller: str) -> CallRouting | None:
        route = self.routes.get(number)
        if route is None:
            return None
        versions = self.versions.get(number, {})
        decision = gp.decide_route(route, versions, caller, self.tenant_kill_switches.get(route.tenant_id))
        version = versions.get(decision.version) if decision.version is not None else None
        return CallRouting(decision=decision, route=route, version=version)


@dataclass(frozen=True)
class CallRouting:
    """Where one call goes: the decision, the route it was made on, and the chosen version.

    ``version`` is None exactly when ``decision.arm == "fallback"`` (operator or message).
    """

    decision: RouteDecision
    route: PhoneRoute
    version: AgentVersion | None


FETCH_TIMEOUT_S = 2.0


class RouteCache:
    def __init__(self, redis: aioredis.Redis, generation_key: str,
                 fetch: Callable[[], Awaitable[RoutingSnapshot]]) -> None:
        self._redis = redis
        self._key = generation_key
        self._fetch = fetch
        self._snapshot: RoutingSnapshot | None = None
        self._refreshing = asyncio.Lock()
        self.refreshes = 0  # snapshots fetched from the actor (for tests and metrics)

    def generation_on(self, batch: Batch) -> Reply[int]:
        """The routes' generation, read as part of the caller's batch (see ``snapshot``)."""
        batch.pipe.get(self._key)
        return batch.mark(lambda r: int(r[0]) if r[0] else 0)

    async def snapshot(self, generation: int | None = None) -> RoutingSnapshot:
        """The current routes; ``generation`` when the caller has just read it (a batch)."""
        if generation is None:
            raw = await self._redis.get(self._key)
            generation = int(raw) if raw else 0
        seen = self._snapshot
        if seen is not None and seen.generation == generation:
            return seen
        async with self._refreshing:  # one fetch at a time; callers queued behind it reuse its result
            if self._snapshot is not seen and self._snapshot is not None:
                return self._snapshot
            try:
                # Call setup waits on this only when routes changed, and never for long.
                current = await asyncio.wait_for(self._fetch(), FETCH_TIMEOUT_S)
            except (GovernanceUnavailable, TimeoutError):
                if self._snapshot is None:
                    raise
                log.warning("governance_unavailable_using_cached_routes", generation=self._snapshot.generation)
                return self._snapshot
            self._snapshot = current
            self.refreshes += 1
            return current

    async def decide(self, number: str, caller: str, generation: int | None = None) -> CallRouting | None:
        return (await self.snapshot(generation)).decide(number, caller)
