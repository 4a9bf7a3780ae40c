"""Platform faults on real simulated calls: Redis down or killed mid-call, the tenant's webhook
receiver down, Twilio's REST API failing a transfer. Each states what the caller heard and what
the records say afterwards.

| fault                          | the caller hears                                    | the records say                          |
|--------------------------------|-----------------------------------------------------|------------------------------------------|
| Redis down 3 s mid-call        | the whole conversation, undisturbed                 | every segment stored, completed          |
|   meanwhile: the API           | -                                                   | 503 problem+json with Retry-After        |
|   meanwhile: a new inbound call| "We are sorry, we cannot take your call right now"  | -                                        |
| Redis killed (supervised)      | the whole conversation                              | every segment stored, completed          |
| webhook receiver down          | the whole conversation                              | completed; its events dead-lettered      |
| Twilio REST 5xx on a transfer  | the spoken apology after the stream (no dead air)   | failed, transfer_failed, escalation kept |
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

import pytest

from launcher.redis_server import free_port
from simulators.carrier import Say, Silence, WaitForAgent
from tests.conftest import Live
from tests.faults.calls import agent_lines, fault_tenant, place, said, wait_state
from tests.integration.api import new_number
from tests.integration.webhook_receiver import configure

pytestmark = pytest.mark.asyncio

GREETING = "Hello, you have reached the recovery test line."
FIRST = "First answer. I can help with that."
SECOND = "Second answer. We are still talking after the line came back."


def redis_pid(live: Live) -> int:
    assert live.stack.redis is not None and live.stack.redis.proc is not None, "the suite runs the embedded Redis"
    return live.stack.redis.proc.pid


def assert_every_segment_stored(placed: Any) -> None:
    transcript = placed.session["transcript"]
    assert agent_lines(placed.session) == [GREETING, FIRST, SECOND], agent_lines(placed.session)
    assert [line["speaker"] for line in transcript].count("caller") == 2, transcript
    assert placed.session["call"]["status"] == "completed" and placed.record.status.value == "completed"


async def test_redis_down_mid_call_loses_no_segment_and_the_api_degrades_politely(
        api: httpx.AsyncClient, live: Live) -> None:
    ft = await fault_tenant(api, live)
    seen: dict[str, Any] = {}
    server = live.stack.redis
    assert server is not None

    async def outage(sid: str) -> None:
        await wait_state(api, sid, lambda s: s["agent_responses"] >= 2)
        server.suspend_supervision()
        os.kill(redis_pid(live), signal.SIGKILL)
        try:
            await asyncio.sleep(0.3)
            seen["api"] = await api.get("/api/v1/call-logs", headers=ft.tenant.auth)
            form = {"AccountSid": ft.tenant.account_sid, "CallSid": "CA" + "1" * 32, "From": new_number(),
                    "To": ft.tenant.number, "CallStatus": "ringing", "Direction": "inbound"}
            url = f"{live.public_base_url}/api/v1/incoming-call"
            signature = RequestValidator(ft.tenant.auth_token).compute_signature(url, form)
            seen["webhook"] = await api.post("/api/v1/incoming-call", data=form,
                                             headers={"X-Twilio-Signature": signature})
            await asyncio.sleep(2.7)
        finally:
            server.start()  # back on the same port, with its data, supervised again
        seen["after"] = await api.get("/api/v1/call-logs", headers=ft.tenant.auth)

    placed = await place(api, live, ft, during=outage)
    # During the outage: the API said 503 problem+json with Retry-After; a caller heard an apology.
    api_down = seen["api"]
    assert api_down.status_code == 503 and api_down.headers["content-type"].startswith("application/problem+json")
    assert api_down.json()["code"] == "store_unavailable" and int(api_down.headers["retry-after"]) > 0
    webhook = seen["webhook"]
    assert webhook.status_code == 200 and "<Say>We are sorry" in webhook.text and "<Hangup/>" in webhook.text
    assert seen["after"].status_code == 200
    # The live call went on, and everything it said is stored: nothing lost, nothing in progress.
    assert_every_segment_stored(placed)


async def test_a_killed_redis_is_restarted_by_its_supervisor_mid_call(api: httpx.AsyncClient, live: Live) -> None:
    ft = await fault_tenant(api, live)
    assert live.stack.redis is not None
    restarts = live.stack.redis.restarts

    async def kill(sid: str) -> None:
        await wait_state(api, sid, lambda s: s["agent_responses"] >= 2)
        os.kill(redis_pid(live), signal.SIGKILL)
        end = time.monotonic() + 10
        while live.stack.redis.restarts == restarts:  # type: ignore[union-attr]
            assert time.monotonic() < end, "redis was not restarted"
            await asyncio.sleep(0.05)

    placed = await place(api, live, ft, during=kill)
    assert live.stack.redis.restarts == restarts + 1
    assert_every_segment_stored(placed)


async def test_a_webhook_receiver_that_is_down_gets_its_events_dead_lettered(
        api: httpx.AsyncClient, live: Live) -> None:
    ft = await fault_tenant(api, live)
    await configure(api, ft.tenant, f"http://127.0.0.1:{free_port()}/hook", event_types=["session.completed"])
    script = (WaitForAgent(15), Say("Hello there."), WaitForAgent(15), Silence(300))
    placed = await place(api, live, ft, script)
    assert agent_lines(placed.session) == [GREETING, FIRST]  # the call itself never noticed
    assert placed.session["call"]["status"] == "completed"
    end = time.monotonic() + 20
    while True:
        r = await api.get("/api/v1/webhook-deliveries", params={"status": "dead"}, headers=ft.tenant.auth)
        dead = [d for d in r.json()["data"] if d["event_type"] == "session.completed"]
        if dead:
            break
        assert time.monotonic() < end, r.text
        await asyncio.sleep(0.2)
    detail = (await api.get(f"/api/v1/webhook-deliveries/{dead[0]['event_id']}", headers=ft.tenant.auth)).json()
    assert [a["state"] for a in detail["attempts"]] == ["failed", "failed", "dead"], detail
    assert all(a.get("error") for a in detail["attempts"]), detail  # connection refused, each time


async def test_a_transfer_the_carrier_refuses_with_5xx_falls_back_to_the_spoken_apology(
        api: httpx.AsyncClient, live: Live) -> None:
    operator = new_number()
    ft = await fault_tenant(api, live, script="transfer", telephony={"operator_number": operator},
                            handoff={"transfer_mode": "cold"})
    carrier = live.stack.carrier
    assert carrier is not None
    carrier.fail_updates(50)
    try:
        script = (WaitForAgent(15), Say("I was charged twice."), WaitForAgent(15), Silence(5000))
        placed = await place(api, live, ft, script)
    finally:
        carrier.fail_updates(0)
    updates = [r for r in placed.timeline.requests if r.method == "POST" and r.path.endswith(f"/Calls/{placed.sid}.json")]
    assert updates and all(r.status == 500 for r in updates), updates
    # No dial happened; the gateway closed the stream, so Twilio ran the apology after </Connect>.
    assert placed.timeline.dials == []
    assert any("not available" in line for line in said(placed.timeline)), said(placed.timeline)
    call = placed.session["call"]
    assert (call["status"], call["end_reason"]) == ("failed", "transfer_failed")
    assert call["escalation"]["escalated"] and call["escalation"]["target"] == operator


async def test_a_setup_step_failing_beside_admission_frees_the_slot_at_once(live: Live, make_tenant, store) -> None:  # type: ignore[no-untyped-def]
    """Redis refuses the record write while the admission beside it succeeds: the caller hears the
    apology, the record says setup_failed, and the tenant's slot is free again well before the
    actor would have stopped waiting for media (the live fixture's stream_start_timeout_s is 4 s)."""
    from simulators.carrier.twiml import parse_twiml
    from tests.integration.twilio_wire import new_call_sid, post_webhook
    from voxray.live_calls import LiveCalls

    tenant = await make_tenant(local_script="demo")
    # A real Redis error on the record's write: the tenant's call index is not a sorted set.
    await store.redis.set(f"{store.p}:t:{tenant.id}:calls", "not a zset")
    sid = new_call_sid()
    started = time.monotonic()
    try:
        response = await post_webhook(live, tenant, sid)
        assert response.status_code == 200, response.text
        twiml = parse_twiml(response.text)
        assert twiml.connect is None and "not available" in response.text, response.text
        live_calls = LiveCalls(store.redis, store.p)
        while await live_calls.count(tenant.id) and time.monotonic() - started < 10:
            await asyncio.sleep(0.05)
        assert await live_calls.count(tenant.id) == 0 and time.monotonic() - started < 3.0, time.monotonic() - started
        record = await store.get_call(tenant.id, sid)
    finally:
        await store.redis.delete(f"{store.p}:t:{tenant.id}:calls")
    assert record is not None and record.status.value == "failed" and record.end_reason.startswith("setup_failed"), record
