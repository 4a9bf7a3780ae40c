"""The media leg of one simulated call: Twilio's side of a bidirectional Media Stream.

Streams the caller's audio in real time on an absolute 20 ms schedule, plays the app's audio
through ``PlayoutBuffer`` and echoes marks as Twilio does (PROTOCOLS §A). The stream ends when
the caller's script hangs up, when the app closes the socket, or when Twilio itself ends it
because the call's TwiML was replaced or the call hung up over REST (``stop`` event; §C.2).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from pipelines import twilio_media as tm
from pipelines.twilio_media import FRAME_MS, MalformedMessage
from simulators.carrier.caller import Caller, Tick
from simulators.carrier.playout import BYTES_PER_S, PlayoutBuffer
from simulators.carrier.result import BargeInResult, CallResult, TurnResult

FRAME_S = FRAME_MS / 1000


class _Outbox:
    """Serializes sends on the socket and numbers them: Twilio's ``sequenceNumber`` counts
    every message it sends on the stream (``start`` is 1; ``connected`` has none)."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._seq = 0
        self._lock = asyncio.Lock()
        #: Loop time just before the last send started (after serializing): its causal send time.
        self.started_at = 0.0

    async def send(self, build: Callable[[int], str]) -> float:
        """Send ``build(sequenceNumber)``; return the loop time when the send completed."""
        async with self._lock:
            self._seq += 1
            text = build(self._seq)
            self.started_at = asyncio.get_running_loop().time()
            await self._ws.send(text)
        return asyncio.get_running_loop().time()

    async def send_unnumbered(self, text: str) -> None:
        async with self._lock:
            await self._ws.send(text)


