"""make-call end to end: the twilio library places the call at the carrier simulator's REST
stand-in, which rings the callee, posts signed status callbacks, fetches the answer TwiML and
runs the media stream against a session actor; idempotency and limits over HTTP."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest

from simulators.carrier import Callee, Say, Silence, WaitForAgent
from tests.conftest import Live
from tests.integration.api import ApiTenant, create_tenant, new_number
from tests.integration.webhook_receiver import Receiver, configure, event_types
from voxray.store import Store

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _tenant(api: httpx.AsyncClient, live: Live, **overrides: object) -> ApiTenant:
    t = await create_tenant(api, **overrides)
    assert live.stack.carrier is not None
    live.stack.carrier.add_account(t.account_sid, t.auth_token)
    return t


def _key() -> dict[str, str]:
    return {"Idempotency-Key": secrets.token_hex(12)}


async def _wait_status(api: httpx.AsyncClient, t: ApiTenant, sid: str, statuses: set[str],
                       timeout_s: float = 20) -> dict[str, object]:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        log = (await api.get(f"/api/v1/call-logs/{sid}", headers=t.auth)).json()
        if log["status"] in statuses or asyncio.get_running_loop().time() > deadline:
            return log  # type: ignore[no-any-return]
        await asyncio.sleep(0.2)


async def test_make_call_runs_to_a_completed_call_log(api: httpx.AsyncClient, live: Live,
                                                      receiver: Receiver) -> None:
    t = await _tenant(api, live)
    await configure(api, t, receiver.url)
    callee = new_number()
    assert live.stack.carrier is not None
    live.stack.carrier.set_callee(callee, Callee(script=(Silence(300), Say("Hello, who is this?"),
                                                         WaitForAgent(15), Silence(300))))
    r = await api.post("/api/v1/make-call", json={"to": callee}, headers={**t.auth, **_key()})
    assert r.status_code == 201, r.text
    placed = r.json()
    assert placed["status"] == "queued" and placed["from_number"] == t.number and placed["direction"] == "outbound"
    timeline = await live.stack.carrier.wait_for_call(placed["id"], timeout_s=40)
    # Every status callback reached the gateway, signed and accepted.
    assert [c.params["CallStatus"] for c in timeline.callbacks] == ["initiated", "ringing", "in-progress",
                                                                     "completed"]
    assert all(c.http_status == 204 for c in timeline.callbacks), timeline.callbacks
    log = await _wait_status(api, t, placed["id"], {"completed"})
    assert log["status"] == "completed" and log["direction"] == "outbound"
    assert log["to_number"] == callee and log["duration_s"] and log["started_at"]
    session = (await api.get(f"/api/v1/voice-sessions/{placed['id']}", headers=t.auth)).json()
    assert any(line["speaker"] == "agent" and line["text"] for line in session["transcript"])
    # The tenant heard about every step, once each, signed.
    wanted = ["call.initiated", "call.ringing", "call.answered", "session.started", "session.completed",
              "transcript.ready", "call.completed"]
    deadline = asyncio.get_running_loop().time() + 10
    while not set(wanted) <= set(event_types(receiver)) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    seen = event_types(receiver)
    assert sorted(seen) == sorted(wanted), seen
    assert seen.index("call.initiated") < seen.index("call.answered") < seen.index("call.completed")


async def test_busy_and_no_answer_end_the_call_log_without_a_session(api: httpx.AsyncClient, live: Live) -> None:
    t = await _tenant(api, live)
    assert live.stack.carrier is not None
    for answer in ("busy", "no-answer"):
        callee = new_number()
        live.stack.carrier.set_callee(callee, Callee(answer=answer, ring_ms=100))
        r = await api.post("/api/v1/make-call", json={"to": callee}, headers={**t.auth, **_key()})
        assert r.status_code == 201, r.text
        await live.stack.carrier.wait_for_call(r.json()["id"])
        log = await _wait_status(api, t, r.json()["id"], {answer})
        assert log["status"] == answer and log["end_reason"] == f"carrier_{answer}"


async def test_idempotency_replays_refuses_other_bodies_and_never_places_two_calls(
        api: httpx.AsyncClient, live: Live) -> None:
    t = await _tenant(api, live)
    assert live.stack.carrier is not None
    callee = new_number()
    live.stack.carrier.set_callee(callee, Callee(answer="no-answer", ring_ms=1500))
    key = _key()
    # Concurrent duplicates: one call placed, the rest told it is in flight or replayed.
    responses = await asyncio.gather(*(api.post("/api/v1/make-call", json={"to": callee},
                                                headers={**t.auth, **key}) for _ in range(6)))
    statuses = sorted(r.status_code for r in responses)
    created = [r for r in responses if r.status_code == 201]
    assert statuses.count(409) + len(created) == 6 and created, statuses
    sids = {r.json()["id"] for r in created}
    assert len(sids) == 1
    placed = [s for s in live.stack.carrier.call_sids()
              if (live.stack.carrier.call_resource(s) or {}).get("to") == callee]
    assert placed == list(sids)
    replay = await api.post("/api/v1/make-call", json={"to": callee}, headers={**t.auth, **key})
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == created[0].json()
    other = await api.post("/api/v1/make-call", json={"to": new_number()}, headers={**t.auth, **key})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    missing = await api.post("/api/v1/make-call", json={"to": callee}, headers=t.auth)
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"
    # The same key is a different request for another tenant.
    u = await _tenant(api, live)
    assert (await api.post("/api/v1/make-call", json={"to": new_number()},
                           headers={**u.auth, **key})).status_code == 201


async def test_make_call_validates_numbers_and_the_concurrency_limit(api: httpx.AsyncClient, live: Live,
                                                                    store: Store) -> None:
    t = await _tenant(api, live, max_concurrent_calls=1)
    assert live.stack.carrier is not None
    ringing = new_number()
    live.stack.carrier.set_callee(ringing, Callee(answer="no-answer", ring_ms=3000))
    first = await api.post("/api/v1/make-call", json={"to": ringing}, headers={**t.auth, **_key()})
    assert first.status_code == 201, first.text
    second = await api.post("/api/v1/make-call", json={"to": new_number()}, headers={**t.auth, **_key()})
    assert second.status_code == 429 and second.json()["code"] == "concurrency_limit"
    # Concurrent requests with different keys never overshoot the limit either.
    u2 = await _tenant(api, live, max_concurrent_calls=2)
    numbers = [new_number() for _ in range(5)]
    for n in numbers:
        live.stack.carrier.set_callee(n, Callee(answer="no-answer", ring_ms=3000))
    burst = await asyncio.gather(*(api.post("/api/v1/make-call", json={"to": n}, headers={**u2.auth, **_key()})
                                   for n in numbers))
    assert sorted(r.status_code for r in burst) == [201, 201, 429, 429, 429], [r.text for r in burst]
    for body, code in (({"to": "5551234"}, "validation_failed"), ({"to": new_number(), "from_number": new_number()},
                                                                  "caller_id_not_owned"),
                       ({"to": t.number}, "invalid_destination"), ({"to": new_number(), "extra": 1},
                                                                   "validation_failed")):
        r = await api.post("/api/v1/make-call", json=body, headers={**t.auth, **_key()})
        assert r.status_code == 422 and r.json()["code"] == code, (body, r.text)
    # A tenant whose Twilio credentials the carrier refuses gets a clear error, and may retry.
    u = await create_tenant(api)
    key = _key()
    refused = await api.post("/api/v1/make-call", json={"to": new_number()}, headers={**u.auth, **key})
    assert refused.status_code == 502 and refused.json()["code"] == "carrier_auth_failed"
    live.stack.carrier.add_account(u.account_sid, u.auth_token)
    assert (await api.post("/api/v1/make-call", json={"to": new_number()},
                           headers={**u.auth, **key})).status_code == 201


async def test_status_callbacks_must_be_signed_by_the_tenants_token(api: httpx.AsyncClient, live: Live) -> None:
    from tests.integration.twilio_wire import new_call_sid
    from twilio.request_validator import RequestValidator

    t = await _tenant(api, live)
    form = {"AccountSid": t.account_sid, "CallSid": new_call_sid(), "CallStatus": "ringing",
            "Direction": "outbound-api", "From": t.number, "To": new_number(), "ApiVersion": "2010-04-01"}
    url = f"{live.public_base_url}/api/v1/call-status?tenant={t.id}"
    good = RequestValidator(t.auth_token).compute_signature(url, form)
    bad = RequestValidator("0" * 32).compute_signature(url, form)
    for signature, status in ((bad, 403), (good, 204)):
        r = await api.post(f"/api/v1/call-status?tenant={t.id}", data=form,
                           headers={"X-Twilio-Signature": signature})
        assert r.status_code == status, r.text
    r = await api.post("/api/v1/call-status?tenant=nobody-here", data=form, headers={"X-Twilio-Signature": good})
    assert r.status_code == 404
