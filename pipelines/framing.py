"""Fixed-size framing of a byte stream, and a bounded reorder buffer keyed by sequence number."""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

from pipelines import g711

T = TypeVar("T")


class Framer:
    """Cut an arbitrary-sized byte stream into fixed frames (default 20 ms of 8 kHz mu-law)."""

    def __init__(self, frame_bytes: int = 160) -> None:
        if frame_bytes <= 0:
            raise ValueError(f"frame_bytes must be positive, got {frame_bytes}")
        self.frame_bytes = frame_bytes
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held that do not yet make a whole frame."""
        return len(self._buf)

    def push(self, data: bytes) -> list[bytes]:
        """Append ``data``; return every complete frame now available, keeping the remainder."""
        if not self._buf and len(data) == self.frame_bytes:
            return [bytes(data)]  # the usual case (Twilio sends whole 20 ms frames): no copy through the buffer
        whole, fb = self.push_whole(data), self.frame_bytes
        return [whole[i : i + fb] for i in range(0, len(whole), fb)]

    def push_whole(self, data: bytes) -> bytes:
        """Like ``push``, but the complete frames come back as one run of bytes (a multiple of a frame)."""
        fb = self.frame_bytes
        if not self._buf and len(data) % fb == 0:
            return bytes(data)
        self._buf += data
        n = len(self._buf) // fb * fb
        whole = bytes(self._buf[:n])
        del self._buf[:n]
        return whole

    def flush(self, pad_byte: int | None = g711.SILENCE_BYTE) -> bytes | None:
        """Return the remainder padded to a whole frame with ``pad_byte`` (unpadded if None); None if empty."""
        if not self._buf:
            return None
        rest = bytes(self._buf)
        self._buf.clear()
        if pad_byte is None:
            return rest
        return rest + bytes([pad_byte]) * (self.frame_bytes - len(rest))


class ReorderBuffer(Generic[T]):
    """Release items strictly in increasing sequence order, waiting at most ``depth`` items for a gap.

    The first sequence number seen sets the expected one unless ``start`` gives it. Output is
    never out of order: an item arriving after its slot was released or skipped is dropped.
    Counters: ``duplicates`` (seen twice, or already released), ``late`` (its gap was already
    given up and counted in ``lost``, or it precedes ``start``), ``lost`` (sequence numbers skipped).
    """

    _GAPS_KEPT = 64  # recent skipped ranges remembered to tell a late item from a duplicate

    def __init__(self, depth: int = 4, *, start: int | None = None) -> None:
        if depth < 0:
            raise ValueError(f"depth must be >= 0, got {depth}")
        self.depth = depth
        self._started = start is not None
        self._first = self._expected = start or 0
        self._held: dict[int, T] = {}
        self._gaps: deque[tuple[int, int]] = deque(maxlen=self._GAPS_KEPT)
        self.duplicates = 0
        self.late = 0
        self.lost = 0

    @property
    def expected(self) -> int | None:
        """Next sequence number to release (None before the first push)."""
        return self._expected if self._started else None

    @property
    def held(self) -> int:
        """Items waiting for a missing predecessor."""
        return len(self._held)

    def push(self, seq: int, item: T) -> list[tuple[int, T]]:
        """Accept one item; return the (seq, item) pairs now releasable, in order."""
        if not self._started:
            self._started = True
            self._first = self._expected = seq
        if seq < self._expected:
            if seq < self._first or any(lo <= seq < hi for lo, hi in self._gaps):
                self.late += 1
            else:
                self.duplicates += 1
            return []
        if seq in self._held:
            self.duplicates += 1
            return []
        if seq == self._expected and not self._held:  # in order, nothing waiting: the usual case
            self._expected += 1
            return [(seq, item)]
        self._held[seq] = item
        out = self._drain()
        while len(self._held) > self.depth:
            self._skip_gap()
            out += self._drain()
        return out

    def flush(self) -> list[tuple[int, T]]:
        """Release everything held, in order, counting the gaps as lost."""
        out: list[tuple[int, T]] = []
        while self._held:
            self._skip_gap()
            out += self._drain()
        return out

    def _drain(self) -> list[tuple[int, T]]:
        out: list[tuple[int, T]] = []
        while self._expected in self._held:
            out.append((self._expected, self._held.pop(self._expected)))
            self._expected += 1
        return out

    def _skip_gap(self) -> None:
        nxt = min(self._held)
        if nxt > self._expected:
            self._gaps.append((self._expected, nxt))
            self.lost += nxt - self._expected
        self._expected = nxt
