"""Pure decisions of the session-actor pool: how many actors, where, which to retire, headroom.

No Ray, no Redis, no clock: the supervisor (``actors/pool.py``) feeds it what it observed.
Shared actors host many calls (a Ray worker costs ~145 MB and 1.5-2 CPU-s to start, so a
process per call is the expensive choice); a node's calls are packed into as few of them as
its capacity allows (``node_layout``), never more than one per CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from voxray.live_calls import DEDICATED, SHARED, ActorSlot

# Headroom: an actor whose event loop runs late by this much on average, or whose process keeps
# a core this busy, takes no new calls until it recovers (admitted calls keep their latency).
HOT_LAG_MS = 25.0
HOT_CPU = 0.85


# A shared actor carries at most this many calls when the deployment does not say: one process
# hosting 50 calls spent ~15-25 % less CPU per call-second than two hosting 25 each on the same
# 2-core host (each wake-up of a loop serves more events; benchmarks/README.md), at ~0.6 of a core.
ACTOR_MAX_CALLS = 50


@dataclass(frozen=True)
class PoolTargets:
    warm_slots: int  # spare shared call slots to keep ready
    calls_per_core: int  # a call node's capacity: this many calls per CPU it offers
    calls_per_actor: int | None  # a fixed shared-actor size (one actor per CPU at most); None: packed
    dedicated_warm: int  # unbound one-call processes kept ready for `isolation: dedicated` tenants
    dedicated_max_calls: int  # a dedicated process is retired after this many calls


@dataclass(frozen=True)
class NodeLayout:
    max_actors: int  # shared actors the node may run
    actor_calls: int  # calls each of them hosts


@dataclass
class Plan:
    add_shared: list[str] = field(default_factory=list)  # node ids, one entry per actor to start
    add_dedicated: list[str] = field(default_factory=list)
    retire: list[str] = field(default_factory=list)  # actor names (idle, above target)


def node_layout(cpus: float, targets: PoolTargets) -> NodeLayout:
    """How a call node's capacity is cut into shared actors.

    Packed (the default): the node carries ``calls_per_core`` x CPUs calls in as few processes as
    possible, each at most ``ACTOR_MAX_CALLS`` (a Python process uses at most one core, so never
    more actors than CPUs). Fixed: ``calls_per_actor`` each, up to one actor per CPU.
    """
    cpus = max(cpus, 1.0)  # a node offering no CPU to Ray still hosts one actor of a core's calls
    cores = math.floor(cpus)
    if targets.calls_per_actor:
        return NodeLayout(cores, targets.calls_per_actor)
    capacity = max(1, math.floor(cpus * targets.calls_per_core))
    actors = min(cores, math.ceil(capacity / ACTOR_MAX_CALLS))
    return NodeLayout(actors, math.ceil(capacity / actors))


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
    layout = {n: node_layout(c, targets) for n, c in nodes.items()}
    per_node: dict[str, int] = {}
    slots: dict[str, int] = {}  # call slots the node's actors offer (actors of an older size count as they are)
    for a in shared:
        per_node[a.node] = per_node.get(a.node, 0) + 1
        slots[a.node] = slots.get(a.node, 0) + a.capacity
    free = sum(a.free for a in shared)

    def add(node: str) -> None:
        nonlocal free
        out.add_shared.append(node)
        per_node[node] = per_node.get(node, 0) + 1
        slots[node] = slots.get(node, 0) + layout[node].actor_calls
        free += layout[node].actor_calls

    for node in sorted(nodes):
        if per_node.get(node, 0) == 0:
            add(node)
    while free < targets.warm_slots:
        # Room: fewer actors than cores, and fewer slots than the node's capacity.
        room = {n: c for n, c in nodes.items() if per_node.get(n, 0) < max(1, math.floor(max(c, 1.0)))
                and slots.get(n, 0) < layout[n].max_actors * layout[n].actor_calls}
        if not room:
            break  # every call node is full: the autoscaler is asked for more (supervisor)
        add(_least_loaded_node(per_node, room))
    # Retire idle shared actors while the rest still keep the warm slots and one per node.
    for a in sorted(shared, key=lambda a: a.name):
        if a.name in idle_names and a.live == 0 and per_node.get(a.node, 0) > 1 and free - a.capacity >= targets.warm_slots:
            out.retire.append(a.name)
            per_node[a.node] -= 1
            free -= a.capacity
    # A tenant's idle dedicated processes leave too (they hold ~145 MB each).
    for a in sorted(pool, key=lambda a: a.name):
        if a.kind.startswith(DEDICATED + ":") and a.name in idle_names and a.live == 0:
            out.retire.append(a.name)
    unbound = [a for a in pool if a.kind == DEDICATED and a.capacity > 0 and a.node in nodes]
    for i in range(max(0, targets.dedicated_warm - len(unbound))):
        out.add_dedicated.append(_least_loaded_node(per_node, nodes))
    # Unbound ones beyond the warm target (started for a first call another tenant's took, or
    # whose gateway stopped waiting) leave once idle, like any spare.
    spare = len(unbound) - targets.dedicated_warm
    for a in sorted(unbound, key=lambda a: a.name):
        if spare <= 0:
            break
        if a.name in idle_names and a.live == 0:
            out.retire.append(a.name)
            spare -= 1
    return out


def retire_dedicated(calls_served: int, failed: bool, max_calls: int) -> bool:
    """A dedicated process is reused for its tenant's next call until it has served enough or erred."""
    return failed or calls_served >= max_calls


def wanted_bundles(targets: PoolTargets, live: int, resource: str) -> list[dict[str, float]]:
    """What to ask the Ray autoscaler for: a core on a call node (nodes advertise ``resource``
    = their CPUs) for every ``calls_per_core`` calls that live calls plus the warm slots need
    (for every shared actor, when actors have a fixed size)."""
    per_core = targets.calls_per_actor or targets.calls_per_core
    n = math.ceil((live + targets.warm_slots) / max(1, per_core)) + targets.dedicated_warm
    return [{"CPU": 1.0, resource: 1.0} for _ in range(max(1, n))]
