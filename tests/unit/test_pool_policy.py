"""The pool's plan: spread over nodes, warm slots kept, idle actors retired, never above one per CPU."""

from __future__ import annotations

from hypothesis import given, strategies as st

from actors.pool_policy import ACTOR_MAX_CALLS, PoolTargets, is_hot, node_layout, plan, retire_dedicated, wanted_bundles
from voxray.live_calls import DEDICATED, SHARED, ActorSlot

T = PoolTargets(warm_slots=4, calls_per_core=25, calls_per_actor=10, dedicated_warm=0, dedicated_max_calls=3)


def slot(name: str, node: str, live: int = 0, cap: int = 10, kind: str = SHARED) -> ActorSlot:
    return ActorSlot(name, cap, live, kind, "127.0.0.1", 1, node, 0.0)


def test_every_call_node_gets_a_shared_actor() -> None:
    assert sorted(plan([], {"n1": 2, "n2": 2}, T, set()).add_shared) == ["n1", "n2"]


def test_warm_slots_add_actors_on_the_least_loaded_node_up_to_one_per_cpu() -> None:
    pool = [slot("a", "n1", live=10), slot("b", "n2", live=8)]
    out = plan(pool, {"n1": 2, "n2": 1}, T, set())
    assert out.add_shared == ["n1"]  # n2 has 1 CPU and already one actor
    full = [slot("a", "n1", live=10), slot("c", "n1", live=10), slot("b", "n2", live=10)]
    assert plan(full, {"n1": 2, "n2": 1}, T, set()).add_shared == []  # no room: the autoscaler's turn


def test_idle_actors_above_the_target_retire_but_never_the_last_on_a_node() -> None:
    pool = [slot("a", "n1"), slot("b", "n1"), slot("c", "n2")]
    out = plan(pool, {"n1": 4, "n2": 4}, T, {"a", "b", "c"})
    assert out.retire == ["a"] and not out.add_shared


def test_a_dead_node_is_simply_absent_and_its_actors_are_not_counted() -> None:
    pool = [slot("a", "gone", live=3), slot("b", "n2", live=9)]
    out = plan(pool, {"n2": 2}, T, set())
    assert out.add_shared == ["n2"]  # warm slots rebuilt on the survivor


def test_dedicated_warm_processes_are_kept_unbound() -> None:
    targets = PoolTargets(warm_slots=0, calls_per_core=25, calls_per_actor=10, dedicated_warm=2, dedicated_max_calls=3)
    pool = [slot("a", "n1"), slot("d1", "n1", cap=1, kind=DEDICATED), slot("d2", "n1", cap=1, kind="dedicated:t1")]
    assert plan(pool, {"n1": 4}, targets, set()).add_dedicated == ["n1"]


def test_idle_unbound_dedicated_processes_beyond_the_warm_target_retire() -> None:
    one_warm = PoolTargets(warm_slots=0, calls_per_core=25, calls_per_actor=10, dedicated_warm=1, dedicated_max_calls=3)
    pool = [slot("a", "n1"), slot("d1", "n1", cap=1, kind=DEDICATED), slot("d2", "n1", cap=1, kind=DEDICATED),
            slot("d3", "n1", cap=1, kind="dedicated:t1", live=1)]
    out = plan(pool, {"n1": 4}, one_warm, {"d1", "d2", "d3"})
    assert out.retire == ["d1"] and not out.add_dedicated  # d2 stays warm; d3 is bound and busy
    none_warm = PoolTargets(warm_slots=0, calls_per_core=25, calls_per_actor=10, dedicated_warm=0, dedicated_max_calls=3)
    assert plan(pool, {"n1": 4}, none_warm, {"d1", "d2"}).retire == ["d1", "d2"]
    assert plan(pool, {"n1": 4}, none_warm, set()).retire == []  # not idle long enough yet


def test_dedicated_process_retires_after_its_calls_or_any_error() -> None:
    assert not retire_dedicated(2, False, 3)
    assert retire_dedicated(3, False, 3)
    assert retire_dedicated(1, True, 3)


def test_headroom_is_lag_or_cpu() -> None:
    assert not is_hot(5, 0.2)
    assert is_hot(30, 0.2) and is_hot(1, 0.9)


def test_autoscaler_is_asked_for_a_core_per_needed_actor() -> None:
    bundles = wanted_bundles(T, live=25, resource="voxray_call_node")
    assert len(bundles) == 3 and bundles[0] == {"CPU": 1.0, "voxray_call_node": 1.0}


