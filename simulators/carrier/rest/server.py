"""``TwilioRestSim``: the REST stand-in served by uvicorn, in a thread or in the caller's loop.

    sim = TwilioRestSim({account_sid: auth_token}, routes={"https://voice.example.test": gateway_url})
    base_url = sim.start()                       # or: await sim.start_async()
    client = Client(account_sid, auth_token)
    client.api.base_url = base_url               # PROTOCOLS §C.3, way 1
    ...
    timeline = await sim.wait_for_call(call_sid)
    sim.stop()                                   # or: await sim.stop_async()
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import uvicorn

from simulators.carrier.rest.app import create_app
from simulators.carrier.rest.callee import Callee, CalleeBook
from simulators.carrier.rest.outbound import RestSimOptions
from simulators.carrier.rest.registry import SimState
from simulators.carrier.rest.timeline import CallTimeline
from simulators.carrier.result import CallResult
from simulators.carrier.urls import Route, UrlMap
from simulators.speech import synthesize_ulaw

if TYPE_CHECKING:
    from twilio.http import HttpClient
    from twilio.rest import Client


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class TwilioRestSim:
    """Twilio's Calls REST API for the real ``twilio`` library, placing simulated calls.

    ``accounts`` maps AccountSid -> AuthToken. ``routes`` maps a public base URL (what the app
    is configured with and signs against) to where the app really listens; URLs under no
    route are used as they are. ``default_callee``/``callees`` say how dialed numbers behave.
    """

    def __init__(
        self,
        accounts: Mapping[str, str] | None = None,
        *,
        routes: Mapping[str, str] | None = None,
        default_callee: Callee | None = None,
        callees: Mapping[str, Callee] | None = None,
        options: RestSimOptions | None = None,
        speak: Callable[[str], bytes] = synthesize_ulaw,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        urls = UrlMap(tuple(Route(p, r) for p, r in (routes or {}).items()), passthrough=True)
        self.state = SimState(
            accounts or {}, callees=CalleeBook(default_callee, callees), urls=urls,
            options=options or RestSimOptions(), speak=speak, clock=clock,
        )
        #: The ASGI app, to mount or serve yourself (its lifespan must run).
        self.app = create_app(self.state)
        self.base_url: str | None = None
        self._server: uvicorn.Server | None = None
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task[None] | None = None

    # ---- configuration (safe from any thread) ---------------------------------------------

    def add_account(self, account_sid: str, auth_token: str) -> None:
        self.state.accounts[account_sid] = auth_token

    def remove_account(self, account_sid: str) -> None:
        self.state.accounts.pop(account_sid, None)

    def set_callee(self, number: str, callee: Callee) -> None:
        self.state.callees.set(number, callee)

    def clear_callee(self, number: str) -> None:
        self.state.callees.clear(number)

    def set_default_callee(self, callee: Callee) -> None:
        self.state.callees.default = callee

    def fail_updates(self, count: int) -> None:
        """Fault knob: answer the next ``count`` call updates (``calls(sid).update``) with HTTP 500."""
        self.state.failing_updates = count

    def add_route(self, public_base_url: str, real_base_url: str) -> None:
        self.state.add_route(public_base_url, real_base_url)

    # ---- inspection ----------------------------------------------------------------------

    def call(self, call_sid: str) -> CallTimeline | None:
        """The call's timeline (live object: it fills in while the call runs)."""
        call = self.state.get(call_sid)
        return None if call is None else call.timeline

    def call_resource(self, call_sid: str) -> dict[str, object] | None:
        """The Call resource JSON, as ``GET .../Calls/{sid}.json`` returns it."""
        call = self.state.get(call_sid)
        return None if call is None else call.record.to_json()

    def media_results(self, call_sid: str) -> list[CallResult]:
        """Each media stream's full ``CallResult`` (recordings only with ``keep_audio``)."""
        call = self.state.get(call_sid)
        return [] if call is None else list(call.media_results)

    def call_sids(self) -> list[str]:
        return self.state.call_sids()

    async def wait_for_call(self, call_sid: str, timeout_s: float = 15.0, poll_s: float = 0.02) -> CallTimeline:
        """Wait until the call has ended and its callbacks were answered (works across threads)."""
        deadline = time.monotonic() + timeout_s
        while True:
            timeline = self.call(call_sid)
            if timeline is not None and timeline.ended:
                return timeline
            if time.monotonic() > deadline:
                status = "unknown call" if timeline is None else f"status {timeline.status}"
                raise TimeoutError(f"call {call_sid} did not end within {timeout_s:g} s ({status})")
            await asyncio.sleep(poll_s)

    def client(self, account_sid: str, *, http_client: HttpClient | None = None) -> Client:
        """A ``twilio`` ``Client`` for ``account_sid`` pointed at this simulator (needs ``start``)."""
        from twilio.rest import Client

        if self.base_url is None:
            raise RuntimeError("start the simulator first")
        client = Client(account_sid, self.state.accounts[account_sid], http_client=http_client)
        client.api.base_url = self.base_url  # PROTOCOLS §C.3, way 1
        return client

    # ---- running -------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0, timeout_s: float = 10.0) -> str:
        """Serve in a background thread with its own event loop; returns the base URL."""
        server, sock = self._prepare(host, port)
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="twilio-rest-sim"
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._release()
                raise RuntimeError("Twilio REST simulator did not start")
            time.sleep(0.01)
        return self._started(sock)

    def stop(self, timeout_s: float = 15.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self._release()

    async def start_async(self, host: str = "127.0.0.1", port: int = 0, timeout_s: float = 10.0) -> str:
        """Serve in the running event loop (calls then run on it too); returns the base URL."""
        server, sock = self._prepare(host, port)
        self._task = asyncio.create_task(server.serve(sockets=[sock]), name="twilio-rest-sim")
        deadline = time.monotonic() + timeout_s
        while not server.started:
            if self._task.done() or time.monotonic() > deadline:
                await self.stop_async()
                raise RuntimeError("Twilio REST simulator did not start")
            await asyncio.sleep(0.01)
        return self._started(sock)

    async def stop_async(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._release()

    def __enter__(self) -> "TwilioRestSim":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> "TwilioRestSim":
        await self.start_async()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop_async()

    def _prepare(self, host: str, port: int) -> tuple[uvicorn.Server, socket.socket]:
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on")
        self._server, self._socket = uvicorn.Server(config), sock
        return self._server, sock

    def _started(self, sock: socket.socket) -> str:
        host, port = sock.getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    def _release(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._server = self._socket = None
        self.base_url = None
