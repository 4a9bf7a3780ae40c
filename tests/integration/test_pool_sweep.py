"""The pool supervisor's sweep repairs what a failed clean-up left (real Redis, real Ray).

An actor Redis still lists that no one watches any more (its ``_forget`` hit a Redis error, or
the process was killed and forgetting it failed) and that Ray no longer knows: the sweep takes
it out of the pool, gives its calls' slots back and ends their records.
"""

from __future__ import annotations

import secrets

from actors.pool import PoolConfig, PoolSupervisor
from actors.pool_policy import PoolTargets
from voxray.live_calls import SHARED
from voxray.records import CallRecord, CallStatus


async def test_a_listed_actor_nobody_watches_and_ray_lost_is_forgotten_by_the_sweep(live) -> None:  # type: ignore[no-untyped-def]
    prefix = f"vxsw{secrets.token_hex(3)}"
    targets = PoolTargets(warm_slots=0, calls_per_core=25, calls_per_actor=None, dedicated_warm=0, dedicated_max_calls=3)
    sup = PoolSupervisor(PoolConfig(redis_url=live.redis_url, prefix=prefix, namespace="voxray-test-sweep",
                                    bind_host="127.0.0.1", targets=targets))
    try:
        gone = f"vx-{prefix}-s-gone"
        await sup.live.register_actor(gone, capacity=5, kind=SHARED, host="127.0.0.1", port=9, node="n1")
        sid = "CA" + secrets.token_hex(16)
        await sup.store.create_call(CallRecord(call_sid=sid, tenant_id="t", direction="inbound",
                                               from_number="+15550001111", to_number="+15550002222"))
        await sup.live.admit(sid, "t", tenant_limit=1, max_live=10, link_key="k")
        assert await sup.sweep() == 1
        assert await sup.live.get(sid) is None and await sup.live.count("t") == 0
        assert [a.name for a in await sup.live.actors()] == []
        record = await sup.store.get_call("t", sid)
        assert record is not None and record.status == CallStatus.FAILED and record.end_reason == "session_actor_died"
        assert await sup.sweep() == 0  # nothing left to repair
    finally:
        await sup.store.close()
