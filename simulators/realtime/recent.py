"""A bounded map of the most recent sessions' records (oldest dropped first)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")


class RecentSessions(Generic[T]):
    def __init__(self, max_sessions: int) -> None:
        self._sessions: OrderedDict[str, T] = OrderedDict()
        self._max_sessions = max_sessions

    def keep(self, session_id: str, record: T) -> T:
        self._sessions[session_id] = record
        while len(self._sessions) > self._max_sessions:
            self._sessions.popitem(last=False)
        return record

    def get(self, session_id: str) -> T | None:
        return self._sessions.get(session_id)

    def session_ids(self) -> list[str]:
        return list(self._sessions)
