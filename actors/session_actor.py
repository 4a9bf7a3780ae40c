"""The session actor: a thin Ray shell owning a media socket and the ``CallSession``s it hosts.

Started by the pool supervisor (``actors/pool.py``) as a detached, named actor, so no gateway
owns it. A shared actor hosts many calls (its capacity is sized from what a core carries); a
dedicated one hosts one call at a time for one tenant and is reused for that tenant's next call
until it has served enough or anything went wrong. The gateway admits a call in Redis, hands
the actor its ``CallSetup`` with one Ray call, then dials the media socket and names the call
in HELLO. The actor gives the slot back in Redis when the call's records are written, and
reports when it has no headroom (event-loop lag, CPU) so admission passes it by.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import structlog

from actors import link, link_mux, link_tls, metrics
from actors.call_session import CallSession
from actors.pool_policy import HOT_CPU, HOT_LAG_MS, is_hot, retire_dedicated
from actors.providers.openai_realtime import OpenAIRealtimeStream, client_for
from actors.setup import CallSetup
from voxray.egress import webhook_transport
from voxray.live_calls import SHARED, LiveCalls
from voxray import gc_pauses, tracing
from voxray.logging import configure_logging
from voxray.preload import preload
from voxray.records import CallStatus
from voxray.store import Store

log = structlog.get_logger("voxray.session_actor")

HELLO_TIMEOUT_S = 10.0
SETUP_WAIT_S = 5.0  # a HELLO that beat its call's setup waits this long for it
MAX_PENDING_LINKS = 64  # unauthenticated connections held at once (each waits at most HELLO_TIMEOUT_S)
PRE_HELLO_MAX_BYTES = 4096  # a HELLO is ~100 bytes: nothing bigger is read before it checks out
HEADROOM_TICK_S = 0.1
HEADROOM_WINDOW_S = 0.5
HOT_FOR_S = 2.0
GC_PAUSE_LOG_MS = 20.0  # collector time in one headroom window worth a warning (a caller can hear it)
RETIRE_ATTEMPTS = 5  # a spent dedicated process's capacity 0 is retried this many times, 1 s apart


@dataclass(frozen=True)
class SessionActorConfig:
    name: str
    kind: str  # shared | dedicated
    capacity: int
    bind_host: str
    redis_url: str
    prefix: str
    log_level: str = "info"
    model_api_key: str | None = None
    model_websocket_base_url: str | None = None
    dedicated_max_calls: int = 20
    hot_lag_ms: float = HOT_LAG_MS
    hot_cpu: float = HOT_CPU
    # The cluster's media-link secret: with it the media socket serves TLS (actors/link_tls.py).
    media_link_key: str | None = None


class SessionActor:
    def __init__(self, config: SessionActorConfig) -> None:
        configure_logging(config.log_level)
        tracing.configure("voxray-session")
        self.config = config
        self._server: asyncio.AbstractServer | None = None
        self._sessions: dict[str, CallSession] = {}
        self._store = Store.from_url(config.redis_url, config.prefix)
        self._live = LiveCalls(self._store.redis, config.prefix)
        self._http: dict[bool, httpx.AsyncClient] = {}
        self._served = 0
        self._failed = False
        self._retiring = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._node_id = ""
        self._pending_links = 0
        self._awaiting_setup = 0
        self._arrived = asyncio.Condition()  # a call's setup arrived (a HELLO may be waiting for it)
        if config.model_api_key is not None:  # build the SDK client (and its lazy imports) before any call
            client_for(config.model_api_key, config.model_websocket_base_url)
        preload()

    async def ready(self) -> tuple[str, int, str]:
        """Open the media socket; return the address the gateway should dial and the node id."""
        import ray

        tls = link_tls.server_context(self.config.media_link_key) if self.config.media_link_key else None
        # The node's own setting wins (each node binds its private address; the supervisor's
        # config came from whichever gateway created it); "node" means Ray's node address.
        bind = os.environ.get("VOXRAY_MEDIA_BIND_HOST") or self.config.bind_host
        if bind == "node":
            bind = ray.util.get_node_ip_address()
        if tls is None and not link.is_loopback(bind):
            raise RuntimeError("a media socket off loopback needs VOXRAY_MEDIA_LINK_KEY (TLS)")
        self._server = await asyncio.start_server(self._on_connection, bind, 0, ssl=tls,
                                                  ssl_handshake_timeout=link_tls.HANDSHAKE_TIMEOUT_S if tls else None,
                                                  backlog=MAX_PENDING_LINKS)
        port = self._server.sockets[0].getsockname()[1]
        host = bind
        if host in ("0.0.0.0", "::"):
            host = ray.util.get_node_ip_address()
        self._spawn(self._headroom_loop())
        self._node_id = ray.get_runtime_context().get_node_id()
        for allow_private in (False, True):  # TLS contexts load CA bundles (~0.1 s): never on a call's path
            self._tool_http(allow_private)
        metrics.prepare()
        log.info("session_actor_ready", frozen_objects=gc_pauses.settle())  # full collections skip start-up's objects
        gc_pauses.PROCESS_PAUSES.install()
        return host, port, self._node_id

    async def watch(self) -> None:
        """Never returns: the supervisor's pending call on it fails the moment this actor dies."""
        await asyncio.Event().wait()

    async def sessions(self) -> list[str]:
        return list(self._sessions)

    def _tool_http(self, allow_private: bool) -> httpx.AsyncClient:
        """One pooled client per actor for tool requests; it connects to public addresses only
        (unless the deployment allows private ones), and never follows redirects."""
        if allow_private not in self._http:
            self._http[allow_private] = httpx.AsyncClient(
                transport=webhook_transport(allow_private=allow_private, max_connections=50),
                follow_redirects=False, trust_env=False)
        return self._http[allow_private]

    async def configure(self, setup: CallSetup) -> None:
        """Take a call admitted to this actor: returns at once; the model connection opens in the background."""
        if setup.call_sid in self._sessions:
            return  # a retried hand-over of the same call
        with tracing.span("session.configure", parent=setup.trace_context, call_sid=setup.call_sid,
                          tenant_id=setup.tenant_id, node=self._node_id):
            self._take(setup)

    def _take(self, setup: CallSetup) -> None:
        if self._retiring:
            raise RuntimeError("session actor is retiring (a spent or failed dedicated process)")
        if len(self._sessions) >= self.config.capacity:
            raise RuntimeError(f"session actor is full ({self.config.capacity} calls)")
        query = {"script": setup.agent.local_script} if setup.agent.local_script else None
        model = OpenAIRealtimeStream(client=client_for(setup.model_api_key.get_secret_value(),
                                                       setup.model_websocket_base_url),
                                     model=setup.agent.model, extra_query=query)
        session = CallSession(setup, self._store, model, http=self._tool_http(setup.tool_allow_private_hosts))
        session.node = self._node_id or session.node  # the Ray node: what operators (and node loss) go by
        self._sessions[setup.call_sid] = session
        session.start_model()
        self._spawn(self._track(session))
        self._spawn(self._announce())

    async def _announce(self) -> None:
        async with self._arrived:
            self._arrived.notify_all()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _track(self, session: CallSession) -> None:
        """When the call's records are written, give its slot back (and retire a spent dedicated process)."""
        sid, tenant = session.setup.call_sid, session.setup.tenant_id
        try:
            await session.done.wait()
        finally:
            self._sessions.pop(sid, None)
            self._served += 1
            self._failed = self._failed or session.internal_error
            if self.config.kind != SHARED and retire_dedicated(self._served, self._failed,
                                                               self.config.dedicated_max_calls):
                # Spent or erred: no further call, from this moment (``_take`` refuses) and in
                # Redis (capacity 0) before the slot is given back, so admission cannot pick it.
                self._retiring = True
                await self._retire_in_redis()
            try:
                # The slot is held until the call's queued writes reached Redis: the supervisor
                # stops a retired or drained process once it holds no call, and they would go with it.
                await session.records.drained(60)
                await self._live.release(sid, tenant, self.config.name)
            except Exception:  # noqa: BLE001 - the supervisor's sweep releases it later
                log.exception("slot_release_failed", call_sid=sid)

    async def _retire_in_redis(self) -> None:
        for attempt in range(RETIRE_ATTEMPTS):
            try:
                await self._live.set_capacity(self.config.name, 0)
                return
            except Exception:  # noqa: BLE001 - Redis blip: try again (``_take`` refuses meanwhile)
                log.exception("retire_capacity_failed", actor=self.config.name, attempt=attempt)
                await asyncio.sleep(1.0)

    async def _headroom_loop(self) -> None:
        """Measure event-loop lag and this process's CPU; mark the actor hot while it has no room.

        Sustained, not momentary: the mean lag of a half-second window, two windows in a row (a
        single scheduling hiccup on a busy host must not turn callers away).
        """
        loop = asyncio.get_running_loop()
        hot_until = 0.0
        strikes = 0
        while True:
            lags: list[float] = []
            start, cpu_start = loop.time(), time.process_time()
            while loop.time() - start < HEADROOM_WINDOW_S:
                before = loop.time()
                await asyncio.sleep(HEADROOM_TICK_S)
                lags.append((loop.time() - before - HEADROOM_TICK_S) * 1000)
            lag = sum(lags) / len(lags)
            cpu = (time.process_time() - cpu_start) / max(loop.time() - start, 1e-3)
            self._report_pauses()
            strikes = strikes + 1 if is_hot(lag, cpu, self.config.hot_lag_ms, self.config.hot_cpu) else 0
            now = time.time()
            if strikes >= 2 and now > hot_until - HOT_FOR_S / 2:
                try:
                    await self._live.set_hot(self.config.name, now + HOT_FOR_S)
                    hot_until = now + HOT_FOR_S
                    log.warning("session_actor_hot", lag_ms=round(lag, 1), cpu=round(cpu, 2), calls=len(self._sessions))
                except Exception:  # noqa: BLE001 - Redis away: admission simply doesn't see it
                    pass

    def _report_pauses(self) -> None:
        """The collector's passes since the last window: to Ray's metrics, and to the log when they
        stood this actor's calls still long enough to be heard."""
        try:
            stood = metrics.collector_pauses()
        except Exception as exc:  # noqa: BLE001 - metrics must never stop the headroom loop
            log.debug("gc_pause_report_failed", error=repr(exc))
            return
        for generation, (passes, ms) in stood.items():
            if ms >= GC_PAUSE_LOG_MS:
                log.warning("session_actor_gc_pause", generation=generation, passes=passes, ms=round(ms, 1),
                            calls=len(self._sessions))

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A gateway's connection: one call's link (it opens with HELLO), or one carrying the links
        of many calls (it opens with ``link_mux.PREFACE``; VOXRAY_MEDIA_LINK_MUX on the gateway)."""
        if self._pending_links >= MAX_PENDING_LINKS:  # connections that have not said HELLO yet
            writer.close()
            return
        self._pending_links += 1
        try:
            first = await asyncio.wait_for(reader.readexactly(1), HELLO_TIMEOUT_S)
            muxed = first == link_mux.PREFACE[:1]
            if muxed and first + await asyncio.wait_for(reader.readexactly(len(link_mux.PREFACE) - 1),
                                                        HELLO_TIMEOUT_S) != link_mux.PREFACE:
                raise link.LinkError("bad preface")
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, link.LinkError):
            writer.close()
            return
        finally:
            self._pending_links -= 1
        if muxed:
            # Pending (like a link before its HELLO) until one of its channels proves a link key.
            self._pending_links += 1
            await link_mux.serve(reader, writer, self._on_channel, HELLO_TIMEOUT_S, self._mux_proven)
        else:
            await self._on_link(reader, writer, first)

    def _mux_proven(self) -> None:
        self._pending_links -= 1

    async def _on_channel(self, reader: link_mux.ChannelReader, writer: link_mux.ChannelWriter) -> None:
        # A muxed connection bounds its own channels before a proven HELLO (link_mux), so a burst of
        # calls on it is not held to the per-socket count.
        await self._on_link(reader, writer, counted=False)

    async def _on_link(self, reader: link.LinkReader, writer: link.LinkWriter, first: bytes = b"",
                       counted: bool = True) -> None:
        """First frame names the call and proves the gateway holds its link key (``first``: its
        first byte, already read to tell a call's link from a muxed connection)."""
        if counted and self._pending_links >= MAX_PENDING_LINKS:  # links that have not said HELLO yet
            writer.close()
            return
        self._pending_links += counted
        try:
            hello = await self._hello(reader, writer, first)
        finally:
            self._pending_links -= counted
        if hello is None:
            return
        # A HELLO may beat its call's setup under a burst: those waits are counted apart, up to
        # every slot of this actor plus a margin, so a burst's early links never crowd out the rest.
        if self._awaiting_setup >= self.config.capacity + MAX_PENDING_LINKS:
            writer.close()
            return
        self._awaiting_setup += 1
        try:
            session = await self._arrival(str(hello.get("call_sid")))
        finally:
            self._awaiting_setup -= 1
        if session is None or not hmac.compare_digest(str(hello.get("link_key")).encode(),
                                                      session.setup.link_key.encode()):
            writer.close()
            return
        if isinstance(writer, link_mux.ChannelWriter):
            writer.authenticated()
        await session.serve_link(reader, writer)

    async def _arrival(self, call_sid: str) -> CallSession | None:
        """The call's session; its setup may still be on its way (the gateway doesn't wait for it)."""
        deadline = asyncio.get_running_loop().time() + SETUP_WAIT_S
        async with self._arrived:
            while call_sid not in self._sessions:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    return None
                try:
                    await asyncio.wait_for(self._arrived.wait(), remaining)
                except asyncio.TimeoutError:
                    return None
            return self._sessions[call_sid]

    async def _hello(self, reader: link.LinkReader, writer: link.LinkWriter,
                     first: bytes) -> dict[str, Any] | None:
        try:
            kind, size = link.HEADER.unpack(first + await asyncio.wait_for(
                reader.readexactly(link.HEADER.size - len(first)), HELLO_TIMEOUT_S))
            if kind != link.Kind.HELLO or size > PRE_HELLO_MAX_BYTES:
                raise link.LinkError("expected a HELLO")
            hello = orjson.loads(await asyncio.wait_for(reader.readexactly(size), HELLO_TIMEOUT_S))
            if not isinstance(hello, dict):
                raise link.LinkError("HELLO is not an object")
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, link.LinkError,
                orjson.JSONDecodeError):
            writer.close()
            return None
        return hello

    def _session(self, call_sid: str | None) -> CallSession | None:
        if call_sid is None and len(self._sessions) == 1:
            return next(iter(self._sessions.values()))
        return self._sessions.get(call_sid or "")

    async def state(self, call_sid: str | None = None) -> dict[str, Any]:
        session = self._session(call_sid)
        return session.snapshot() if session else {"state": "gone"}

    async def states(self, call_sids: list[str]) -> list[dict[str, Any]]:
        return [s.snapshot() for sid in call_sids if (s := self._sessions.get(sid)) is not None]

    async def end(self, call_sid: str | None = None, reason: str = "ended_by_operator", failed: bool = False) -> bool:
        session = self._session(call_sid)
        if session is None:
            return False
        await session.abort(1000, reason, reason, status=CallStatus.FAILED if failed else CallStatus.COMPLETED)
        return True

    async def load(self) -> int:
        return len(self._sessions)
