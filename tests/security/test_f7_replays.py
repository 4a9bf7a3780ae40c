"""F7: Twilio signatures never expire, so replays must change nothing and yield no credential."""

from __future__ import annotations

import secrets

import httpx
from twilio.request_validator import RequestValidator

from simulators.carrier.twiml import parse_twiml
from tests.integration.twilio_wire import new_call_sid, post_webhook
from voxray.records import CallRecord, Escalation, utcnow


async def test_a_replayed_incoming_call_webhook_never_yields_a_second_stream_token(live, make_tenant, store) -> None:  # type: ignore[no-untyped-def]
    tenant = await make_tenant(local_script="demo")
    sid = new_call_sid()
    first = await post_webhook(live, tenant, sid)
    assert first.status_code == 200 and parse_twiml(first.text).connect is not None
    replay = await post_webhook(live, tenant, sid)
    assert replay.status_code == 409 and "token" not in replay.text
    assert replay.headers["content-type"].startswith("application/problem+json")
    # The live call keeps its one token; ending it leaves no way back in either.
    async with httpx.AsyncClient(base_url=live.gateway_url) as http:
        await http.post(f"/api/v1/admin/live-sessions/{sid}/end", headers={"Authorization": "Bearer test-admin-key-123456"})
    again = await post_webhook(live, tenant, sid)
    assert again.status_code == 409


async def test_a_replayed_dial_result_records_the_outcome_once(live, make_tenant, store) -> None:  # type: ignore[no-untyped-def]
    tenant = await make_tenant()
    sid = "CA" + secrets.token_hex(16)
    await store.save_call(CallRecord(call_sid=sid, tenant_id=tenant.id, from_number="+1", to_number="+2",
                                     escalation=Escalation(at=utcnow(), reason="caller asked for a person")))
    form = {"AccountSid": tenant.twilio_account_sid, "CallSid": sid, "DialCallStatus": "no-answer"}
    url = f"{live.public_base_url}/api/v1/dial-result?tenant={tenant.id}"
    signature = RequestValidator(tenant.twilio_auth_token.get_secret_value()).compute_signature(url, form)
    async with httpx.AsyncClient(base_url=live.gateway_url) as http:
        for _ in range(3):
            r = await http.post(f"/api/v1/dial-result?tenant={tenant.id}", data=form,
                                headers={"X-Twilio-Signature": signature})
            assert r.status_code == 200
    call = await store.get_call(tenant.id, sid)
    assert call is not None and call.escalation is not None
    assert call.escalation.reason == "caller asked for a person (operator no-answer)"
    assert call.escalation.dial_status == "no-answer"
