"""Calls' media links sharing one connection (actors/link_mux.py), over real loopback sockets."""

from __future__ import annotations

import asyncio
import struct
from typing import AsyncIterator

import pytest

from actors import link, link_mux


class Echo:
    """An actor side: a channel whose HELLO names "ok-..." is proven and echoes each frame back
    prefixed with that name; any other HELLO is left unproven (the channel is just read)."""

    def __init__(self, authenticate_within_s: float = 5.0) -> None:
        self.within = authenticate_within_s
        self.opened = 0
        self.ended: list[str] = []
        self.connections = 0
        self.proven_calls = 0
        self.received: list[bytes] = []

    async def on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        assert await reader.readexactly(len(link_mux.PREFACE)) == link_mux.PREFACE
        await link_mux.serve(reader, writer, self.on_open, self.within, self.on_proven)

    def on_proven(self) -> None:
        self.proven_calls += 1

    async def on_open(self, reader: link_mux.ChannelReader, writer: link_mux.ChannelWriter) -> None:
        self.opened += 1
        name = "?"
        try:
            _, hello = await link.read_frame(reader)
            name = hello.decode()
            if name.startswith("slow-"):  # its call's setup is late: proven a second later
                await asyncio.sleep(1.0)
            elif not name.startswith("ok-"):
                await asyncio.sleep(3600)
            writer.authenticated()
            while True:
                kind, body = await link.read_frame(reader)
                self.received.append(body)
                if body == b"bye":
                    writer.write(link.encode_json(link.Kind.CLOSE, {"code": 1000, "reason": name}))
                    writer.close()
                    return
                writer.write(link.encode(kind, name.encode() + b":" + body))
        except asyncio.IncompleteReadError:
            self.ended.append(f"{name} eof")
        except ConnectionError:
            self.ended.append(f"{name} lost")


@pytest.fixture
async def echo() -> AsyncIterator[tuple[Echo, int]]:
    actor = Echo()
    server = await asyncio.start_server(actor.on_connection, "127.0.0.1", 0)
    yield actor, server.sockets[0].getsockname()[1]
    server.close()


@pytest.fixture
async def links() -> AsyncIterator[link_mux.Links]:
    gateway = link_mux.Links()
    yield gateway
    await gateway.close()


async def open_call(links: link_mux.Links, port: int, name: str) -> tuple[link_mux.ChannelReader, link_mux.ChannelWriter]:
    reader, writer = await links.channel("127.0.0.1", port, None, 5)
    writer.write(link.encode(link.Kind.HELLO, name.encode()))
    return reader, writer


