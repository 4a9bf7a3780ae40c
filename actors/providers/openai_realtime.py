"""OpenAI Realtime (GA) over the real ``openai`` SDK (``client.realtime.connect``).

The same class reaches api.openai.com or the local realtime server: only
``websocket_base_url`` differs (PROTOCOLS §E.2). Events are our typed GA events, sent with
``send_raw`` and read with ``recv_bytes`` so the SDK's per-event transform stays off the
audio path.

A closed socket surfaces as ``ModelStreamClosed`` with its close code; reconnecting and
restoring the session is ``recovering.RecoveringStream``'s job, not the SDK's (its opt-in
reconnect opens an empty session: facts §4).
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

import orjson
import structlog
from openai import AsyncOpenAI, OpenAIError
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from actors.providers.base import ModelStreamClosed
from pipelines.realtime_events import (
    ClientEvent,
    ItemCreate,
    RealtimeProtocolError,
    ServerEvent,
    SessionUpdate,
    UnknownServerEvent,
    parse_server,
)

log = structlog.get_logger("voxray.model")


@functools.lru_cache(maxsize=16)
def client_for(api_key: str, websocket_base_url: str | None) -> AsyncOpenAI:
    """One SDK client per credentials and endpoint, shared by the calls of a process.

    Building one costs tens of ms (and the SDK imports its realtime modules lazily), so
    session actors build it when they start, not during call setup.
    """
    client = AsyncOpenAI(api_key=api_key, websocket_base_url=websocket_base_url, max_retries=0)
    client.realtime  # noqa: B018  (forces the lazy import of the realtime resources)
    return client


class OpenAIRealtimeStream:
    def __init__(self, *, client: AsyncOpenAI, model: str, extra_query: dict[str, str] | None = None) -> None:
        self._client = client
        self._model = model
        self._extra_query = extra_query or {}
        self._conn: Any = None
        self._odd_events: set[str] = set()
        self.session_id: str | None = None
        self.expires_at: float | None = None  # epoch seconds, from session.created

    async def connect(self, session: dict[str, Any], history: Sequence[dict[str, Any]] = ()) -> None:
        """Open a session: restored conversation items first (a new session after a loss), then
        the session settings. Items go first so a model that speaks on ``session.update`` (the
        local server's greeting) sees a conversation already under way."""
        self.session_id = self.expires_at = None
        try:
            self._conn = await self._client.realtime.connect(model=self._model, extra_query=self._extra_query).enter()
        except InvalidStatus as exc:
            status = exc.response.status_code
            raise ModelStreamClosed(f"connect_failed: HTTP {status}", http_status=status) from exc
        except (OpenAIError, OSError, WebSocketException) as exc:
            raise ModelStreamClosed(f"connect_failed: {type(exc).__name__}: {exc}") from exc
        for item in history:
            await self.send(ItemCreate(item=item))
        await self.send(SessionUpdate(session=session))

    async def send(self, event: ClientEvent) -> None:
        await self._send_raw(event.dump())

    async def send_audio(self, audio_b64: str) -> None:
        # Hot path: base64 needs no JSON escaping, so build the event text directly.
        await self._send_raw('{"type":"input_audio_buffer.append","audio":"' + audio_b64 + '"}')

    async def _send_raw(self, text: str) -> None:
        if self._conn is None:
            raise ModelStreamClosed("not_connected")
        try:
            await self._conn.send_raw(text)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            raise ModelStreamClosed(f"send_failed: {exc}", code=code) from exc
        except (OpenAIError, OSError) as exc:
            raise ModelStreamClosed(f"send_failed: {exc}") from exc

    async def recv(self) -> ServerEvent | UnknownServerEvent:
        if self._conn is None:
            raise ModelStreamClosed("not_connected")
        try:
            raw = await self._conn.recv_bytes()
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            reason = exc.rcvd.reason if exc.rcvd else "no close frame"
            raise ModelStreamClosed(f"closed {code}: {reason}", code=code) from exc
        except (OpenAIError, OSError) as exc:
            raise ModelStreamClosed(f"recv_failed: {exc}") from exc
        try:
            event = parse_server(raw)
        except RealtimeProtocolError as exc:
            if exc.code == "invalid_json":
                raise ModelStreamClosed(f"protocol_error {exc.code}: {exc.message}") from exc
            # A legacy name or a shape we don't model: keep the call, note it once per kind.
            kind = str(orjson.loads(raw).get("type"))
            if kind not in self._odd_events:
                self._odd_events.add(kind)
                log.warning("unmodelled_model_event", type=kind, code=exc.code, detail=exc.message[:200])
            return UnknownServerEvent(type=kind)
        if event.type == "session.created":
            self.session_id = str(event.session.get("id"))  # type: ignore[union-attr]
            expires = event.session.get("expires_at")  # type: ignore[union-attr]
            self.expires_at = float(expires) if isinstance(expires, (int, float)) and expires > 0 else None
        return event

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except (ConnectionClosed, OpenAIError, OSError):
                pass
