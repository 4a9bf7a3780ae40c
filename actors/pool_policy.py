"""Pure decisions of the session-actor pool: how many actors, where, which to retire, headroom.

No Ray, no Redis, no clock: the supervisor (``actors/pool.py``) feeds it what it observed.
Shared actors host many calls (a Ray worker costs ~145 MB and 1.5-2 CPU-s to start, so a
process per call is the expensive choice); a Python process uses at most one core, so a
node gets up to one shared actor per CPU it offers to calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from voxray.live_calls import DEDICATED, SHARED, ActorSlot

# Headroom: an actor whose event loop runs late by this much on average, or whose process keeps
# a core this busy, takes no new calls until it recovers (admitted calls keep their latency).
HOT_LAG_MS = 25.0
HOT_CPU = 0.85


@dataclass(frozen=True)
class PoolTargets:
    warm_slots: int  # spare shared call slots to keep ready
    slots_per_actor: int  # calls one shared actor hosts
    dedicated_warm: int  # unbound one-call processes kept ready for `isolation: dedicated` tenants
    dedicated_max_calls: int  # a dedicated process is retired after this many calls


@dataclass
class Plan:
    add_shared: list[str] = field(default_factory=list)  # node ids, one entry per actor to start
    add_dedicated: list[str] = field(default_factory=list)
    retire: list[str] = field(default_factory=list)  # actor names (idle, above target)


def slots_per_actor(calls_per_actor: int | None, calls_per_core: int) -> int:
    """Shared actor size: explicit, or what one core carries (measured: benchmarks/README.md)."""
    return calls_per_actor if calls_per_actor else max(1, calls_per_core)


def is_hot(lag_ms: float, cpu_frac: float, max_lag_ms: float = HOT_LAG_MS, max_cpu: float = HOT_CPU) -> bool:
    return lag_ms >= max_lag_ms or cpu_frac >= max_cpu


def _least_loaded_node(counts: dict[str, int], nodes: dict[str, float]) -> str:
    # Fewest actors per CPU first; ties by node id so the choice is deterministic.
    return min(nodes, key=lambda n: (counts.get(n, 0) / max(nodes[n], 1.0), n))


def plan(pool: list[ActorSlot], nodes: dict[str, float], targets: PoolTargets, idle_names: set[str]) -> Plan:
    """What to start and retire now.

    ``nodes``: call nodes alive, with the CPUs each offers. ``idle_names``: actors idle long
    enough to retire (the supervisor tracks how long). Shared: keep ``warm_slots`` free slots,
    at least one actor per node and at most one per CPU; retire idle actors above that.
    Dedicated: keep ``dedicated_warm`` unbound processes.
    """
    out = Plan()
    if not nodes:
        return out
    shared = [a for a in pool if a.kind == SHARED and a.capacity > 0 and a.node in nodes]
    per_node: dict[str, int] = {}
    for a in shared:
        per_node[a.node] = per_node.get(a.node, 0) + 1
    for node in sorted(nodes):
        if per_node.get(node, 0) == 0:
            out.add_shared.append(node)
            per_node[node] = 1
    size = targets.slots_per_actor
    free = sum(a.free for a in shared) + len(out.add_shared) * size
    max_actors = {n: max(1, math.floor(c)) for n, c in nodes.items()}
    while free < targets.warm_slots:
        room = {n: c for n, c in nodes.items() if per_node.get(n, 0) < max_actors[n]}
        if not room:
            break  # every call node is full: the autoscaler is asked for more (supervisor)
        node = _least_loaded_node(per_node, room)
        out.add_shared.append(node)
        per_node[node] = per_node.get(node, 0) + 1
        free += size
    # Retire idle shared actors while the rest still keep the warm slots and one per node.
    for a in sorted(shared, key=lambda a: a.name):
        if a.name in idle_names and a.live == 0 and per_node.get(a.node, 0) > 1 and free - size >= targets.warm_slots:
            out.retire.append(a.name)
            per_node[a.node] -= 1
            free -= size
    # A tenant's idle dedicated processes leave too (they hold ~145 MB each).
    for a in sorted(pool, key=lambda a: a.name):
        if a.kind.startswith(DEDICATED + ":") and a.name in idle_names and a.live == 0:
            out.retire.append(a.name)
    unbound = [a for a in pool if a.kind == DEDICATED and a.capacity > 0 and a.node in nodes]
    for i in range(max(0, targets.dedicated_warm - len(unbound))):
        out.add_dedicated.append(_least_loaded_node(per_node, nodes))
    return out


def retire_dedicated(calls_served: int, failed: bool, max_calls: int) -> bool:
    """A dedicated process is reused for its tenant's next call until it has served enough or erred."""
    return failed or calls_served >= max_calls


def wanted_bundles(targets: PoolTargets, live: int, resource: str) -> list[dict[str, float]]:
    """What to ask the Ray autoscaler for: a core on a call node (nodes advertise ``resource``
    = their CPUs) for each shared actor that live calls plus the warm slots need."""
    n = math.ceil((live + targets.warm_slots) / targets.slots_per_actor) + targets.dedicated_warm
    return [{"CPU": 1.0, resource: 1.0} for _ in range(max(1, n))]
