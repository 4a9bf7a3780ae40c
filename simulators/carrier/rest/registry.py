"""The simulator's state: accounts, callees, URL routes, and the calls it placed.

Live calls are kept until they end; ended calls go to a bounded store of the most recent
(oldest dropped first), so a long-running simulator does not grow without limit.
"""

from __future__ import annotations

import asyncio
import hmac
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from simulators.carrier.call import new_sid
from simulators.carrier.rest.callee import CalleeBook
from simulators.carrier.rest.outbound import CallEnv, OutboundCall, RestSimOptions
from simulators.carrier.rest.params import CreateCall
from simulators.carrier.rest.resource import CallRecord
from simulators.carrier.urls import Route, UrlMap
from simulators.realtime.recent import RecentSessions


@dataclass(frozen=True)
class RequestSummary:
    """One REST request, whichever call (if any) it was about."""

    method: str
    path: str
    status: int
    error_code: int | None = None


class SimState:
    """Shared by the ASGI app and the ``TwilioRestSim`` facade.

    Configuration methods only replace dict entries, so they are safe to call from another
    thread while the simulator serves (the GIL makes each replacement atomic).
    """

    def __init__(
        self,
        accounts: Mapping[str, str],
        *,
        callees: CalleeBook,
        urls: UrlMap,
        options: RestSimOptions,
        speak: Callable[[str], bytes],
        clock: Callable[[], datetime],
    ) -> None:
        self.accounts: dict[str, str] = dict(accounts)
        #: Fault knob: the next N call updates (redirects, hangups) are answered 500.
        self.failing_updates = 0
        self.callees = callees
        self.urls = urls
        self.options = options
        self.speak = speak
        self.clock = clock
        #: Created on the serving loop by ``open()``; every call's requests go through it.
        self.http: httpx.AsyncClient | None = None
        self._live: dict[str, OutboundCall] = {}
        self._recent: RecentSessions[OutboundCall] = RecentSessions(options.max_calls_kept)
        self.requests: deque[RequestSummary] = deque(maxlen=1000)

    async def open(self) -> None:
        self.http = httpx.AsyncClient(trust_env=False, limits=httpx.Limits(max_keepalive_connections=50))

    # ---- accounts ------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> bool:
        token = self.accounts.get(username)
        return token is not None and hmac.compare_digest(token.encode(), password.encode())

    def add_route(self, public_base_url: str, real_base_url: str) -> None:
        routes = tuple(r for r in self.urls.routes if r.public_base_url != public_base_url)
        self.urls = UrlMap(routes + (Route(public_base_url, real_base_url),), passthrough=self.urls.passthrough)

    # ---- calls ---------------------------------------------------------------------------

    def place(self, account_sid: str, request: CreateCall) -> OutboundCall:
        """Create the Call resource and start its life (returns at once, status ``queued``)."""
        if self.http is None:
            raise RuntimeError("SimState.open() was not awaited (the app's lifespan did not run)")
        env = CallEnv(http=self.http, urls=self.urls, options=self.options, speak=self.speak, clock=self.clock)
        now = self.clock()
        record = CallRecord(
            sid=new_sid("CA"), account_sid=account_sid, to=request.to, from_=request.from_,
            date_created=now, date_updated=now,
        )
        call = OutboundCall(
            record, request, self.callees.get(request.to), auth_token=self.accounts[account_sid], env=env
        )
        self._live[record.sid] = call
        call.start()
        assert call.task is not None
        call.task.add_done_callback(lambda _: self._retire(call))
        return call

    def get(self, call_sid: str) -> OutboundCall | None:
        return self._live.get(call_sid) or self._recent.get(call_sid)

    def call_sids(self) -> list[str]:
        return self._recent.session_ids() + list(self._live)

    def _retire(self, call: OutboundCall) -> None:
        self._live.pop(call.record.sid, None)
        self._recent.keep(call.record.sid, call)

    async def close(self, timeout_s: float = 5.0) -> None:
        """End every live call (stream ``stop``, final callback), cancel what lingers, close HTTP."""
        calls = list(self._live.values())
        for call in calls:
            call.abort("simulator stopped")
        tasks = [call.task for call in calls if call.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self.http is not None:
            await self.http.aclose()
            self.http = None
