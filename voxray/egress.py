"""An HTTP transport that only connects to public addresses (SSRF protection for webhooks).

A tenant's URL could name, or be made to resolve to, the metadata service or an internal host.
Checking the name when the endpoint is saved is not enough (DNS answers change), so the check
runs at connect time on the very addresses connected to: the host name stays in the URL, so
TLS still verifies the certificate against it.
"""

from __future__ import annotations

import socket
import typing

import anyio
import httpcore
import httpx

from voxray.endpoint_urls import is_public_address


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, refuses if any address is not public, connects to a vetted one."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        with anyio.fail_after(timeout):
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        # One private answer is enough to refuse: round-robin DNS must not smuggle one in.
        if not addresses or not all(is_public_address(a) for a in addresses):
            raise httpcore.ConnectError(f"{host} resolves to a non-public address")
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks never use unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def webhook_transport(*, allow_private: bool, max_connections: int) -> httpx.AsyncBaseTransport:
    transport = httpx.AsyncHTTPTransport(trust_env=False, limits=httpx.Limits(max_connections=max_connections))
    if not allow_private:
        # httpx has no public hook for httpcore's network backend, so replace the pool it built
        # with the same pool on the guarded backend (tests/unit cover that the guard is live).
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=max_connections,
            network_backend=PublicOnlyBackend())
    return transport
