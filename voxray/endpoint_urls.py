"""Which endpoint URLs a tenant may configure: pure checks, run when the endpoint is saved.

The delivery path checks the addresses a host name resolves to again (voxray/egress.py), since DNS
can change after the URL was accepted.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
# Names that only ever mean a private network (RFC 6761, RFC 6762, RFC 8375).
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")


class UrlRejected(ValueError):
    """The URL may not be used as a webhook endpoint; the message says why."""


def is_public_address(address: str) -> bool:
    """True when ``address`` (an IP literal) is globally routable: not private, loopback, link-local, ..."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return ip.is_global and not ip.is_multicast


def check_endpoint_url(url: str, *, allow_http: bool, allow_private: bool) -> str:
    """The URL if a tenant may use it; else UrlRejected."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlRejected(f"longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a malformed port
    except ValueError as exc:
        raise UrlRejected(f"not a valid URL ({exc})") from None
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        raise UrlRejected("must start with https://" + (" or http://" if allow_http else ""))
    host = parts.hostname
    if not host:
        raise UrlRejected("has no host")
    if parts.username is not None or parts.password is not None:
        raise UrlRejected("must not carry credentials (user:password@); authenticate with the signature")
    if parts.fragment:
        raise UrlRejected("must not have a #fragment")
    if port == 0:
        raise UrlRejected("port 0 is not a port")
    if not allow_private and _is_private_host(host):
        raise UrlRejected("points at a private, loopback or link-local address")
    return url


def _is_private_host(host: str) -> bool:
    try:
        return not is_public_address(host)
    except ValueError:
        pass  # a name, not an address
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(_PRIVATE_SUFFIXES) or "." not in name
