"""Calls' media links sharing one connection (actors/link_mux.py), over real loopback sockets."""

from __future__ import annotations

import asyncio
import struct
from typing import AsyncIterator

import pytest

from actors import link, link_mux


class Echo:
    """An actor side: every channel echoes each link frame back with its channel's HELLO name."""

    def __init__(self) -> None:
        self.opened = 0
        self.ended: list[str] = []
        self.connections = 0

    async def on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        assert await reader.readexactly(len(link_mux.PREFACE)) == link_mux.PREFACE
        await link_mux.serve(reader, writer, self.on_open)

    async def on_open(self, reader: asyncio.StreamReader, writer: link_mux.ChannelWriter) -> None:
        self.opened += 1
        _, hello = await link.read_frame(reader)
        name = hello.decode()
        try:
            while True:
                kind, body = await link.read_frame(reader)
                writer.write(link.encode(kind, name.encode() + b":" + body))
        except asyncio.IncompleteReadError:
            self.ended.append(f"{name} eof")
        except ConnectionError:
            self.ended.append(f"{name} lost")


@pytest.fixture
async def echo() -> AsyncIterator[tuple[Echo, int, asyncio.Server]]:
    actor = Echo()
    server = await asyncio.start_server(actor.on_connection, "127.0.0.1", 0)
    yield actor, server.sockets[0].getsockname()[1], server
    server.close()


async def open_call(links: link_mux.Links, port: int, name: str) -> tuple[asyncio.StreamReader, link_mux.ChannelWriter]:
    reader, writer = await links.channel("127.0.0.1", port, None, 5)
    writer.write(link.encode(link.Kind.HELLO, name.encode()))
    return reader, writer


async def test_calls_share_one_connection_and_each_reads_only_its_own_frames(echo) -> None:  # type: ignore[no-untyped-def]
    actor, port, _ = echo
    links = link_mux.Links()
    calls = [await open_call(links, port, f"call{i}") for i in range(3)]
    for n in range(20):  # every call writes in the same loop turns: they leave together
        for i, (_, writer) in enumerate(calls):
            writer.write(link.encode(link.Kind.TWILIO, f"frame{n}".encode()))
    for i, (reader, _) in enumerate(calls):
        got = [await asyncio.wait_for(link.read_frame(reader), 5) for _ in range(20)]
        assert got == [(link.Kind.TWILIO, f"call{i}:frame{n}".encode()) for n in range(20)]
    assert actor.connections == 1 and actor.opened == 3
    # One call's link closed: its actor side sees the end, the others go on.
    calls[0][1].close()
    assert calls[0][1].is_closing()
    calls[1][1].write(link.encode(link.Kind.TWILIO, b"still"))
    assert await asyncio.wait_for(link.read_frame(calls[1][0]), 5) == (link.Kind.TWILIO, b"call1:still")
    for _ in range(50):
        if actor.ended:
            break
        await asyncio.sleep(0.02)
    assert actor.ended == ["call0 eof"]
    links.close()


async def test_a_lost_connection_ends_every_call_on_it_and_the_next_call_dials_again(echo) -> None:  # type: ignore[no-untyped-def]
    actor, port, _ = echo
    links = link_mux.Links()
    calls = [await open_call(links, port, f"call{i}") for i in range(2)]
    calls[0][1].write(link.encode(link.Kind.TWILIO, b"x"))
    assert await asyncio.wait_for(link.read_frame(calls[0][0]), 5) == (link.Kind.TWILIO, b"call0:x")
    [mux] = links._muxes.values()
    mux._writer.transport.abort()  # type: ignore[attr-defined]  # a reset, as a vanished peer
    for reader, writer in calls:
        with pytest.raises(ConnectionError):
            await asyncio.wait_for(link.read_frame(reader), 5)
        assert writer.is_closing()
    for _ in range(50):
        if len(actor.ended) == 2:
            break
        await asyncio.sleep(0.02)
    assert sorted(actor.ended) == ["call0 lost", "call1 lost"]
    reader, writer = await open_call(links, port, "call2")
    writer.write(link.encode(link.Kind.TWILIO, b"y"))
    assert await asyncio.wait_for(link.read_frame(reader), 5) == (link.Kind.TWILIO, b"call2:y")
    assert actor.connections == 2
    links.close()


async def test_a_peer_breaking_the_envelope_is_cut_off(echo) -> None:  # type: ignore[no-untyped-def]
    actor, port, _ = echo
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(link_mux.PREFACE + link_mux.ENVELOPE.pack(1, link_mux.Op.OPEN, 0)
                 + link_mux.ENVELOPE.pack(1, 9, 0))  # an op that does not exist
    assert await asyncio.wait_for(reader.read(), 5) == b""  # the actor side closed the connection
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(link_mux.PREFACE + struct.pack(">IBI", 1, link_mux.Op.DATA, link_mux.MAX_PAYLOAD + 1))
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
