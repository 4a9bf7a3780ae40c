"""The model-stream interface every provider implements."""

from __future__ import annotations

from typing import Any, Protocol

from pipelines.realtime_events import ClientEvent, ServerEvent, UnknownServerEvent


class ModelStreamClosed(Exception):
    """The model connection ended (cleanly or not); ``reason`` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelStream(Protocol):
    session_id: str | None

    async def connect(self, session: dict[str, Any]) -> None: ...

    async def send(self, event: ClientEvent) -> None: ...

    async def send_audio(self, audio_b64: str) -> None: ...

    async def recv(self) -> ServerEvent | UnknownServerEvent: ...

    async def close(self) -> None: ...
