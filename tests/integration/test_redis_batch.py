"""One pipeline for several owners' steps (voxray/redis_batch.py), against the real Redis."""

from __future__ import annotations

import secrets

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from launcher.redis_server import free_port
from voxray.redis_batch import Batch, script


@pytest.mark.parametrize("atomic", [False, True], ids=["pipeline", "multi-exec"])
async def test_each_owner_gets_its_own_replies_and_only_its_own_errors(live, atomic: bool) -> None:  # type: ignore[no-untyped-def]
    r = aioredis.Redis.from_url(live.redis_url)
    key = f"batch-{secrets.token_hex(4)}"
    try:
        await r.set(f"{key}:str", "text")
        batch = Batch(r, atomic=atomic)
        batch.pipe.set(f"{key}:a", "1")
        batch.pipe.incr(f"{key}:a")
        counted = batch.mark(lambda rows: rows[1])
        batch.pipe.zadd(f"{key}:str", {"m": 1})  # WRONGTYPE: this owner's error alone
        broken = batch.mark(lambda rows: "never parsed")
        script(batch.pipe, "return redis.call('GET', KEYS[1]) .. ARGV[1]", [f"{key}:a"], ["!"])
        scripted = batch.mark(lambda rows: rows[0].decode())
        nothing = batch.mark(lambda rows: len(rows))  # a part with no commands
        with pytest.raises(RuntimeError, match="has not run"):
            counted.get()
        await batch.run()
        assert counted.get() == 2 and scripted.get() == "2!" and nothing.get() == 0
        with pytest.raises(ResponseError, match="WRONGTYPE"):
            broken.get()
        assert broken.error is not None and counted.error is None
        with pytest.raises(RuntimeError, match="runs once"):
            await batch.run()
    finally:
        await r.delete(f"{key}:str", f"{key}:a")
        await r.aclose()


async def test_a_failed_round_trip_fails_every_part_with_its_error() -> None:
    r = aioredis.Redis(port=free_port(), socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))  # nothing listens
    batch = Batch(r)
    batch.pipe.get("x")
    first = batch.mark(lambda rows: rows[0])
    batch.pipe.get("y")
    second = batch.mark(lambda rows: rows[0])
    with pytest.raises(RedisConnectionError):
        await batch.run()
    for reply in (first, second):
        with pytest.raises(RedisConnectionError):
            reply.get()
    await r.aclose()


async def test_commands_queued_without_a_mark_are_refused(live) -> None:  # type: ignore[no-untyped-def]
    r = aioredis.Redis.from_url(live.redis_url)
    batch = Batch(r)
    batch.pipe.get("x")
    with pytest.raises(RuntimeError, match="without a mark"):
        await batch.run()
    await r.aclose()


async def test_a_call_claim_sent_twice_answers_the_same_and_a_second_request_loses(live) -> None:  # type: ignore[no-untyped-def]
    """redis-py resends a whole MULTI/EXEC whose reply was lost: the claim must not then turn the
    webhook that made it into a 409. Another request for the CallSid (its own record) still loses."""
    from voxray.records import CallRecord
    from voxray.store import Store

    store = Store.from_url(live.redis_url, f"claim-{secrets.token_hex(4)}")
    try:
        sid = "CA" + secrets.token_hex(16)
        record = CallRecord(call_sid=sid, tenant_id="t1", from_number="+15550001111", to_number="+15550002222")
        assert await store.create_call(record) and await store.create_call(record)  # the resend
        other = record.model_copy(update={"created_at": record.created_at.replace(microsecond=(
            record.created_at.microsecond + 1) % 1_000_000)})
        assert not await store.create_call(other)
        assert not await store.create_call(record.model_copy(update={"tenant_id": "t2"}))
        assert await store.get_call("t1", sid) == record and await store.get_call("t2", sid) is None
    finally:
        await store.close()
