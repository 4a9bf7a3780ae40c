"""Per-session timing for latency benchmarks (``--record-timing``; off by default).

Times are ``time.monotonic()`` seconds (CLOCK_MONOTONIC, shared by every process on the host),
so a benchmark can compare them directly with the carrier simulator's clock:

- ``appends``: when each ``input_audio_buffer.append`` came off the websocket, in order (the
  transport reads it; queueing inside the server is not included);
- ``deltas``: for each ``response.output_audio.delta`` sent, ``[sent_at, response_id, item_id,
  offset, nbytes]``: ``sent_at`` is just before the websocket send starts, ``offset`` the byte
  offset of the delta's first audio byte within its response.

Memory is bounded: the last ``max_sessions`` sessions, each at most ``max_appends`` appends
(about an hour of 20 ms frames) and ``max_deltas`` deltas; ``dropped`` counts what was not kept.
"""

from __future__ import annotations

import time
from array import array
from typing import Any

from .recent import RecentSessions

_APPEND = "input_audio_buffer.append"
_APPEND_B = _APPEND.encode()
_HEAD = 120  # the event type sits near the start of the JSON text


def b64_len(text: str) -> int:
    """Decoded length of a base64 string, without decoding it."""
    if not text:
        return 0
    return len(text) * 3 // 4 - text[-2:].count("=")


class SessionTiming:
    def __init__(self, session_id: str, max_appends: int, max_deltas: int) -> None:
        self.session_id = session_id
        self.opened_at = time.monotonic()
        self.appends = array("d")
        self.deltas: list[tuple[float, str, str, int, int]] = []
        self.dropped = 0
        self._max_appends = max_appends
        self._max_deltas = max_deltas
        self._offsets: dict[str, int] = {}

    def client_message(self, message: str | bytes, now: float | None = None) -> None:
        """A raw client message arrived; keep its time if it is an audio append."""
        head = message[:_HEAD]
        if (_APPEND in head) if isinstance(head, str) else (_APPEND_B in head):
            if len(self.appends) < self._max_appends:
                self.appends.append(time.monotonic() if now is None else now)
            else:
                self.dropped += 1

    def audio_delta(self, response_id: str, item_id: str, delta_b64: str, now: float | None = None) -> None:
        nbytes = b64_len(delta_b64)
        offset = self._offsets.get(response_id, 0)
        self._offsets[response_id] = offset + nbytes
        if len(self.deltas) < self._max_deltas:
            self.deltas.append((time.monotonic() if now is None else now, response_id, item_id, offset, nbytes))
        else:
            self.dropped += 1

    def snapshot(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "opened_at": self.opened_at, "appends": self.appends.tolist(),
                "deltas": [list(d) for d in self.deltas], "dropped": self.dropped}


class TimingLog(RecentSessions[SessionTiming]):
    def __init__(self, max_sessions: int = 2000, max_appends: int = 180_000, max_deltas: int = 40_000) -> None:
        super().__init__(max_sessions)
        self._max_appends = max_appends
        self._max_deltas = max_deltas

    def open(self, session_id: str) -> SessionTiming:
        return self.keep(session_id, SessionTiming(session_id, self._max_appends, self._max_deltas))
