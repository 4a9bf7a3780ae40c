"""Bad input on the call path: structured errors or clean closes, Redis left consistent."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.integration.test_call_path import wait_call_ended
from tests.integration.twilio_wire import (
    ADMIN, answer, live_state, media_msg, new_call_sid, post_webhook, start_msg, webhook_form, ws_url,
)
from simulators.carrier.caller import speech_frames
from simulators.speech import synthesize_ulaw
from voxray.records import CallStatus

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def answered(live, make_tenant):  # type: ignore[no-untyped-def]
    """A fresh tenant whose webhook was answered: (tenant, call_sid, stream token)."""
    tenant = await make_tenant()
    sid = new_call_sid()
    return tenant, sid, await answer(live, tenant, sid)


async def closed_with(ws) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    try:
        async with asyncio.timeout(10):
            async for _ in ws:
                pass
    except ConnectionClosed:
        pass
    return ws.close_code, ws.close_reason


def problem(response: httpx.Response, status: int, code: str) -> dict:  # type: ignore[type-arg]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code and body["status"] == status and body["request_id"]
    assert response.headers["x-request-id"] == body["request_id"]
    return body  # type: ignore[no-any-return]


# ---- webhook -------------------------------------------------------------------------------

async def test_webhook_rejects_missing_and_wrong_signatures(live, make_tenant) -> None:
    tenant = await make_tenant()
    sid = new_call_sid()
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{live.gateway_url}/api/v1/incoming-call", data=webhook_form(tenant, sid))
    problem(r, 403, "signature_missing")
    problem(await post_webhook(live, tenant, sid, token="not-the-auth-token"), 403, "signature_invalid")
    # Signed correctly for the public URL, but a field was changed afterwards.
    form = webhook_form(tenant, sid)
    signature = RequestValidator(tenant.twilio_auth_token.get_secret_value()).compute_signature(
        f"{live.public_base_url}/api/v1/incoming-call", form)
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{live.gateway_url}/api/v1/incoming-call", content=urlencode(dict(form, From="+15559999999")),
                            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    problem(r, 403, "signature_invalid")


async def test_webhook_unknown_number_wrong_type_oversize_bad_sid(live, make_tenant) -> None:
    tenant = await make_tenant()
    sid = new_call_sid()
    form = dict(webhook_form(tenant, sid), To="+15550000001", Called="+15550000001")
    problem(await post_webhook(live, tenant, sid, form=form), 404, "unknown_number")
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{live.gateway_url}/api/v1/incoming-call", json={"CallSid": sid},
                            headers={"X-Twilio-Signature": "x"})
        problem(r, 415, "unsupported_media_type")
        r = await http.post(f"{live.gateway_url}/api/v1/incoming-call", content=b"a=" + b"x" * 200_000,
                            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
        problem(r, 413, "payload_too_large")
    problem(await post_webhook(live, tenant, "CAnot-a-sid", form=dict(webhook_form(tenant, "CAnot-a-sid"))),
            422, "validation_failed")


# ---- media stream ----------------------------------------------------------------------------

async def test_media_before_start_is_refused(live) -> None:
    async with connect(ws_url(live)) as ws:
        await ws.send('{"event":"connected","protocol":"Call","version":"1.0.0"}')
        await ws.send(media_msg(2))
        assert await closed_with(ws) == (1008, "media before start")


async def test_malformed_frame_before_start_is_refused(live) -> None:
    async with connect(ws_url(live)) as ws:
        await ws.send("{not json")
        code, reason = await closed_with(ws)
        assert code == 1007 and reason.startswith("malformed message before start")


@pytest.mark.parametrize("token, reason", [
    (None, "stream token missing"),
    ("garbage", "stream token malformed"),
    ("CA00.123.abc.def", "stream token bad_signature"),
])
async def test_bad_stream_tokens_are_refused(live, make_tenant, token, reason) -> None:
    tenant = await make_tenant()
    sid = new_call_sid()
    await answer(live, tenant, sid)
    async with connect(ws_url(live)) as ws:
        await ws.send(start_msg(sid, token))
        assert await closed_with(ws) == (1008, reason)


async def test_stream_token_for_another_call_and_replay_are_refused(live, store, make_tenant) -> None:
    tenant = await make_tenant()
    sid_a, sid_b = new_call_sid(), new_call_sid()
    token_a = await answer(live, tenant, sid_a)
    await answer(live, tenant, sid_b)
    async with connect(ws_url(live)) as ws:
        await ws.send(start_msg(sid_b, token_a))
        assert await closed_with(ws) == (1008, "stream token wrong_call")
    # The refused attempt did not burn call A's token; its first use works, a replay does not.
    async with connect(ws_url(live)) as ws_ok:
        await ws_ok.send(start_msg(sid_a, token_a))
        await ws_ok.send(media_msg(2))
        async with connect(ws_url(live)) as ws_replay:
            await ws_replay.send(start_msg(sid_a, token_a))
            assert await closed_with(ws_replay) == (1008, "stream token replayed")
        await ws_ok.send('{"event":"stop","sequenceNumber":"3","streamSid":"MZ' + "0" * 32
                         + '","stop":{"accountSid":"AC","callSid":"' + sid_a + '"}}')
    call = await wait_call_ended(store, tenant.id, sid_a)
    assert call.status == CallStatus.COMPLETED


async def test_oversize_message_closes_1009(live, answered) -> None:
    tenant, sid, token = answered
    async with connect(ws_url(live), max_size=None) as ws:
        await ws.send(start_msg(sid, token))
        await ws.send(media_msg(2, audio=b"\xff" * 100_000))
        code, _ = await closed_with(ws)
        assert code == 1009


async def test_malformed_media_is_dropped_and_second_start_ends_call(live, store, answered) -> None:
    tenant, sid, token = answered
    async with connect(ws_url(live)) as ws:
        await ws.send(start_msg(sid, token))
        await ws.send(media_msg(2))
        await ws.send('{"event":"media","sequenceNumber":"3","streamSid":"MZ","media":'
                      '{"track":"inbound","chunk":"2","timestamp":"20","payload":"@@not base64@@"}}')
        await ws.send("[1, 2")
        await ws.send(media_msg(4))
        state = (await live_state(live, sid, until=lambda r: r.json()["malformed"] == 2)).json()
        # seq 3 was malformed, so seq 4 waits in the reorder buffer for it: one frame released.
        assert (state["malformed"], state["frames_in"], state["state"]) == (2, 1, "in_call"), state
        await ws.send(start_msg(sid, token))
        assert await closed_with(ws) == (1008, "duplicate start")
    call = await wait_call_ended(store, tenant.id, sid)
    assert call.status == CallStatus.FAILED and call.end_reason == "protocol_error: duplicate start"


async def test_model_that_refuses_the_session_ends_call_cleanly(live, store, make_tenant) -> None:
    tenant = await make_tenant(local_script="no-such-script")
    sid = new_call_sid()
    token = await answer(live, tenant, sid)
    async with connect(ws_url(live)) as ws:
        await ws.send(start_msg(sid, token))
        with contextlib.suppress(ConnectionClosed):  # the gateway may already have closed
            for seq in range(2, 12):
                await ws.send(media_msg(seq))
        # A refusal is not retried: the caller is transferred; with no Twilio account to redirect
        # through (this test plays Twilio itself), the socket is closed so the fallback <Say> runs.
        assert await closed_with(ws) in {(1000, "transfer failed"), (1011, "model_unavailable"),
                                         (1008, "call is not active")}
    call = await wait_call_ended(store, tenant.id, sid)
    assert call.status == CallStatus.FAILED and call.end_reason.startswith("model_error")
    assert "unknown_script" in call.end_reason and call.escalation and call.escalation.by == "rule"


async def test_model_dropping_mid_call_is_reconnected_and_the_call_goes_on(live, store, make_tenant) -> None:
    tenant = await make_tenant(local_script="drop_after_greeting")
    sid = new_call_sid()
    token = await answer(live, tenant, sid)
    speech = speech_frames(synthesize_ulaw("Hello there, can you hear me?"))
    async with connect(ws_url(live)) as ws:
        await ws.send(start_msg(sid, token))
        for seq, frame in enumerate([b"\xff" * 160] * 10 + speech + [b"\xff" * 160] * 50, start=2):
            await ws.send(media_msg(seq, frame))
        state = (await live_state(live, sid, until=lambda r: r.json().get("model_reconnects") == 1)).json()
        assert state["state"] == "in_call" and state["model_reconnects"] == 1, state
        await ws.send('{"event":"stop","sequenceNumber":"200","streamSid":"MZ' + "0" * 32
                      + '","stop":{"accountSid":"AC","callSid":"' + sid + '"}}')
        await closed_with(ws)
    call = await wait_call_ended(store, tenant.id, sid)
    assert call.status == CallStatus.COMPLETED and call.model_reconnects == 1, call


async def test_admin_live_sessions_requires_admin_key(live) -> None:
    async with httpx.AsyncClient() as http:
        problem(await http.get(f"{live.gateway_url}/api/v1/admin/live-sessions"), 401, "unauthenticated")
        problem(await http.get(f"{live.gateway_url}/api/v1/admin/live-sessions",
                               headers={"Authorization": "Bearer nope"}), 401, "invalid_credentials")
        r = await http.get(f"{live.gateway_url}/api/v1/admin/live-sessions",
                           headers={"Authorization": "Bearer test-admin-key-123456"})
        assert r.status_code == 200 and isinstance(r.json(), list)


async def test_call_whose_stream_never_starts_is_ended_and_reaped(live, store, make_tenant) -> None:
    tenant = await make_tenant()
    sid = new_call_sid()
    await answer(live, tenant, sid)
    call = await wait_call_ended(store, tenant.id, sid, timeout_s=15)
    assert call.status == CallStatus.FAILED and call.end_reason == "stream_never_connected"
    problem(await live_state(live, sid, until=lambda r: r.status_code == 404), 404, "not_found")


async def test_operator_can_end_a_live_call(live, store, answered) -> None:
    tenant, sid, token = answered
    async with connect(ws_url(live)) as ws:
        await ws.send(start_msg(sid, token))
        await ws.send(media_msg(2))
        await live_state(live, sid, until=lambda r: r.json().get("state") == "in_call")
        async with httpx.AsyncClient() as http:
            r = await http.post(f"{live.gateway_url}/api/v1/admin/live-sessions/{sid}/end", headers=ADMIN)
            assert r.status_code == 202
            problem(await http.post(f"{live.gateway_url}/api/v1/admin/live-sessions/CAnope/end", headers=ADMIN),
                    404, "not_found")
        assert await closed_with(ws) == (1000, "ended_by_operator")
    call = await wait_call_ended(store, tenant.id, sid)
    assert call.status == CallStatus.COMPLETED and call.end_reason == "ended_by_operator"


async def test_mark_echoes_between_media_neither_delay_nor_drop_caller_audio(live, answered) -> None:
    """Twilio numbers every message in sequenceNumber; media order comes from chunk (regression)."""
    tenant, sid, token = answered
    async with connect(ws_url(live)) as ws:
        await ws.send(start_msg(sid, token))
        seq, sent = 2, 0
        for chunk in range(1, 41):
            media = media_msg(seq)  # chunk = seq - 1 by default; rewrite so chunks stay contiguous
            media = media.replace(f'"chunk":"{seq - 1}"', f'"chunk":"{chunk}"')
            await ws.send(media)
            seq, sent = seq + 1, sent + 1
            if chunk % 3 == 0:  # a mark echo takes a sequence number between media messages
                await ws.send('{"event":"mark","sequenceNumber":"%d","streamSid":"MZ%s","mark":{"name":"x"}}'
                              % (seq, "0" * 32))
                seq += 1
        state = (await live_state(live, sid, until=lambda r: r.json()["frames_in"] == sent)).json()
        assert (state["frames_in"], state["lost"], state["malformed"]) == (sent, 0, 0)


# ---- webhook replays, conflicts and races ---------------------------------------------------

async def test_webhook_for_another_tenants_call_sid_is_refused(live, make_tenant) -> None:
    owner, intruder = await make_tenant(), await make_tenant()
    sid = new_call_sid()
    await answer(live, owner, sid)  # the owner's call is live
    problem(await post_webhook(live, intruder, sid), 409, "call_conflict")


async def test_replayed_webhook_for_an_ended_call_changes_nothing(live, store, answered) -> None:
    tenant, sid, token = answered
    async with connect(ws_url(live)) as ws:
        await ws.send(start_msg(sid, token))
        await ws.send('{"event":"stop","sequenceNumber":"2","streamSid":"MZ' + "0" * 32
                      + '","stop":{"accountSid":"AC","callSid":"' + sid + '"}}')
        await closed_with(ws)
    ended = await wait_call_ended(store, tenant.id, sid)
    problem(await post_webhook(live, tenant, sid), 409, "call_conflict")
    assert await store.get_call(tenant.id, sid) == ended


async def test_concurrent_duplicate_webhooks_open_one_session(live, make_tenant) -> None:
    tenant = await make_tenant()
    sid = new_call_sid()
    first, second = await asyncio.gather(post_webhook(live, tenant, sid), post_webhook(live, tenant, sid))
    assert sorted([first.status_code, second.status_code]) == [200, 409]


async def test_chunked_webhook_without_length_is_refused(live) -> None:
    async def body():  # type: ignore[no-untyped-def]
        yield b"a=" + b"x" * 1000

    async with httpx.AsyncClient() as http:
        r = await http.post(f"{live.gateway_url}/api/v1/incoming-call", content=body(),
                            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
    problem(r, 411, "length_required")


async def test_non_ascii_token_and_unicode_frames_close_cleanly(live, make_tenant) -> None:
    tenant = await make_tenant()
    sid = new_call_sid()
    await answer(live, tenant, sid)
    async with connect(ws_url(live)) as ws:
        await ws.send(start_msg(sid, "a.b.c.\u00e9\u00e9"))
        assert await closed_with(ws) == (1008, "stream token bad_signature")
    async with connect(ws_url(live)) as ws:
        await ws.send('{"event": "' + "\u00e9" * 100 + '"}')
        assert await closed_with(ws) == (1007, "malformed message before start")
