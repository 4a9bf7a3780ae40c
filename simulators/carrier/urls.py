"""Where the simulator really sends what Twilio sends to public URLs (pure).

Twilio reaches the app at its public https base (a TLS-terminating proxy in front); the
simulator goes to the app's real address instead. Signatures are still computed on the
public URL (PROTOCOLS §B.3), so every URL is kept in both forms: the public one to sign, the
real one to connect to.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from simulators.carrier.errors import StreamUrlError


def map_stream_url(stream_url: str, *, public_base_url: str, gateway_url: str) -> str:
    """Map the public ``wss://`` Stream URL onto the gateway's real ``ws://`` address.

    Twilio connects to the public host (behind a TLS-terminating proxy); the simulator goes
    to the gateway directly. Twilio refuses non-``wss`` URLs and query strings (error 31922).
    Only when the public base itself is plain ``http://`` (local development, unreachable
    by Twilio anyway) is a ``ws://`` Stream URL let through; ``SimulatedCall`` warns then.
    """
    url, public, gateway = urlsplit(stream_url), urlsplit(public_base_url), urlsplit(gateway_url)
    allowed = ("wss",) if public.scheme == "https" else ("wss", "ws")
    if url.scheme not in allowed:
        raise StreamUrlError(f"<Stream url> must use wss:// (Twilio error 31922), got {stream_url!r}")
    if url.query:
        raise StreamUrlError(f"<Stream url> must not carry a query string (Twilio error 31922): {stream_url!r}")
    if url.netloc != public.netloc:
        raise StreamUrlError(
            f"<Stream url> host {url.netloc!r} is not the public host {public.netloc!r}; "
            "the simulator can only reach the gateway"
        )
    prefix = public.path.rstrip("/")
    if not url.path.startswith(prefix + "/"):
        raise StreamUrlError(f"<Stream url> path {url.path!r} is outside the public base path {prefix!r}")
    scheme = "wss" if gateway.scheme == "https" else "ws"
    return urlunsplit((scheme, gateway.netloc, gateway.path.rstrip("/") + url.path[len(prefix) :], "", ""))


@dataclass(frozen=True)
class Route:
    """One public base URL and the real address that serves it."""

    public_base_url: str
    real_base_url: str

    def covers(self, url: str) -> bool:
        """Same host and under the base path (any scheme: an https base covers its wss URLs)."""
        target, public = urlsplit(url), urlsplit(self.public_base_url)
        prefix = public.path.rstrip("/")
        return target.netloc == public.netloc and (target.path == prefix or target.path.startswith(prefix + "/"))


@dataclass(frozen=True)
class UrlMap:
    """Public -> real URL mapping for webhooks, callbacks and Stream URLs.

    With ``passthrough``, a URL no route covers is used as it is (a test receiver on
    127.0.0.1 needs no proxy); without it, a Stream URL must be under the first route,
    as the inbound simulator has always required.
    """

    routes: tuple[Route, ...] = ()
    passthrough: bool = False

    @classmethod
    def single(cls, public_base_url: str, real_base_url: str) -> "UrlMap":
        return cls((Route(public_base_url, real_base_url),))

    def route_for(self, url: str) -> Route | None:
        return next((r for r in self.routes if r.covers(url)), None)

    def http_url(self, public_url: str) -> str:
        """The real URL to send an HTTP request signed on ``public_url`` to."""
        route = self.route_for(public_url)
        if route is None:
            return public_url
        url, public, real = urlsplit(public_url), urlsplit(route.public_base_url), urlsplit(route.real_base_url)
        path = real.path.rstrip("/") + url.path[len(public.path.rstrip("/")) :]
        return urlunsplit((real.scheme, real.netloc, path, url.query, ""))

    def stream_url(self, stream_url: str) -> str:
        """The real websocket URL for a ``<Stream url>``; raises ``StreamUrlError`` like Twilio would."""
        route = self.route_for(stream_url)
        if route is None and not self.passthrough and self.routes:
            route = self.routes[0]  # fails in map_stream_url with the host mismatch spelled out
        if route is None:
            url = urlsplit(stream_url)
            base = f"{'https' if url.scheme == 'wss' else 'http'}://{url.netloc}"
            route = Route(base, base)
        return map_stream_url(stream_url, public_base_url=route.public_base_url, gateway_url=route.real_base_url)
