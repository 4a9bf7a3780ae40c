"""Write-behind for a live call's records: Redis outages do not lose what the call said.

A ``Store`` whose call-record, transcript and function-call writes (and the call's webhook
events) survive a Redis outage: a write that fails, or any write while earlier ones wait, joins
a bounded in-memory queue that a background task flushes in order once Redis answers again.
Record updates are merged per call (a record patch never takes a queue slot), list appends and
events take one slot each; beyond ``max_pending`` they are dropped and counted. Reads of the
call record fall back to the last copy seen, updated with the pending patches, so the session
carries on. Sized for an outage of 30 s and more at a call's write rate (a few per turn).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import redis.asyncio as aioredis
import structlog
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from voxray.events import EventType, emit
from voxray.records import CallRecord, FunctionCall, TranscriptSegment
from voxray.store import Store

log = structlog.get_logger("voxray.records")

OUTAGE = (RedisConnectionError, RedisTimeoutError, TimeoutError, OSError)


@dataclass(frozen=True)
class _Append:
    key: str
    value: str


@dataclass(frozen=True)
class _Patch:
    tenant_id: str
    call_sid: str


@dataclass(frozen=True)
class _Event:
    tenant_id: str
    event: EventType
    data: Mapping[str, Any]


_Op = _Append | _Patch | _Event


class BufferedStore(Store):
    """Wraps another store's Redis client; only the live call's writes go through the buffer."""

    def __init__(self, redis: aioredis.Redis, prefix: str = "vx", *, max_pending: int = 5000,
                 write_timeout_s: float = 1.0, retry_s: tuple[float, float] = (0.1, 1.0),
                 give_up_after_s: float = 600.0, clock: Callable[[], float] = time.monotonic,
                 **store: Any) -> None:
        super().__init__(redis, prefix, **store)
        self.max_pending = max_pending
        self.write_timeout_s = write_timeout_s
        self.retry_s = retry_s
        self.give_up_after_s = give_up_after_s
        self._clock = clock
        self._ops: deque[_Op] = deque()
        self._patches: dict[tuple[str, str], dict[str, Any]] = {}
        self._calls: dict[tuple[str, str], CallRecord] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._drained = asyncio.Event()
        self._drained.set()
        self.dropped = 0
        self.buffered = 0  # writes that waited for Redis (for the live state and the logs)
        self.outages = 0

    @classmethod
    def around(cls, store: Store, **options: Any) -> "BufferedStore":
        """A buffered view of ``store`` (same Redis client, prefix and sealer)."""
        if isinstance(store, BufferedStore):
            return store
        return cls(store.redis, store.p, sealer=store._own_sealer, **options)

    @property
    def pending(self) -> int:
        return len(self._ops)

    async def drained(self, timeout_s: float | None = None) -> bool:
        """Wait until every buffered write reached Redis; False if ``timeout_s`` passed first."""
        try:
            async with asyncio.timeout(timeout_s):
                await self._drained.wait()
            return True
        except TimeoutError:
            return False

    # ---- writes ------------------------------------------------------------------------------

    async def append_transcript(self, tid: str, sid: str, segment: TranscriptSegment) -> None:
        await self._append(f"{self._call(tid, sid)}:transcript", segment.model_dump_json())

    async def append_function_call(self, tid: str, sid: str, fc: FunctionCall) -> None:
        await self._append(f"{self._call(tid, sid)}:functions", fc.model_dump_json())

    async def _append(self, key: str, value: str) -> None:
        if not self._ops:
            try:
                async with asyncio.timeout(self.write_timeout_s):
                    await self.redis.rpush(key, value)
                return
            except OUTAGE as exc:
                self._outage(exc)
        self._enqueue(_Append(key, value))

    async def update_call(self, tid: str, sid: str, **fields: Any) -> CallRecord | None:
        key = (tid, sid)
        if not self._ops:
            try:
                async with asyncio.timeout(self.write_timeout_s * 2):
                    call = await super().update_call(tid, sid, **fields)
                if call is not None:
                    self._calls[key] = call
                return call
            except OUTAGE as exc:
                self._outage(exc)
        patch = self._patches.get(key)
        if patch is None:
            self._patches[key] = patch = {}
            self._enqueue(_Patch(tid, sid), counted=False)
        patch.update(fields)
        known = self._calls.get(key)
        return known.model_copy(update=patch) if known is not None else None

    async def get_call(self, tid: str, sid: str) -> CallRecord | None:
        key = (tid, sid)
        if not self._ops:
            try:
                async with asyncio.timeout(self.write_timeout_s):
                    call = await super().get_call(tid, sid)
                if call is not None:
                    self._calls[key] = call
                return call
            except OUTAGE as exc:
                self._outage(exc)
        known = self._calls.get(key)
        patch = self._patches.get(key, {})
        return known.model_copy(update=patch) if known is not None else None

    async def transcript(self, tid: str, sid: str) -> list[TranscriptSegment]:
        """Stored segments, then those still waiting for Redis (empty stored part in an outage)."""
        stored: list[TranscriptSegment] = []
        if not self._ops:
            try:
                async with asyncio.timeout(self.write_timeout_s):
                    stored = await super().transcript(tid, sid)
            except OUTAGE as exc:
                self._outage(exc)
        key = f"{self._call(tid, sid)}:transcript"
        waiting = [TranscriptSegment.model_validate_json(op.value) for op in self._ops
                   if isinstance(op, _Append) and op.key == key]
        return stored + waiting

    async def emit_event(self, tenant_id: str, event: EventType, data: Mapping[str, Any]) -> None:
        """Queue a webhook event now, or after the buffered writes once Redis is back."""
        if not self._ops:
            await emit(self.redis, self.p, tenant_id, event, data)
            return
        self._enqueue(_Event(tenant_id, event, dict(data)))

    # ---- the queue ---------------------------------------------------------------------------

    def _outage(self, exc: BaseException) -> None:
        if not self._ops:
            self.outages += 1
            log.warning("redis_unavailable_buffering", error=f"{type(exc).__name__}: {exc}"[:200])

    def _enqueue(self, op: _Op, counted: bool = True) -> None:
        if counted and sum(1 for o in self._ops if not isinstance(o, _Patch)) >= self.max_pending:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 100 == 0:
                log.error("redis_buffer_full_dropping", dropped=self.dropped, bound=self.max_pending)
            return
        self._ops.append(op)
        self.buffered += 1
        self._drained.clear()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_loop(), name="redis-write-behind")

    async def _flush_loop(self) -> None:
        """Retry with backoff until Redis answers, then write everything in order."""
        delay, started = self.retry_s[0], self._clock()
        while self._ops:
            await asyncio.sleep(delay)
            try:
                await self._flush()
            except OUTAGE:
                if self._clock() - started > self.give_up_after_s:
                    log.error("redis_buffer_abandoned", pending=len(self._ops))
                    self.dropped += len(self._ops)
                    self._ops.clear()
                    self._patches.clear()
                    break
                delay = min(delay * 2, self.retry_s[1])
        log.info("redis_buffer_flushed", buffered=self.buffered, dropped=self.dropped)
        self._drained.set()

    async def _flush(self) -> None:
        async with asyncio.timeout(self.write_timeout_s * 5):
            await self.redis.ping()
        while self._ops:
            op = self._ops[0]
            async with asyncio.timeout(self.write_timeout_s * 2):
                if isinstance(op, _Append):
                    await self.redis.rpush(op.key, op.value)
                elif isinstance(op, _Patch):
                    await self._flush_patch((op.tenant_id, op.call_sid))
                else:
                    await emit(self.redis, self.p, op.tenant_id, op.event, op.data)
            self._ops.popleft()

    async def _flush_patch(self, key: tuple[str, str]) -> None:
        # Taken out first: an update arriving while this one is written starts a patch of its own.
        fields = self._patches.pop(key, {})
        try:
            call = await super().update_call(*key, **fields)
        except BaseException:
            self._patches[key] = {**fields, **self._patches.get(key, {})}
            raise
        if call is not None:
            self._calls[key] = call
