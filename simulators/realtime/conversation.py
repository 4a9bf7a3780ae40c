"""The conversation: items in order, and how much assistant audio each item has had generated."""

from __future__ import annotations

from typing import Any

from .events import new_id


class Conversation:
    def __init__(self) -> None:
        self.id = new_id("conv")
        self._items: dict[str, dict[str, Any]] = {}
        self._audio_ms: dict[str, float] = {}
        self._last: str | None = None

    def add(self, item: dict[str, Any]) -> str | None:
        """Append ``item`` (stored by reference); return the id of the item before it."""
        previous, self._last = self._last, item["id"]
        self._items[item["id"]] = item
        return previous

    def get(self, item_id: str) -> dict[str, Any] | None:
        return self._items.get(item_id)

    def last(self) -> dict[str, Any] | None:
        return None if self._last is None else self._items[self._last]

    def assistant_messages(self) -> int:
        """How many assistant messages the conversation holds (restored ones included)."""
        return sum(1 for i in self._items.values() if i.get("type") == "message" and i.get("role") == "assistant")

    def set_audio_ms(self, item_id: str, ms: float) -> None:
        self._audio_ms[item_id] = ms

    def audio_ms(self, item_id: str) -> float | None:
        return self._audio_ms.get(item_id)
