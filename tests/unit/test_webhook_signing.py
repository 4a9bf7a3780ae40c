"""Webhook signing, retry schedule and endpoint URL rules: pure functions, no Redis, no network."""

from __future__ import annotations

import base64
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

import httpcore
import httpx
import pytest
import redis.asyncio as aioredis
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from gateway.webhooks import backoff, signing
from gateway.webhooks.delivery import DeliveryConfig, DeliveryWorker, Outcome
from voxray.egress import PublicOnlyBackend, webhook_transport
from gateway.webhooks.store import WebhookStore
from voxray.endpoint_urls import UrlRejected, check_endpoint_url, is_public_address
from voxray.events import DESCRIPTIONS, DeliveryState, EndpointRecord, Event, EventType, new_event_id

BODY = b'{"id":"evt_1","type":"call.completed","timestamp":"2026-01-01T00:00:00Z","data":{"call_id":"CA1"}}'


def test_signed_headers_verify_with_the_standard_webhooks_library() -> None:
    secret = signing.new_secret()
    now = int(time.time())
    headers = signing.headers([secret], "evt_1", now, BODY)
    assert headers["webhook-id"] == "evt_1" and headers["webhook-timestamp"] == str(now)
    assert Webhook(secret).verify(BODY, headers)["data"] == {"call_id": "CA1"}


