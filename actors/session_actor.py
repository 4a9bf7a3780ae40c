"""The session actor: a thin Ray shell owning a media socket and the ``CallSession``s it hosts.

With ``capacity=1`` (the default) an actor owns exactly one call and its process is retired
after it, so a call never shares a process. A Ray worker process costs ~145 MB and ~0.6 % of a
core even when idle (benchmarks/README.md), so dense deployments raise ``capacity`` to host
many calls per process. The gateway dials the media socket and names the call in HELLO.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

import httpx
import orjson

from actors import link
from actors.call_session import CallSession
from actors.providers.openai_realtime import OpenAIRealtimeStream, client_for
from actors.setup import CallSetup
from voxray.egress import webhook_transport
from voxray.logging import configure_logging
from voxray.records import CallStatus
from voxray.store import Store

HELLO_TIMEOUT_S = 10.0


class SessionActor:
    def __init__(self, bind_host: str, log_level: str = "info", capacity: int = 1,
                 model_api_key: str | None = None, model_websocket_base_url: str | None = None) -> None:
        configure_logging(log_level)
        self._bind_host = bind_host
        self.capacity = capacity
        self._server: asyncio.AbstractServer | None = None
        self._sessions: dict[str, CallSession] = {}
        self._stores: dict[tuple[str, str], Store] = {}
        self._http: dict[bool, httpx.AsyncClient] = {}
        if model_api_key is not None:  # build the SDK client (and its lazy imports) before any call
            client_for(model_api_key, model_websocket_base_url)

    async def ready(self) -> tuple[str, int]:
        """Open the media socket; return the address the gateway should dial."""
        self._server = await asyncio.start_server(self._on_link, self._bind_host, 0)
        port = self._server.sockets[0].getsockname()[1]
        host = self._bind_host
        if host in ("0.0.0.0", "::"):
            import ray

            host = ray.util.get_node_ip_address()
        return host, port

    def _store(self, setup: CallSetup) -> Store:
        key = (setup.redis_url, setup.key_prefix)
        if key not in self._stores:
            self._stores[key] = Store.from_url(*key)
        return self._stores[key]

    def _tool_http(self, allow_private: bool) -> httpx.AsyncClient:
        """One pooled client per actor for tool requests; it connects to public addresses only
        (unless the deployment allows private ones), and never follows redirects."""
        if allow_private not in self._http:
            self._http[allow_private] = httpx.AsyncClient(
                transport=webhook_transport(allow_private=allow_private, max_connections=50),
                follow_redirects=False, trust_env=False)
        return self._http[allow_private]

    async def configure(self, setup: CallSetup) -> None:
        """Take a call: returns at once; the model connection opens in the background."""
        if len(self._sessions) >= self.capacity:
            raise RuntimeError(f"session actor is full ({self.capacity} calls)")
        query = {"script": setup.agent.local_script} if setup.agent.local_script else None
        model = OpenAIRealtimeStream(client=client_for(setup.model_api_key.get_secret_value(),
                                                       setup.model_websocket_base_url),
                                     model=setup.agent.model, extra_query=query)
        session = CallSession(setup, self._store(setup), model, http=self._tool_http(setup.tool_allow_private_hosts))
        self._sessions[setup.call_sid] = session
        session.start_model()

    async def _on_link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """First frame names the call and proves the gateway holds its link key."""
        try:
            kind, body = await asyncio.wait_for(link.read_frame(reader), HELLO_TIMEOUT_S)
            hello = orjson.loads(body) if kind == link.Kind.HELLO else {}
            if not isinstance(hello, dict):
                raise link.LinkError("HELLO is not an object")
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, link.LinkError, orjson.JSONDecodeError):
            writer.close()
            return
        session = self._sessions.get(str(hello.get("call_sid")))
        if session is None or not hmac.compare_digest(str(hello.get("link_key")), session.setup.link_key):
            writer.close()
            return
        await session.serve_link(reader, writer)

    def _session(self, call_sid: str | None) -> CallSession | None:
        if call_sid is None and len(self._sessions) == 1:
            return next(iter(self._sessions.values()))
        return self._sessions.get(call_sid or "")

    async def state(self, call_sid: str | None = None) -> dict[str, Any]:
        session = self._session(call_sid)
        return session.snapshot() if session else {"state": "gone"}

    async def end(self, call_sid: str | None = None, reason: str = "ended_by_operator") -> None:
        session = self._session(call_sid)
        if session is not None:
            await session.abort(1000, reason, reason, status=CallStatus.COMPLETED)

    async def wait_done(self, call_sid: str | None = None) -> dict[str, Any]:
        """Resolve when the call has ended and its records are written; the actor forgets it."""
        session = self._session(call_sid)
        if session is None:
            return {"state": "gone"}
        await session.done.wait()
        self._sessions.pop(session.setup.call_sid, None)
        return session.snapshot()

    async def load(self) -> int:
        return len(self._sessions)
