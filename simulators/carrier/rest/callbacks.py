"""Status callbacks of one call: which events go out, with what form, in what order.

Twilio sends only the events the call subscribed to (``completed`` alone by default), as a
signed form POST (or GET) to ``StatusCallback`` (PROTOCOLS §C.4). They travel apart from the
call itself: a slow receiver delays later callbacks, never the call. ``SequenceNumber`` counts
the callbacks sent for the call from 0.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from simulators.carrier.rest.resource import TERMINAL, CallRecord, rfc2822
from simulators.carrier.rest.timeline import CallbackLog, CallTimeline
from simulators.carrier.urls import UrlMap
from simulators.carrier.webhook import send_signed, voice_params


def callback_params(record: CallRecord, *, call_status: str, sequence: int, now: datetime) -> dict[str, str]:
    """The form of one status callback (``CallDuration`` only once the call has ended)."""
    params = voice_params(
        account_sid=record.account_sid, call_sid=record.sid, from_number=record.from_, to_number=record.to,
        call_status=call_status, direction=record.direction,
    )
    params["CallbackSource"] = "call-progress-events"
    params["Timestamp"] = rfc2822(now)
    params["SequenceNumber"] = str(sequence)
    if call_status in TERMINAL:
        params["CallDuration"] = str(record.duration_s or 0)
    return dict(sorted(params.items()))


@dataclass(frozen=True)
class Subscription:
    url: str | None
    method: str
    events: frozenset[str]


class StatusCallbacks:
    """Queues one call's callbacks and sends them one at a time, logging each outcome."""

    def __init__(
        self,
        subscription: Subscription,
        *,
        http: httpx.AsyncClient,
        urls: UrlMap,
        auth_token: str,
        timeline: CallTimeline,
        elapsed: Callable[[], float],
        timeout_s: float,
    ) -> None:
        self.subscription = subscription
        self._http = http
        self._urls = urls
        self._auth_token = auth_token
        self._timeline = timeline
        self._elapsed = elapsed
        self._timeout_s = timeout_s
        self._queue: asyncio.Queue[CallbackLog] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._sequence = 0

    def resubscribe(self, url: str | None, method: str | None) -> None:
        """An update may move the callbacks (``StatusCallback``/``StatusCallbackMethod``)."""
        sub = self.subscription
        self.subscription = Subscription(url or sub.url, method or sub.method, sub.events)

    def fire(self, event: str, call_status: str, record: CallRecord, now: datetime) -> None:
        """Queue the callback for ``event`` if the call subscribed to it."""
        sub = self.subscription
        if sub.url is None or event not in sub.events:
            return
        params = callback_params(record, call_status=call_status, sequence=self._sequence, now=now)
        log = CallbackLog(
            t=self._elapsed(), event=event, call_status=call_status, sequence_number=self._sequence,
            url=sub.url, method=sub.method, params=params,
        )
        self._sequence += 1
        self._timeline.callbacks.append(log)
        self._queue.put_nowait(log)
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name=f"callbacks-{record.sid}")

    async def drain(self, timeout_s: float) -> None:
        """Wait until every queued callback has been answered (or failed), at most ``timeout_s``."""
        try:
            await asyncio.wait_for(self._queue.join(), timeout_s)
        except TimeoutError:
            self._timeline.errors.append(f"status callbacks still pending after {timeout_s:g} s")

    def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    async def _run(self) -> None:
        while True:
            log = await self._queue.get()
            try:
                await self._send(log)
            finally:
                self._queue.task_done()

    async def _send(self, log: CallbackLog) -> None:
        try:
            response = await send_signed(
                self._http, url=log.url, params=log.params, auth_token=self._auth_token, urls=self._urls,
                method=log.method, timeout_s=self._timeout_s,
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # Twilio logs error 15003 when a status callback fails, and carries on.
            log.error = f"status callback failed (Twilio error 15003): {exc!r}"
            return
        log.http_status = response.status_code
        if response.status_code >= 400:
            log.error = f"status callback answered HTTP {response.status_code} (Twilio error 15003)"
