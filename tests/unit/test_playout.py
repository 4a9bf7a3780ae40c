"""PlayoutTracker: what the caller heard, from sends, Twilio mark echoes and clears."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.playout import PlayoutTracker

MS = 8  # bytes of 8 kHz mu-law per ms


def _send(p: PlayoutTracker, item: str, ms: int, now: float, mark_every_ms: int = 0) -> list[str]:
    """Send ``ms`` of audio for ``item`` in one go (or in chunks with a mark after each)."""
    if not mark_every_ms:
        p.on_sent(item, ms * MS, now)
        return [p.next_mark(item)]
    marks = []
    for _ in range(ms // mark_every_ms):
        p.on_sent(item, mark_every_ms * MS, now)
        marks.append(p.next_mark(item))
    return marks


def test_nothing_sent_means_nothing_heard() -> None:
    p = PlayoutTracker()
    assert p.heard_ms("a", 1000) == 0 and p.sent_ms("a") == 0
    assert p.unheard_ms(1000) == 0 and p.pending_marks == 0 and p.active_item is None


def test_mark_names_are_unique_and_encode_item_and_sent_ms() -> None:
    p = PlayoutTracker()
    p.on_sent("item_1", 160, 0)
    first = p.next_mark("item_1")
    p.on_sent("item_1", 160, 0)
    second, third = p.next_mark("item_1"), p.next_mark("item_1")
    assert first.startswith("item_1:20:") and second.startswith("item_1:40:")
    assert len({first, second, third}) == 3
    assert p.pending_marks == 3


def test_playback_interpolates_at_real_time_from_send_into_idle_buffer() -> None:
    p = PlayoutTracker()
    _send(p, "a", 1000, now=100)
    assert p.heard_ms("a", 100) == 0
    assert p.heard_ms("a", 350) == 250
    assert p.unheard_ms(350) == 750
    assert p.active_item == "a"


def test_interpolation_is_capped_at_what_was_sent() -> None:
    p = PlayoutTracker()
    _send(p, "a", 100, now=0)
    assert p.heard_ms("a", 5000) == 100 == p.sent_ms("a")
    assert p.unheard_ms(5000) == 0


def test_echoed_marks_in_order_advance_heard_from_echo_time() -> None:
    p = PlayoutTracker()
    m1, m2, m3 = _send(p, "a", 600, now=0, mark_every_ms=200)
    # Playback started late: the first echo arrives at 300 ms, so only 200 ms had played then.
    p.on_mark_echo(m1, 300)
    assert p.heard_ms("a", 300) == 200
    assert p.heard_ms("a", 350) == 250
    p.on_mark_echo(m2, 500)
    assert p.heard_ms("a", 500) == 400
    assert p.pending_marks == 1
    p.on_mark_echo(m3, 700)
    assert p.heard_ms("a", 700) == 600 and p.unheard_ms(700) == 0
    assert p.pending_marks == 0 and p.active_item is None


def test_an_echo_implies_earlier_pending_marks_played() -> None:
    p = PlayoutTracker()
    marks = _send(p, "a", 600, now=0, mark_every_ms=200)
    p.on_mark_echo(marks[1], 400)
    assert p.pending_marks == 1
    p.on_mark_echo(marks[0], 450)  # no longer pending: ignored, does not move heard backwards
    assert p.heard_ms("a", 450) == 450


def test_unknown_mark_names_are_ignored() -> None:
    p = PlayoutTracker()
    _send(p, "a", 400, now=0)
    p.on_mark_echo("someone-else:1:1", 10)
    p.on_mark_echo("a:9999:99", 10)
    assert p.heard_ms("a", 100) == 100 and p.pending_marks == 1


def test_clear_freezes_heard_and_its_echoes_do_not_advance() -> None:
    p = PlayoutTracker()
    marks = _send(p, "a", 1000, now=0, mark_every_ms=200)
    p.on_mark_echo(marks[0], 200)
    p.on_clear(250)
    assert p.pending_marks == 0 and p.active_item is None
    for name in marks[1:]:  # Twilio echoes every pending mark right after a clear
        p.on_mark_echo(name, 260)
    assert p.heard_ms("a", 260) == 250
    assert p.heard_ms("a", 10_000) == 250
    assert p.sent_ms("a") == 1000
    assert p.unheard_ms(260) == 0


def test_cleared_echo_arriving_late_still_ignored_after_new_audio() -> None:
    p = PlayoutTracker()
    (old,) = _send(p, "a", 500, now=0)
    p.on_clear(100)
    _send(p, "b", 500, now=120)
    p.on_mark_echo(old, 130)  # echo caused by the clear, arriving after new audio was queued
    assert p.heard_ms("b", 130) == 10
    assert p.heard_ms("a", 130) == 100


def test_audio_after_clear_plays_from_its_send_time() -> None:
    p = PlayoutTracker()
    _send(p, "a", 1000, now=0)
    p.on_clear(300)
    (m,) = _send(p, "b", 400, now=350)
    assert p.heard_ms("b", 450) == 100
    assert p.active_item == "b"
    p.on_mark_echo(m, 800)
    assert p.heard_ms("b", 800) == 400 and p.heard_ms("a", 800) == 300


def test_items_play_back_to_back_in_send_order() -> None:
    p = PlayoutTracker()
    _send(p, "a", 100, now=0)
    _send(p, "b", 100, now=10)
    assert (p.heard_ms("a", 50), p.heard_ms("b", 50)) == (50, 0)
    assert (p.heard_ms("a", 150), p.heard_ms("b", 150)) == (100, 50)
    assert p.active_item == "b"
    p.on_clear(150)
    assert (p.heard_ms("a", 999), p.heard_ms("b", 999)) == (100, 50)
    assert (p.sent_ms("a"), p.sent_ms("b")) == (100, 100)


def test_send_into_drained_buffer_restarts_the_clock() -> None:
    p = PlayoutTracker()
    _send(p, "a", 100, now=0)
    _send(p, "b", 100, now=500)  # buffer ran dry at 100 ms
    assert p.heard_ms("b", 550) == 50
    assert p.unheard_ms(550) == 50


def test_interleaved_chunks_of_one_item_accumulate() -> None:
    p = PlayoutTracker()
    for i in range(10):
        p.on_sent("a", 160, i * 20)  # sent in real time, 20 ms per frame
    assert p.sent_ms("a") == 200
    assert p.heard_ms("a", 180) == 180
    assert p.unheard_ms(180) == 20


def test_odd_byte_counts_round_down_and_never_exceed_sent() -> None:
    p = PlayoutTracker()
    p.on_sent("a", 13, 0)
    assert p.sent_ms("a") == 1
    assert p.heard_ms("a", 100) == 1


def test_negative_byte_count_rejected() -> None:
    with pytest.raises(ValueError):
        PlayoutTracker().on_sent("a", -1, 0)


_ITEMS = ["a", "b", "c"]
_op = st.one_of(
    st.tuples(st.just("send"), st.sampled_from(_ITEMS), st.integers(0, 4000)),
    st.tuples(st.just("mark"), st.sampled_from(_ITEMS), st.just(0)),
    st.tuples(st.just("echo"), st.sampled_from(_ITEMS), st.integers(0, 50)),
    st.tuples(st.just("clear"), st.just(""), st.just(0)),
)


@settings(max_examples=300)
@given(st.lists(st.tuples(_op, st.floats(0, 200)), max_size=60))
def test_heard_stays_within_sent_and_freezes_after_clear(ops: list[tuple[tuple[str, str, int], float]]) -> None:
    p = PlayoutTracker()
    now = 0.0
    marks: list[str] = []
    frozen: dict[str, int] = {}
    for (kind, item, n), dt in ops:
        now += dt
        if kind == "send":
            p.on_sent(item, n, now)
            frozen.pop(item, None)
        elif kind == "mark":
            marks.append(p.next_mark(item))
        elif kind == "echo" and marks:
            p.on_mark_echo(marks[n % len(marks)], now)
        elif kind == "clear":
            p.on_clear(now)
            frozen = {i: p.heard_ms(i, now) for i in _ITEMS}
        for i in _ITEMS:
            for t in (now, now + 10, now + 1e6):
                assert 0 <= p.heard_ms(i, t) <= p.sent_ms(i)
        assert p.unheard_ms(now) >= 0
        if kind == "clear":
            assert p.unheard_ms(now) == 0 and p.pending_marks == 0
        # After a clear, an item's heard position is frozen until more of its audio is sent.
        for i, h in frozen.items():
            assert p.heard_ms(i, now + 1e6) == h


@settings(max_examples=200)
@given(
    chunks=st.lists(st.integers(1, 2000), min_size=1, max_size=20),
    times=st.lists(st.floats(0, 100), min_size=1, max_size=20),
)
def test_heard_grows_with_time_between_events(chunks: list[int], times: list[float]) -> None:
    p = PlayoutTracker()
    for n in chunks:
        p.on_sent("a", n, 0)
    t, last = 0.0, 0
    for dt in times:
        t += dt
        h = p.heard_ms("a", t)
        assert last <= h <= p.sent_ms("a")
        last = h
