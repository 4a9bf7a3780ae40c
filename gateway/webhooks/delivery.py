"""The delivery worker: claims due deliveries, POSTs them signed, records every attempt.

One per gateway, started in the app's lifespan. Gateways share the schedule in Redis; the
claim's lease keeps them from running the same attempt twice, and a lease that runs out (a
gateway died mid-attempt) makes the delivery due again, so each event arrives at least once.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

import httpx
import structlog

from gateway import metrics
from gateway.webhooks import backoff, signing
from voxray import tracing
from voxray.egress import webhook_transport
from gateway.webhooks.store import AttemptRecord, Claimed, WebhookStore
from voxray.events import DeliveryState, EndpointRecord
from voxray.settings import Settings

log = structlog.get_logger("voxray.webhooks")

RESPONSE_READ_CAP = 4096  # bytes of a receiver's answer we read (and discard) at most
LEASE_MARGIN_S = 30.0  # beyond the attempt timeout: DNS, Redis and scheduling slack


@dataclass(frozen=True)
class DeliveryConfig:
    timeout_s: float
    schedule: tuple[float, ...]
    max_attempts: int
    poll_interval_s: float
    concurrency: int
    allow_private_hosts: bool

    @classmethod
    def from_settings(cls, s: Settings) -> "DeliveryConfig":
        return cls(timeout_s=s.webhook_timeout_s, schedule=tuple(s.webhook_backoff_s),
                   max_attempts=s.webhook_max_attempts, poll_interval_s=s.webhook_poll_interval_s,
                   concurrency=s.webhook_concurrency, allow_private_hosts=s.webhook_allow_private_hosts)

    @property
    def lease_s(self) -> float:
        return self.timeout_s + LEASE_MARGIN_S


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: float
    retry_after_s: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


def _dt(ts: float | None) -> datetime | None:
    return _at(ts) if ts is not None else None


class DeliveryWorker:
    def __init__(self, store: WebhookStore, config: DeliveryConfig, client: httpx.AsyncClient, *,
                 clock: Callable[[], float] = time.time, rng: Callable[[], float] = random.random) -> None:
        self.store, self.config, self.client = store, config, client
        self.clock, self.rng = clock, rng
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()

    @classmethod
    def from_settings(cls, store: WebhookStore, settings: Settings) -> "DeliveryWorker":
        config = DeliveryConfig.from_settings(settings)
        # Redirects are not followed: the tenant configured this URL, not wherever it points.
        client = httpx.AsyncClient(
            transport=webhook_transport(allow_private=config.allow_private_hosts, max_connections=config.concurrency),
            timeout=config.timeout_s, follow_redirects=False, trust_env=False)
        return cls(store, config, client)

    def start(self) -> "DeliveryWorker":
        self._task = asyncio.create_task(self._run(), name="webhook-delivery")
        return self

    async def stop(self) -> None:
        """Stop claiming and abandon attempts in flight: their leases run out and another gateway retries."""
        tasks = [t for t in (self._task, *self._inflight) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.client.aclose()

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                claimed = await self.poll_once()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - Redis down: keep trying, slower
                failures += 1
                claimed = 0
                log.warning("webhook_poll_failed", error=f"{type(exc).__name__}: {exc}")
            if not claimed:
                await asyncio.sleep(min(self.config.poll_interval_s * 2 ** min(failures, 6), 30.0))

    async def poll_once(self) -> int:
        """Claim what is due (as many as there are free slots) and start attempting it."""
        free = self.config.concurrency - len(self._inflight)
        if free <= 0:
            return 0
        token = secrets.token_hex(8)
        members = await self.store.claim(self.clock(), self.config.lease_s, free, token)
        for member in members:
            task = asyncio.create_task(self._attempt(member, token))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        return len(members)

    async def _attempt(self, member: str, token: str) -> None:
        try:
            await self.attempt(await self.store.load(member, token))
        except Exception as exc:  # noqa: BLE001 - the lease runs out and the delivery is retried
            log.warning("webhook_attempt_crashed", member=member, error=f"{type(exc).__name__}: {exc}")

    async def attempt(self, claimed: Claimed) -> None:
        record, endpoint = claimed.record, claimed.endpoint
        if record is None or claimed.body is None:
            await self.store.drop(claimed)  # expired or trimmed from the log: nothing left to send
            return
        now = self.clock()
        if endpoint is None:
            gone = record.model_copy(update={"state": DeliveryState.DEAD, "next_attempt_at": None,
                                             "last_error": "endpoint deleted"})
            await self.store.finish(claimed, gone, None, now)
            metrics.webhook_dead_letter()
            return
        with tracing.span("webhook.delivery", tenant_id=claimed.tenant_id, event_id=record.event_id,
                          attempt=record.attempts + 1) as span:
            outcome = await self.post(endpoint, record.event_id, claimed.body)
            span.set_attribute("http.status_code", outcome.status_code or 0)
        number = record.attempts + 1
        now = self.clock()
        verdict = backoff.after_attempt(ok=outcome.ok, attempt=number - record.round_base,
                                        max_attempts=self.config.max_attempts, schedule=self.config.schedule,
                                        now=now, u=self.rng(), retry_after_s=outcome.retry_after_s)
        at = _at(now)
        updated = record.model_copy(update={
            "state": verdict.state, "attempts": number, "next_attempt_at": _dt(verdict.next_attempt_at),
            "last_attempt_at": at, "last_status_code": outcome.status_code, "last_error": outcome.error,
            "last_url": endpoint.url, "delivered_at": at if outcome.ok else record.delivered_at})
        attempt = AttemptRecord(endpoint_id=endpoint.id, url=endpoint.url, attempt=number, at=at,
                                status_code=outcome.status_code, error=outcome.error,
                                duration_ms=outcome.duration_ms, state=verdict.state,
                                next_attempt_at=_dt(verdict.next_attempt_at))
        metrics.webhook_attempt(outcome.ok, outcome.duration_ms / 1000, verdict.state.value)
        if not await self.store.finish(claimed, updated, attempt, now):
            log.warning("webhook_lease_lost", member=claimed.member, attempt=number)
        elif verdict.state is DeliveryState.DEAD:
            log.info("webhook_dead_lettered", tenant_id=claimed.tenant_id, event_id=record.event_id,
                     attempts=number)

    async def post(self, endpoint: EndpointRecord, event_id: str, body: bytes) -> Outcome:
        """One signed POST; never raises for anything the receiver or the network does."""
        now = self.clock()
        keys = [endpoint.secret.get_secret_value()]
        if endpoint.previous_secret and endpoint.previous_secret_expires_at and \
                endpoint.previous_secret_expires_at.timestamp() > now:
            keys.append(endpoint.previous_secret.get_secret_value())
        headers = signing.headers(keys, event_id, int(now), body)
        started = time.perf_counter()

        def elapsed() -> float:
            return round((time.perf_counter() - started) * 1000, 1)

        try:
            # The client's timeout is per phase; this bounds a receiver that trickles its answer.
            async with asyncio.timeout(self.config.timeout_s):
                async with self.client.stream("POST", endpoint.url, content=body, headers=headers) as response:
                    await _read_capped(response, RESPONSE_READ_CAP)
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(None, f"timeout after {self.config.timeout_s:g} s", elapsed())
        except httpx.HTTPError as exc:
            return Outcome(None, f"{type(exc).__name__}: {exc}"[:300], elapsed())
        retry_after = backoff.parse_retry_after(response.headers.get("retry-after")) \
            if response.status_code in (429, 503) else None
        error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        return Outcome(response.status_code, error, elapsed(), retry_after)


async def _read_capped(response: httpx.Response, cap: int) -> None:
    """Read at most ``cap`` bytes of the answer: a receiver must not make us buffer megabytes."""
    seen = 0
    async for chunk in response.aiter_raw():
        seen += len(chunk)
        if seen >= cap:
            return
