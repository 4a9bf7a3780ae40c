"""What the caller has actually heard of the agent's audio, from Twilio mark echoes.

Twilio plays outbound media in order and echoes a ``mark`` once the audio queued before it has
played. On ``clear`` it drops its buffer and echoes every pending mark at once, so those echoes
prove nothing was played (PROTOCOLS §A.3). Positions are kept in bytes of 8 kHz mu-law (8 per ms)
on one timeline shared by all items, since Twilio's buffer is a single FIFO.
"""

from __future__ import annotations

from collections import OrderedDict

BYTES_PER_MS = 8


class PlayoutTracker:
    """Track sent audio, marks and clears; estimate per item how many ms the caller heard."""

    def __init__(self) -> None:
        self._queue_end = 0  # timeline position after the last byte sent and not cleared
        self._anchor_pos = 0  # a position known (or assumed) to be playing at _anchor_t
        self._anchor_t = 0.0
        self._echoed_pos = 0
        self._segments: dict[str, list[list[int]]] = {}  # item -> [[start, end), ...] on the timeline
        self._sent: dict[str, int] = {}
        self._pending: OrderedDict[str, int] = OrderedDict()  # mark name -> timeline position
        self._cleared: set[str] = set()
        self._last_item: str | None = None
        self._counter = 0

    def _played(self, now_ms: float) -> int:
        elapsed = max(0.0, now_ms - self._anchor_t)
        return min(self._queue_end, self._anchor_pos + int(elapsed * BYTES_PER_MS))

    def on_sent(self, item_id: str, nbytes: int, now_ms: float) -> None:
        """``nbytes`` of mu-law for ``item_id`` were sent to Twilio at ``now_ms``."""
        if nbytes < 0:
            raise ValueError(f"nbytes must be >= 0, got {nbytes}")
        if self._played(now_ms) >= self._queue_end:
            # Idle buffer: playback of this audio starts now, not at the last anchor.
            self._anchor_pos, self._anchor_t = self._queue_end, now_ms
        segs = self._segments.setdefault(item_id, [])
        end = self._queue_end + nbytes
        if segs and segs[-1][1] == self._queue_end:
            segs[-1][1] = end
        else:
            segs.append([self._queue_end, end])
        self._queue_end = end
        self._sent[item_id] = self._sent.get(item_id, 0) + nbytes
        self._last_item = item_id

    def next_mark(self, item_id: str) -> str:
        """Name a mark to send after the audio sent so far, and register it pending."""
        self._counter += 1
        name = f"{item_id}:{self.sent_ms(item_id)}:{self._counter}"
        self._pending[name] = self._queue_end
        return name

    def on_mark_echo(self, name: str, now_ms: float) -> None:
        """Twilio echoed mark ``name``: everything queued before it has played (unless it was cleared)."""
        if name in self._cleared:
            self._cleared.discard(name)  # echo caused by our clear: nothing was played
            return
        if name not in self._pending:
            return
        while self._pending:  # echoes come in order; earlier pending marks are implied
            earlier, pos = self._pending.popitem(last=False)
            if earlier == name:
                break
        if pos >= self._echoed_pos:
            self._echoed_pos = pos
            self._anchor_pos, self._anchor_t = pos, now_ms
        if pos >= self._queue_end:
            self._last_item = None

    def on_clear(self, now_ms: float) -> None:
        """A ``clear`` was sent: queued audio is gone and pending marks will echo without playing."""
        played = self._played(now_ms)
        for segs in self._segments.values():
            while segs and segs[-1][0] >= played:
                segs.pop()
            if segs and segs[-1][1] > played:
                segs[-1][1] = played
        self._queue_end = played
        self._anchor_pos, self._anchor_t = played, now_ms
        self._cleared.update(self._pending)
        self._pending.clear()
        self._last_item = None

    def heard_ms(self, item_id: str, now_ms: float) -> int:
        """Ms of ``item_id``'s audio the caller has heard by ``now_ms``; never more than was sent."""
        played = self._played(now_ms)
        heard = sum(max(0, min(end, played) - start) for start, end in self._segments.get(item_id, ()))
        return heard // BYTES_PER_MS

    def sent_ms(self, item_id: str) -> int:
        return self._sent.get(item_id, 0) // BYTES_PER_MS

    def unheard_ms(self, now_ms: float) -> int:
        """Ms of audio sent and still queued at Twilio (0 when idle)."""
        return (self._queue_end - self._played(now_ms)) // BYTES_PER_MS

    @property
    def pending_marks(self) -> int:
        """Marks sent and not yet echoed (excluding those a clear made moot)."""
        return len(self._pending)

    @property
    def active_item(self) -> str | None:
        """Item of the latest audio sent, until a clear or an echo at the end of the queue shows it done."""
        return self._last_item
