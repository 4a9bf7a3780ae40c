"""What each client sent, for tests and debugging (``GET /local/sessions/{id}/events``).

Records are small: the event type, the client's ``event_id`` and a few fields. Audio is never
stored: runs of consecutive ``input_audio_buffer.append`` collapse into one record with a count
and a byte total, and any ``audio`` string elsewhere becomes its length. Memory is bounded: the
last ``max_sessions`` sessions, each with at most ``max_events`` records.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from pydantic import BaseModel

from pipelines.realtime_events import InputAudioAppend

from .recent import RecentSessions

_MAX_STR = 200
_SMALL_FIELDS = ("item_id", "content_index", "audio_end_ms", "response_id")


def _trim(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        if key == "audio":
            return f"<{len(value)} base64 chars>"
        return value if len(value) <= _MAX_STR else value[:_MAX_STR] + "..."
    if isinstance(value, dict):
        return {k: _trim(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_trim(v) for v in value]
    return value


class SessionEvents:
    def __init__(self, session_id: str, max_events: int, started_at: float) -> None:
        self.session_id = session_id
        self._records: deque[dict[str, Any]] = deque(maxlen=max_events)
        self._seq = 0
        self._started_at = started_at

    def client(self, event: BaseModel, now: float) -> None:
        kind: str = getattr(event, "type")
        event_id: str | None = getattr(event, "event_id", None)
        if isinstance(event, InputAudioAppend):
            nbytes = len(event.audio) * 3 // 4 - event.audio[-2:].count("=")
            last = self._records[-1] if self._records else None
            if last is not None and last["type"] == kind:
                last["count"] += 1
                last["bytes"] += nbytes
                return
            self._add(kind, now, event_id, {"count": 1, "bytes": nbytes})
            return
        fields = {name: getattr(event, name) for name in _SMALL_FIELDS if getattr(event, name, None) is not None}
        for name in ("session", "item", "response"):
            body = getattr(event, name, None)
            if body is not None:
                fields[name] = _trim(body)
        self._add(kind, now, event_id, fields)

    def invalid(self, kind: str | None, code: str, now: float) -> None:
        self._add(kind or "<invalid>", now, None, {"error": code})

    def snapshot(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._records]

    def _add(self, kind: str, now: float, event_id: str | None, fields: dict[str, Any]) -> None:
        self._seq += 1
        record = {"seq": self._seq, "type": kind, "at_ms": round((now - self._started_at) * 1000)}
        if event_id is not None:
            record["event_id"] = event_id
        self._records.append({**record, **fields})


class EventLog(RecentSessions[SessionEvents]):
    def __init__(self, max_sessions: int = 64, max_events: int = 5000) -> None:
        super().__init__(max_sessions)
        self._max_events = max_events

    def open(self, session_id: str, now: float) -> SessionEvents:
        return self.keep(session_id, SessionEvents(session_id, self._max_events, now))
