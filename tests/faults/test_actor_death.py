"""A session actor's process dies mid-call: the caller hears the apology, the record says why."""

from __future__ import annotations

import asyncio
import time

import httpx
import ray

from simulators.carrier.call import CallConfig, SimulatedCall
from simulators.carrier.script import Hangup, Say, Silence, WaitForAgent
from voxray.live_calls import LiveCalls

ADMIN = {"Authorization": "Bearer test-admin-key-123456"}


async def test_a_killed_session_actor_is_heard_as_an_apology_and_recorded(live, store, make_tenant) -> None:  # type: ignore[no-untyped-def]
    tenant = await make_tenant(local_script="two_turns")
    script = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Silence(10_000), Hangup()]
    config = CallConfig(gateway_url=live.gateway_url, public_base_url=live.public_base_url,
                        auth_token=tenant.twilio_auth_token.get_secret_value(), to_number=tenant.phone_numbers[0],
                        from_number="+15557654321", script=script, account_sid=tenant.twilio_account_sid)
    call = asyncio.ensure_future(SimulatedCall(config).run())
    live_calls = LiveCalls(store.redis, live.key_prefix)
    async with httpx.AsyncClient(base_url=live.gateway_url, headers=ADMIN, timeout=10) as http:
        deadline = time.monotonic() + 20
        while True:  # until the agent has answered the caller's turn
            states = [s for s in (await http.get("/api/v1/admin/live-sessions")).json() if s["tenant_id"] == tenant.id]
            if states and states[0]["agent_responses"] >= 1:
                break
            assert time.monotonic() < deadline, states
            await asyncio.sleep(0.2)
        entry = await live_calls.get(states[0]["call_sid"])
        assert entry is not None
        ray.kill(ray.get_actor(entry.actor, namespace="voxray"), no_restart=True)
        result = await asyncio.wait_for(call, 30)
        # Twilio resumes the TwiML after </Connect> once the gateway closes the stream.
        assert result.after_stream and result.after_stream[0].startswith("Say: We are sorry"), result.after_stream
        deadline = time.monotonic() + 10
        while (record := await store.get_call(tenant.id, result.call_sid)) is None or record.ended_at is None:
            assert time.monotonic() < deadline, record
            await asyncio.sleep(0.2)
        assert record.status.value == "failed" and record.end_reason == "session_actor_died"
        assert await store.transcript(tenant.id, result.call_sid), "what was said before the death is kept"
        # The pool replaces the actor: the next caller is served.
        deadline = time.monotonic() + 60
        while not (await http.get("/readyz")).json()["free_slots"]:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.5)
    again = await SimulatedCall(CallConfig(**{**config.__dict__, "script": [Silence(300), Hangup()]})).run()
    assert again.connected and not again.after_stream
