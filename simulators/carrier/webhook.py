"""Signed requests from "Twilio" to the app: voice webhooks and status callbacks.

Every request carries ``X-Twilio-Signature`` computed with the account's auth token over the
*public* URL (PROTOCOLS §B), is sent to the *real* URL (``UrlMap``), and carries the
``X-Forwarded-*`` headers the TLS-terminating proxy in front of the app would add (§B.3).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import httpx
from twilio.request_validator import RequestValidator

from simulators.carrier.errors import TwimlError
from simulators.carrier.twiml import TwimlResponse, parse_twiml
from simulators.carrier.urls import UrlMap

API_VERSION = "2010-04-01"
#: Twilio gives up on a voice webhook after 15 s (error 11200).
WEBHOOK_TIMEOUT_S = 15.0


def voice_params(
    *, account_sid: str, call_sid: str, from_number: str, to_number: str, call_status: str, direction: str
) -> dict[str, str]:
    """The standard parameters of every Twilio voice request (webhooks and status callbacks)."""
    params = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call_sid,
        "CallStatus": call_status,
        "Called": to_number,
        "Caller": from_number,
        "Direction": direction,
        "From": from_number,
        "To": to_number,
    }
    # Only NANP numbers get a country here; the simulator does no number lookup.
    for key, number in (("Called", to_number), ("Caller", from_number), ("From", from_number), ("To", to_number)):
        if number.startswith("+1"):
            params[f"{key}Country"] = "US"
    return dict(sorted(params.items()))


def webhook_params(*, account_sid: str, call_sid: str, from_number: str, to_number: str) -> dict[str, str]:
    """The form Twilio POSTs to a number's voice URL when an inbound call rings."""
    return voice_params(
        account_sid=account_sid, call_sid=call_sid, from_number=from_number, to_number=to_number,
        call_status="ringing", direction="inbound",
    )


@dataclass(frozen=True)
class Webhook:
    """A request for TwiML: ``url`` is the public URL (signed); ``method`` GET or POST."""

    url: str
    params: Mapping[str, str]
    method: str = "POST"


@asynccontextmanager
async def http_client(http: httpx.AsyncClient | None) -> AsyncIterator[httpx.AsyncClient]:
    """The caller's client, or a short-lived one (never reading proxy settings from the env)."""
    if http is not None:
        yield http
        return
    async with httpx.AsyncClient(trust_env=False) as own:
        yield own


async def send_signed(
    http: httpx.AsyncClient,
    *,
    url: str,
    params: Mapping[str, str],
    auth_token: str,
    urls: UrlMap,
    method: str = "POST",
    timeout_s: float = WEBHOOK_TIMEOUT_S,
) -> httpx.Response:
    """Send ``params`` as Twilio does and return the response (raises ``httpx`` errors).

    POST: form body, signature over URL + sorted params. GET: params appended to the query
    string and the signature is over that full URL with no body params (PROTOCOLS §B.2).
    """
    validator = RequestValidator(auth_token)
    public = urlsplit(url)
    headers = {
        "User-Agent": "TwilioProxy/1.1",
        "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        # What the TLS-terminating proxy in front of the app would add.
        "X-Forwarded-Proto": public.scheme,
        "X-Forwarded-Host": public.netloc,
    }
    if method.upper() == "GET":
        signed = url + ("&" if public.query else "?") + urlencode(params) if params else url
        headers["X-Twilio-Signature"] = validator.compute_signature(signed, {})
        return await http.get(urls.http_url(signed), headers=headers, timeout=timeout_s)
    headers["X-Twilio-Signature"] = validator.compute_signature(url, dict(params))
    return await http.post(urls.http_url(url), data=dict(params), headers=headers, timeout=timeout_s)


@dataclass(frozen=True)
class Fetched:
    """The outcome of asking for TwiML: a parsed document, or why there is none."""

    twiml: TwimlResponse | None = None
    document: str | None = None
    http_status: int | None = None
    error: str | None = None
    elapsed_ms: float | None = None


async def fetch_twiml(
    http: httpx.AsyncClient | None,
    webhook: Webhook,
    *,
    auth_token: str,
    urls: UrlMap,
    timeout_s: float = WEBHOOK_TIMEOUT_S,
) -> Fetched:
    """Request TwiML and parse it; failures come back as ``Fetched.error`` with Twilio's code."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        async with http_client(http) as client:
            response = await send_signed(
                client, url=webhook.url, params=webhook.params, auth_token=auth_token, urls=urls,
                method=webhook.method, timeout_s=timeout_s,
            )
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return Fetched(error=f"webhook request failed (Twilio error 11200): {exc!r}")
    elapsed_ms = (loop.time() - started) * 1000
    if response.status_code != 200:
        return Fetched(
            http_status=response.status_code, elapsed_ms=elapsed_ms,
            error=f"webhook answered HTTP {response.status_code} (Twilio error 11200)",
        )
    try:
        twiml = parse_twiml(response.content)
    except TwimlError as exc:
        return Fetched(
            document=response.text, http_status=200, elapsed_ms=elapsed_ms,
            error=f"invalid TwiML (Twilio error 12100): {exc}",
        )
    return Fetched(twiml=twiml, document=response.text, http_status=200, elapsed_ms=elapsed_ms)
