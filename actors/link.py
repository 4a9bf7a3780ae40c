"""The direct media link between the gateway and a session actor: length-prefixed TCP frames.

Audio never pays a Ray call per 20 ms frame; the gateway relays Twilio's text frames verbatim
over this socket and writes the actor's ready-made Twilio frames back to the websocket.
Frame = 1 byte kind + 4 byte big-endian length + payload.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
from enum import IntEnum
from typing import Protocol

from actors import link_tls

import orjson

HEADER = struct.Struct(">BI")
MAX_FRAME = 1 << 20


class Kind(IntEnum):
    HELLO = 1  # gateway -> actor: {"call_sid", "link_key"}
    TWILIO = 2  # both ways: one Twilio Media Streams text frame
    CLOSE = 3  # actor -> gateway: {"code", "reason"}; close the websocket with it
    BYE = 4  # gateway -> actor: {"reason"}; the websocket is gone
    # actor -> gateway: {"twiml"}; replace the call's TwiML through the Twilio REST API (a
    # transfer). Twilio then stops the stream itself (PROTOCOLS C.2), so the socket stays open.
    REDIRECT = 5
    REDIRECTED = 6  # gateway -> actor: {"ok", "error"}; what the REST update answered


class LinkError(Exception):
    pass


class LinkReader(Protocol):
    """What a call's link is read from: its own socket's StreamReader, or its channel."""

    async def readexactly(self, n: int) -> bytes: ...


class LinkWriter(Protocol):
    """What a call's link is written through: its own socket's StreamWriter, or its channel of a
    shared connection (``actors/link_mux.py``)."""

    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...

    def close(self) -> None: ...

    def is_closing(self) -> bool: ...


def encode(kind: Kind, payload: bytes) -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


def encode_json(kind: Kind, body: dict[str, object]) -> bytes:
    return encode(kind, orjson.dumps(body))


async def read_frame(reader: LinkReader) -> tuple[Kind, bytes]:
    """Next frame; raises asyncio.IncompleteReadError at EOF, LinkError on a bad header."""
    kind, size = HEADER.unpack(await reader.readexactly(HEADER.size))
    if size > MAX_FRAME:
        raise LinkError(f"frame of {size} bytes exceeds {MAX_FRAME}")
    try:
        return Kind(kind), await reader.readexactly(size)
    except ValueError:
        raise LinkError(f"unknown frame kind {kind}") from None


async def dial(host: str, port: int, cluster_key: str | None, timeout_s: float) -> tuple[asyncio.StreamReader,
                                                                                     asyncio.StreamWriter]:
    """Open the link to an actor: TLS pinned to the cluster key when one is set (link_tls)."""
    if cluster_key is None:
        if not is_loopback(host):  # caller audio never crosses a network in clear
            raise link_tls.LinkPeerRejected(f"no media link key for non-loopback actor {host}")
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
        _keepalive(writer)
        return reader, writer
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=link_tls.client_context(), server_hostname=None,
                                ssl_handshake_timeout=link_tls.HANDSHAKE_TIMEOUT_S), timeout_s)
    try:
        link_tls.check_peer(writer.get_extra_info("ssl_object"), cluster_key)
    except link_tls.LinkPeerRejected:
        writer.close()
        raise
    _keepalive(writer)
    return reader, writer


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _keepalive(writer: asyncio.StreamWriter) -> None:
    """An actor's host that vanishes (power, partition) sends no FIN: notice within ~5 s anyway."""
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (("TCP_KEEPIDLE", 2), ("TCP_KEEPINTVL", 1), ("TCP_KEEPCNT", 3), ("TCP_USER_TIMEOUT", 5000)):
        if hasattr(socket, name):  # Linux
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