def test_a_tampered_body_or_id_or_another_secret_fails_verification() -> None:
    secret = signing.new_secret()
    headers = signing.headers([secret], "evt_1", int(time.time()), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"CA1", b"CA2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "evt_2"})
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(BODY, headers)


def test_during_a_rotation_both_secrets_verify() -> None:
    new, old = signing.new_secret(), signing.new_secret()
    headers = signing.headers([new, old], "evt_1", int(time.time()), BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (new, old):
        Webhook(secret).verify(BODY, headers)


def test_secrets_are_whsec_base64_of_32_random_bytes_and_hints_reveal_little() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert secret != signing.new_secret()
    assert signing.secret_hint(secret) == secret[:10]


def test_event_ids_are_unique_and_the_payload_has_the_recommended_shape() -> None:
    now = time.time()
    assert len({new_event_id(now) for _ in range(1000)}) == 1000
    event = Event(id=new_event_id(now), type="call.completed", timestamp=0, data={"a": 1})  # type: ignore[arg-type]
    assert set(Event.model_validate_json(event.body()).model_dump()) == {"id", "type", "timestamp", "data"}
    assert set(DESCRIPTIONS) == set(EventType)


def test_retry_delays_follow_the_schedule_then_double_up_to_a_day() -> None:
    schedule = [5.0, 300.0]
    assert [backoff.retry_delay(n, schedule, 0.5) for n in (1, 2, 3, 4)] == [5.0, 300.0, 600.0, 1200.0]
    assert backoff.retry_delay(40, schedule, 0.5) == backoff.MAX_DELAY_S


@given(retry=st.integers(1, 60), u=st.floats(0, 1, exclude_max=True),
       schedule=st.lists(st.floats(0.01, 86_400), min_size=1, max_size=10))
def test_jitter_stays_within_twenty_percent_of_the_schedule(retry: int, u: float, schedule: list[float]) -> None:
    nominal = backoff.retry_delay(retry, schedule, 0.5)
    assert nominal * 0.8 <= backoff.retry_delay(retry, schedule, u) <= nominal * 1.2


def test_attempts_end_delivered_on_2xx_and_dead_when_the_budget_is_spent() -> None:
    kw = dict(max_attempts=3, schedule=[10.0], now=1000.0, u=0.5)
    assert backoff.after_attempt(ok=True, attempt=1, **kw).state is DeliveryState.DELIVERED  # type: ignore[arg-type]
    retry = backoff.after_attempt(ok=False, attempt=1, **kw)  # type: ignore[arg-type]
    assert retry == backoff.Verdict(DeliveryState.FAILED, 1010.0)
    assert backoff.after_attempt(ok=False, attempt=3, **kw) == backoff.Verdict(DeliveryState.DEAD, None)  # type: ignore[arg-type]


def test_retry_after_can_lengthen_but_never_shorten_the_wait() -> None:
    kw = dict(ok=False, attempt=1, max_attempts=3, schedule=[10.0], now=0.0, u=0.5)
    assert backoff.after_attempt(retry_after_s=60, **kw).next_attempt_at == 60.0  # type: ignore[arg-type]
    assert backoff.after_attempt(retry_after_s=1, **kw).next_attempt_at == 10.0  # type: ignore[arg-type]
    assert backoff.parse_retry_after(" 30 ") == 30.0
    assert backoff.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None


@pytest.mark.parametrize("url", ["https://hooks.example.com/voxray", "https://hooks.example.com:8443/a?b=c",
                                 "https://93.184.215.14/hook"])
def test_public_https_urls_are_accepted(url: str) -> None:
    assert check_endpoint_url(url, allow_http=False, allow_private=False) == url


@pytest.mark.parametrize("url, why", [
    ("http://hooks.example.com/", "https"), ("ftp://hooks.example.com/", "https"), ("hooks.example.com", "https"),
    ("https:///path", "no host"), ("https://user:pw@hooks.example.com/", "credentials"),
    ("https://hooks.example.com/#x", "fragment"), ("https://hooks.example.com:99999/", "valid"),
    ("https://127.0.0.1/", "private"), ("https://[::1]/", "private"), ("https://169.254.169.254/", "private"),
    ("https://10.1.2.3/", "private"), ("https://[::ffff:127.0.0.1]/", "private"), ("https://localhost/", "private"),
    ("https://db.internal/", "private"), ("https://metadata/", "private"),
    ("https://example.com/" + "a" * 2100, "longer"),
])
def test_unsafe_or_malformed_urls_are_refused_with_a_reason(url: str, why: str) -> None:
    with pytest.raises(UrlRejected, match=why):
        check_endpoint_url(url, allow_http=False, allow_private=False)


def test_development_settings_admit_http_and_loopback() -> None:
    assert check_endpoint_url("http://127.0.0.1:9000/h", allow_http=True, allow_private=True)
    with pytest.raises(UrlRejected):
        check_endpoint_url("http://127.0.0.1:9000/h", allow_http=False, allow_private=True)


def test_only_globally_routable_addresses_are_public() -> None:
    assert is_public_address("93.184.215.14") and is_public_address("2606:4700::1111")
    for address in ("127.0.0.1", "10.0.0.1", "192.168.1.1", "172.16.0.1", "100.64.0.1", "169.254.169.254",
                    "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "224.0.0.1"):
        assert not is_public_address(address), address


async def test_the_egress_guard_refuses_to_connect_to_loopback() -> None:
    with pytest.raises(httpcore.ConnectError, match="non-public"):
        await PublicOnlyBackend().connect_tcp("127.0.0.1", 9, timeout=2)
    async with httpx.AsyncClient(transport=webhook_transport(allow_private=False, max_connections=2)) as client:
        with pytest.raises(httpx.ConnectError, match="non-public"):
            await client.post("http://localhost:9/hook", content=b"{}")


def _worker(handler: Callable[[httpx.Request], httpx.Response]) -> DeliveryWorker:
    config = DeliveryConfig(timeout_s=2, schedule=(1.0,), max_attempts=3, poll_interval_s=1, concurrency=1,
                            allow_private_hosts=False)
    # The store is never touched by post(); the client is an in-memory fake (httpx.MockTransport).
    return DeliveryWorker(WebhookStore(aioredis.Redis(), "unit"), config,
                          httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=False))


def _answer(status: int, **headers: str) -> httpx.Response:
    # A stream, not content: content would be read eagerly, and post() reads raw bytes as a real answer's.
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(b"ok"))


def _endpoint(previous: str | None = None) -> EndpointRecord:
    now = datetime.now(timezone.utc)
    return EndpointRecord(id="ep_1", url="https://hooks.example.com/h", secret=SecretStr(signing.new_secret()),
                          previous_secret=SecretStr(previous) if previous else None,
                          previous_secret_expires_at=now + timedelta(hours=1) if previous else None,
                          created_at=now, updated_at=now)


async def test_a_post_is_signed_with_the_current_and_unexpired_previous_secret() -> None:
    seen: list[httpx.Request] = []
    old = signing.new_secret()
    endpoint = _endpoint(previous=old)

    def accept(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _answer(204)

    worker = _worker(accept)
    outcome = await worker.post(endpoint, "evt_1", BODY)
    assert outcome.ok and outcome.status_code == 204 and outcome.error is None
    (request,) = seen
    for secret in (endpoint.secret.get_secret_value(), old):
        Webhook(secret).verify(request.content, dict(request.headers))
    await worker.client.aclose()


async def _post_once(handler: Callable[[httpx.Request], httpx.Response]) -> Outcome:
    worker = _worker(handler)
    try:
        return await worker.post(_endpoint(), "evt_1", BODY)
    finally:
        await worker.client.aclose()


async def test_a_post_reports_status_retry_after_and_network_errors_without_raising() -> None:
    busy = await _post_once(lambda r: _answer(503, **{"Retry-After": "120"}))
    assert (busy.ok, busy.status_code, busy.error, busy.retry_after_s) == (False, 503, "HTTP 503", 120.0)
    moved = await _post_once(lambda r: _answer(307, location="https://x.example/"))
    assert not moved.ok and moved.error == "HTTP 307"  # redirects are not followed

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    down = await _post_once(refuse)
    assert down.status_code is None and down.error is not None and "ConnectError" in down.error
