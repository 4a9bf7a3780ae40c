"""Cluster-wide call state in Redis: atomic admission, placement, holds, actor loss (real Redis)."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import AsyncIterator

import pytest
import redis.asyncio as aioredis

from voxray.live_calls import DEDICATED, SHARED, LiveCalls, Refused


@pytest.fixture
async def live_calls(live) -> AsyncIterator[LiveCalls]:  # type: ignore[no-untyped-def]
    r = aioredis.Redis.from_url(live.redis_url)
    lc = LiveCalls(r, f"lc{secrets.token_hex(4)}")
    yield lc
    await r.aclose()


def sid() -> str:
    return "CA" + secrets.token_hex(16)


async def add(lc: LiveCalls, name: str, cap: int, kind: str = SHARED, node: str = "n1") -> None:
    await lc.register_actor(name, capacity=cap, kind=kind, host="127.0.0.1", port=9, node=node)


async def test_concurrent_admissions_never_overshoot_the_tenant_limit(live_calls: LiveCalls) -> None:
    await add(live_calls, "a", 100)

    async def one() -> bool:
        try:
            await live_calls.admit(sid(), "t1", tenant_limit=3, max_live=100, link_key="k")
            return True
        except Refused as exc:
            assert exc.reason == "tenant_concurrency_limit"
            return False

    assert sum(await asyncio.gather(*(one() for _ in range(20)))) == 3
    assert await live_calls.count("t1") == 3 and await live_calls.count() == 3


async def test_calls_go_to_the_actor_with_most_room_and_never_past_capacity(live_calls: LiveCalls) -> None:
    await add(live_calls, "a", 2, node="n1")
    await add(live_calls, "b", 2, node="n2")
    got = [await live_calls.admit(sid(), "t", tenant_limit=99, max_live=99, link_key="k") for _ in range(4)]
    assert sorted(e.actor for e in got) == ["a", "a", "b", "b"] and got[0].actor != got[1].actor
    assert {e.node for e in got} == {"n1", "n2"} and all(e.port == 9 for e in got)
    with pytest.raises(Refused, match="capacity"):
        await live_calls.admit(sid(), "t", tenant_limit=99, max_live=99, link_key="k")
    await live_calls.release(got[0].call_sid, "t")
    assert (await live_calls.admit(sid(), "t", tenant_limit=99, max_live=99, link_key="k")).actor == got[0].actor


async def test_cluster_cap_duplicates_and_idempotent_release(live_calls: LiveCalls) -> None:
    await add(live_calls, "a", 10)
    first = sid()
    entry = await live_calls.admit(first, "t", tenant_limit=9, max_live=2, link_key="k")
    with pytest.raises(Refused, match="duplicate_call"):  # another webhook for the same call
        await live_calls.admit(first, "t", tenant_limit=9, max_live=2, link_key="other")
    # The same admission sent again (a retry after a lost reply) gets the same answer, no second slot.
    assert await live_calls.admit(first, "t", tenant_limit=9, max_live=2, link_key="k") == entry
    assert [a.live for a in await live_calls.actors()] == [1]
    await live_calls.admit(sid(), "t", tenant_limit=9, max_live=2, link_key="k")
    with pytest.raises(Refused, match="capacity"):
        await live_calls.admit(sid(), "t", tenant_limit=9, max_live=2, link_key="k")
    assert await live_calls.release(first, "t") and not await live_calls.release(first, "t")
    assert [a.live for a in await live_calls.actors()] == [1]


async def test_an_actor_without_headroom_is_passed_by_and_refusal_says_overloaded(live_calls: LiveCalls) -> None:
    await add(live_calls, "hot", 10)
    await add(live_calls, "cool", 1)
    await live_calls.set_hot("hot", time.time() + 5)
    assert (await live_calls.admit(sid(), "t", tenant_limit=9, max_live=9, link_key="k")).actor == "cool"
    with pytest.raises(Refused, match="overloaded"):
        await live_calls.admit(sid(), "t", tenant_limit=9, max_live=9, link_key="k")


async def test_ringing_holds_count_against_the_limit_and_move_to_the_call(live_calls: LiveCalls) -> None:
    await add(live_calls, "a", 10)
    assert await live_calls.hold("t", "placing:1", limit=2, ttl_s=30)
    assert await live_calls.hold("t", "placing:2", limit=2, ttl_s=30)
    assert not await live_calls.hold("t", "placing:3", limit=2, ttl_s=30)
    call = sid()
    await live_calls.rebind("t", "placing:1", call, ttl_s=30)
    # The answered outbound call takes its own held slot, not a new one.
    await live_calls.admit(call, "t", tenant_limit=2, max_live=9, link_key="k")
    assert await live_calls.count("t") == 2
    await live_calls.drop_hold("t", "placing:2")
    assert await live_calls.hold("t", "placing:4", limit=2, ttl_s=0.05)
    await asyncio.sleep(0.1)  # a ringing hold lapses by itself
    assert await live_calls.count("t") == 1


async def test_dropping_a_lost_actor_returns_exactly_its_calls(live_calls: LiveCalls) -> None:
    await add(live_calls, "a", 1)
    await add(live_calls, "b", 1)
    e1 = await live_calls.admit(sid(), "t1", tenant_limit=9, max_live=9, link_key="k")
    e2 = await live_calls.admit(sid(), "t2", tenant_limit=9, max_live=9, link_key="k")
    lost = await live_calls.drop_actor(e1.actor)
    assert lost == [(e1.call_sid, "t1")]
    assert await live_calls.get(e1.call_sid) is None and await live_calls.get(e2.call_sid) is not None
    assert await live_calls.count("t1") == 0 and [a.name for a in await live_calls.actors()] == [e2.actor]


async def test_dedicated_processes_are_bound_to_one_tenant(live_calls: LiveCalls) -> None:
    await add(live_calls, "shared", 10)
    await add(live_calls, "d1", 1, kind=DEDICATED)
    first = await live_calls.admit(sid(), "t1", tenant_limit=9, max_live=9, link_key="k", isolation=DEDICATED)
    assert first.actor == "d1"
    await live_calls.release(first.call_sid, "t1")
    with pytest.raises(Refused, match="no_dedicated_capacity"):  # d1 is t1's now
        await live_calls.admit(sid(), "t2", tenant_limit=9, max_live=9, link_key="k", isolation=DEDICATED)
    assert (await live_calls.admit(sid(), "t1", tenant_limit=9, max_live=9, link_key="k",
                                   isolation=DEDICATED)).actor == "d1"


async def test_a_stream_token_is_issued_once_per_call(live_calls: LiveCalls) -> None:
    call = sid()
    assert await live_calls.issue_stream(call, "n1", int(time.time()) + 30)
    assert not await live_calls.issue_stream(call, "n2", int(time.time()) + 30)
    assert await live_calls.issue_stream(call, "n1", int(time.time()) + 30)  # the same request retried
    assert await live_calls.redis.get(f"{live_calls.p}:stoken:n1") == call.encode()
    assert await live_calls.redis.get(f"{live_calls.p}:stoken:n2") is None


async def test_the_room_check_answers_as_admission_would(live_calls: LiveCalls) -> None:
    # The webhook's first round trip (room) and admission share one slot rule: they agree in the
    # states that matter (no actor, dedicated only, free, hot, full, hot and full, draining, cap).
    async def agree(max_live: int = 9) -> str | None:
        why = await live_calls.room(max_live)
        try:
            entry = await live_calls.admit(sid(), "t", tenant_limit=99, max_live=max_live, link_key="k")
        except Refused as exc:
            assert why == exc.reason
            return why
        assert why is None
        await live_calls.release(entry.call_sid, "t")
        return None

    assert await agree() == "capacity"  # no actor at all
    await add(live_calls, "ded", 5, kind=DEDICATED)
    assert await agree() == "capacity"  # a dedicated process never takes a shared call
    await add(live_calls, "a", 1)
    assert await agree() is None
    await live_calls.set_hot("a", time.time() + 5)
    assert await agree() == "overloaded"  # room, but no headroom
    await live_calls.set_hot("a", time.time() - 1)  # recovered
    await live_calls.admit(sid(), "t", tenant_limit=99, max_live=9, link_key="k")
    assert await agree() == "capacity"  # its one slot is taken
    await live_calls.set_hot("a", time.time() + 5)
    assert await agree() == "capacity"  # hot and full: full (no slot anywhere)
    await add(live_calls, "bound", 5, kind=f"{DEDICATED}:t")
    await add(live_calls, "draining", 0)
    assert await agree() == "capacity"  # a tenant's own process and a draining actor take no shared call
    await add(live_calls, "b", 3)
    assert await agree() is None
    assert await agree(max_live=1) == "capacity"  # the cluster cap comes first
