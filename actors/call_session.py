"""One live call: wires the pipeline stages, the model stream and the media link together.

Plain asyncio, no Ray: the Ray actor (``session_actor``) is a thin shell around it. Caller audio
arrives as Twilio text frames on the media link, goes to the model in sequence order, and
through VAD; model audio goes back as 20 ms frames with marks. Barge-in, transcript and the
call record are handled here; the decisions themselves live in ``pipelines``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time
from collections import deque
from typing import Any, Callable

import httpx
import orjson
import structlog

from actors import link, metrics
from voxray import tracing
from actors.agent_audio import AgentAudio
from actors.call_control import CallControl
from actors.handoff import HandoffRequest
from actors.model_recovery import history_items, recovery_line
from actors.providers.base import ModelReconnected, ModelStreamClosed
from actors.providers.recovering import ProviderStream, RecoveringStream
from actors.setup import CallSetup, session_config
from actors.transcript import TranscriptBook
from pipelines import g711
from pipelines import realtime_events as rt
from pipelines import twilio_media as tm
from pipelines.framing import Framer, ReorderBuffer
from pipelines.resample import StreamResampler
from pipelines.turns import TurnEvent, TurnMachine, decide_barge_in
from pipelines.vad import SpeechDetector, SpeechStart, SpeechStop
from voxray.buffered_store import BufferedStore
from voxray.events import EventType, call_data
from voxray.logging import bind_call
from voxray.records import CallRecord, CallStatus, p95, utcnow
from voxray.store import Store

log = structlog.get_logger("voxray.session")

MAX_MALFORMED = 50
MAX_HELD_EVENTS = 2000
HELD_BEFORE_START = (rt.OutputAudioDelta, rt.OutputAudioDone, rt.OutputTranscriptDelta, rt.OutputTranscriptDone,
                     rt.OutputItemDone, rt.ResponseDone)
OF_A_RESPONSE = (rt.OutputAudioDelta, rt.OutputAudioDone, rt.OutputTranscriptDelta, rt.OutputTranscriptDone,
                 rt.OutputItemDone, rt.FunctionCallArgumentsDone)
LINK_SILENCE_S = 5.0
EARLY_AUDIO_FRAMES = 500  # 10 s of caller audio held while the model connects


class CallSession(CallControl):
    def __init__(self, setup: CallSetup, store: Store, model: ProviderStream,
                 clock: Callable[[], float] = time.monotonic, http: httpx.AsyncClient | None = None) -> None:
        self.setup = setup
        # Record and transcript writes wait out a Redis outage in a bounded queue (write-behind).
        self.records = BufferedStore.around(store)
        self.store = self.records
        # The model stream survives drops: reconnects, restores the conversation, renews.
        self.recovering = RecoveringStream(model, setup.model_recovery, history=self._restore_items, clock=clock,
                                           call_sid=setup.call_sid)
        self.model = self.recovering
        self._model_failure: str | None = None  # why the model is gone for this call
        self._caller_speech_at: float | None = None
        self.clock = clock
        self.node = socket.gethostname()
        self.state = "configured"
        self.stream_sid: str | None = None
        self.turns = TurnMachine()
        self.book = TranscriptBook()
        self.reorder: ReorderBuffer[tm.Media] = ReorderBuffer(depth=4)
        vad = setup.agent.vad
        self.vad = SpeechDetector(aggressiveness=vad.aggressiveness, start_frames=vad.start_frames,
                                  hangover_frames=vad.hangover_frames)
        self._vad_framer = Framer(tm.FRAME_BYTES)
        self._up = StreamResampler(8000, 24000) if setup.agent.audio_mode == "pcm16" else None
        self.audio: AgentAudio | None = None
        self._writer: link.LinkWriter | None = None
        self._model_ready = asyncio.Event()
        self._early: deque[str] = deque(maxlen=EARLY_AUDIO_FRAMES)
        self._dropped_responses: set[str] = set()
        self._agent_media_start: dict[str, int] = {}
        # Model output that arrives before Twilio's start (a greeting) waits for the stream.
        self._before_start: list[rt.ServerEvent | rt.UnknownServerEvent] = []
        self._response_id: str | None = None
        self._speech_stopped_at: float | None = None
        self.done = asyncio.Event()
        self.internal_error = False  # ended by a fault of ours: a dedicated process is then retired
        self._last_rx = clock()  # when the media link last carried a frame
        self._heard_agent = False
        self._ending = False
        self._close_frame: bytes | None = None
        self.started_mono: float | None = None
        self.media_ms = 0
        self.stats: dict[str, Any] = {"frames_in": 0, "malformed": 0, "barge_ins": 0, "lost": 0,
                                      "model_latency_ms": None, "model_errors": 0, "agent_responses": 0,
                                      "tool_calls": 0, "tool_errors": 0,
                                      "model_reconnects": 0, "model_renewals": 0}
        self._logged_malformed: set[str] = set()
        self._turn_latencies: list[float] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._init_control(setup, clock, http)

    # ---- lifecycle -------------------------------------------------------------------------

    def start_model(self) -> None:
        bind_call(self.setup.call_sid, self.setup.tenant_id)  # the tasks below copy this log context
        self._tasks.append(asyncio.create_task(self._model_main(), name=f"model-{self.setup.call_sid}"))
        self._tasks.append(asyncio.create_task(self._stream_watchdog(), name="watchdog"))
        self._tasks.append(asyncio.create_task(self._call_length_watch(), name="call-length"))

    async def _stream_watchdog(self) -> None:
        await asyncio.sleep(self.setup.stream_connect_timeout_s)
        if self.stream_sid is None:
            await self.finish(CallStatus.FAILED, "stream_never_connected")

    async def _model_main(self) -> None:
        try:
            connecting = self.clock()
            # Spans join the call's trace (the gateway's admission span, carried in the setup).
            with tracing.span("model.connect", parent=self.setup.trace_context, call_sid=self.setup.call_sid,
                              tenant_id=self.setup.tenant_id):
                await self.model.connect(session_config(self.setup.agent, self.catalog.definitions()))
            metrics.model_connected((self.clock() - connecting) * 1000)
            # Frames arriving while this drains still queue behind it; ready is set with no
            # await after the queue empties, so caller audio never overtakes itself.
            while self._early:
                await self.model.send_audio(self._early.popleft())
            self._model_ready.set()
            while True:
                event = await self.model.recv()
                if isinstance(event, ModelReconnected):
                    await self._on_model_reconnected(event)
                else:
                    await self._on_model_event(event)
        except ModelStreamClosed as exc:
            if not self._ending:
                metrics.model_error("stream_closed")
                log.warning("model_stream_closed", call_sid=self.setup.call_sid, reason=exc.reason)
                await self._model_lost(exc.reason)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the call must end with a recorded reason, never hang
            log.exception("model_loop_failed", call_sid=self.setup.call_sid)
            await self.abort(1011, "internal_error", f"internal_error: {type(exc).__name__}")

    async def _on_model_reconnected(self, ev: ModelReconnected) -> None:
        """A new model session carries the call: settle what the lost one left in flight, and tell
        the caller if they could have noticed the gap."""
        self.stats["model_renewals" if ev.renewed else "model_reconnects"] += 1
        cut_off = self._response_id is not None or ev.response_was_active
        if self._response_id is not None:  # its tool calls and late output are gone with it
            self._dropped_responses.add(self._response_id)
            self.tools.on_response_done(self._response_id, cancelled=True)
        self._response_id = None
        self._response_idle.set()
        if self.audio is not None:
            self._send_twilio(self.audio.finish_item(self._now_ms()))
        finished = set(self.book.generated_agent_items())
        for item in self.book.agent_items():
            if item not in finished:  # the agent was cut off mid-item
                await self._write_segment(self.book.take_agent(item, interrupted=True))
        if self.turns.state.value == "agent_speaking":
            self.turns.feed(TurnEvent.AGENT_DONE)
        spoke = self.vad.speaking or (self._caller_speech_at is not None and self._caller_speech_at >= ev.lost_at)
        line = recovery_line(renewed=ev.renewed, agent_cut_off=cut_off, caller_spoke=spoke, gap_s=ev.gap_s)
        log.info("model_reconnected", call_sid=self.setup.call_sid, renewal=ev.renewed, attempts=ev.attempts,
                 gap_ms=round(ev.gap_s * 1000), apology=line is not None)
        if line is not None:
            await self.say(line)

    def _restore_items(self) -> list[dict[str, Any]]:
        policy = self.setup.model_recovery
        return history_items(self.book.history(), max_items=policy.history_items, max_chars=policy.history_chars)

    async def _model_lost(self, reason: str) -> None:
        """The model is gone for this call: hand the caller to the operator (or the fallback)
        through Twilio rather than drop the line; with no media stream to redirect, end the call."""
        self._model_failure = reason[:120]
        log.error("model_unavailable", call_sid=self.setup.call_sid, reason=reason)
        self._response_id = None
        self._response_idle.set()
        deadline = self.clock() + 5.0  # the model connects before Twilio opens the stream
        while (self._writer is None or self.stream_sid is None) and not self._ending and self.clock() < deadline:
            await asyncio.sleep(0.05)
        if self._ending:
            return
        if self._writer is None or self.stream_sid is None:
            await self.abort(1011, "model_unavailable", "model_unavailable")
            return
        await self.hand_off(HandoffRequest(reason=f"model_unavailable: {reason}"[:200], by="rule", mode="cold",
                                           rule="model_unavailable"))

    async def abort(self, code: int, reason: str, end_reason: str, status: CallStatus = CallStatus.FAILED) -> None:
        """End the call from our side: tell the gateway to close the websocket, record why."""
        self._close_frame = link.encode_json(link.Kind.CLOSE, {"code": code, "reason": reason})
        self._send_link(self._close_frame)
        await self.finish(status, end_reason)

    async def finish(self, status: CallStatus, reason: str) -> None:
        if self._ending:
            return
        self._ending = True
        # Judged on the call's own reason (a model loss before it is prefixed below): a dedicated
        # process that erred is retired whatever else went wrong.
        self.internal_error = reason.startswith("internal_error")
        if self._model_failure is not None:  # however the call ends now, the model's loss is why
            status, reason = CallStatus.FAILED, f"model_error: {self._model_failure} -> {reason}"[:200]
        self.state = "ended"
        try:
            ended = utcnow()
            call = await self.store.get_call(self.setup.tenant_id, self.setup.call_sid)
            duration = (ended - call.started_at).total_seconds() if call and call.started_at else None
            call = await self.store.update_call(
                self.setup.tenant_id, self.setup.call_sid, status=status, ended_at=ended, duration_s=duration,
                end_reason=reason, turns=self.stats["agent_responses"], model_session_id=self.model.session_id,
                turn_latency_p95_ms=p95(self._turn_latencies), tool_calls=self.stats["tool_calls"],
                tool_errors=self.stats["tool_errors"], model_reconnects=self.recovering.reconnects,
            )
            log.info("call_ended", call_sid=self.setup.call_sid, status=str(status), reason=reason)
            metrics.call_ended(self.setup.tenant_id, self._agent_label(), str(status), reason, self.started_mono is not None)
            try:
                await self._flush_transcript(final=True)
            except Exception:
                log.exception("transcript_flush_failed", call_sid=self.setup.call_sid)
            if call is not None:
                await self._emit_ended(call)
        finally:
            await self.model.close()
            for task in [*self._tasks, *self.tools.tasks]:
                if task is not asyncio.current_task():
                    task.cancel()
            if self._collector is not None and not self._collector[1].done():
                self._collector[1].cancel()
            self.done.set()

    async def _emit(self, event: EventType, data: dict[str, Any]) -> None:
        await self.records.emit_event(self.setup.tenant_id, event, data)

    async def _emit_ended(self, call: CallRecord) -> None:
        data = call_data(call)
        await self._emit(EventType.SESSION_COMPLETED, {**data, "turns": call.turns, "tool_calls": call.tool_calls})
        await self._emit(EventType.TRANSCRIPT_READY, {"call_id": call.call_sid,
                                                      "transcript_url": f"/api/v1/voice-sessions/{call.call_sid}"})
        # Outbound calls get call.* from Twilio's status callbacks; inbound ones end here.
        if call.direction == "inbound":
            ok = call.status is CallStatus.COMPLETED
            await self._emit(EventType.CALL_COMPLETED if ok else EventType.CALL_FAILED, data)

    # ---- media link ------------------------------------------------------------------------

    async def serve_link(self, reader: link.LinkReader, writer: link.LinkWriter) -> None:
        """The gateway's media connection for this call (its HELLO already checked by the actor)."""
        bind_call(self.setup.call_sid, self.setup.tenant_id)
        if self._writer is not None:  # one media link per call
            writer.close()
            return
        watchdog = asyncio.create_task(self._link_watchdog(writer), name="link-watchdog")
        try:
            self._writer = writer
            if self._ending:  # ended before the media arrived (e.g. the model refused the session)
                writer.write(self._close_frame or link.encode_json(link.Kind.CLOSE, {"code": 1000, "reason": "call ended"}))
                await writer.drain()
            while not self._ending:
                kind, body = await link.read_frame(reader)
                self._last_rx = self.clock()
                if kind == link.Kind.TWILIO:
                    await self.on_twilio(body)
                elif kind == link.Kind.REDIRECTED:
                    if self._redirected is not None and not self._redirected.done():
                        self._redirected.set_result(orjson.loads(body))
                elif kind == link.Kind.BYE:
                    await self.finish(CallStatus.FAILED, "media_disconnected")
        except (asyncio.IncompleteReadError, ConnectionError, link.LinkError, asyncio.TimeoutError):
            # The link closed without BYE (the websocket's end) or Twilio's stop: the gateway
            # carrying the call is gone. Twilio resumes the TwiML after </Connect> (the fallback).
            if self.stream_sid is not None:
                await self.finish(CallStatus.FAILED, "gateway_lost")
        except ModelStreamClosed as exc:
            await self.abort(1011, "model_unavailable", f"model_error: {exc.reason}")
        except Exception as exc:  # never leave a call hanging without a recorded reason
            log.exception("media_loop_failed", call_sid=self.setup.call_sid)
            await self.abort(1011, "internal_error", f"internal_error: {type(exc).__name__}")
        finally:
            watchdog.cancel()
            writer.close()

    async def _link_watchdog(self, writer: link.LinkWriter) -> None:
        """Twilio sends media every 20 ms: a link silent this long has lost its gateway (a host
        that vanished sends no FIN)."""
        while not self._ending:
            await asyncio.sleep(1.0)
            if self.stream_sid is not None and self.clock() - self._last_rx > LINK_SILENCE_S:
                # Closing ends the read loop, whose own handler records `gateway_lost` (finishing
                # here would be cancelled by that loop's cleanup mid-write).
                log.warning("media_link_silent", call_sid=self.setup.call_sid)
                writer.close()
                return

    def _send_link(self, data: bytes) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(data)

    def _send_twilio(self, texts: list[str]) -> None:
        if texts:
            self._send_link(b"".join(link.encode(link.Kind.TWILIO, t.encode()) for t in texts))

    # ---- Twilio -> model ---------------------------------------------------------------------

    async def on_twilio(self, raw: bytes) -> None:
        try:
            msg = tm.parse_inbound(raw)
        except tm.MalformedMessage as exc:
            self._malformed(exc)
            if self.stats["malformed"] > MAX_MALFORMED:
                await self.abort(1007, "too many malformed messages", "protocol_error: malformed messages")
            return
        if isinstance(msg, tm.Media):
            for _, media in self.reorder.push(msg.media.chunk, msg):
                await self._on_caller_audio(media)
            self.stats["lost"] = self.reorder.lost
        elif isinstance(msg, tm.MarkEcho):
            if self.audio:
                self.audio.playout.on_mark_echo(msg.mark.name, self._now_ms())
                await self._flush_transcript()
        elif isinstance(msg, tm.Start):
            await self._on_start(msg)
        elif isinstance(msg, tm.Stop):
            # After a transfer Twilio stops the stream itself: the call goes on with a person.
            await self.finish(CallStatus.COMPLETED, self._stop_reason)
        elif isinstance(msg, tm.Dtmf):
            await self._on_dtmf(msg.dtmf.digit)

    def _malformed(self, exc: tm.MalformedMessage) -> None:
        self.stats["malformed"] += 1
        key = exc.event or "unknown"
        if key not in self._logged_malformed:  # log once per kind, count the rest
            self._logged_malformed.add(key)
            log.warning("malformed_twilio_message", call_sid=self.setup.call_sid, twilio_event=exc.event, reason=exc.reason)

    async def _on_start(self, msg: tm.Start) -> None:
        if self.stream_sid is not None:
            await self.abort(1008, "duplicate start", "protocol_error: duplicate start")
            return
        self.stream_sid = msg.start.streamSid
        # Order media by chunk, not sequenceNumber: Twilio numbers every message it sends
        # (marks, dtmf) in sequenceNumber, while chunk counts media only, from 1 (§A.2).
        self.reorder = ReorderBuffer(depth=4, start=1)
        self.started_mono = self.clock()
        self.audio = AgentAudio(self.stream_sid, self.setup.agent.audio_mode, self.setup.agent.mark_every_frames)
        self.state = "in_call"
        metrics.call_started(self.setup.tenant_id, self._agent_label())
        held, self._before_start = self._before_start, []
        for event in held:
            await self._on_model_event(event)
        call = await self.store.update_call(self.setup.tenant_id, self.setup.call_sid,
                                            status=CallStatus.IN_PROGRESS, started_at=utcnow(), node=self.node)
        if call is not None:
            await self._emit(EventType.SESSION_STARTED, call_data(call))
            if call.direction == "inbound":
                await self._emit(EventType.CALL_ANSWERED, call_data(call))

    async def _on_caller_audio(self, media: tm.Media) -> None:
        self.stats["frames_in"] += 1
        self.media_ms = media.media.timestamp
        if self._up is None:
            payload = media.media.payload  # pcmu passes through byte for byte (PROTOCOLS §D.1)
        else:
            payload = base64.b64encode(self._up.process(g711.decode(media.audio)).tobytes()).decode()
        if self._model_ready.is_set():
            await self.model.send_audio(payload)
        else:
            self._early.append(payload)
        for frame in self._vad_framer.push(media.audio):
            event = self.vad.process_pcm16(g711.decode_bytes(frame), media.media.timestamp)
            if isinstance(event, SpeechStart):
                self.turns.feed(TurnEvent.CALLER_START)
                self._caller_speech_at = self.clock()
                await self._barge_in("vad", event.at_ms)
            elif isinstance(event, SpeechStop):
                self.turns.feed(TurnEvent.CALLER_STOP)

    # ---- model -> Twilio ---------------------------------------------------------------------

    async def _on_model_event(self, ev: rt.ServerEvent | rt.UnknownServerEvent) -> None:
        now = self._now_ms()
        if self.audio is None and isinstance(ev, HELD_BEFORE_START):
            if len(self._before_start) < MAX_HELD_EVENTS:
                self._before_start.append(ev)
            return
        if isinstance(ev, OF_A_RESPONSE) and ev.response_id in self._dropped_responses:
            return  # late output of a response the caller interrupted (8)
        if isinstance(ev, rt.OutputAudioDelta):
            if self.audio is None:
                return
            if self._speech_stopped_at is not None:
                self.stats["model_latency_ms"] = round((self.clock() - self._speech_stopped_at) * 1000, 1)
                self._turn_latencies.append(self.stats["model_latency_ms"])
                metrics.turn_latency(self.stats["model_latency_ms"], self.setup.agent.name)
                self._speech_stopped_at = None
            first = ev.item_id not in self.audio.item_first_sent_ms
            frames = self.audio.delta(ev.item_id, ev.delta, now)
            self._send_twilio(frames)
            if first:
                if not self._heard_agent:  # the call's first agent audio: a point in its trace
                    self._heard_agent = True
                    with tracing.span("first_audio", parent=self.setup.trace_context, call_sid=self.setup.call_sid):
                        pass
                self.turns.feed(TurnEvent.AGENT_AUDIO)
                self._agent_media_start[ev.item_id] = self.media_ms
            start = self._agent_media_start[ev.item_id]
            self.book.agent_audio(ev.item_id, start, start + self.audio.playout.sent_ms(ev.item_id))
        elif isinstance(ev, rt.OutputAudioDone):
            if self.audio:
                self._send_twilio(self.audio.finish_item(now))
        elif isinstance(ev, rt.OutputTranscriptDelta):
            self.book.agent_text_delta(ev.item_id, ev.delta)
        elif isinstance(ev, rt.OutputTranscriptDone):
            self.book.agent_text_done(ev.item_id, ev.transcript)
        elif isinstance(ev, rt.SpeechStarted):
            self.book.caller_started(ev.item_id, ev.audio_start_ms)
            await self._barge_in("model", ev.audio_start_ms)
        elif isinstance(ev, rt.SpeechStopped):
            self._speech_stopped_at = self.clock()
            self.book.caller_stopped(ev.item_id, ev.audio_end_ms)
        elif isinstance(ev, rt.InputTranscriptionCompleted):
            await self._write_segment(self.book.caller_text(ev.item_id, ev.transcript))
            await self._forced(self.rules.on_caller_text(ev.transcript, self.clock()))
        elif isinstance(ev, rt.InputTranscriptionFailed):
            await self._write_segment(self.book.caller_text(ev.item_id, None))
        elif isinstance(ev, rt.ResponseCreated):
            self._response_id = str(ev.response.get("id"))
            self._response_idle.clear()
        elif isinstance(ev, rt.OutputItemDone):
            self.book.agent_generated(str(ev.item.get("id")))
        elif isinstance(ev, rt.FunctionCallArgumentsDone):
            self.stats["tool_calls"] += 1
            self.tools.on_arguments_done(ev)
        elif isinstance(ev, rt.ResponseDone):
            await self._on_response_done(ev)
        elif isinstance(ev, rt.ErrorEvent):
            self._on_model_error(ev)

    async def _on_response_done(self, ev: rt.ResponseDone) -> None:
        rid = str(ev.response.get("id"))
        # A response cancelled by barge-in was already forgotten as the active one.
        if rid == self._response_id or (self._response_id is None and rid in self._dropped_responses):
            self._response_id = None
            self._response_idle.set()
        completed = ev.response.get("status") == "completed"
        self.tools.on_response_done(rid, cancelled=not completed or rid in self._dropped_responses)
        if completed and any(
                o.get("type") == "message" for o in ev.response.get("output", []) if isinstance(o, dict)):
            self.stats["agent_responses"] += 1
            progress, self._tool_ok_in_turn = self._tool_ok_in_turn, False
            await self._forced(self.rules.on_turn(progress, self.clock()))
        if self.turns.state.value == "agent_speaking":
            self.turns.feed(TurnEvent.AGENT_DONE)
        await self._flush_transcript()

    def _on_model_error(self, ev: rt.ErrorEvent) -> None:
        # Non-fatal by protocol (PROTOCOLS §D.3). A cancel racing the server's own
        # turn-detected cancel yields response_cancel_not_active: expected, not worth a warning.
        if ev.error.code == "response_cancel_not_active":
            return
        self.stats["model_errors"] += 1
        metrics.model_error(ev.error.code)
        log.warning("model_error", call_sid=self.setup.call_sid, code=ev.error.code, message=ev.error.message)

    # ---- barge-in and records ----------------------------------------------------------------

    async def _barge_in(self, source: str = "handoff", speech_at_ms: float | None = None) -> None:
        """Caller speech while the agent talks: clear Twilio, cancel, truncate at what was heard."""
        if self.audio is None:
            return
        now = self._now_ms()
        playout = self.audio.playout
        item = playout.active_item
        decision = decide_barge_in(
            response_active=self._response_id is not None, unheard_ms=playout.unheard_ms(now), item_id=item,
            heard_ms=playout.heard_ms(item, now) if item else 0, sent_ms=playout.sent_ms(item) if item else 0,
        )
        if decision is None:
            return
        self.stats["barge_ins"] += 1
        metrics.barge_in(source, None if speech_at_ms is None else self.media_ms - speech_at_ms)
        heard = playout.heard_ms(item, now) if item else 0
        if decision.clear_playout:
            self._send_twilio([tm.clear_out(self.audio.stream_sid)])
            playout.on_clear(now)
            self.audio.drop_pending()
        if decision.cancel_response and self._response_id:
            self._dropped_responses.add(self._response_id)
            self._response_id = None  # a second trigger must not cancel twice
            await self.model.send(rt.ResponseCancel())
        if decision.truncate:
            item_id, end_ms = decision.truncate
            await self.model.send(rt.ItemTruncate(item_id=item_id, content_index=0, audio_end_ms=end_ms))
        if item:
            await self._write_segment(self.book.take_agent(item, interrupted=True, heard_end_ms=heard))
        log.info("barge_in", call_sid=self.setup.call_sid, item=item, heard_ms=heard)

    async def _flush_transcript(self, final: bool = False) -> None:
        """Write agent segments whose audio the caller has fully heard (all of them at the end)."""
        if self.audio is None:
            return
        idle = self.audio.playout.unheard_ms(self._now_ms()) == 0
        for item in self.book.agent_items() if final else self.book.generated_agent_items():
            if final or idle:
                await self._write_segment(self.book.take_agent(item, interrupted=False))
        if final:
            for seg in self.book.take_caller():
                await self._write_segment(seg)

    async def _write_segment(self, segment: Any) -> None:
        if segment is not None:
            await self.store.append_transcript(self.setup.tenant_id, self.setup.call_sid, segment)

    # ---- live state --------------------------------------------------------------------------

    def _agent_label(self) -> str:
        return f"{self.setup.agent.name}-v{self.setup.agent.version}"

    def _now_ms(self) -> float:
        return self.clock() * 1000

    def snapshot(self) -> dict[str, Any]:
        playout = self.audio.playout if self.audio else None
        return {
            "call_sid": self.setup.call_sid, "tenant_id": self.setup.tenant_id, "state": self.state,
            "turn_state": self.turns.state.value, "turn_index": self.turns.turn_index,
            "vad_speaking": self.vad.speaking, "frames_out": self.audio.frames_out if self.audio else 0,
            "buffered_ms": playout.unheard_ms(self._now_ms()) if playout else 0,
            "model_session_id": self.model.session_id, "node": self.node, "pid": os.getpid(),
            "agent": {"name": self.setup.agent.name, "version": self.setup.agent.version},
            "duration_s": round(self.clock() - self.started_mono, 1) if self.started_mono else 0.0,
            "records_pending": self.records.pending, "records_dropped": self.records.dropped,
            **self.stats,
        }
