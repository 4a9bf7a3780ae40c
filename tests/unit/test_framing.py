"""Framer (fixed 20 ms frames) and ReorderBuffer (bounded in-order release by sequence number)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import g711
from pipelines.framing import Framer, ReorderBuffer

# ---- Framer -----------------------------------------------------------------------------


def test_framer_returns_whole_frames_and_keeps_remainder() -> None:
    f = Framer()
    assert f.push(b"a" * 100) == []
    assert f.pending == 100
    frames = f.push(b"b" * 250)
    assert frames == [b"a" * 100 + b"b" * 60, b"b" * 160]
    assert f.pending == 30


def test_framer_flush_pads_with_silence_by_default() -> None:
    f = Framer()
    f.push(b"\x01" * 10)
    assert f.flush() == b"\x01" * 10 + bytes([g711.SILENCE_BYTE]) * 150
    assert f.pending == 0
    assert f.flush() is None


def test_framer_flush_unpadded_or_custom_pad() -> None:
    f = Framer(4)
    f.push(b"xyz")
    assert f.flush(pad_byte=None) == b"xyz"
    f.push(b"x")
    assert f.flush(pad_byte=0) == b"x\x00\x00\x00"


def test_framer_flush_on_frame_boundary_is_none() -> None:
    f = Framer(4)
    assert f.push(b"abcd") == [b"abcd"]
    assert f.flush() is None


def test_framer_rejects_non_positive_frame_size() -> None:
    with pytest.raises(ValueError):
        Framer(0)


@given(chunks=st.lists(st.binary(max_size=500), max_size=30), frame=st.integers(1, 200))
def test_framer_concatenation_is_lossless(chunks: list[bytes], frame: int) -> None:
    f = Framer(frame)
    out: list[bytes] = []
    for c in chunks:
        out += f.push(c)
    assert all(len(x) == frame for x in out)
    tail = f.flush(pad_byte=None) or b""
    assert len(tail) < frame
    assert b"".join(out) + tail == b"".join(chunks)


# ---- ReorderBuffer ----------------------------------------------------------------------


def _feed(buf: ReorderBuffer[str], arrivals: list[int]) -> list[int]:
    out: list[int] = []
    for seq in arrivals:
        for s, item in buf.push(seq, f"p{seq}"):
            assert item == f"p{s}"
            out.append(s)
    return out + [s for s, _ in buf.flush()]


def test_in_order_input_passes_straight_through() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer()
    assert buf.push(5, "a") == [(5, "a")]
    assert buf.push(6, "b") == [(6, "b")]
    assert buf.expected == 7 and buf.held == 0


def test_first_seq_sets_expected() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer()
    assert buf.expected is None
    buf.push(100, "x")
    assert buf.expected == 101


def test_swapped_pair_is_reordered() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer()
    buf.push(1, "a")
    assert buf.push(3, "c") == []
    assert buf.held == 1
    assert buf.push(2, "b") == [(2, "b"), (3, "c")]
    assert buf.lost == 0


def test_gap_is_given_up_when_more_than_depth_items_wait() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(depth=2)
    buf.push(1, "a")
    assert buf.push(3, "c") == []
    assert buf.push(4, "d") == []
    assert buf.push(5, "e") == [(3, "c"), (4, "d"), (5, "e")]
    assert buf.lost == 1 and buf.expected == 6


def test_item_arriving_after_its_gap_was_skipped_is_late_not_emitted() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(depth=0)
    buf.push(1, "a")
    assert buf.push(3, "c") == [(3, "c")]
    assert buf.push(2, "b") == []
    assert (buf.late, buf.duplicates, buf.lost) == (1, 0, 1)


def test_duplicates_are_dropped_and_counted() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer()
    buf.push(1, "a")
    buf.push(3, "c")
    assert buf.push(1, "a") == []  # already released
    assert buf.push(3, "c") == []  # already held
    assert buf.push(2, "b") == [(2, "b"), (3, "c")]
    assert (buf.duplicates, buf.late) == (2, 0)


def test_explicit_start_makes_earlier_seqs_late() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(start=10)
    assert buf.push(11, "b") == []
    assert buf.push(9, "z") == []
    assert buf.push(10, "a") == [(10, "a"), (11, "b")]
    assert buf.late == 1


def test_flush_releases_held_in_order_counting_gaps() -> None:
    buf: ReorderBuffer[str] = ReorderBuffer(depth=10)
    buf.push(1, "a")
    buf.push(5, "e")
    buf.push(3, "c")
    assert buf.flush() == [(3, "c"), (5, "e")]
    assert buf.lost == 2 and buf.held == 0
    assert buf.flush() == []


def test_rejects_negative_depth() -> None:
    with pytest.raises(ValueError):
        ReorderBuffer(depth=-1)


@st.composite
def _windowed_permutation(draw: st.DrawFn) -> tuple[int, int, list[int]]:
    """A sequence where no item is overtaken by more than ``depth`` later items."""
    depth = draw(st.integers(0, 6))
    n = draw(st.integers(1, 60))
    offsets = draw(st.lists(st.floats(0, depth), min_size=n, max_size=n))
    order = sorted(range(n), key=lambda i: (i + offsets[i], i))
    return depth, n, order


@settings(max_examples=200)
@given(_windowed_permutation(), st.integers(-1000, 1000))
def test_windowed_permutation_is_reassembled_exactly(case: tuple[int, int, list[int]], base: int) -> None:
    depth, n, order = case
    buf: ReorderBuffer[str] = ReorderBuffer(depth=depth, start=base)
    assert _feed(buf, [base + i for i in order]) == [base + i for i in range(n)]
    assert (buf.lost, buf.late, buf.duplicates) == (0, 0, 0)


@settings(max_examples=200)
@given(_windowed_permutation(), st.data())
def test_duplicates_never_duplicate_output(case: tuple[int, int, list[int]], data: st.DataObject) -> None:
    depth, n, order = case
    arrivals = list(order)
    for _ in range(data.draw(st.integers(0, 20))):
        arrivals.insert(data.draw(st.integers(0, len(arrivals))), data.draw(st.sampled_from(order)))
    buf: ReorderBuffer[str] = ReorderBuffer(depth=depth, start=0)
    out = _feed(buf, arrivals)
    assert len(out) == len(set(out))
    assert out == sorted(out)


@settings(max_examples=300)
@given(
    depth=st.integers(0, 6),
    arrivals=st.lists(st.integers(0, 80), max_size=120),
)
def test_output_strictly_increasing_and_accounts_for_every_seq(depth: int, arrivals: list[int]) -> None:
    """Random loss, reordering and duplication: output + lost covers the input span exactly."""
    buf: ReorderBuffer[str] = ReorderBuffer(depth=depth)
    out = _feed(buf, arrivals)
    assert all(a < b for a, b in zip(out, out[1:]))
    assert set(out) <= set(arrivals)
    if out:
        # Every seq from the first to the last released is either released or counted lost.
        assert len(out) + buf.lost == out[-1] - arrivals[0] + 1
    assert len(out) + buf.late + buf.duplicates == len(arrivals)


@settings(max_examples=200)
@given(
    depth=st.integers(0, 6),
    data=st.data(),
)
def test_with_random_loss_output_plus_lost_equals_input_set(depth: int, data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 60))
    kept = [i for i in range(n) if i == 0 or i == n - 1 or data.draw(st.booleans())]
    offsets = data.draw(st.lists(st.floats(0, depth), min_size=len(kept), max_size=len(kept)))
    arrivals = [kept[0]] + [s for _, s in sorted(zip(offsets[1:], kept[1:]), key=lambda p: (p[1] + p[0], p[1]))]
    buf: ReorderBuffer[str] = ReorderBuffer(depth=depth)
    out = _feed(buf, arrivals)
    assert all(a < b for a, b in zip(out, out[1:]))
    assert len(out) + buf.lost == n
