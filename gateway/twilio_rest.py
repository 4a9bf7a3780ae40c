"""The Twilio REST API through the ``twilio`` library: outbound calls and mid-call updates.

One aiohttp-backed HTTP client is shared by every tenant's ``Client`` (credentials are per
tenant). ``base_url`` points the library at another host, the carrier simulator's REST stand-in
here (PROTOCOLS C.3: ``Domain.base_url`` is read on every request).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Awaitable, TypeVar

import aiohttp

from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from voxray.records import Tenant

T = TypeVar("T")
CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


class CarrierError(Exception):
    """Twilio refused or could not be reached; ``status`` is Twilio's HTTP status (0: no answer)."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class PlacedCall:
    sid: str
    status: str


class TwilioRest:
    def __init__(self, base_url: str | None, timeout_s: float) -> None:
        self.base_url, self.timeout_s = base_url, timeout_s
        self._http: AsyncTwilioHttpClient | None = None

    def _client(self, tenant: Tenant) -> Client:
        if self._http is None:  # its aiohttp session must be made inside the running loop
            self._http = AsyncTwilioHttpClient()
        client = Client(tenant.twilio_account_sid, tenant.twilio_auth_token.get_secret_value(), http_client=self._http)
        if self.base_url:
            client.api.base_url = self.base_url
        return client

    async def create_call(self, tenant: Tenant, *, to: str, from_: str, url: str, status_callback: str) -> PlacedCall:
        client = self._client(tenant)
        call = await self._run(client.calls.create_async(
            to=to, from_=from_, url=url, method="POST", status_callback=status_callback,
            status_callback_method="POST", status_callback_event=CALL_EVENTS))
        return PlacedCall(sid=call.sid, status=str(call.status))

    async def redirect(self, tenant: Tenant, call_sid: str, twiml: str) -> None:
        """Replace the call's running TwiML (ends its media stream; PROTOCOLS C.2)."""
        await self._run(self._client(tenant).calls(call_sid).update_async(twiml=twiml))

    async def hang_up(self, tenant: Tenant, call_sid: str) -> None:
        await self._run(self._client(tenant).calls(call_sid).update_async(status="completed"))

    async def _run(self, request: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(request, self.timeout_s)
        except TwilioRestException as exc:
            raise CarrierError(exc.status, exc.code, exc.msg) from None
        except (TimeoutError, OSError, aiohttp.ClientError) as exc:
            raise CarrierError(0, None, f"Twilio did not answer: {type(exc).__name__}") from None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
