"""Many calls' media links over one connection per gateway and session actor (opt-in).

With a connection per call, every 20 ms frame of every call costs the gateway one send and the
actor one receive (and the reverse for the agent's audio). A shared connection carries every
call's frames, each wrapped with its channel number, and sends what the calls wrote once per
event-loop turn: one send for all the frames that turn produced. The gateway's side may also
hold a busy spell's frames for a few ms (``coalesce_s``) so that one send, and one wake-up of
the actor, carries many calls' frames (at 5 ms, one steady-50 run: actor 7.9 -> 6.9 ms of CPU
per call-second; every frame, a new call's HELLO included, may wait that long). Each call still gets a reader
and a writer, and the per-call protocol of ``actors/link.py`` (HELLO with the link key, TWILIO,
CLOSE, BYE, ...) runs unchanged inside its channel.

A muxed connection opens with ``PREFACE`` (a per-call link opens with a HELLO frame, kind 1).
Envelope = 4 byte channel + 1 byte op + 4 byte length + payload. Until one of its channels has
proved a call's link key, a connection is unauthenticated, like a per-call link before its
HELLO: a deadline, and past a few channels or a few kB unread per channel the actor stops reading
it (TCP then holds the gateway back, as a per-call socket would) until a channel proves its key.
The trade: if the connection breaks, every call on it ends as if its own link had (the caller
hears the apology).
"""

from __future__ import annotations

import asyncio
import struct
from collections import deque
from enum import IntEnum
from typing import Any, Callable, Coroutine

import structlog

from actors import link

log = structlog.get_logger("voxray.link")

PREFACE = b"VXMUX1\n"
ENVELOPE = struct.Struct(">IBI")
MAX_PAYLOAD = 64 * 1024  # a write is cut into envelopes of at most this (a channel is a byte stream)
UNAUTHENTICATED_CHANNELS = 8  # channels read from a connection before one proves a link key
UNAUTHENTICATED_BUFFER = 8 * 1024  # bytes unread per channel before that (then reading pauses)
CHANNEL_BUFFER = 4 * 1024 * 1024  # bytes a proven channel may hold unread (minutes of a call's media)
MAX_CHANNEL_ID = 2**32 - 1


class Op(IntEnum):
    OPEN = 1  # gateway -> actor: a new call's link
    DATA = 2  # either way: bytes of the call's link stream
    CLOSE = 3  # either way: the call's link is closed


class ChannelReader:
    """The reading half of one call's link: ``readexactly``, as ``actors/link.read_frame`` uses."""

    def __init__(self) -> None:
        self._chunks: deque[bytes] = deque()
        self.buffered = 0
        self._eof = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None

    def feed_data(self, data: bytes) -> None:
        self._chunks.append(data)
        self.buffered += len(data)
        self._wake()

    def feed_eof(self, error: BaseException | None = None) -> None:
        """No more data; what is buffered stays readable (``error``: raised once it is read)."""
        self._eof, self._error = True, self._error or error
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def readexactly(self, n: int) -> bytes:
        while self.buffered < n:
            if self._eof:
                if self._error is not None and not self.buffered:
                    raise self._error
                raise asyncio.IncompleteReadError(self._take(self.buffered), n)
            if self._waiter is not None:
                raise RuntimeError("a channel has one reader")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._take(n)

    def _take(self, n: int) -> bytes:
        if n == 0:
            return b""
        if len(self._chunks[0]) == n:  # the usual case: a frame's header, then its body, each whole
            self.buffered -= n
            return self._chunks.popleft()
        out = bytearray()
        while len(out) < n:
            chunk = self._chunks.popleft()
            need = n - len(out)
            if len(chunk) > need:
                self._chunks.appendleft(chunk[need:])
                chunk = chunk[:need]
            out += chunk
        self.buffered -= n
        return bytes(out)


OnOpen = Callable[[ChannelReader, "ChannelWriter"], Coroutine[Any, Any, None]]


class ChannelWriter:
    """The writing half of one call's link: what ``asyncio.StreamWriter`` offers the link's users."""

    def __init__(self, mux: "Mux", channel: int) -> None:
        self._mux, self._channel = mux, channel
        self._closing = False
        self._peer_closed = False  # like a socket the peer shut: writes go nowhere, reads hit EOF

    def write(self, data: bytes) -> None:
        if self._closing or self._peer_closed:
            return
        for start in range(0, len(data), MAX_PAYLOAD):
            self._mux.send(self._channel, Op.DATA, data[start:start + MAX_PAYLOAD])

    async def drain(self) -> None:
        if self._closing:
            raise ConnectionResetError("the call's media link is closed")
        await self._mux.drain()

    def is_closing(self) -> bool:
        return self._closing or self._mux.closed

    def close(self) -> None:
        """Close the call's link both ways, as closing its own socket would."""
        if not self._closing:
            self._closing = True
            self._mux.close_channel(self._channel, notify=True)

    def authenticated(self) -> None:
        """The channel's HELLO proved a call's link key: its connection comes from a gateway."""
        self._mux.authenticated.set()