PACKED = PoolTargets(warm_slots=50, calls_per_core=25, calls_per_actor=None, dedicated_warm=0, dedicated_max_calls=3)


def test_packed_nodes_run_as_few_actors_as_their_capacity_allows() -> None:
    # capacity = calls_per_core x CPUs, cut into actors of at most ACTOR_MAX_CALLS, at most one per CPU
    assert node_layout(2, PACKED) == node_layout(2.0, PACKED)
    assert (node_layout(1, PACKED).max_actors, node_layout(1, PACKED).actor_calls) == (1, 25)
    assert (node_layout(2, PACKED).max_actors, node_layout(2, PACKED).actor_calls) == (1, 50)
    assert (node_layout(3, PACKED).max_actors, node_layout(3, PACKED).actor_calls) == (2, 38)
    assert (node_layout(16, PACKED).max_actors, node_layout(16, PACKED).actor_calls) == (8, ACTOR_MAX_CALLS)
    # a 2-CPU node with its one actor full starts no second one: the autoscaler is asked instead
    assert plan([slot("a", "n1", live=50, cap=50)], {"n1": 2.0}, PACKED, set()).add_shared == []
    assert plan([], {"n1": 16.0}, PACKED, set()).add_shared == ["n1"]  # 50 warm slots: one actor of 50
    assert len(wanted_bundles(PACKED, live=50, resource="r")) == 4  # 100 calls at 25 per core


@given(cpus=st.floats(0.5, 64), per_core=st.integers(1, 80))
def test_a_packed_node_offers_its_capacity_and_never_more_actors_than_cores(cpus: float, per_core: int) -> None:
    targets = PoolTargets(warm_slots=0, calls_per_core=per_core, calls_per_actor=None, dedicated_warm=0,
                          dedicated_max_calls=3)
    layout = node_layout(cpus, targets)
    capacity = max(1, int(max(cpus, 1.0) * per_core))
    assert 1 <= layout.max_actors <= max(1, int(cpus))
    assert capacity <= layout.max_actors * layout.actor_calls < capacity + layout.max_actors
    assert layout.actor_calls <= max(ACTOR_MAX_CALLS, -(-capacity // max(1, int(cpus))))


nodes_st = st.dictionaries(st.sampled_from(["n1", "n2", "n3"]), st.integers(1, 4), min_size=1)


@given(nodes=nodes_st, lives=st.lists(st.integers(0, 10), max_size=8), warm=st.integers(0, 40))
def test_plan_never_exceeds_one_actor_per_cpu_and_keeps_one_per_node(nodes: dict[str, int], lives: list[int],
                                                                    warm: int) -> None:
    names = sorted(nodes)
    pool = [slot(f"a{i}", names[i % len(names)], live=v) for i, v in enumerate(lives)]
    # the pool never holds more than one per CPU to begin with
    per: dict[str, int] = {}
    pool = [a for a in pool if (per.setdefault(a.node, 0) < nodes[a.node]) and not per.update({a.node: per[a.node] + 1})]
    targets = PoolTargets(warm_slots=warm, calls_per_core=25, calls_per_actor=10, dedicated_warm=0, dedicated_max_calls=3)
    out = plan(pool, {n: float(c) for n, c in nodes.items()}, targets, {a.name for a in pool})
    after: dict[str, int] = {}
    for a in pool:
        if a.name not in out.retire:
            after[a.node] = after.get(a.node, 0) + 1
    for n in out.add_shared:
        after[n] = after.get(n, 0) + 1
    assert all(1 <= after.get(n, 0) <= c for n, c in nodes.items())
    assert all(a.live == 0 for a in pool if a.name in out.retire)


def test_actors_of_an_older_size_leave_room_for_the_rest_of_the_nodes_capacity() -> None:
    # After an upgrade a 4-CPU node (capacity 100) still runs two 25-call actors: one of 50 joins them.
    old = [slot("a", "n1", live=25, cap=25), slot("b", "n1", live=25, cap=25)]
    assert plan(old, {"n1": 4.0}, PACKED, set()).add_shared == ["n1"]
    full = old + [slot("c", "n1", live=50, cap=50)]
    assert plan(full, {"n1": 4.0}, PACKED, set()).add_shared == []
    assert node_layout(0.0, PACKED).actor_calls == 25  # a node offering no CPU still gets a core's calls
