"""The tenant API client (``vxk_…`` keys): the generated ``voxray_public_api`` with retries,
request ids, typed errors, make-call idempotency and pagination iterators."""

from __future__ import annotations

import time
import uuid
from typing import Any, Callable, Iterator

import httpx

from voxray_client.base import Answer, BaseClient, httpx_args, timeout
from voxray_client.transport import RetryPolicy
from voxray_public_api import AuthenticatedClient
from voxray_public_api.api.call_logs import get_call_log, list_call_logs
from voxray_public_api.api.calls import make_call
from voxray_public_api.api.readiness import get_readiness
from voxray_public_api.api.voice_sessions import get_voice_session, list_voice_sessions
from voxray_public_api.api.webhooks import (list_webhook_deliveries, put_webhook_endpoint,
                                            test_webhook_endpoint)
from voxray_public_api.models import (CallLog, MakeCall, PlacedCallOut, Readiness, VoiceSession,
                                      VoiceSessionBrief, WebhookEndpointIn, WebhookEndpointWithSecret,
                                      WebhookEventSent, WebhookDelivery)
from voxray_public_api.types import UNSET


class VoxrayClient(BaseClient):
    def __init__(self, base_url: str, api_key: str, *, timeout_s: float = 30.0,
                 retry: RetryPolicy = RetryPolicy(), transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._generated = AuthenticatedClient(base_url=base_url, token=api_key, timeout=timeout(timeout_s),
                                              httpx_args=httpx_args(retry, transport, sleep))

    def make_call(self, to: str, *, from_number: str | None = None,
                  idempotency_key: str | None = None) -> PlacedCallOut:
        """Place a call. Always sent with an ``Idempotency-Key`` (a new one unless given), so a
        retried request never places a second call; pass your own key to make retries across
        process restarts safe too."""
        body = MakeCall(to=to, from_number=from_number if from_number is not None else UNSET)
        key = idempotency_key or f"mc_{uuid.uuid4().hex}"
        placed: PlacedCallOut = self.call(make_call.sync_detailed, body=body, idempotency_key=key)
        return placed

    def readiness(self) -> Readiness:
        result: Readiness = self.call(get_readiness.sync_detailed)
        return result

    def call_log(self, call_id: str) -> CallLog:
        result: CallLog = self.call(get_call_log.sync_detailed, call_id)
        return result

    def voice_session(self, session_id: str) -> VoiceSession:
        result: VoiceSession = self.call(get_voice_session.sync_detailed, session_id)
        return result

    def call_log_pages(self, *, limit: int = 50, **filters: Any) -> Iterator[list[CallLog]]:
        """The call logs newest first, a page at a time, following ``next_cursor``."""
        return self.pages(list_call_logs.sync_detailed, limit=limit, **filters)

    def call_logs(self, *, limit: int = 50, **filters: Any) -> Iterator[CallLog]:
        for page in self.call_log_pages(limit=limit, **filters):
            yield from page

    def voice_sessions(self, *, limit: int = 50, **filters: Any) -> Iterator[VoiceSessionBrief]:
        for page in self.pages(list_voice_sessions.sync_detailed, limit=limit, **filters):
            yield from page

    def put_webhook_endpoint(self, url: str, *, event_types: list[str] | None = None) -> WebhookEndpointWithSecret:
        body = WebhookEndpointIn.from_dict({"url": url, **({"event_types": event_types} if event_types else {})})
        result: WebhookEndpointWithSecret = self.call(put_webhook_endpoint.sync_detailed, body=body)
        return result

    def test_webhook(self) -> WebhookEventSent:
        result: WebhookEventSent = self.call(test_webhook_endpoint.sync_detailed)
        return result

    def webhook_deliveries(self, *, limit: int = 50) -> Iterator[WebhookDelivery]:
        for page in self.pages(list_webhook_deliveries.sync_detailed, limit=limit):
            yield from page

    def pages(self, operation: Callable[..., Answer], **params: Any) -> Iterator[list[Any]]:
        """Any list operation, page by page: each page's ``data``, until ``has_more`` is false."""
        cursor: Any = UNSET
        while True:
            page = self.call(operation, cursor=cursor, **params)
            yield list(page.data)
            if not page.has_more or not isinstance(page.next_cursor, str):
                return
            cursor = page.next_cursor
