"""The benchmark's pure parts: CPU accounting, process-tree sums, arrival shapes, call outcomes."""

from __future__ import annotations

import pytest

from benchmarks.accounting import Interval, call_cost, steady_bounds, stream_rate
from benchmarks.measure import Sample, group_delta, tree_cpu
from benchmarks.outcomes import outcome, tally
from benchmarks.profile_setup import summarize as profile_summary
from benchmarks.shapes import arrival_offsets_ms
from simulators.carrier.result import CallResult
from simulators.carrier.twiml import parse_twiml


def test_call_cost_recovers_idle_streaming_and_setup_of_a_synthetic_run() -> None:
    # A stack idling at 100 ms/s, streaming at 10 ms per call-second, 200 ms of setup per call:
    # 10 calls of 12 s in a 30 s run (6.2 CPU-s); steady window 5 s with all 10 live (1.0 CPU-s).
    cost = call_cost(idle=Interval(0.5, 5.0), run=Interval(6.2, 30.0), call_s=120.0, calls=10, live_calls=10,
                     window=Interval(1.0, 5.0))
    assert cost.idle_ms_per_s == pytest.approx(100.0)
    assert cost.stream_ms_per_call_s == pytest.approx(10.0)
    assert cost.setup_teardown_ms_per_call == pytest.approx(200.0)


def test_refused_calls_share_the_setup_cost_but_not_the_streaming_window() -> None:
    # 8 calls streamed (96 call-s), 2 were refused; all 10 count for setup.
    cost = call_cost(idle=Interval(0.0, 5.0), run=Interval(0.96 + 10 * 0.05, 20.0), call_s=96.0, calls=10,
                     live_calls=8, window=Interval(0.4, 5.0))
    assert cost.stream_ms_per_call_s == pytest.approx(10.0)
    assert cost.setup_teardown_ms_per_call == pytest.approx(50.0)


def test_without_a_steady_window_there_is_no_streaming_rate_or_setup_cost() -> None:
    cost = call_cost(idle=Interval(0.5, 5.0), run=Interval(6.0, 30.0), call_s=100.0, calls=10, live_calls=10,
                     window=None)
    assert cost.stream_ms_per_call_s is None and cost.setup_teardown_ms_per_call is None
    assert cost.idle_ms_per_s == pytest.approx(100.0)


def test_bad_intervals_are_refused() -> None:
    with pytest.raises(ValueError):
        call_cost(idle=Interval(0.1, 0.0), run=Interval(1.0, 1.0), call_s=1.0, calls=1, live_calls=1, window=None)
    with pytest.raises(ValueError):
        stream_rate(Interval(1.0, 1.0), 0, 0.0)


def test_steady_window_lies_between_the_last_start_and_the_first_end() -> None:
    assert steady_bounds([1.0, 2.0, 3.0], [14.0, 13.0, 15.0]) == (3.5, 12.5)
    assert steady_bounds([1.0, 10.0], [11.0, 12.0]) is None  # 0 s left after the margins
    assert steady_bounds([], []) is None


def test_a_reaped_worker_is_counted_once_and_groups_sum_to_the_tree_total() -> None:
    # pid 1 = server, 2 = raylet, 3 = a worker alive at a that exits and is reaped by the raylet,
    # 4 = a worker born after a.
    a = Sample(at=0.0, cpu={1: 10.0, 2: 5.0, 3: 2.0}, rss={}, reaped={1: 0.0, 2: 1.0, 3: 0.0})
    b = Sample(at=10.0, cpu={1: 13.0, 2: 6.0, 4: 0.5}, rss={}, reaped={1: 0.0, 2: 1.0 + 2.5, 4: 0.0})
    tree = {1, 2, 3, 4}
    total = tree_cpu(b, tree) - tree_cpu(a, tree)
    assert total == pytest.approx(3.0 + 1.0 + 0.5 + 0.5)  # worker 3 used 0.5 s more before it exited
    parts = group_delta(a, b, tree, {"server": {1}, "raylet": {2}, "workers": {3, 4}})
    assert parts["exited"] == pytest.approx(0.5)
    assert parts["workers"] == pytest.approx(0.5)
    assert sum(parts.values()) == pytest.approx(total)


def test_burst_fits_one_second_and_spreads_frame_phases() -> None:
    for n in (10, 50, 100):
        offsets = arrival_offsets_ms("burst", n)
        assert len(offsets) == n and offsets == sorted(offsets) and len(set(offsets)) == n
        assert 0.0 <= offsets[0] and offsets[-1] < 1000.0
        phases = [o % 20.0 for o in offsets]
        assert sum(1 for o in offsets if o % 10.0 == 0.0) <= 1  # only call 0 at t = 0
        # Every 5 ms quarter of the 20 ms frame period holds a fair share of the calls.
        quarters = [sum(1 for p in phases if q * 5 <= p < (q + 1) * 5) for q in range(4)]
        assert min(quarters) >= n // 8, quarters


def test_steady_arrival_is_one_call_per_stagger_and_unknown_shapes_fail() -> None:
    assert arrival_offsets_ms("steady", 3) == [0.0, 53.0, 106.0]
    with pytest.raises(ValueError):
        arrival_offsets_ms("poisson", 3)


def _call(twiml: str | None, *, audio_ms: float = 0.0, setup_error: str | None = None) -> CallResult:
    r = CallResult(call_sid="CA1", stream_sid="MZ1", from_number="+1", to_number="+2")
    r.twiml = parse_twiml(twiml) if twiml else None
    r.setup_error = setup_error
    if audio_ms:
        r.connected, r.frames_sent, r.agent_audio_ms_received = True, 100, audio_ms
    return r


def test_busy_twiml_is_refused_a_broken_webhook_failed_and_a_heard_agent_ok() -> None:
    busy = _call('<Response><Say>All lines are busy.</Say><Hangup/></Response>',
                 setup_error="TwiML has no <Connect><Stream>")
    broken = _call(None, setup_error="webhook timed out")
    good = _call('<Response><Connect><Stream url="wss://x/media"/></Connect></Response>', audio_ms=900.0)
    silent = _call('<Response><Connect><Stream url="wss://x/media"/></Connect></Response>')
    silent.connected, silent.frames_sent = True, 100
    assert [outcome(c) for c in (busy, broken, good, silent)] == ["refused", "failed", "ok", "failed"]
    counts = tally([busy, broken, good, silent])
    assert (counts["ok"], counts["refused"], counts["failed"], counts["with_audio"]) == (1, 1, 2, 1)
    assert counts["refusal_said"] == ["All lines are busy."]


def test_profile_summary_attributes_samples_to_process_kinds() -> None:
    raw = ('process 11:"python -m benchmarks.voxray_server";open_call (gateway/x.py);admit (voxray/l.py) 30\n'
           'process 12:"ray::SessionActor";start_call (actors/s.py) 10\n'
           'garbage line\n')
    text = profile_summary(raw, {11: "server", 12: "session_actor"})
    assert text.startswith("40 samples on CPU")
    assert " 75.0%  server" in text and " 25.0%  session_actor" in text
    assert "[server] admit (voxray/l.py)" in text
