"""Redis outages without the rest of the stack: the supervisor restarts a killed redis-server
with its data, and a live call's write-behind buffer keeps every write through an outage."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest
import redis

from launcher.redis_server import RedisServer
from voxray.buffered_store import BufferedStore
from voxray.events import EventType
from voxray.records import CallRecord, CallStatus, Speaker, TranscriptSegment
from voxray.store import Store

pytestmark = pytest.mark.asyncio


@pytest.fixture
def server() -> Iterator[RedisServer]:
    srv = RedisServer(Path(tempfile.mkdtemp(prefix="vx-redis-")) / "redis").start()
    yield srv
    srv.stop()


def wait_until(check, timeout_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            if check():
                return
        except redis.ConnectionError:
            pass
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def segment(i: int) -> TranscriptSegment:
    return TranscriptSegment(speaker=Speaker.AGENT, text=f"line {i}", start_ms=i * 100, end_ms=i * 100 + 50,
                             item_id=f"item_{i}")


async def test_a_killed_redis_is_restarted_with_every_acknowledged_write(server: RedisServer) -> None:
    client = redis.Redis.from_url(server.url)
    for i in range(200):
        client.rpush("acked", i)
    old_pid = server.proc.pid if server.proc else 0
    os.kill(old_pid, signal.SIGKILL)
    wait_until(lambda: server.restarts == 1 and client.ping())
    assert server.proc is not None and server.proc.pid != old_pid
    assert client.llen("acked") == 200  # written to the AOF before acknowledged: a kill loses none
    client.close()


async def test_writes_during_an_outage_are_flushed_in_order_when_redis_is_back(server: RedisServer) -> None:
    server.suspend_supervision()  # this test restarts redis itself, after a 3 s outage
    store = Store.from_url(server.url, "vxf")
    buffered = BufferedStore.around(store, retry_s=(0.05, 0.2))
    call = CallRecord(call_sid="CA1", tenant_id="t1", from_number="+15550000001", to_number="+15550000002")
    await store.create_call(call)
    await buffered.update_call("t1", "CA1", status=CallStatus.IN_PROGRESS)
    await buffered.append_transcript("t1", "CA1", segment(0))
    assert buffered.pending == 0
    os.kill(server.proc.pid if server.proc else 0, signal.SIGKILL)
    await asyncio.sleep(0.2)
    for i in range(1, 6):
        await buffered.append_transcript("t1", "CA1", segment(i))
    await buffered.emit_event("t1", EventType.SESSION_COMPLETED, {"call_id": "CA1"})
    seen = await buffered.update_call("t1", "CA1", turns=3)
    ended = await buffered.update_call("t1", "CA1", status=CallStatus.COMPLETED, end_reason="caller_hangup")
    # The session carries on with what it knows: the last record seen, with the pending changes.
    assert seen is not None and seen.turns == 3
    assert ended is not None and ended.status is CallStatus.COMPLETED and ended.turns == 3
    assert [s.text for s in await buffered.transcript("t1", "CA1")] == [f"line {i}" for i in range(1, 6)]
    assert buffered.pending == 7 and buffered.outages == 1
    await asyncio.sleep(3.0)
    assert not await buffered.drained(0.1)
    server.start(supervise=False)
    assert await buffered.drained(10)
    stored = await store.transcript("t1", "CA1")
    assert [s.text for s in stored] == [f"line {i}" for i in range(6)]
    record = await store.get_call("t1", "CA1")
    assert record is not None and (record.status, record.turns, record.end_reason) == (
        CallStatus.COMPLETED, 3, "caller_hangup")
    assert buffered.dropped == 0
    await store.close()


async def test_writes_beyond_the_bound_are_dropped_and_counted(server: RedisServer) -> None:
    server.suspend_supervision()
    store = Store.from_url(server.url, "vxg")
    buffered = BufferedStore.around(store, max_pending=3, retry_s=(0.05, 0.1))
    server.stop()
    for i in range(5):
        await buffered.append_transcript("t1", "CA2", segment(i))
    await buffered.update_call("t1", "CA2", turns=1)  # a record patch never takes a slot
    assert (buffered.pending, buffered.dropped) == (4, 2)
    server.start(supervise=False)
    assert await buffered.drained(10)
    assert [s.text for s in await store.transcript("t1", "CA2")] == ["line 0", "line 1", "line 2"]
    await store.close()
