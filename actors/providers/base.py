"""The model-stream interface every provider implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from pipelines.realtime_events import ClientEvent, ServerEvent, UnknownServerEvent


class ModelStreamClosed(Exception):
    """The model connection ended (cleanly or not); ``reason`` says how.

    ``code`` is the websocket close code when one was seen (1006: no close frame),
    ``http_status`` the status of a refused websocket upgrade.
    """

    def __init__(self, reason: str, *, code: int | None = None, http_status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.http_status = http_status


class ModelStreamFailed(ModelStreamClosed):
    """The model is gone for this call: recovery was not possible or ran out of budget."""


@dataclass(frozen=True)
class ModelReconnected:
    """Not a model event: the stream was lost and a new session now carries the conversation."""

    reason: str
    renewed: bool  # a planned renewal before the session's maximum length
    attempts: int
    lost_at: float  # the session clock when the old session was lost
    gap_s: float
    response_was_active: bool
    session_id: str | None


class ModelStream(Protocol):
    @property
    def session_id(self) -> str | None: ...

    async def connect(self, session: dict[str, Any], history: Sequence[dict[str, Any]] = ()) -> None: ...

    async def send(self, event: ClientEvent) -> None: ...

    async def send_audio(self, audio_b64: str) -> None: ...

    async def recv(self) -> ServerEvent | UnknownServerEvent | ModelReconnected: ...

    async def close(self) -> None: ...
