"""A spent (or failed) dedicated process takes no further call, even one admitted in a race.

A real session actor under Ray, a real Redis pool record: the process serves its one allowed
call (which ends at its media deadline), then is retired in Redis before its slot is given back,
and refuses a next call that a gateway admitted meanwhile.
"""

from __future__ import annotations

import asyncio
import secrets

import pytest
import ray
import redis.asyncio as aioredis
from pydantic import SecretStr

from actors.session_actor import SessionActor, SessionActorConfig
from actors.setup import CallSetup
from voxray.live_calls import DEDICATED, LiveCalls
from voxray.records import AgentConfig


def setup_for(live, sid: str, prefix: str) -> CallSetup:  # type: ignore[no-untyped-def]
    return CallSetup(call_sid=sid, tenant_id="t", from_number="+15550001111", to_number="+15550002222",
                     agent=AgentConfig(local_script="two_turns"), redis_url=live.redis_url, key_prefix=prefix,
                     model_websocket_base_url=live.model_url, model_api_key=SecretStr("sk-local"),
                     link_key=secrets.token_urlsafe(16), stream_connect_timeout_s=0.5)


async def test_a_spent_dedicated_process_is_retired_before_its_slot_is_free(live) -> None:  # type: ignore[no-untyped-def]
    prefix = f"vxret{secrets.token_hex(3)}"
    cfg = SessionActorConfig(name=f"ret-{secrets.token_hex(3)}", kind=DEDICATED, capacity=1, bind_host="127.0.0.1",
                             redis_url=live.redis_url, prefix=prefix, dedicated_max_calls=1)
    actor = ray.remote(SessionActor).options(num_cpus=0.01).remote(cfg)
    redis = aioredis.Redis.from_url(live.redis_url)
    pool = LiveCalls(redis, prefix)
    try:
        host, port, node = await actor.ready.remote()
        await pool.register_actor(cfg.name, capacity=1, kind=DEDICATED, host=host, port=port, node=node)
        first = setup_for(live, "CA" + secrets.token_hex(16), prefix)
        await pool.admit(first.call_sid, "t", tenant_limit=5, max_live=10, link_key=first.link_key, isolation=DEDICATED)
        await actor.configure.remote(first)
        seen: list[tuple[int, int]] = []
        for _ in range(200):  # no media arrives: the call ends at its deadline
            [slot] = await pool.actors()
            seen.append((slot.capacity, slot.live))
            if slot.live == 0:
                break
            await asyncio.sleep(0.02)
        assert seen[-1] == (0, 0), seen
        # Never free and open again between the call's end and the retirement.
        assert (1, 0) not in seen
        # A next call a gateway admitted just before the retirement is refused by the process itself.
        with pytest.raises(Exception, match="retiring"):
            await actor.configure.remote(setup_for(live, "CA" + secrets.token_hex(16), prefix))
    finally:
        ray.kill(actor)
        await redis.aclose()
