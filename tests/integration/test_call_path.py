"""A real call end to end: carrier simulator -> gateway -> session actor (Ray) -> local model.

Everything is real: redis-server, Ray, uvicorn, the openai SDK against the local realtime
server, and the carrier simulator playing Twilio's part at real-time pace.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from simulators.carrier.call import CallConfig, SimulatedCall
from simulators.carrier.script import BargeIn, Hangup, Say, Silence, WaitForAgent
from simulators.speech import synthesize_ulaw
from voxray.records import CallStatus, Speaker

pytestmark = pytest.mark.asyncio


def call_config(live, tenant, script, **kw) -> CallConfig:  # type: ignore[no-untyped-def]
    return CallConfig(gateway_url=live.gateway_url, public_base_url=live.public_base_url,
                      auth_token=tenant.twilio_auth_token.get_secret_value(), to_number=tenant.phone_numbers[0],
                      from_number="+15557654321", script=script, account_sid=tenant.twilio_account_sid, **kw)


async def wait_call_ended(store, tenant_id: str, call_sid: str, timeout_s: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        call = await store.get_call(tenant_id, call_sid)
        if call and call.ended_at:
            return call
        await asyncio.sleep(0.1)
    raise AssertionError(f"call {call_sid} never ended: {await store.get_call(tenant_id, call_sid)}")


async def test_inbound_call_with_two_turns_records_call_and_transcript(live, store, make_tenant) -> None:
    tenant = await make_tenant(local_script="two_turns")
    script = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15),
              Say("Thanks, and what are your opening hours?"), WaitForAgent(15), Hangup()]
    result = await SimulatedCall(call_config(live, tenant, script)).run()

    assert result.ok, (result.errors, result.setup_error, result.timeouts)
    assert result.setup_ms is not None  # how fast is the benchmark's business, not a test's
    assert len(result.turns) == 2 and all(t.latency_ms is not None for t in result.turns)
    assert result.agent_audio_ms_played > 1000
    assert result.marks_echoed > 0 and result.clears_received == 0

    call = await wait_call_ended(store, tenant.id, result.call_sid)
    assert call.status == CallStatus.COMPLETED and call.end_reason == "caller_hangup"
    assert call.turns == 2 and call.duration_s and call.duration_s > 2
    assert call.model_session_id and call.started_at

    transcript = await store.transcript(tenant.id, result.call_sid)
    agent = [s for s in transcript if s.speaker == Speaker.AGENT]
    caller = [s for s in transcript if s.speaker == Speaker.CALLER]
    assert len(agent) == 2 and all(s.text and not s.interrupted for s in agent)
    # The local model cannot transcribe: caller words stay unknown, never invented.
    assert len(caller) == 2 and all(s.text is None and s.end_ms > s.start_ms for s in caller)


async def test_barge_in_clears_cancels_and_truncates_at_heard_position(live, store, make_tenant) -> None:
    tenant = await make_tenant(local_script="long_reply")
    script = [Silence(300), Say("Tell me everything about your services."),
              BargeIn("Sorry, stop please.", after_agent_ms=1200, timeout_s=15), WaitForAgent(15), Hangup()]
    result = await SimulatedCall(call_config(live, tenant, script)).run()

    assert result.ok, (result.errors, result.timeouts)
    assert result.clears_received >= 1
    assert result.barge_ins and result.barge_ins[0].reaction_ms is not None
    assert result.barge_ins[0].reaction_ms < 1500
    call = await wait_call_ended(store, tenant.id, result.call_sid)

    async with httpx.AsyncClient() as http:
        events = (await http.get(f"{live.model_url.replace('ws://', 'http://').removesuffix('/v1')}"
                                 f"/local/sessions/{call.model_session_id}/events")).json()
    kinds = [e["type"] for e in events]
    # Our VAD sees the caller before the model does, so the runtime cancels the response itself.
    assert "response.cancel" in kinds and "conversation.item.truncate" in kinds
    assert kinds.index("response.cancel") < kinds.index("conversation.item.truncate")
    truncate = next(e for e in events if e["type"] == "conversation.item.truncate")
    # Heard ~1.2 s of agent audio before barging in: truncation lands near there, not at the end.
    assert 800 <= truncate["audio_end_ms"] <= 4000
    transcript = await store.transcript(tenant.id, result.call_sid)
    interrupted = [s for s in transcript if s.speaker == Speaker.AGENT and s.interrupted]
    assert len(interrupted) == 1


async def test_calls_share_a_session_actor_process_by_default(live, store, make_tenant) -> None:
    tenant = await make_tenant(local_script="two_turns")
    script = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Hangup()]
    admin = {"Authorization": "Bearer test-admin-key-123456"}

    async def one(i: int):  # type: ignore[no-untyped-def]
        config = CallConfig(gateway_url=live.gateway_url, public_base_url=live.public_base_url,
                            auth_token=tenant.twilio_auth_token.get_secret_value(), to_number=tenant.phone_numbers[0],
                            from_number=f"+1555765432{i}", script=script, account_sid=tenant.twilio_account_sid)
        return await SimulatedCall(config).run()

    calls = asyncio.gather(*(one(i) for i in range(3)))
    pids: set[int] = set()
    async with httpx.AsyncClient() as http:
        for _ in range(60):
            await asyncio.sleep(0.1)
            states = (await http.get(f"{live.gateway_url}/api/v1/admin/live-sessions", headers=admin)).json()
            if len(states) == 3:
                pids = {s["pid"] for s in states}
                break
    results = await calls
    assert all(r.ok for r in results), [(r.errors, r.timeouts) for r in results]
    assert len(pids) == 1, "three calls should share one actor process"
    for r in results:
        call = await wait_call_ended(store, tenant.id, r.call_sid)
        assert call.status == CallStatus.COMPLETED and call.turns == 1


async def test_greeting_generated_before_the_stream_starts_reaches_the_caller_whole(live, store, make_tenant) -> None:
    """The model connects at webhook time and may speak before Twilio's start: nothing is lost."""
    tenant = await make_tenant(local_script="demo")
    greeting = "Hello, thanks for calling Acme support. This is the voxray demo agent. How can I help you today?"
    result = await SimulatedCall(call_config(live, tenant, [WaitForAgent(15), Hangup()])).run()
    assert result.ok, (result.errors, result.timeouts)
    spoken_ms = len(synthesize_ulaw(greeting)) / 8
    # All of it (the server's own synthesis may trim a few ms); before the fix about half was lost.
    assert result.agent_audio_ms_received >= 0.95 * spoken_ms
    call = await wait_call_ended(store, tenant.id, result.call_sid)
    [segment] = [s for s in await store.transcript(tenant.id, call.call_sid) if s.speaker == Speaker.AGENT]
    assert segment.text == greeting and not segment.interrupted