class MediaSession:
    """The media leg of one call: sender, receiver and playout tasks over one websocket.

    ``stop``, when set, ends the stream from Twilio's side (``stop`` message, then close):
    what happens when the call's TwiML is replaced or the call is hung up over REST.
    """

    def __init__(
        self,
        ws: ClientConnection,
        result: CallResult,
        caller: Caller,
        *,
        account_sid: str,
        max_duration_s: float,
        stop: asyncio.Event | None = None,
    ) -> None:
        self.ws = ws
        self.account_sid = account_sid
        self.max_duration_s = max_duration_s
        self.stop = stop
        self.result = result
        self.caller = caller
        self.playout = PlayoutBuffer()
        self.outbox = _Outbox(ws)
        self.loop = asyncio.get_running_loop()
        self.t0 = 0.0
        self.ended_at: float | None = None
        self.caller_audio = bytearray()
        self._speaking: TurnResult | None = None
        self._awaiting_agent: tuple[TurnResult, float] | None = None  # (turn, last speech frame sent)
        self._barge_in: tuple[BargeInResult, float] | None = None     # (barge-in, first frame sent)

    async def run(self) -> None:
        result, sid = self.result, self.result.stream_sid
        try:
            await self.outbox.send_unnumbered(tm.Connected().dump())
            await self.outbox.send(
                lambda seq: tm.Start(
                    sequenceNumber=seq,
                    streamSid=sid,
                    start=tm.StartInfo(
                        accountSid=self.account_sid, streamSid=sid, callSid=result.call_sid,
                        customParameters=result.custom_parameters,
                    ),
                ).dump()
            )
        except ConnectionClosed:
            await self._gateway_closed()
            self._finish()
            return
        self.t0 = self.loop.time()
        if result.timing is not None:
            result.timing.t0 = self.t0
        sender = asyncio.create_task(self._send_loop())
        receiver = asyncio.create_task(self._receive_loop())
        playout = asyncio.create_task(self._playout_loop())
        tasks: tuple[asyncio.Task[bool | None], ...] = (sender, receiver, playout)
        try:
            await self._supervise(sender, receiver)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.ws.close()
            self._finish()

    async def _supervise(self, sender: asyncio.Task[bool], receiver: asyncio.Task[None]) -> None:
        """Wait for the caller to hang up, the gateway to close or Twilio to end the stream."""
        stopper = asyncio.create_task(self.stop.wait()) if self.stop is not None else None
        waiting: set[asyncio.Task[Any]] = {sender, receiver} if stopper is None else {sender, receiver, stopper}
        try:
            done, _ = await asyncio.wait(waiting, timeout=self.max_duration_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if stopper is not None:
                stopper.cancel()
        self.ended_at = self.loop.time()
        failed = {t for t in done if t is not stopper and t.exception() is not None}
        for task in failed:
            self.result.errors.append(f"simulator failure: {task.exception()!r}")
        if not done:
            self.result.errors.append(f"call exceeded max_duration_s={self.max_duration_s:g}")
        gateway_closed = (receiver in done and receiver not in failed) or (
            sender in done and sender not in failed and not sender.result()
        )
        if gateway_closed:
            await self._gateway_closed()
            return
        self.result.script_completed = self.caller.finished
        ended_by_twilio = stopper is not None and stopper in done and sender not in done
        await self._hang_up("carrier" if ended_by_twilio else "caller")
        if receiver.done():
            return
        try:
            await asyncio.wait_for(receiver, timeout=5)
        except TimeoutError:
            self.result.errors.append("gateway did not finish the close handshake within 5 s")
        except Exception as exc:  # a bug in message handling; recorded, the call is over anyway
            self.result.errors.append(f"simulator failure: {exc!r}")

    async def _gateway_closed(self) -> None:
        """The gateway closed the socket: record how (Twilio would go on after </Connect>)."""
        self.result.closed_by = "gateway"
        self.ended_at = self.ended_at or self.loop.time()
        try:
            await asyncio.wait_for(self.ws.wait_closed(), timeout=5)
        except TimeoutError:
            pass
        code = self.ws.close_code
        if code not in (1000, 1001):
            self.result.errors.append(f"gateway closed the stream with code {code}: {self.ws.close_reason!r}")

    async def _hang_up(self, by: Literal["caller", "carrier"]) -> None:
        """Twilio ends the stream: ``stop``, then closes the socket.

        ``by`` says why: the caller hung up, or Twilio moved on (new TwiML, REST hang-up).
        """
        result = self.result
        result.closed_by = by
        try:
            await self.outbox.send(
                lambda seq: tm.Stop(
                    sequenceNumber=seq, streamSid=result.stream_sid,
                    stop=tm.StopInfo(accountSid=self.account_sid, callSid=result.call_sid),
                ).dump()
            )
        except ConnectionClosed:
            await self._gateway_closed()
            return
        result.stop_sent = True
        await self.ws.close(1000)

    # ---- caller -> gateway ----------------------------------------------------------------

    async def _send_loop(self) -> bool:
        """Send one frame every 20 ms on an absolute schedule (no drift).

        Returns True when the caller hangs up, False when the gateway closed the socket.
        """
        chunk = 0
        try:
            while True:
                deadline = self.t0 + chunk * FRAME_S
                delay = deadline - self.loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                now = self.loop.time()
                self.result.max_send_lag_ms = max(self.result.max_send_lag_ms, (now - deadline) * 1000)
                tick = self.caller.tick(now, self.playout)
                for digit in tick.digits:
                    await self._send_dtmf(digit)
                for message in tick.timeouts:
                    self.result.timeouts.append(message)
                    self.result.errors.append(f"timeout: {message}")
                if tick.hangup:
                    return True
                chunk += 1
                sent_at = await self._send_media(chunk, tick.audio)
                if self.result.timing is not None:
                    self.result.timing.frame_sent.append(self.outbox.started_at)
                self._account_frame(tick, sent_at)
        except ConnectionClosed:
            return False

    async def _send_media(self, chunk: int, audio: bytes) -> float:
        sid, payload = self.result.stream_sid, base64.b64encode(audio).decode()
        timestamp = (chunk - 1) * FRAME_MS  # media time since stream start, in ms
        return await self.outbox.send(
            lambda seq: tm.Media(
                sequenceNumber=seq, streamSid=sid,
                media=tm.MediaInfo(chunk=chunk, timestamp=timestamp, payload=payload),
            ).dump()
        )

    async def _send_dtmf(self, digit: str) -> None:
        sid = self.result.stream_sid
        await self.outbox.send(
            lambda seq: tm.Dtmf(sequenceNumber=seq, streamSid=sid, dtmf=tm.DtmfInfo(digit=digit)).dump()
        )

    def _account_frame(self, tick: Tick, sent_at: float) -> None:
        """Metrics for a frame just sent: recordings, turns, barge-ins."""
        result = self.result
        result.frames_sent += 1
        self.caller_audio += tick.audio
        timing = result.timing
        if tick.started is not None:
            turn = TurnResult(
                index=len(result.turns), kind=tick.started.kind, text=tick.started.text,
                speech_start_s=sent_at - self.t0,
            )
            result.turns.append(turn)
            self._speaking, self._awaiting_agent = turn, None
            if turn.kind == "barge_in":
                barge = BargeInResult(turn_index=turn.index, speech_start_s=turn.speech_start_s)
                result.barge_ins.append(barge)
                self._barge_in = (barge, sent_at)
        if tick.speech:
            result.speech_frames_sent += 1
        if tick.ended and self._speaking is not None:
            self._speaking.speech_end_s = sent_at - self.t0
            self._awaiting_agent = (self._speaking, sent_at)
            if timing is not None:
                timing.turn_end_frames.append((self._speaking.index, result.frames_sent - 1))
            self._speaking = None

    # ---- gateway -> caller ----------------------------------------------------------------

    async def _receive_loop(self) -> None:
        try:
            async for raw in self.ws:
                await self._on_message(raw, self.loop.time())
        except ConnectionClosed:
            return

    async def _on_message(self, raw: str | bytes, now: float) -> None:
        result = self.result
        if isinstance(raw, bytes):
            result.errors.append("gateway sent a binary frame (Twilio warning 31950 Malformed Message)")
            return
        try:
            message = tm.parse_outbound(raw)
        except MalformedMessage as exc:
            result.errors.append(f"malformed message from gateway (Twilio warning 31950): {exc.reason}")
            return
        if message.streamSid != result.stream_sid:
            result.errors.append(f"{message.event} for unknown streamSid {message.streamSid!r}")
            return
        if isinstance(message, tm.OutMedia):
            self._on_media(message, now)
        elif isinstance(message, tm.OutMark):
            result.marks_received += 1
            if result.timing is not None:
                result.timing.marks.append((now, self.playout.received_bytes, message.mark.name))
            self.playout.push_mark(message.mark.name, now)
            await self._echo_marks(self.playout.advance(now))
        else:
            result.clears_received += 1
            if self._barge_in is not None and self._barge_in[0].reaction_ms is None:
                barge, started = self._barge_in
                barge.reaction_ms = (now - started) * 1000
            await self._echo_marks(self.playout.clear(now))

    def _on_media(self, message: tm.OutMedia, now: float) -> None:
        try:
            audio = base64.b64decode(message.media.payload, validate=True)
        except (binascii.Error, ValueError):
            self.result.errors.append("outbound media payload is not valid base64 (Twilio warning 31950)")
            return
        self.result.frames_received += 1
        self.result.agent_audio_ms_received += len(audio) / (BYTES_PER_S / 1000)
        timing = self.result.timing
        if timing is not None:
            timing.media_at.append(now)
            timing.media_bytes.append(len(audio))
        self.playout.push_media(audio, now)
        if self._awaiting_agent is not None:
            turn, last_speech = self._awaiting_agent
            turn.latency_ms = (now - last_speech) * 1000
            self._awaiting_agent = None

    # ---- playout ---------------------------------------------------------------------------

    async def _playout_loop(self) -> None:
        """Advance the playback buffer every 20 ms and echo the marks it reaches."""
        tick = 0
        try:
            while True:
                tick += 1
                await asyncio.sleep(max(0.0, self.t0 + tick * FRAME_S - self.loop.time()))
                await self._echo_marks(self.playout.advance(self.loop.time()))
        except ConnectionClosed:
            return

    async def _echo_marks(self, names: list[str]) -> None:
        sid = self.result.stream_sid
        for name in names:

            def build(seq: int, name: str = name) -> str:
                return tm.MarkEcho(sequenceNumber=seq, streamSid=sid, mark=tm.MarkInfo(name=name)).dump()

            await self.outbox.send(build)
            self.result.marks_echoed += 1

    def _finish(self) -> None:
        """Fill in totals and recordings once the stream is over."""
        result, playout = self.result, self.playout
        end = self.ended_at if self.ended_at is not None else self.loop.time()
        playout.advance(end)
        result.close_code = self.ws.close_code
        result.close_reason = self.ws.close_reason
        result.duration_s = max(0.0, end - self.t0) if self.t0 else 0.0
        result.agent_audio_ms_played = playout.played_bytes / (BYTES_PER_S / 1000)
        result.agent_audio_ms_cleared = playout.cleared_bytes / (BYTES_PER_S / 1000)
        result.agent_utterances = playout.utterances
        result.underruns = playout.underruns
        result.underrun_ms = playout.underrun_s * 1000
        result.caller_audio = bytes(self.caller_audio)
        result.agent_audio = playout.render(self.t0, end) if self.t0 else b""
