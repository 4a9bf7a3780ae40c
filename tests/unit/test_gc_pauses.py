"""The collector's passes are timed per generation, and start-up's objects can be frozen out of its sight."""

from __future__ import annotations

import gc
import weakref

import pytest

from voxray import gc_pauses
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
        # (frozen objects freed since by their last reference leave the count: not compared to it)
        assert frozen > frozen_before and frozen == gc_pauses.frozen()
        assert gone() is None
        assert not any(o is cycle for o in gc.get_objects())  # out of the collector's sight
    finally:
        gc.unfreeze()


class FakeCounter:
    """Records increments and refuses what Ray's Counter refuses (a value <= 0)."""

    def __init__(self) -> None:
        self.incs: list[tuple[float, dict[str, str]]] = []

    def inc(self, value: float, tags: dict[str, str]) -> None:
        if value <= 0:
            raise ValueError("value must be > 0")
        self.incs.append((value, tags))


def test_actor_reports_only_the_passes_since_its_last_report(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from actors import metrics

    counters = {"gc_passes": FakeCounter(), "gc_pause_ms": FakeCounter()}
    tally = PauseTally()
    monkeypatch.setattr(metrics, "_build", lambda: counters)
    monkeypatch.setattr(metrics.gc_pauses, "PROCESS_PAUSES", tally)
    monkeypatch.setattr(metrics, "_gc_reported", [(0, 0.0)] * 3)
    tally.by_generation[2].add(0.040)
    tally.by_generation[2].add(0.060)
    tally.by_generation[0].add(0.0)  # a pass too short to measure: counted, no zero ms sent
    first = metrics.collector_pauses()
    assert first[2] == (2, pytest.approx(100.0)) and first[0] == (1, 0.0) and 1 not in first
    assert metrics.collector_pauses() == {}  # nothing new: nothing sent
    tally.by_generation[2].add(0.005)
    assert metrics.collector_pauses() == {2: (1, pytest.approx(5.0))}
    assert [(v, t["generation"]) for v, t in counters["gc_passes"].incs] == [(1, "0"), (2, "2"), (1, "2")]
    assert [round(v, 6) for v, _ in counters["gc_pause_ms"].incs] == [100.0, 5.0]


def test_the_gateway_exports_a_valid_histogram_per_generation() -> None:
    from prometheus_client import generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    import gateway.metrics  # noqa: F401 - registers the collector

    gc.collect(2)
    families = {f.name: f for f in text_string_to_metric_families(generate_latest().decode())}
    samples = families["voxray_gc_pause_seconds"].samples
    for generation in ("0", "1", "2"):
        buckets = [s.value for s in samples if s.name.endswith("_bucket") and s.labels["generation"] == generation]
        count = next(s.value for s in samples if s.name.endswith("_count") and s.labels["generation"] == generation)
        assert len(buckets) == len(BOUNDS) + 1 and buckets == sorted(buckets) and buckets[-1] == count
    assert "voxray_gc_frozen_objects" in families
