"""uvicorn with a drain: the first SIGTERM stops admitting calls and waits for live ones.

For rolling deploys: SIGTERM turns ``/readyz`` 503, so the load balancer stops sending it new
calls; the websockets this gateway carries get ``drain_timeout_s`` to end before it exits.
Requests that still arrive while the balancer catches up are served (admission is cluster-wide
and binds a call to no gateway; refusing a caller because of a deploy would drop a call).
A second SIGTERM, or SIGINT, exits at once.
"""

from __future__ import annotations

import asyncio
import signal
from types import FrameType

import structlog
import uvicorn

log = structlog.get_logger("voxray.gateway")

DRAIN_POLL_S = 0.2
# Longer than a load balancer's health-check interval: websockets it routed here just before it
# noticed still arrive, and are waited for.
DRAIN_GRACE_S = 2.0


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, drain_timeout_s: float) -> None:
        super().__init__(config)
        self.drain_timeout_s = drain_timeout_s
        self._drain: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: list | None = None) -> None:  # type: ignore[type-arg]
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig != signal.SIGTERM or self._drain is not None or self._loop is None:
            super().handle_exit(sig, frame)
            return
        self._loop.call_soon_threadsafe(self._start_drain)

    def _start_drain(self) -> None:
        if self._drain is None:
            self._drain = asyncio.get_running_loop().create_task(self.drain())

    async def drain(self) -> None:
        """Stop admitting, wait for this gateway's media streams to end (or the deadline), exit."""
        rt = getattr(getattr(self.config.app, "state", None), "runtime", None)
        if rt is None:  # not started yet: nothing to drain
            self.should_exit = True
            return
        rt.draining = True
        loop = asyncio.get_running_loop()
        start = loop.time()
        deadline = start + self.drain_timeout_s
        log.info("gateway_draining", media_streams=rt.media_streams, timeout_s=self.drain_timeout_s)
        while (rt.media_streams > 0 or loop.time() - start < min(DRAIN_GRACE_S, self.drain_timeout_s)) \
                and loop.time() < deadline:
            await asyncio.sleep(DRAIN_POLL_S)
        log.info("gateway_drained", media_streams_left=rt.media_streams)
        self.should_exit = True
