"""A model stream that outlives its connections: reconnect, restore, renew.

Wraps a provider stream (``OpenAIRealtimeStream``). When the connection is lost unexpectedly it
reconnects with backoff inside the policy's budget, restores the session (the conversation so
far as items, then the same ``session.update``: instructions, tools, voice) and hands the
session a ``ModelReconnected`` notice from ``recv``. Sessions are renewed before the provider's
maximum length, at a quiet moment when one comes. Caller audio sent while the model is away
is held (bounded) and delivered to the new session in order; other events are dropped, since
the response they belonged to is gone. When recovery is impossible ``recv`` raises
``ModelStreamFailed``; sends never raise, so the call can still be transferred.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from typing import Any, Callable, Protocol, Sequence

import structlog

from actors.model_recovery import Attempts, RecoveryPolicy, Renewal, Verdict, classify, renewal
from actors.providers.base import ModelReconnected, ModelStreamClosed, ModelStreamFailed
from pipelines import realtime_events as rt

log = structlog.get_logger("voxray.model")


class ProviderStream(Protocol):
    session_id: str | None
    expires_at: float | None

    async def connect(self, session: dict[str, Any], history: Sequence[dict[str, Any]] = ()) -> None: ...

    async def send(self, event: rt.ClientEvent) -> None: ...

    async def send_audio(self, audio_b64: str) -> None: ...

    async def recv(self) -> rt.ServerEvent | rt.UnknownServerEvent: ...

    async def close(self) -> None: ...


class RecoveringStream:
    def __init__(self, inner: ProviderStream, policy: RecoveryPolicy | None = None, *,
                 history: Callable[[], list[dict[str, Any]]] = list, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time, jitter: Callable[[], float] = lambda: random.uniform(0.75, 1.0),
                 call_sid: str = "") -> None:
        self._inner = inner
        self.policy = policy or RecoveryPolicy()
        self._history = history
        self._clock = clock
        self._wall = wall
        self._jitter = jitter
        self._call_sid = call_sid
        self._session: dict[str, Any] = {}
        self._up = False
        self._closing = False
        self._failure: ModelStreamFailed | None = None
        self._held: deque[str] = deque()
        self._renewal: Renewal | None = None
        self._open_mono = self._open_wall = 0.0
        self._response_active = False
        self._caller_speaking = False
        self._last_error_code: str | None = None
        self.reconnects = 0
        self.renewals = 0
        self.audio_dropped = 0  # held caller frames dropped beyond the bound

    @property
    def session_id(self) -> str | None:
        return self._inner.session_id

    @property
    def up(self) -> bool:
        return self._up

    # ---- opening ---------------------------------------------------------------------------

    async def connect(self, session: dict[str, Any], history: Sequence[dict[str, Any]] = ()) -> None:
        self._session = session
        await self._open(list(history), "connect", self.policy.first_connect_budget_s)
        await self._release_held()

    async def _open(self, history: list[dict[str, Any]], why: str, budget_s: float | None = None) -> int:
        """Connect inside the budget; returns the attempts made or raises ModelStreamFailed."""
        attempts = Attempts(self.policy, self._clock(), budget_s=budget_s)
        while True:
            try:
                async with asyncio.timeout(max(0.001, attempts.remaining(self._clock()))):
                    await self._inner.connect(self._session, history)
            except (ModelStreamClosed, TimeoutError) as exc:
                await self._inner.close()
                closed = exc if isinstance(exc, ModelStreamClosed) else ModelStreamClosed("connect_timeout")
                verdict = classify(close_code=closed.code, reason=closed.reason, http_status=closed.http_status)
                delay = None if verdict is Verdict.FATAL else attempts.next_delay(self._clock(), self._jitter())
                if delay is None:
                    made = attempts.made if verdict is not Verdict.FATAL else attempts.made + 1
                    raise self._fail(f"{why}: {closed.reason} (gave up after {made} attempt(s))")
                log.info("model_connect_retry", call_sid=self._call_sid, reason=closed.reason, delay_s=round(delay, 3))
                await asyncio.sleep(delay)
                continue
            self._open_mono, self._open_wall = self._clock(), self._wall()
            self._renewal = renewal(self.policy, self._open_mono)
            self._last_error_code = None
            return attempts.made + 1

    async def _release_held(self) -> None:
        # Audio sent meanwhile queues behind; ``up`` is set with no await once the queue is
        # empty, so caller audio never overtakes itself.
        while self._held:
            await self._inner.send_audio(self._held.popleft())
        self._up = True

    def _fail(self, reason: str) -> ModelStreamFailed:
        self._up = False
        self._failure = ModelStreamFailed(reason)
        return self._failure

    # ---- sending -----------------------------------------------------------------------------

    async def send(self, event: rt.ClientEvent) -> None:
        if not self._up:
            log.debug("model_event_dropped", call_sid=self._call_sid, type=event.type)
            return
        try:
            await self._inner.send(event)
        except ModelStreamClosed:
            self._up = False  # recv sees the close and recovers

    async def send_audio(self, audio_b64: str) -> None:
        if self._up:
            try:
                await self._inner.send_audio(audio_b64)
                return
            except ModelStreamClosed:
                self._up = False
        if self._failure is not None:
            return
        if len(self._held) >= self.policy.audio_frames:
            self._held.popleft()
            self.audio_dropped += 1
        self._held.append(audio_b64)

    # ---- receiving ---------------------------------------------------------------------------

    async def recv(self) -> rt.ServerEvent | rt.UnknownServerEvent | ModelReconnected:
        while True:
            if self._failure is not None:
                raise self._failure
            wait = self._renewal.next_check(self._clock()) if self._renewal else None
            try:
                async with asyncio.timeout(wait):
                    event = await self._inner.recv()
            except TimeoutError:
                assert self._renewal is not None
                if self._renewal.due(self._clock(), response_active=self._response_active,
                                     caller_speaking=self._caller_speaking):
                    return await self._recover("renewal: maximum session length ahead", renewed=True)
                continue
            except ModelStreamClosed as exc:
                if self._closing:
                    raise
                verdict = classify(close_code=exc.code, reason=exc.reason, http_status=exc.http_status,
                                   last_error_code=self._last_error_code)
                if verdict is Verdict.FATAL:
                    code = f" after error {self._last_error_code}" if self._last_error_code else ""
                    raise self._fail(f"{exc.reason}{code}") from exc
                return await self._recover(exc.reason, renewed=verdict is Verdict.RENEW)
            self._track(event)
            return event

    def _track(self, event: rt.ServerEvent | rt.UnknownServerEvent) -> None:
        """What renewal and classification need to know from the passing events."""
        if isinstance(event, rt.ResponseCreated):
            self._response_active = True
        elif isinstance(event, rt.ResponseDone):
            self._response_active = False
        elif isinstance(event, rt.SpeechStarted):
            self._caller_speaking = True
        elif isinstance(event, rt.SpeechStopped):
            self._caller_speaking = False
        elif isinstance(event, rt.ErrorEvent):
            self._last_error_code = event.error.code
        elif isinstance(event, rt.SessionCreated):
            expires = getattr(self._inner, "expires_at", None)
            if expires is not None:
                # The provider says when this session ends: renew before that, if it is sooner.
                self._renewal = renewal(self.policy, self._open_mono, wall_at_open=self._open_wall,
                                        expires_at=expires)

    async def _recover(self, reason: str, *, renewed: bool) -> ModelReconnected:
        lost_at = self._clock()
        was_active = self._response_active
        self._up = False
        self._response_active = self._caller_speaking = False
        await self._inner.close()
        if renewed:
            self.renewals += 1
        else:
            self.reconnects += 1
            if self.reconnects > self.policy.max_reconnects:
                raise self._fail(f"{reason} (reconnected {self.policy.max_reconnects} times already)")
        log.warning("model_stream_lost", call_sid=self._call_sid, reason=reason, renewal=renewed)
        history = self._history()
        attempts = await self._open(history, "reconnect")
        await self._release_held()
        gap = self._clock() - lost_at
        log.info("model_stream_restored", call_sid=self._call_sid, attempts=attempts, gap_ms=round(gap * 1000),
                 items=len(history), renewal=renewed)
        return ModelReconnected(reason=reason, renewed=renewed, attempts=attempts, lost_at=lost_at, gap_s=gap,
                                response_was_active=was_active, session_id=self._inner.session_id)

    async def close(self) -> None:
        self._closing = True
        self._up = False
        await self._inner.close()
