"""The collector's passes are timed per generation, and start-up's objects can be frozen out of its sight."""

from __future__ import annotations

import gc
import weakref

from voxray.gc_pauses import BOUNDS, GenerationPauses, PauseTally, settle


def test_each_pass_is_counted_under_its_generation_until_uninstalled() -> None:
    tally = PauseTally()
    tally.install()
    tally.install()  # once, however often installed
    try:
        gc.collect(0)
        gc.collect(2)
        gc.collect(2)
    finally:
        tally.uninstall()
    young, _, full = tally.snapshot()
    assert full.count == 2 and young.count >= 1
    assert full.total_s > 0 and full.longest_s <= full.total_s
    gc.collect(2)
    assert tally.snapshot()[2].count == 2  # uninstalled: no longer timed
    assert tally._on_pass not in gc.callbacks


def test_buckets_are_cumulative_and_end_with_every_pass() -> None:
    pauses = GenerationPauses()
    for seconds in (0.00005, 0.003, 0.003, 0.2, 5.0):
        pauses.add(seconds)
    pairs = pauses.cumulative()
    assert [le for le, _ in pairs] == [*map(str, BOUNDS), "+Inf"]
    counts = dict(pairs)
    assert counts["0.0001"] == 1 and counts["0.005"] == 3 and counts["0.25"] == 4 and counts["+Inf"] == 5
    assert [n for _, n in pairs] == sorted(n for _, n in pairs)
    assert pauses.longest_s == 5.0 and abs(pauses.total_s - 5.20605) < 1e-9


def test_a_snapshot_does_not_move_with_later_passes() -> None:
    tally = PauseTally()
    tally.install()
    try:
        gc.collect(2)
        before = tally.snapshot()
        gc.collect(2)
    finally:
        tally.uninstall()
    assert before[2].count == 1 and tally.snapshot()[2].count == 2


def test_settle_freezes_what_is_alive_and_collects_garbage_first() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    frozen_before = gc.get_freeze_count()
    cycle = Node()  # alive: frozen
    garbage = Node()
    gone = weakref.ref(garbage)
    del garbage  # a cycle nobody holds: collected, not frozen forever
    try:
        assert any(o is cycle for o in gc.get_objects())
        frozen = settle()
        assert frozen > frozen_before and frozen == gc.get_freeze_count()
        assert gone() is None
        assert not any(o is cycle for o in gc.get_objects())  # out of the collector's sight
    finally:
        gc.unfreeze()
