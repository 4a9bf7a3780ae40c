"""Quotas on the anonymous surfaces (F6) and the client address they are charged to.

Nobody authenticates a Twilio webhook before its signature is checked, a media websocket
before its stream token is, or an access request at all, so each is charged to what the
request cannot choose freely: the called number, the client address (an IPv6 client owns a
whole /64, so it is bucketed by its /64), and a deployment-wide bucket for websocket connects.
Behind a load balancer the client address is the one uvicorn takes from X-Forwarded-For, and
only from the proxies named in ``VOXRAY_FORWARDED_ALLOW_IPS`` (``uvicorn_kwargs``).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from starlette.requests import HTTPConnection

from gateway.errors import ApiError
from gateway.ratelimit import Bucket, RateLimiter, Verdict
from voxray.redis_batch import Batch, Reply
from voxray.settings import Settings


def address_bucket(host: str | None) -> str:
    """The rate-limit identity of a client address: IPv4 as is, IPv6 by its /64."""
    if not host:
        return "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_address(conn: HTTPConnection) -> str:
    """The bucketed address of an HTTP or websocket client (see ``address_bucket``)."""
    return address_bucket(conn.client.host if conn.client else None)


def twilio_number_buckets(settings: Settings, number: str) -> list[Bucket]:
    return [Bucket(f"twilio:{number[:32]}", settings.twilio_webhook_per_s, settings.twilio_webhook_burst)]


def media_connect_buckets(settings: Settings, address: str) -> list[Bucket]:
    return [Bucket(f"wsconn:{address}", settings.media_connect_per_s, settings.media_connect_burst),
            Bucket("wsconn:global", settings.media_connect_global_per_s, settings.media_connect_global_burst)]


async def charge_twilio_number(limiter: RateLimiter, settings: Settings, number: str) -> None:
    """``charge_twilio_number_on`` on its own."""
    refuse_if_limited(await limiter.take(twilio_number_buckets(settings, number)))


def charge_twilio_number_on(batch: Batch, limiter: RateLimiter, settings: Settings, number: str) -> Reply[Verdict]:
    """For a Twilio webhook, before its signature is checked: the called number's bucket, charged
    as part of the webhook's first batch; ``refuse_if_limited`` reads the verdict."""
    return limiter.take_on(batch, twilio_number_buckets(settings, number))


def refuse_if_limited(verdict: Verdict) -> None:
    """429 (Retry-After) when the called number's bucket was empty. Twilio retries 429s on its
    own schedule."""
    if not verdict.allowed:
        raise ApiError(429, "rate_limited", "Too many webhooks for this number",
                       f"Retry after {verdict.retry_after_s} s")


async def media_connect_allowed(limiter: RateLimiter, settings: Settings, conn: HTTPConnection) -> Verdict:
    """For a media websocket, before accepting it: refuse (close 1013, try again later) when the
    client's address or the deployment is over its connect rate."""
    return await limiter.take(media_connect_buckets(settings, client_address(conn)))


def uvicorn_kwargs(settings: Settings) -> dict[str, Any]:
    """What uvicorn needs to believe X-Forwarded-For/-Proto from the configured proxies only."""
    if not settings.forwarded_allow_ips:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.forwarded_allow_ips}