class Mux:
    """One side of a shared connection; the gateway opens channels, the actor serves them."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, on_open: OnOpen | None = None,
                 coalesce_s: float = 0.0) -> None:
        self._reader, self._writer, self._on_open = reader, writer, on_open
        self._channels: dict[int, tuple[ChannelReader, ChannelWriter]] = {}
        self._out: list[bytes] = []
        # At most one send per this long: under load the frames of many calls share a send (and
        # the peer's wake-up); a write after a quiet spell still leaves at the end of its turn.
        self._coalesce_s = coalesce_s
        self._flushed_at = float("-inf")
        self._next = 1
        self._tasks: set[asyncio.Task[None]] = set()
        self.closed = False
        # The gateway's side trusts its own connection; the actor's waits for a proven HELLO.
        self.authenticated = asyncio.Event()
        if on_open is None:
            self.authenticated.set()
        self.reading = asyncio.get_running_loop().create_task(self._read_loop(), name="link-mux")

    @property
    def channels(self) -> int:
        return len(self._channels)

    def open(self) -> tuple[ChannelReader, ChannelWriter]:
        """A new call's link (the gateway's side)."""
        if self.closed or self._next > MAX_CHANNEL_ID:
            raise ConnectionResetError("media link connection is closed or used up")
        channel, self._next = self._next, self._next + 1
        pair = self._add(channel)
        self.send(channel, Op.OPEN, b"")
        return pair

    def _add(self, channel: int) -> tuple[ChannelReader, ChannelWriter]:
        pair = (ChannelReader(), ChannelWriter(self, channel))
        self._channels[channel] = pair
        return pair

    def send(self, channel: int, op: Op, data: bytes) -> None:
        if self.closed:
            return
        if not self._out:  # the first write since the last send: send them all together
            loop = asyncio.get_running_loop()
            due = self._flushed_at + self._coalesce_s
            if due > loop.time():
                loop.call_at(due, self._flush)
            else:
                loop.call_soon(self._flush)
        self._out.append(ENVELOPE.pack(channel, op, len(data)))
        if data:
            self._out.append(data)

    def _flush(self) -> None:
        out, self._out = self._out, []
        if out and not self.closed and not self._writer.is_closing():
            self._writer.write(b"".join(out))
            self._flushed_at = asyncio.get_running_loop().time()

    async def drain(self) -> None:
        if self.closed:
            raise ConnectionResetError("media link connection is closed")
        await self._writer.drain()

    def close_channel(self, channel: int, notify: bool) -> None:
        pair = self._channels.pop(channel, None)
        if pair is None:
            return
        pair[0].feed_eof()
        if notify:
            pair[1]._closing = True
            self.send(channel, Op.CLOSE, b"")
        else:  # the peer closed it: our side reads to the end, then closes when it is done
            pair[1]._peer_closed = True

    def close(self) -> None:
        self._flush()  # frames held for coalescing (a call's BYE, CLOSE) leave before the end
        self.reading.cancel()

    async def _read_loop(self) -> None:
        error: BaseException | None = None
        try:
            while True:
                channel, op, size = ENVELOPE.unpack(await self._reader.readexactly(ENVELOPE.size))
                if size > MAX_PAYLOAD:
                    raise link.LinkError(f"mux payload of {size} bytes exceeds {MAX_PAYLOAD}")
                payload = await self._reader.readexactly(size) if size else b""
                if not self.authenticated.is_set():  # (no coroutine per frame once proven)
                    await self._until_room(channel, op, len(payload))
                if op == Op.DATA:
                    self._deliver(channel, payload)
                elif op == Op.CLOSE:
                    self.close_channel(channel, notify=False)
                elif op == Op.OPEN and self._on_open is not None and channel not in self._channels:
                    reader, writer = self._add(channel)
                    task = asyncio.get_running_loop().create_task(self._on_open(reader, writer))
                    self._tasks.add(task)
                    task.add_done_callback(self._task_done)
                else:
                    raise link.LinkError(f"unexpected mux op {op} for channel {channel}")
        except asyncio.IncompleteReadError:
            pass  # the peer closed the connection: what each call already received stays readable
        except asyncio.CancelledError:
            error = ConnectionResetError("media link connection closed")
        except Exception as exc:  # noqa: BLE001 - a reset, a broken envelope: every call on it ends
            error = exc if isinstance(exc, ConnectionError) else ConnectionResetError(str(exc))
        finally:
            self._flush()  # what was written since close() (a dead peer's socket drops it anyway)
            self.closed = True
            for reader, writer in self._channels.values():
                # Each call sees its own link end: the same handling as its own socket's end.
                reader.feed_eof(error)
                writer._closing = True
            self._channels.clear()
            self._writer.close()

    async def _until_room(self, channel: int, op: int, size: int) -> None:
        """Before a channel proves its key, read no further than a few channels and a few kB each:
        stop reading (TCP holds the peer back) until a channel proves, or closes, or is read from.
        A peer that never proves is cut at ``serve``'s deadline."""
        while not self.authenticated.is_set():
            pair = self._channels.get(channel)
            if op == Op.OPEN and len(self._channels) < UNAUTHENTICATED_CHANNELS:
                return
            if op == Op.DATA and (pair is None or pair[0].buffered + size <= UNAUTHENTICATED_BUFFER):
                return
            if op not in (Op.OPEN, Op.DATA):
                return
            try:  # look again when a channel proves, or shortly (calls read and close meanwhile)
                await asyncio.wait_for(self.authenticated.wait(), 0.05)
            except asyncio.TimeoutError:
                pass

    def _deliver(self, channel: int, payload: bytes) -> None:
        pair = self._channels.get(channel)
        if pair is None:
            return  # a channel closed here while the peer still wrote: dropped, as on a closed socket
        if pair[0].buffered + len(payload) > CHANNEL_BUFFER:
            log.warning("media_link_channel_overrun", channel=channel, buffered=pair[0].buffered)
            self.close_channel(channel, notify=True)  # its call ends; the others go on
            return
        pair[0].feed_data(payload)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("media_link_channel_failed", error=repr(task.exception()))


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, on_open: OnOpen,
                authenticate_within_s: float, on_authenticated: Callable[[], None]) -> None:
    """The actor's side of a muxed connection (after its PREFACE), until the connection ends.

    ``on_authenticated`` runs once a channel has proved a link key, or the connection has ended or
    been cut for not doing so within ``authenticate_within_s``."""
    mux: Mux | None = None
    try:
        mux = Mux(reader, writer, on_open)
        proven = asyncio.ensure_future(mux.authenticated.wait())
        try:
            await asyncio.wait({proven, mux.reading}, timeout=authenticate_within_s,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            proven.cancel()
            on_authenticated()
        if not mux.authenticated.is_set():
            mux.close()
        await asyncio.gather(mux.reading, return_exceptions=True)
        await asyncio.gather(*list(mux._tasks), return_exceptions=True)
    except BaseException:
        if mux is None:
            on_authenticated()
            writer.close()
        else:
            mux.close()
        raise


class Links:
    """The gateway's muxed connections, one per session actor address, dialled on first use."""

    def __init__(self, coalesce_s: float = 0.0) -> None:
        self._coalesce_s = coalesce_s
        self._muxes: dict[tuple[str, int], Mux] = {}
        self._dials: dict[tuple[str, int], asyncio.Task[Mux]] = {}
        self._closed = False

    async def channel(self, host: str, port: int, cluster_key: str | None,
                      timeout_s: float) -> tuple[ChannelReader, ChannelWriter]:
        if self._closed:
            raise ConnectionResetError("the gateway is shutting down")
        key = (host, port)
        mux = self._muxes.get(key)
        if mux is None or mux.closed:
            self._muxes.pop(key, None)
            dial = self._dials.get(key)
            if dial is None:  # one dial for every call waiting on this actor; its outcome is theirs
                dial = self._dials[key] = asyncio.get_running_loop().create_task(self._dial(host, port, cluster_key,
                                                                                            timeout_s))
                dial.add_done_callback(lambda t: self._dial_done(key, t))
            mux = await asyncio.shield(dial)
        return mux.open()

    def _dial_done(self, key: tuple[str, int], task: asyncio.Task[Mux]) -> None:
        if self._dials.get(key) is task:
            self._dials.pop(key)
        if not task.cancelled():
            task.exception()  # retrieved: the waiting calls got it (or all left)

    async def _dial(self, host: str, port: int, cluster_key: str | None, timeout_s: float) -> Mux:
        reader, writer = await link.dial(host, port, cluster_key, timeout_s)
        if self._closed:
            writer.close()
            raise ConnectionResetError("the gateway is shutting down")
        writer.write(PREFACE)
        mux = self._muxes[(host, port)] = Mux(reader, writer, coalesce_s=self._coalesce_s)
        mux.reading.add_done_callback(lambda _: self._muxes.pop((host, port), None) if self._muxes.get(
            (host, port)) is mux else None)
        return mux

    async def close(self) -> None:
        self._closed = True
        await asyncio.gather(*list(self._dials.values()), return_exceptions=True)
        muxes = list(self._muxes.values())
        for mux in muxes:
            mux.close()
        await asyncio.gather(*(m.reading for m in muxes), return_exceptions=True)
        self._muxes.clear()
