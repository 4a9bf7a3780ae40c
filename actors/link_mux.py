"""Many calls' media links over one connection per gateway and session actor (opt-in).

With a connection per call, every 20 ms frame of every call costs the gateway one send and the
actor one receive (and the reverse for the agent's audio). A shared connection carries every
call's frames, each wrapped with its channel number, and sends what the calls wrote once per
event-loop turn: one send for all the frames that turn produced. Each call still gets a reader
and a writer, and the per-call protocol of ``actors/link.py`` (HELLO with the link key, TWILIO,
CLOSE, BYE, ...) runs unchanged inside its channel.

A muxed connection opens with ``PREFACE`` (a per-call link opens with a HELLO frame, kind 1).
Envelope = 4 byte channel + 1 byte op + 4 byte length + payload. The trade: if the connection
breaks, every call on it ends as if its own link had (the caller hears the apology).
"""

from __future__ import annotations

import asyncio
import struct
from enum import IntEnum
from typing import Any, Callable, Coroutine

from actors import link

PREFACE = b"VXMUX1\n"
ENVELOPE = struct.Struct(">IBI")
MAX_PAYLOAD = link.MAX_FRAME + link.HEADER.size


class Op(IntEnum):
    OPEN = 1  # gateway -> actor: a new call's link
    DATA = 2  # either way: bytes of the call's link stream
    CLOSE = 3  # either way: the call's link is closed


OnOpen = Callable[[asyncio.StreamReader, "ChannelWriter"], Coroutine[Any, Any, None]]


class ChannelWriter:
    """The writing half of one call's link: what ``asyncio.StreamWriter`` offers the link's users."""

    def __init__(self, mux: "Mux", channel: int) -> None:
        self._mux, self._channel = mux, channel
        self._closing = False

    def write(self, data: bytes) -> None:
        if not self._closing and data:
            self._mux.send(self._channel, Op.DATA, data)

    async def drain(self) -> None:
        await self._mux.drain()

    def is_closing(self) -> bool:
        return self._closing or self._mux.closed

    def close(self) -> None:
        """Close the call's link both ways, as closing its own socket would."""
        if not self._closing:
            self._closing = True
            self._mux.close_channel(self._channel, notify=True)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._mux.get_extra_info(name, default)


class Mux:
    """One side of a shared connection; the gateway opens channels, the actor serves them."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, on_open: OnOpen | None = None) -> None:
        self._reader, self._writer, self._on_open = reader, writer, on_open
        self._channels: dict[int, tuple[asyncio.StreamReader, ChannelWriter]] = {}
        self._out: list[bytes] = []
        self._next = 1
        self._tasks: set[asyncio.Task[None]] = set()
        self.closed = False
        self._reading = asyncio.get_running_loop().create_task(self._read_loop(), name="link-mux")

    @property
    def channels(self) -> int:
        return len(self._channels)

    def open(self) -> tuple[asyncio.StreamReader, ChannelWriter]:
        """A new call's link (the gateway's side)."""
        if self.closed:
            raise ConnectionResetError("media link connection is closed")
        channel, self._next = self._next, self._next + 1
        pair = self._add(channel)
        self.send(channel, Op.OPEN, b"")
        return pair

    def _add(self, channel: int) -> tuple[asyncio.StreamReader, ChannelWriter]:
        pair = (asyncio.StreamReader(limit=MAX_PAYLOAD), ChannelWriter(self, channel))
        self._channels[channel] = pair
        return pair

    def send(self, channel: int, op: Op, data: bytes) -> None:
        if self.closed:
            return
        if not self._out:  # the first write of this loop turn: send them all at its end
            asyncio.get_running_loop().call_soon(self._flush)
        self._out.append(ENVELOPE.pack(channel, op, len(data)))
        if data:
            self._out.append(data)

    def _flush(self) -> None:
        out, self._out = self._out, []
        if out and not self.closed and not self._writer.is_closing():
            self._writer.write(b"".join(out))

    async def drain(self) -> None:
        if self.closed:
            raise ConnectionResetError("media link connection is closed")
        await self._writer.drain()

    def close_channel(self, channel: int, notify: bool) -> None:
        pair = self._channels.pop(channel, None)
        if pair is None:
            return
        pair[0].feed_eof()
        pair[1]._closing = True
        if notify:
            self.send(channel, Op.CLOSE, b"")

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._writer.get_extra_info(name, default)

    def close(self) -> None:
        self._reading.cancel()

    async def _read_loop(self) -> None:
        try:
            while True:
                channel, op, size = ENVELOPE.unpack(await self._reader.readexactly(ENVELOPE.size))
                if size > MAX_PAYLOAD:
                    raise link.LinkError(f"mux payload of {size} bytes exceeds {MAX_PAYLOAD}")
                payload = await self._reader.readexactly(size) if size else b""
                if op == Op.DATA:
                    pair = self._channels.get(channel)
                    if pair is not None:
                        pair[0].feed_data(payload)
                elif op == Op.CLOSE:
                    self.close_channel(channel, notify=False)
                elif op == Op.OPEN and self._on_open is not None and channel not in self._channels:
                    reader, writer = self._add(channel)
                    task = asyncio.get_running_loop().create_task(self._on_open(reader, writer))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                else:
                    raise link.LinkError(f"unexpected mux op {op} for channel {channel}")
        except (asyncio.IncompleteReadError, ConnectionError, OSError, link.LinkError, asyncio.CancelledError):
            pass
        finally:
            self.closed = True
            for reader, writer in self._channels.values():
                # Each call sees its own link drop: the same handling as a per-call socket reset.
                reader.set_exception(ConnectionResetError("media link connection lost"))
                writer._closing = True
            self._channels.clear()
            self._writer.close()


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, on_open: OnOpen) -> None:
    """The actor's side of a muxed connection (after its PREFACE): until the connection ends."""
    mux = Mux(reader, writer, on_open)
    await asyncio.gather(mux._reading, return_exceptions=True)
    await asyncio.gather(*mux._tasks, return_exceptions=True)


class Links:
    """The gateway's muxed connections, one per session actor address, dialled on first use."""

    def __init__(self) -> None:
        self._muxes: dict[tuple[str, int], Mux] = {}
        self._dialing: dict[tuple[str, int], asyncio.Lock] = {}

    async def channel(self, host: str, port: int, cluster_key: str | None,
                      timeout_s: float) -> tuple[asyncio.StreamReader, ChannelWriter]:
        key = (host, port)
        async with self._dialing.setdefault(key, asyncio.Lock()):
            mux = self._muxes.get(key)
            if mux is None or mux.closed:
                reader, writer = await link.dial(host, port, cluster_key, timeout_s)
                writer.write(PREFACE)
                mux = self._muxes[key] = Mux(reader, writer)
        return mux.open()

    def close(self) -> None:
        for mux in self._muxes.values():
            mux.close()
        self._muxes.clear()
