"""The per-call Ray actor: a thin shell owning the media socket and one ``CallSession``.

Created ahead of time in a warm pool (``ready`` opens its media socket), configured for a call
at setup (``configure``), queried for live state, and awaited with ``wait_done``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from actors.call_session import CallSession
from actors.providers.openai_realtime import OpenAIRealtimeStream
from actors.setup import CallSetup
from voxray.logging import configure_logging
from voxray.records import CallStatus
from voxray.store import Store


class SessionActor:
    def __init__(self, bind_host: str, log_level: str = "info") -> None:
        configure_logging(log_level)
        self._bind_host = bind_host
        self._server: asyncio.AbstractServer | None = None
        self._session: CallSession | None = None
        self._store: Store | None = None

    async def ready(self) -> tuple[str, int]:
        """Open the media socket; return the address the gateway should dial."""
        self._server = await asyncio.start_server(self._on_link, self._bind_host, 0)
        port = self._server.sockets[0].getsockname()[1]
        host = self._bind_host
        if host in ("0.0.0.0", "::"):
            import ray

            host = ray.util.get_node_ip_address()
        return host, port

    async def configure(self, setup: CallSetup) -> None:
        self._store = Store.from_url(setup.redis_url, setup.key_prefix)
        query = {"script": setup.agent.local_script} if setup.agent.local_script else None
        model = OpenAIRealtimeStream(api_key=setup.model_api_key, model=setup.agent.model,
                                     websocket_base_url=setup.model_websocket_base_url, extra_query=query)
        self._session = CallSession(setup, self._store, model)
        self._session.start_model()

    async def _on_link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._session is None:
            writer.close()
            return
        await self._session.serve_link(reader, writer)

    async def state(self) -> dict[str, Any]:
        return self._session.snapshot() if self._session else {"state": "warm"}

    async def end(self, reason: str) -> None:
        if self._session is not None:
            await self._session.abort(1000, reason, reason, status=CallStatus.COMPLETED)

    async def wait_done(self) -> dict[str, Any]:
        """Resolve when the call has ended and its records are written."""
        assert self._session is not None
        await self._session.done.wait()
        snapshot = self._session.snapshot()
        if self._server is not None:
            self._server.close()
        if self._store is not None:
            await self._store.close()
        return snapshot

    async def fail_unstarted(self, reason: str) -> None:
        if self._session is not None:
            await self._session.finish(CallStatus.FAILED, reason)
