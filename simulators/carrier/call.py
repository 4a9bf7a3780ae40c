"""One simulated inbound Twilio call against a voxray gateway (the asyncio shell).

Plays Twilio's part: signs and POSTs the voice webhook, runs the ``<Connect><Stream>`` it
answers with, streams caller audio in real time on an absolute 20 ms schedule, plays the
agent's audio through ``PlayoutBuffer`` and echoes marks as Twilio does. The caller's
behaviour comes from ``Caller`` (pure); this module owns the sockets, the clock and metrics.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx
from twilio.request_validator import RequestValidator
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from pipelines import twilio_media as tm
from pipelines.twilio_media import FRAME_MS, MalformedMessage
from simulators.carrier.caller import Caller, Tick
from simulators.carrier.errors import StreamUrlError, TwimlError
from simulators.carrier.playout import BYTES_PER_S, PlayoutBuffer
from simulators.carrier.result import BargeInResult, CallResult, CallTiming, TurnResult
from simulators.carrier.script import BargeIn, Say, Step
from simulators.carrier.twiml import Connect, Stream, parse_twiml
from simulators.speech import synthesize_ulaw

WEBHOOK_PATH = "/api/v1/incoming-call"
API_VERSION = "2010-04-01"
#: Twilio gives up on a voice webhook after 15 s (error 11200).
WEBHOOK_TIMEOUT_S = 15.0
FRAME_S = FRAME_MS / 1000


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two-letter prefix + 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)


def webhook_params(*, account_sid: str, call_sid: str, from_number: str, to_number: str) -> dict[str, str]:
    """The form Twilio POSTs to a number's voice URL when an inbound call rings."""
    return {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Called": to_number,
        "CalledCountry": "US",
        "Caller": from_number,
        "CallerCountry": "US",
        "Direction": "inbound",
        "From": from_number,
        "FromCountry": "US",
        "To": to_number,
        "ToCountry": "US",
    }


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
class CallConfig:
    gateway_url: str
    """Where the gateway really listens, e.g. ``http://127.0.0.1:8000``."""
    public_base_url: str
    """The https base URL Twilio is configured with; webhook signatures are computed on it."""
    auth_token: str
    to_number: str
    from_number: str
    script: Sequence[Step]
    account_sid: str = field(default_factory=lambda: new_sid("AC"))
    webhook_timeout_s: float = WEBHOOK_TIMEOUT_S
    connect_timeout_s: float = 10.0
    max_duration_s: float = 600.0
    timing: bool = False
    """Keep per-frame send/arrival times in ``CallResult.timing`` (latency benchmarks)."""


