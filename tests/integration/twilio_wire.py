"""Raw Twilio wire helpers for bad-path tests (the carrier simulator only plays by the rules)."""

from __future__ import annotations

import asyncio
import base64
import secrets
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

from pipelines import twilio_media as tm
from simulators.carrier.twiml import parse_twiml


def new_call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def webhook_form(tenant, call_sid: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    to = tenant.phone_numbers[0]
    return {"AccountSid": tenant.twilio_account_sid, "ApiVersion": "2010-04-01", "CallSid": call_sid,
            "CallStatus": "ringing", "Called": to, "Caller": "+15550001111", "Direction": "inbound",
            "From": "+15550001111", "To": to}


async def post_webhook(live, tenant, call_sid: str, *, token: str | None = None,  # type: ignore[no-untyped-def]
                       form: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
    form = form or webhook_form(tenant, call_sid)
    signature = RequestValidator(token or tenant.twilio_auth_token.get_secret_value()).compute_signature(
        f"{live.public_base_url}/api/v1/incoming-call", form)
    async with httpx.AsyncClient() as http:
        return await http.post(f"{live.gateway_url}/api/v1/incoming-call", content=urlencode(form),
                               headers={"Content-Type": "application/x-www-form-urlencoded",
                                        "X-Twilio-Signature": signature, **(headers or {})})


async def answer(live, tenant, call_sid: str) -> str:  # type: ignore[no-untyped-def]
    """Post a valid webhook; return the stream token from the TwiML."""
    response = await post_webhook(live, tenant, call_sid)
    assert response.status_code == 200, response.text
    connect = parse_twiml(response.text).connect
    assert connect is not None
    return connect.stream.parameters["token"]


def ws_url(live) -> str:  # type: ignore[no-untyped-def]
    return live.gateway_url.replace("http://", "ws://") + "/api/v1/media-stream"


def start_msg(call_sid: str, token: str | None, stream_sid: str = "MZ" + "0" * 32) -> str:
    params = {"token": token} if token is not None else {}
    return tm.Start(sequenceNumber=1, streamSid=stream_sid, start=tm.StartInfo(
        accountSid="AC" + "0" * 32, streamSid=stream_sid, callSid=call_sid, customParameters=params)).dump()


def media_msg(seq: int, audio: bytes = b"\xff" * 160, stream_sid: str = "MZ" + "0" * 32) -> str:
    return tm.Media(sequenceNumber=seq, streamSid=stream_sid, media=tm.MediaInfo(
        chunk=seq - 1, timestamp=(seq - 2) * 20, payload=base64.b64encode(audio).decode())).dump()


ADMIN = {"Authorization": "Bearer test-admin-key-123456"}


async def live_state(live, call_sid: str, until=lambda r: True, tries: int = 60) -> httpx.Response:  # type: ignore[no-untyped-def]
    """Poll the operator's live-state endpoint for a call until ``until(response)`` holds."""
    async with httpx.AsyncClient() as http:
        for _ in range(tries):
            r = await http.get(f"{live.gateway_url}/api/v1/admin/live-sessions/{call_sid}", headers=ADMIN)
            if until(r):
                break
            await asyncio.sleep(0.05)
    return r
