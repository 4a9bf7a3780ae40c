"""The local realtime server's transport: websockets on ``/v1/realtime``, plus ``/local/*`` routes.

A thin shell over ``session.RealtimeSession``: it authenticates the upgrade, picks the script,
feeds client messages, synthesized speech and timer ticks into the session, and carries out what
the session returns. HTTP routes (served from ``process_request``, before any upgrade):

- ``GET /local/health`` -> ``{"status": "ok", "connections": n, "sessions": [ids...]}``
- ``GET /local/sessions/{session_id}/events`` -> JSON list of the client events received
- ``GET /local/sessions/{session_id}/timing`` -> append receive and audio delta send times
  (``timing.py``; only with ``record_timing``, else 404)
- ``GET /local/faults[?model=M][&knob=value...]`` -> read or change the fault knobs (``faults.py``)
- ``GET /v1/realtime?model=M[&script=NAME]`` -> the Realtime websocket (``Authorization: Bearer``)
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import subprocess
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator
from websockets.asyncio.server import Server, ServerConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from pipelines.realtime_events import OutputAudioDelta
from simulators.speech import SpeechUnavailable

from . import voice
from .agent import Agent, HonestAgent, ScriptedAgent
from .eventlog import EventLog
from .events import error_event, new_id
from .faults import ABORT_CODE, MAX_DURATION_CLOSE, FaultBook, FaultError, Faults, expired_message, parse_changes
from .script import DEFAULT_SCRIPT_DIR, ScriptError, load_script
from .session import Close, Output, RealtimeSession, Send, SessionSettings, Synthesize, refuse_beta
from .timing import SessionTiming, TimingLog

log = logging.getLogger(__name__)
CLOSE_POLICY = 1008
SESSION_TTL_S = 3600
MAX_MESSAGE_BYTES = 16 * 2**20  # the real API takes appends up to 15 MiB
REALTIME_PATH = "/v1/realtime"


class RealtimeServerConfig(BaseModel):
    """Settings of one local realtime server."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port")
    api_key: str | None = Field(default=None, description="required bearer key; None accepts any non-empty key")
    script_dir: Path = DEFAULT_SCRIPT_DIR
    default_script: str | None = Field(
        default=None, description="script for connections without ?script=; None = unscripted")
    think_ms: int = Field(default=300, ge=0, le=60_000, description="delay before a response's first output item")
    pace: float = Field(default=4.0, gt=0, le=10_000, description="audio streaming speed, in multiples of real time")
    voice: str = Field(default="marin", description="default session output voice")
    max_logged_sessions: int = Field(default=64, ge=1)
    max_events_per_session: int = Field(default=5000, ge=10)
    record_timing: bool = Field(default=False, description="keep per-session timing for benchmarks (timing.py)")
    max_timed_sessions: int = Field(default=2000, ge=1)
    faults: Faults = Field(default_factory=Faults, description="fault knobs at start (faults.py)")

    @field_validator("voice")
    @classmethod
    def _known_voice(cls, value: str) -> str:
        if value not in voice.VOICES:
            raise ValueError(f"unknown voice {value!r}; one of {sorted(voice.VOICES)}")
        return value


@dataclass
class RunningServer:
    config: RealtimeServerConfig
    port: int
    events: EventLog
    _server: Server = field(repr=False)

    @property
    def url(self) -> str:
        """The ``websocket_base_url`` for ``openai.AsyncOpenAI``."""
        host = "127.0.0.1" if self.config.host in ("", "0.0.0.0") else self.config.host
        return f"ws://{host}:{self.port}/v1"

    async def close(self) -> None:
        self._server.close()
        await self._server.wait_closed()


async def serve(config: RealtimeServerConfig) -> RunningServer:
    """Start the server; a bad ``default_script`` fails here, not on the first call."""
    if config.default_script is not None:
        load_script(config.script_dir, config.default_script)
    app = _App(config)
    server = await ws_serve(app.handle, config.host, config.port, process_request=app.process_request,
                            max_size=MAX_MESSAGE_BYTES, compression=None)
    port = next(iter(server.sockets)).getsockname()[1]
    return RunningServer(config, port, app.events, server)