class SimulatedCall:
    """Runs one call end to end; ``await SimulatedCall(config).run()`` -> ``CallResult``."""

    def __init__(
        self,
        config: CallConfig,
        *,
        http: httpx.AsyncClient | None = None,
        speak: Callable[[str], bytes] = synthesize_ulaw,
    ) -> None:
        self.config = config
        self._http = http
        self._speak = speak
        self.result = CallResult(
            call_sid=new_sid("CA"), stream_sid=new_sid("MZ"),
            from_number=config.from_number, to_number=config.to_number,
            timing=CallTiming() if config.timing else None,
        )

    async def run(self) -> CallResult:
        speech = await synthesize_script(self.config.script, self._speak)
        stream = await self._webhook()
        if stream is None:
            return self.result
        try:
            ws_url = map_stream_url(
                stream.url, public_base_url=self.config.public_base_url, gateway_url=self.config.gateway_url
            )
        except StreamUrlError as exc:
            self.result.setup_error = str(exc)
            return self.result
        if stream.url.startswith("ws://"):
            self.result.warnings.append("Twilio would refuse a ws:// <Stream url> (error 31922); allowed for http:// dev")
        self.result.custom_parameters = dict(stream.parameters)
        ws = await self._open(ws_url)
        if ws is None:
            return self.result
        session = _MediaSession(ws, self.config, self.result, Caller(self.config.script, speech.__getitem__))
        await session.run()
        return self.result

    async def _webhook(self) -> Stream | None:
        """POST the signed webhook; return the Stream to open, or None with ``setup_error`` set."""
        cfg, result = self.config, self.result
        params = webhook_params(
            account_sid=cfg.account_sid, call_sid=result.call_sid,
            from_number=cfg.from_number, to_number=cfg.to_number,
        )
        public = urlsplit(cfg.public_base_url)
        signed_url = cfg.public_base_url.rstrip("/") + WEBHOOK_PATH
        headers = {
            "X-Twilio-Signature": RequestValidator(cfg.auth_token).compute_signature(signed_url, params),
            "User-Agent": "TwilioProxy/1.1",
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            # What the TLS-terminating proxy in front of the gateway would add.
            "X-Forwarded-Proto": public.scheme,
            "X-Forwarded-Host": public.netloc,
        }
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            if self._http is None:
                async with httpx.AsyncClient(trust_env=False) as http:
                    response = await self._post(http, params, headers)
            else:
                response = await self._post(self._http, params, headers)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            result.setup_error = f"webhook request failed (Twilio error 11200): {exc!r}"
            return None
        result.setup_ms = (loop.time() - started) * 1000
        if response.status_code != 200:
            result.setup_error = f"webhook answered HTTP {response.status_code} (Twilio error 11200)"
            return None
        try:
            twiml = parse_twiml(response.content)
        except TwimlError as exc:
            result.setup_error = f"invalid TwiML (Twilio error 12100): {exc}"
            return None
        result.twiml = twiml
        names = twiml.verb_names
        connect_at = next((i for i, v in enumerate(twiml.verbs) if isinstance(v, Connect)), None)
        if connect_at is None:
            result.setup_error = f"TwiML has no <Connect><Stream> (verbs: {', '.join(names) or 'none'})"
            return None
        ending = [n for n in names[:connect_at] if n in ("Hangup", "Reject", "Dial")]
        if ending:
            result.setup_error = f"TwiML runs <{ending[0]}> before <Connect>, so the stream never starts"
            return None
        if connect_at:
            result.warnings.append(f"verbs before <Connect> not simulated: {', '.join(names[:connect_at])}")
        connect_verb = twiml.verbs[connect_at]
        assert isinstance(connect_verb, Connect)
        return connect_verb.stream

    async def _post(self, http: httpx.AsyncClient, params: dict[str, str], headers: dict[str, str]) -> httpx.Response:
        url = self.config.gateway_url.rstrip("/") + WEBHOOK_PATH
        return await http.post(url, data=params, headers=headers, timeout=self.config.webhook_timeout_s)

    async def _open(self, ws_url: str) -> ClientConnection | None:
        try:
            ws = await connect(
                ws_url,
                compression=None,
                proxy=None,
                ping_interval=None,
                open_timeout=self.config.connect_timeout_s,
                max_size=2**24,
                user_agent_header="Twilio.TmeWs/1.0",
            )
        except InvalidStatus as exc:
            self.result.setup_error = f"websocket upgrade refused: HTTP {exc.response.status_code}"
            return None
        except (InvalidHandshake, InvalidURI, OSError, TimeoutError) as exc:
            self.result.setup_error = f"websocket connect to {ws_url} failed: {exc!r}"
            return None
        self.result.connected = True
        return ws


async def place_call(config: CallConfig, *, http: httpx.AsyncClient | None = None) -> CallResult:
    """Run one simulated inbound call and return what it measured."""
    return await SimulatedCall(config, http=http).run()


async def synthesize_script(script: Sequence[Step], speak: Callable[[str], bytes]) -> dict[str, bytes]:
    """Synthesize every text up front, off the event loop (espeak-ng is a subprocess)."""
    texts = {step.text for step in script if isinstance(step, (Say, BargeIn))}
    audio = await asyncio.gather(*(asyncio.to_thread(speak, text) for text in texts))
    return dict(zip(texts, audio))


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


class _MediaSession:
    """The media leg of one call: sender, receiver and playout tasks over one websocket."""

    def __init__(self, ws: ClientConnection, config: CallConfig, result: CallResult, caller: Caller) -> None:
        self.ws = ws
        self.config = config
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
                        accountSid=self.config.account_sid, streamSid=sid, callSid=result.call_sid,
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
        """Wait for the caller to hang up or the gateway to close, then end the stream."""
        done, _ = await asyncio.wait(
            {sender, receiver}, timeout=self.config.max_duration_s, return_when=asyncio.FIRST_COMPLETED
        )
        self.ended_at = self.loop.time()
        failed = {t for t in done if t.exception() is not None}
        for task in failed:
            self.result.errors.append(f"simulator failure: {task.exception()!r}")
        if not done:
            self.result.errors.append(f"call exceeded max_duration_s={self.config.max_duration_s:g}")
        gateway_closed = (receiver in done and receiver not in failed) or (
            sender in done and sender not in failed and not sender.result()
        )
        if gateway_closed:
            await self._gateway_closed()
            return
        self.result.script_completed = self.caller.finished
        await self._hang_up()
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

    async def _hang_up(self) -> None:
        """Twilio ends the stream: ``stop``, then closes the socket."""
        result = self.result
        result.closed_by = "caller"
        try:
            await self.outbox.send(
                lambda seq: tm.Stop(
                    sequenceNumber=seq, streamSid=result.stream_sid,
                    stop=tm.StopInfo(accountSid=self.config.account_sid, callSid=result.call_sid),
                ).dump()
            )
        except ConnectionClosed:
            await self._gateway_closed()
            return
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