async def until(check, timeout_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout_s / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never held")


async def test_calls_share_one_connection_and_each_reads_only_its_own_frames(echo, links) -> None:  # type: ignore[no-untyped-def]
    actor, port = echo
    calls = await asyncio.gather(*(open_call(links, port, f"ok-{i}") for i in range(3)))  # one dial for all
    for n in range(20):
        for _, writer in calls:
            writer.write(link.encode(link.Kind.TWILIO, f"frame{n}".encode()))
    big = bytes(range(256)) * 1000  # 256 kB: cut into several envelopes, read back whole
    calls[2][1].write(link.encode(link.Kind.TWILIO, big))
    for i, (reader, _) in enumerate(calls):
        got = [await asyncio.wait_for(link.read_frame(reader), 5) for _ in range(20)]
        assert got == [(link.Kind.TWILIO, f"ok-{i}:frame{n}".encode()) for n in range(20)]
    assert await asyncio.wait_for(link.read_frame(calls[2][0]), 5) == (link.Kind.TWILIO, b"ok-2:" + big)
    assert actor.connections == 1 and actor.opened == 3 and actor.proven_calls == 1
    # The gateway closes one call's link: its actor side sees the end, the others go on.
    calls[0][1].close()
    calls[1][1].write(link.encode(link.Kind.TWILIO, b"still"))
    assert await asyncio.wait_for(link.read_frame(calls[1][0]), 5) == (link.Kind.TWILIO, b"ok-1:still")
    await until(lambda: actor.ended == ["ok-0 eof"])
    # The actor ends a call (CLOSE, then closes): the gateway reads the CLOSE, then the end.
    calls[1][1].write(link.encode(link.Kind.TWILIO, b"bye"))
    kind, body = await asyncio.wait_for(link.read_frame(calls[1][0]), 5)
    assert kind == link.Kind.CLOSE and b"ok-1" in body
    with pytest.raises(asyncio.IncompleteReadError):
        await asyncio.wait_for(link.read_frame(calls[1][0]), 5)
    # Half-open, as a socket the peer shut: writes go nowhere and do not fail until we close.
    calls[1][1].write(link.encode(link.Kind.TWILIO, b"late"))
    await calls[1][1].drain()
    assert not calls[1][1].is_closing()
    calls[1][1].close()
    with pytest.raises(ConnectionError):
        await calls[1][1].drain()


async def test_a_lost_connection_ends_every_call_on_it_and_the_next_call_dials_again(echo, links) -> None:  # type: ignore[no-untyped-def]
    actor, port = echo
    calls = [await open_call(links, port, f"ok-{i}") for i in range(2)]
    calls[0][1].write(link.encode(link.Kind.TWILIO, b"x"))
    assert await asyncio.wait_for(link.read_frame(calls[0][0]), 5) == (link.Kind.TWILIO, b"ok-0:x")
    [mux] = links._muxes.values()
    mux._writer.transport.abort()  # type: ignore[attr-defined]  # a reset, as a vanished peer
    for reader, writer in calls:
        with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
            await asyncio.wait_for(link.read_frame(reader), 5)
        assert writer.is_closing()
    await until(lambda: len(actor.ended) == 2)
    assert sorted(actor.ended) == ["ok-0 eof", "ok-1 eof"] or all(e.endswith("lost") for e in actor.ended)
    reader, writer = await open_call(links, port, "ok-2")
    writer.write(link.encode(link.Kind.TWILIO, b"y"))
    assert await asyncio.wait_for(link.read_frame(reader), 5) == (link.Kind.TWILIO, b"ok-2:y")
    assert actor.connections == 2


async def test_a_burst_of_calls_on_a_new_connection_all_get_through(echo, links) -> None:  # type: ignore[no-untyped-def]
    """More channels than an unproven connection may have, their setups a second late, frames
    flowing meanwhile: the actor stops reading until a channel proves, then every call goes on."""
    actor, port = echo
    calls = await asyncio.gather(*(open_call(links, port, f"slow-{i}") for i in range(20)))
    for n in range(50):  # a second of 375-byte Twilio frames per call while the proof is late
        for _, writer in calls:
            writer.write(link.encode(link.Kind.TWILIO, f"{n:03d}".encode() * 125))
        await asyncio.sleep(0.02)
    for i, (reader, _) in enumerate(calls):
        got = [await asyncio.wait_for(link.read_frame(reader), 10) for _ in range(50)]
        assert got == [(link.Kind.TWILIO, f"slow-{i}:".encode() + f"{n:03d}".encode() * 125) for n in range(50)]
    assert actor.connections == 1 and actor.opened == 20


async def test_an_unproven_connection_is_held_back_then_cut(links) -> None:  # type: ignore[no-untyped-def]
    actor = Echo(authenticate_within_s=0.5)
    server = await asyncio.start_server(actor.on_connection, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        # No channel proves a link key: the connection is cut at the deadline, its calls end.
        reader, writer = await open_call(links, port, "stranger")
        writer.write(link.encode(link.Kind.TWILIO, b"z" * (link_mux.UNAUTHENTICATED_BUFFER * 4)))  # not read
        with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
            await asyncio.wait_for(link.read_frame(reader), 5)
        assert actor.proven_calls == 1  # the pending slot was given back
        # Many channels and no proof: the actor stops reading, then cuts the connection.
        raw_reader, raw_writer = await asyncio.open_connection("127.0.0.1", port)
        raw_writer.write(link_mux.PREFACE + b"".join(link_mux.ENVELOPE.pack(c, link_mux.Op.OPEN, 0)
                                                     for c in range(1, link_mux.UNAUTHENTICATED_CHANNELS + 5)))
        assert await asyncio.wait_for(raw_reader.read(), 5) == b""
        assert actor.opened <= 1 + link_mux.UNAUTHENTICATED_CHANNELS
        raw_writer.close()
    finally:
        server.close()


async def test_a_peer_breaking_the_envelope_is_cut_off(echo) -> None:  # type: ignore[no-untyped-def]
    _, port = echo
    for bad in (link_mux.ENVELOPE.pack(1, link_mux.Op.OPEN, 0) + link_mux.ENVELOPE.pack(1, 9, 0),  # no such op
                struct.pack(">IBI", 1, link_mux.Op.DATA, link_mux.MAX_PAYLOAD + 1)):  # oversize
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(link_mux.PREFACE + bad)
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()


async def test_coalescing_sends_a_busy_spell_together_and_a_quiet_write_at_once(echo) -> None:  # type: ignore[no-untyped-def]
    _, port = echo
    links = link_mux.Links(coalesce_s=1.0)  # long enough that a slow host cannot split the spell
    try:
        calls = [await open_call(links, port, f"ok-{i}") for i in range(3)]
        [mux] = links._muxes.values()
        await asyncio.sleep(1.1)  # quiet (the opens have left): the next write leaves at the end of its turn
        sends: list[object] = []
        real_write = mux._writer.write

        def counted(data: bytes) -> None:  # the real socket's write, counted
            sends.append(data)
            real_write(data)

        mux._writer.write = counted  # type: ignore[method-assign,assignment]
        calls[0][1].write(link.encode(link.Kind.TWILIO, b"first"))
        await asyncio.sleep(0)
        assert len(sends) == 1
        for n in range(3):  # within the window: held, then one send for all of them
            for _, writer in calls:
                writer.write(link.encode(link.Kind.TWILIO, f"f{n}".encode()))
            await asyncio.sleep(0.01)
        assert len(sends) == 1
        assert await asyncio.wait_for(link.read_frame(calls[0][0]), 5) == (link.Kind.TWILIO, b"ok-0:first")
        for i, (reader, _) in enumerate(calls):
            got = [await asyncio.wait_for(link.read_frame(reader), 5) for _ in range(3)]
            assert got == [(link.Kind.TWILIO, f"ok-{i}:f{n}".encode()) for n in range(3)]
        assert len(sends) == 2
    finally:
        await links.close()


async def test_closing_the_gateway_side_sends_what_coalescing_held(echo) -> None:  # type: ignore[no-untyped-def]
    actor, port = echo
    links = link_mux.Links(coalesce_s=1.0)
    reader, writer = await open_call(links, port, "ok-0")
    writer.write(link.encode(link.Kind.TWILIO, b"x"))
    assert await asyncio.wait_for(link.read_frame(reader), 5) == (link.Kind.TWILIO, b"ok-0:x")
    writer.write(link.encode(link.Kind.TWILIO, b"last"))  # within the window: held
    writer.close()
    await links.close()  # a gateway shutting down: the held frame and the CLOSE still leave
    await until(lambda: actor.ended == ["ok-0 eof"])
    assert actor.received == [b"x", b"last"]