class _App:
    def __init__(self, config: RealtimeServerConfig) -> None:
        self.config = config
        self.events = EventLog(config.max_logged_sessions, config.max_events_per_session)
        self.timing = TimingLog(config.max_timed_sessions) if config.record_timing else None
        self.connections = 0
        self.faults = FaultBook(default=config.faults.check())
        self.live: dict[str, set[ServerConnection]] = {}  # model -> open sessions (drop_now)

    async def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path == "/local/faults":
            return self._faults(connection, parse_qs(urlsplit(request.path).query))
        if path == "/local/health":
            return _json(connection, HTTPStatus.OK, {"status": "ok", "connections": self.connections,
                                                     "sessions": self.events.session_ids()})
        if path.startswith("/local/sessions/") and path.endswith("/events"):
            log = self.events.get(path[len("/local/sessions/"):-len("/events")])
            if log is None:
                return _json(connection, HTTPStatus.NOT_FOUND, {"error": {"message": "unknown session"}})
            return _json(connection, HTTPStatus.OK, log.snapshot())
        if path.startswith("/local/sessions/") and path.endswith("/timing"):
            timing = self.timing.get(path[len("/local/sessions/"):-len("/timing")]) if self.timing else None
            if timing is None:
                message = "unknown session" if self.timing else "timing is off (start with --record-timing)"
                return _json(connection, HTTPStatus.NOT_FOUND, {"error": {"message": message}})
            return _json(connection, HTTPStatus.OK, timing.snapshot())
        if path.rstrip("/") != REALTIME_PATH:
            return _json(connection, HTTPStatus.NOT_FOUND, {"error": {"message": f"no route for {path}"}})
        refused = self._authenticate(connection, request)
        if refused is not None:
            return refused
        model = parse_qs(urlsplit(request.path).query).get("model", [""])[0]
        faults = self.faults.for_model(model)
        if faults.connect_delay_ms:
            await asyncio.sleep(faults.connect_delay_ms / 1000)
        if self.faults.take_refusal(model):
            return _json(connection, HTTPStatus.SERVICE_UNAVAILABLE, {"error": {
                "message": "The server is overloaded (fault injected).", "type": "server_error", "code": None}})
        return None

    def _faults(self, connection: ServerConnection, query: dict[str, list[str]]) -> Response:
        model = query.get("model", [None])[-1]
        try:
            changes = parse_changes(query)
            if changes or "reset" in query:
                self.faults.change(model, changes, reset="reset" in query)
            dropped = self._drop_now(model, query["drop_now"][-1]) if "drop_now" in query else 0
        except (FaultError, TypeError) as exc:
            return _json(connection, HTTPStatus.BAD_REQUEST, {"error": {"message": str(exc)}})
        return _json(connection, HTTPStatus.OK, {**self.faults.snapshot(), "dropped": dropped})

    def _drop_now(self, model: str | None, raw_code: str) -> int:
        try:
            code = Faults(drop_code=int(raw_code)).check().drop_code
        except ValueError:
            raise FaultError("drop_now must be a close code (1006: no close frame)") from None
        sessions = [ws for m, live in self.live.items() if model in (None, m) for ws in live]
        for ws in sessions:
            asyncio.get_running_loop().create_task(_drop(ws, 0, code))
        return len(sessions)

    def _authenticate(self, connection: ServerConnection, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        key = header[len("Bearer "):].strip() if header.startswith("Bearer ") else ""
        expected = self.config.api_key
        if key and (expected is None or hmac.compare_digest(key.encode(), expected.encode())):
            return None
        message = "Incorrect API key provided." if key else "You didn't provide an API key."
        return _json(connection, HTTPStatus.UNAUTHORIZED, {"error": {
            "message": message, "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}})

    async def handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        try:
            await self._handle(ws)
        finally:
            self.connections -= 1

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        if ws.request.headers.get("OpenAI-Beta") is not None:
            await _refuse(ws, refuse_beta())
            return
        query = parse_qs(urlsplit(ws.request.path).query)
        model = query.get("model", [""])[0]
        if not model:
            await _refuse(ws, _policy_error("missing_required_parameter", "Missing required parameter: 'model'."))
            return
        script = query.get("script", [None])[0] or self.config.default_script
        try:
            agent = self._agent(script)
        except ScriptError as exc:
            await _refuse(ws, _policy_error("unknown_script", str(exc)))
            return
        loop = asyncio.get_running_loop()
        session_id = new_id("sess")
        faults = self.faults.for_model(model)
        settings = SessionSettings(model, self.config.voice, self.config.think_ms, self.config.pace, faults.delay_ms)
        ttl = faults.session_ttl_s or SESSION_TTL_S
        session = RealtimeSession(settings, agent, self.events.open(session_id, loop.time()), session_id,
                                  expires_at=int(time.time() + ttl))
        log.info("session %s opened (model %s, script %s)", session_id, model, script or "-")
        timing = self.timing.open(session_id) if self.timing is not None else None
        timers = [asyncio.create_task(_expire(ws, ttl))]
        if (drop := self.faults.take_drop(model)) is not None:
            timers.append(asyncio.create_task(_drop(ws, *drop)))
        live = self.live.setdefault(model, set())
        live.add(ws)
        try:
            reason = await _Link(ws, session, timing).run()
        finally:
            live.discard(ws)
            for timer in timers:
                timer.cancel()
        log.info("session %s ended: %s", session_id, reason)

    def _agent(self, name: str | None) -> Agent:
        return HonestAgent() if name is None else ScriptedAgent(load_script(self.config.script_dir, name))


async def _drop(ws: ServerConnection, after_s: float, code: int) -> None:
    """Fault: end the session mid-call, with no close frame (1006) or with ``code``."""
    await asyncio.sleep(after_s)
    log.info("dropping a session (fault, code %s)", code)
    if code == ABORT_CODE:
        ws.transport.abort()
    else:
        await ws.close(code, "fault injected")


async def _expire(ws: ServerConnection, ttl_s: float) -> None:
    """The maximum session duration: a ``session_expired`` error, then close 1001."""
    await asyncio.sleep(ttl_s)
    message = expired_message(ttl_s)
    try:
        await ws.send(error_event("session_expired", message, kind="invalid_request_error").dump())
    except ConnectionClosed:
        return
    await ws.close(MAX_DURATION_CLOSE, message)


def _policy_error(code: str, message: str) -> list[Output]:
    return [Send(error_event(code, message)), Close(CLOSE_POLICY, code)]


async def _refuse(ws: ServerConnection, outputs: list[Output]) -> None:
    """Turn a connection away after the upgrade: an ``error`` event, then a close code."""
    for output in outputs:
        if isinstance(output, Send):
            await ws.send(output.event.dump())
        elif isinstance(output, Close):
            await ws.close(output.code, output.reason)


def _json(connection: ServerConnection, status: HTTPStatus, body: Any) -> Response:
    response = connection.respond(status, orjson.dumps(body).decode())
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    return response


class _Link:
    """Runs one session over one websocket: one reader task, TTS in threads, timers from the session."""

    def __init__(self, ws: ServerConnection, session: RealtimeSession, timing: SessionTiming | None = None) -> None:
        self._ws = ws
        self._session = session
        self._timing = timing
        self._inbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> str:
        """Serve the session until either side closes; say why it ended."""
        loop = asyncio.get_running_loop()
        reader = asyncio.create_task(self._read())
        try:
            if await self._carry_out(self._session.open(loop.time())):
                while await self._step(self._session, loop):
                    pass
            return f"closed with code {self._ws.close_code}"
        except ConnectionClosed as exc:
            return f"connection lost: {exc}"
        finally:
            for task in (reader, *self._tasks):
                task.cancel()
            await asyncio.gather(reader, *self._tasks, return_exceptions=True)

    async def _step(self, session: RealtimeSession, loop: asyncio.AbstractEventLoop) -> bool:
        deadline = session.next_deadline()
        try:
            async with asyncio.timeout(None if deadline is None else max(0.0, deadline - loop.time())):
                item = await self._inbox.get()
        except TimeoutError:
            item = ("tick",)
        now = loop.time()
        kind = item[0]
        if kind == "closed":
            return False
        if kind == "message":
            outputs = session.receive(item[1], now)
        elif kind == "audio":
            outputs = session.audio_ready(item[1], item[2], now)
        elif kind == "audio_failed":
            outputs = session.audio_failed(item[1], item[2], now)
        else:
            outputs = session.advance(now)
        return await self._carry_out(outputs)

    async def _read(self) -> None:
        try:
            timing = self._timing
            async for message in self._ws:
                if timing is not None:
                    timing.client_message(message)
                self._inbox.put_nowait(("message", message))
        except ConnectionClosed:
            pass
        finally:
            self._inbox.put_nowait(("closed",))

    async def _carry_out(self, outputs: list[Output]) -> bool:
        """Do what the session asked; False once the socket is to be closed."""
        for output in outputs:
            if isinstance(output, Send):
                text = output.event.dump()
                if self._timing is not None and isinstance(output.event, OutputAudioDelta):
                    event = output.event  # timed as the send starts: causally before any receipt
                    self._timing.audio_delta(event.response_id, event.item_id, event.delta)
                await self._ws.send(text)
            elif isinstance(output, Close):
                await self._ws.close(output.code, output.reason)
                return False
            else:
                self._synthesize(output)
        return True

    def _synthesize(self, job: Synthesize) -> None:
        async def work() -> None:
            try:
                audio = await asyncio.to_thread(voice.render, job.text, job.request.output_format, job.request.voice)
            except (SpeechUnavailable, subprocess.SubprocessError, OSError) as exc:
                self._inbox.put_nowait(("audio_failed", job.key, str(exc)))
            else:
                self._inbox.put_nowait(("audio", job.key, audio))

        task = asyncio.create_task(work())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
