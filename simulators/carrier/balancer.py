"""A load balancer in front of several gateways, as Twilio meets one in production.

Each request Twilio sends (a webhook, a media websocket) goes to the next gateway that passes
its health check (``GET /readyz`` answering 200), round robin; so one call's webhook and its
media stream usually reach different gateways, as they may behind a real balancer.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

import httpx

from simulators.carrier.urls import Route, UrlMap


class GatewayHealth:
    """Which gateways are in rotation; ``watch`` keeps it current from their ``/readyz``."""

    #: Slow checks in a row before a gateway leaves the rotation (one slow answer under load must
    #: not take a healthy gateway out); a draining one answers 503 and leaves at once.
    FAILS_TO_REMOVE = 2

    def __init__(self, gateways: list[str]) -> None:
        self.gateways = list(gateways)
        self.up: set[str] = set(gateways)
        self._fails = {g: 0 for g in gateways}
        self._turn = itertools.count()

    def pick(self) -> str:
        pool = [g for g in self.gateways if g in self.up] or self.gateways
        return pool[next(self._turn) % len(pool)]

    async def check(self, http: httpx.AsyncClient) -> None:
        async def ready(url: str) -> bool | None:
            try:
                return (await http.get(f"{url}/readyz", timeout=2.0)).status_code == 200
            except httpx.TimeoutException:
                return None  # slow, not known to be down
            except httpx.HTTPError:
                return False

        states = await asyncio.gather(*(ready(g) for g in self.gateways))
        for g, ok in zip(self.gateways, states):
            self._fails[g] = 0 if ok else self._fails[g] + 1
            # 503 or refused: out at once; a slow answer only after FAILS_TO_REMOVE in a row.
            if ok:
                self.up.add(g)
            elif ok is False or self._fails[g] >= self.FAILS_TO_REMOVE:
                self.up.discard(g)

    async def watch(self, interval_s: float = 0.1) -> None:
        async with httpx.AsyncClient() as http:
            while True:
                await self.check(http)
                await asyncio.sleep(interval_s)


@dataclass(frozen=True)
class Balanced(UrlMap):
    """A ``UrlMap`` whose one public base is served by whichever gateway the balancer picks."""

    public_base_url: str = ""
    health: GatewayHealth = field(default_factory=lambda: GatewayHealth([]))

    def route_for(self, url: str) -> Route | None:
        if not Route(self.public_base_url, self.public_base_url).covers(url):
            return None
        return Route(self.public_base_url, self.health.pick())
