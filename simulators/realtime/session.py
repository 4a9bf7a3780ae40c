"""One Realtime connection as a sans-I/O state machine: client events in, server events out.

The transport feeds raw client messages (``receive``), synthesized audio (``audio_ready``) and
the passage of time (``advance``), always with ``now`` in seconds from a monotonic clock, and
carries out what comes back: ``Send`` an event, ``Close`` the socket, ``Synthesize`` speech
(blocking TTS stays out of the protocol core). ``next_deadline`` says when to call ``advance``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

import orjson

from pipelines.realtime_events import (
    BetaShapeRefused,
    ErrorInfo,
    InputAudioAppend,
    InputAudioClear,
    InputAudioCommit,
    InputCleared,
    InputCommitted,
    InputTranscriptionCompleted,
    InputTranscriptionFailed,
    ItemAdded,
    ItemCreate,
    ItemDone,
    ItemTruncate,
    ItemTruncated,
    RealtimeProtocolError,
    ResponseCancel,
    ResponseCreate,
    SessionCreated,
    SessionUpdate,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    parse_client,
)

from . import vad as vad_events
from .agent import Action, Agent, CallTool, Drop, Fail, Say
from .conversation import Conversation
from .errors import ClientError, invalid_type, invalid_value
from .eventlog import SessionEvents
from .events import error_event, local, new_id, stamp
from .formats import InputDecoder, parse_format
from .response import ResponseRequest, ResponseRun
from .session_config import Effective, apply_update, default_session, effective
from .vad import ServerVad
from .voice import cut_transcript

BETA_MESSAGE = "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API."
CLOSE_BETA = 4000
CLOSE_DROP = 1011
MIN_COMMIT_MS = 100


@dataclass(frozen=True)
class Send:
    event: Any  # a server event with .dump()


@dataclass(frozen=True)
class Close:
    code: int
    reason: str


@dataclass(frozen=True)
class Synthesize:
    """Render ``text`` for response ``key``; answer with ``audio_ready`` or ``audio_failed``."""

    key: str
    text: str
    request: ResponseRequest


Output = Send | Close | Synthesize


@dataclass(frozen=True)
class SessionSettings:
    model: str = "gpt-realtime"
    voice: str = "marin"
    think_ms: int = 300
    pace: float = 4.0
    delay_ms: int = 0  # fault knob: added to every response's think time (a slow model)


def refuse_beta() -> list[Output]:
    """A beta client or a beta-shaped event: ``beta_api_shape_disabled`` then close 4000 (§D.4)."""
    return [Send(error_event("beta_api_shape_disabled", BETA_MESSAGE)), Close(CLOSE_BETA, "beta_api_shape_disabled")]


class RealtimeSession:
    def __init__(self, settings: SessionSettings, agent: Agent, log: SessionEvents | None = None,
                 session_id: str | None = None, expires_at: int = 0) -> None:
        """``expires_at`` (unix seconds) is reported in the session object; the transport sets it."""
        self.id = session_id or new_id("sess")
        self.closed = False
        self._settings = settings
        self._agent = agent
        self._log = log
        self._session = default_session(self.id, settings.model, settings.voice, expires_at)
        self._eff = effective(self._session)
        self._decoder = InputDecoder(self._eff.input_format)
        self._vad = ServerVad(self._eff.vad)
        self._conversation = Conversation()
        self._active: ResponseRun | None = None
        self._followups: dict[str, str] = {}
        self._speech_item: str | None = None
        self._buffer_ms = 0.0
        self._heard_ms = 0
        self._input_audio_ms = 0.0
        self._updated = False
        self._voice_locked = False
        self._idle_from: float | None = None
        self._handlers: dict[type, Callable[[Any, float], list[Output]]] = {
            SessionUpdate: self._on_session_update, InputAudioAppend: self._on_append,
            InputAudioCommit: self._on_commit, InputAudioClear: self._on_clear, ItemCreate: self._on_item_create,
            ItemTruncate: self._on_truncate, ResponseCreate: self._on_response_create,
            ResponseCancel: self._on_response_cancel,
        }

    # ---- inputs ------------------------------------------------------------------------

    def open(self, now: float) -> list[Output]:
        return [Send(stamp(SessionCreated, session=self._session))] + self.advance(now)

    def receive(self, raw: str | bytes, now: float) -> list[Output]:
        if self.closed:
            return []
        try:
            event = parse_client(raw)
        except BetaShapeRefused as exc:
            self._record_invalid(raw, exc.code, now)
            self.closed = True
            return refuse_beta()
        except RealtimeProtocolError as exc:
            self._record_invalid(raw, exc.code, now)
            return [Send(error_event(exc.code, exc.message))]
        if self._log is not None:
            self._log.client(event, now)
        try:
            out = self._handlers[type(event)](event, now)
        except ClientError as exc:
            out = [Send(error_event(exc.code, exc.message, param=exc.param, kind=exc.kind,
                                    client_event_id=event.event_id))]
        return out + self.advance(now)

    def audio_ready(self, key: str, audio: bytes, now: float) -> list[Output]:
        if self._active is not None and self._active.id == key:
            self._active.supply_audio(audio)
        return self.advance(now)

    def audio_failed(self, key: str, message: str, now: float) -> list[Output]:
        run = self._active
        if run is None or run.id != key:
            return []
        return [Send(e) for e in run.fail("speech_synthesis_failed", message)] + self._finish(run)

    def advance(self, now: float) -> list[Output]:
        run = self._active
        if run is None or self.closed:
            return []
        out: list[Output] = [Send(e) for e in run.advance(now)]
        if run.done:
            out += self._finish(run)
        return out

    def next_deadline(self) -> float | None:
        return None if self._active is None or self.closed else self._active.deadline()

    # ---- client events -----------------------------------------------------------------

    def _on_session_update(self, event: SessionUpdate, now: float) -> list[Output]:
        session = apply_update(self._session, event.session, voice_locked=self._voice_locked)
        eff = effective(session)
        if eff.input_format != self._eff.input_format:
            self._decoder = InputDecoder(eff.input_format)
        if eff.vad != self._eff.vad:
            self._vad.configure(eff.vad)
        self._session, self._eff = session, eff
        out: list[Output] = [Send(stamp(SessionUpdated, session=session))]
        if not self._updated:
            self._updated = True
            restored = self._conversation.assistant_messages()
            if restored:
                # A client restoring a conversation in a new session (after a drop): the agent
                # carries on after what it already said instead of greeting again.
                self._agent.resume(restored)
                return out
            greeting = self._agent.greeting()
            if greeting is not None and self._active is None:
                out += self._start_response(greeting, self._request({}), now)
        return out

    def _on_append(self, event: InputAudioAppend, now: float) -> list[Output]:
        try:
            data = base64.b64decode(event.audio, validate=True)
        except binascii.Error:
            raise invalid_value("audio", "Invalid 'audio'. Expected base64-encoded audio data.") from None
        self._buffer_ms += self._eff.input_format.ms(len(data))
        out: list[Output] = []
        for turn in self._vad.feed(self._decoder.decode(data)):
            if isinstance(turn, vad_events.SpeechStarted):
                out += self._speech_started(turn, now)
            else:
                out += self._speech_stopped(turn, now)
        return out + self._idle_check(now)

    def _on_commit(self, event: InputAudioCommit, now: float) -> list[Output]:
        if self._buffer_ms < MIN_COMMIT_MS:
            raise ClientError("input_audio_buffer_commit_empty",
                              "Error committing input audio buffer: buffer too small. Expected at least "
                              f"{MIN_COMMIT_MS}ms of audio, but buffer only has {self._buffer_ms:.2f}ms of audio.")
        item_id = self._speech_item if self._vad.speaking and self._speech_item else new_id("item")
        self._speech_item = None
        self._vad.reset()
        return self._commit(item_id, self._vad.take_voiced_ms())

    def _on_clear(self, event: InputAudioClear, now: float) -> list[Output]:
        self._buffer_ms = 0.0
        self._vad.reset()
        self._vad.take_voiced_ms()
        self._speech_item = None
        return [Send(stamp(InputCleared))]

    def _on_item_create(self, event: ItemCreate, now: float) -> list[Output]:
        item = _check_item(dict(event.item))
        if self._conversation.get(item["id"]) is not None:
            raise invalid_value("item.id", f"Item with id '{item['id']}' already exists.")
        previous = event.previous_item_id
        if previous not in (None, "root") and self._conversation.get(previous) is None:
            raise invalid_value("previous_item_id", f"Item with item_id not found: {previous}")
        after = self._conversation.add(item)
        return [Send(stamp(ItemAdded, item=item, previous_item_id=after)),
                Send(stamp(ItemDone, item=item, previous_item_id=after))]

    def _on_truncate(self, event: ItemTruncate, now: float) -> list[Output]:
        item = self._conversation.get(event.item_id)
        if item is None:
            raise invalid_value("item_id", f"Item with item_id not found: {event.item_id}")
        audio_ms = self._conversation.audio_ms(event.item_id)
        if item.get("role") != "assistant" or audio_ms is None:
            raise invalid_value("item_id", "Only assistant messages with audio can be truncated.")
        if event.content_index != 0:
            raise invalid_value("content_index", f"Invalid content_index {event.content_index}: the item has one part.")
        if event.audio_end_ms > audio_ms:
            raise invalid_value("audio_end_ms",
                                f"Audio content of {audio_ms:.0f}ms is already shorter than {event.audio_end_ms}ms")
        out: list[Output] = []
        if self._active is not None and self._active.item_id == event.item_id:
            out += self._cancel_active("client_cancelled")
        content = item["content"][0]
        content["transcript"] = cut_transcript(content.get("transcript") or "", event.audio_end_ms, audio_ms)
        self._conversation.set_audio_ms(event.item_id, float(event.audio_end_ms))
        return out + [Send(stamp(ItemTruncated, item_id=event.item_id, content_index=0,
                                 audio_end_ms=event.audio_end_ms))]

    def _on_response_create(self, event: ResponseCreate, now: float) -> list[Output]:
        if self._active is not None:
            raise ClientError("conversation_already_has_active_response",
                              f"Conversation already has an active response in progress: {self._active.id}. "
                              "Wait until the response is finished before creating a new one.")
        params = event.response or {}
        # A response-level instruction to say a given line is the one instruction this model
        # follows exactly (fillers, transfer announcements); it does not consume a script turn.
        verbatim = say_exactly(params.get("instructions"))
        action = Say(verbatim) if verbatim is not None else self._next_action()
        return self._start_response(action, self._request(params), now)

    def _on_response_cancel(self, event: ResponseCancel, now: float) -> list[Output]:
        run = self._active
        if run is None or (event.response_id is not None and event.response_id != run.id):
            raise ClientError("response_cancel_not_active", "Cancellation failed: no active response found.")
        return self._cancel_active("client_cancelled")

    # ---- turns and responses -----------------------------------------------------------

    def _speech_started(self, turn: vad_events.SpeechStarted, now: float) -> list[Output]:
        self._speech_item = new_id("item")
        self._idle_from = None
        out: list[Output] = [Send(stamp(SpeechStarted, audio_start_ms=turn.audio_start_ms, item_id=self._speech_item))]
        if self._active is not None and self._eff.interrupt_response:
            out += self._cancel_active("turn_detected")
        return out

    def _speech_stopped(self, turn: vad_events.SpeechStopped, now: float) -> list[Output]:
        item_id = self._speech_item or new_id("item")
        self._speech_item = None
        self._vad.take_voiced_ms()
        out: list[Output] = [Send(stamp(SpeechStopped, audio_end_ms=turn.audio_end_ms, item_id=item_id))]
        out += self._commit(item_id, turn.speech_ms)
        if self._eff.create_response and self._active is None:
            out += self._start_response(self._agent.reply(turn.speech_ms), self._request({}), now)
        return out

    def _idle_check(self, now: float) -> list[Output]:
        """``idle_timeout_ms``: after a reply has played out, long caller silence commits an empty
        turn and prompts the model (``input_audio_buffer.timeout_triggered``)."""
        idle_ms, since = self._eff.idle_timeout_ms, self._idle_from
        media_ms = self._vad.media_ms
        if idle_ms is None or since is None or self._active is not None or self._vad.speaking:
            return []
        if media_ms - since < idle_ms:
            return []
        self._idle_from = None
        item_id = new_id("item")
        out: list[Output] = [Send(local("input_audio_buffer.timeout_triggered", audio_start_ms=int(since),
                                        audio_end_ms=media_ms, item_id=item_id))]
        self._vad.take_voiced_ms()
        out += self._commit(item_id, 0)
        return out + self._start_response(self._agent.reply(0), self._request({}), now)

    def _commit(self, item_id: str, heard_ms: int) -> list[Output]:
        self._input_audio_ms += self._buffer_ms
        self._buffer_ms = 0.0
        self._heard_ms = heard_ms
        item = {"id": item_id, "type": "message", "object": "realtime.item", "status": "completed", "role": "user",
                "content": [{"type": "input_audio", "transcript": None}]}
        previous = self._conversation.add(item)
        out: list[Output] = [Send(stamp(InputCommitted, item_id=item_id, previous_item_id=previous)),
                             Send(stamp(ItemAdded, item=item, previous_item_id=previous)),
                             Send(stamp(ItemDone, item=item, previous_item_id=previous))]
        if self._eff.transcribe:
            heard = self._agent.next_heard() if heard_ms > 0 else None
            if heard is not None:  # the script states the words; nothing is invented
                out.append(Send(stamp(InputTranscriptionCompleted, item_id=item_id, content_index=0,
                                      transcript=heard)))
            else:
                # The local model cannot transcribe; it must never invent what the caller said.
                error = ErrorInfo(type="transcription_error", code="transcription_unavailable",
                                  message="The local realtime model cannot transcribe speech.")
                out.append(Send(stamp(InputTranscriptionFailed, item_id=item_id, content_index=0, error=error)))
        return out

    def _next_action(self) -> Action:
        last = self._conversation.last()
        if last is not None and last.get("type") == "function_call_output" and last.get("call_id") in self._followups:
            return Say(fill_template(self._followups.pop(last["call_id"]), last.get("output")))
        return self._agent.reply(self._heard_ms)

    def _request(self, params: dict[str, Any]) -> ResponseRequest:
        eff: Effective = self._eff
        modalities = params.get("output_modalities", self._session["output_modalities"])
        if modalities not in (["audio"], ["text"]):
            raise invalid_value("response.output_modalities", "output_modalities must be ['audio'] or ['text'].")
        conversation = params.get("conversation", "auto")
        if conversation not in ("auto", "none"):
            raise invalid_value("response.conversation", "conversation must be 'auto' or 'none'.")
        metadata = params.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise invalid_type("response.metadata", "an object")
        output = (params.get("audio") or {}).get("output") or {}
        fmt = eff.output_format
        if "format" in output:
            fmt = parse_format(output["format"], "response.audio.output.format")
        return ResponseRequest(
            output_format=fmt, voice=output.get("voice", eff.voice), text_only=modalities == ["text"],
            in_conversation=conversation == "auto", metadata=metadata,
            input_text_tokens=math.ceil(len(eff.instructions) / 4) + 8 * len(self._session["tools"]),
            input_audio_tokens=math.ceil(self._input_audio_ms / 100))

    def _start_response(self, action: Action, request: ResponseRequest, now: float) -> list[Output]:
        if isinstance(action, Fail):
            return [Send(error_event(action.code, action.message, kind=action.type))]
        if isinstance(action, Drop):
            self.closed = True
            return [Close(CLOSE_DROP, "scripted drop")]
        think_ms = self._agent.think_ms if self._agent.think_ms is not None else self._settings.think_ms
        think_ms += self._settings.delay_ms
        run = ResponseRun(action, request, self._conversation, now, think_ms / 1000, self._settings.pace)
        self._active = run
        out: list[Output] = [Send(run.created())]
        if run.needs_audio:
            assert isinstance(action, Say)
            out.append(Synthesize(run.id, action.text, request))
        return out

    def _cancel_active(self, reason: str) -> list[Output]:
        run = self._active
        assert run is not None
        return [Send(e) for e in run.cancel(reason)] + self._finish(run)

    def _finish(self, run: ResponseRun) -> list[Output]:
        self._active = None
        self._voice_locked = self._voice_locked or run.audio_ms_sent > 0
        # The reply plays out in real time from about now; the caller's media clock runs alongside.
        self._idle_from = self._vad.media_ms + run.audio_ms_sent
        if isinstance(run.action, CallTool) and run.action.then_say and run.call_id:
            self._followups[run.call_id] = run.action.then_say
        return [Send(local("rate_limits.updated", rate_limits=[
            {"name": "requests", "limit": 5000, "remaining": 4999, "reset_seconds": 0.012},
            {"name": "tokens", "limit": 400000, "remaining": 400000, "reset_seconds": 0.0},
        ]))]

    def _record_invalid(self, raw: str | bytes, code: str, now: float) -> None:
        if self._log is None:
            return
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            body = None
        kind = body.get("type") if isinstance(body, dict) else None
        self._log.invalid(kind if isinstance(kind, str) else None, code, now)


def _check_item(item: dict[str, Any]) -> dict[str, Any]:
    """Validate a client-created conversation item and fill in server fields."""
    kind = item.get("type")
    if kind not in ("message", "function_call", "function_call_output"):
        raise invalid_value("item.type", f"Invalid value: {kind!r}. Supported values are: 'message', "
                            "'function_call', and 'function_call_output'.")
    required = {"message": ("role", "content"), "function_call": ("name", "arguments"),
                "function_call_output": ("call_id", "output")}[kind]
    for key in required:
        if key not in item:
            raise ClientError("missing_required_parameter", f"Missing required parameter: 'item.{key}'.", f"item.{key}")
    if kind == "message":
        if item["role"] not in ("user", "system", "assistant"):
            raise invalid_value("item.role", "Supported values are: 'user', 'system', and 'assistant'.")
        if not isinstance(item["content"], list):
            raise invalid_type("item.content", "an array")
        if item["role"] == "assistant" and any(isinstance(c, dict) and c.get("type") != "output_text"
                                               for c in item["content"]):
            raise invalid_value("item.content", "Assistant messages can only contain 'output_text' content; "
                                "assistant audio cannot be created.")
    elif kind == "function_call_output" and not isinstance(item["output"], str):
        raise invalid_type("item.output", "a string")
    return {**item, "id": item.get("id") or new_id("item"), "object": "realtime.item",
            "status": item.get("status") or "completed"}


_SAY_EXACTLY = re.compile(r'^Say exactly: "(.{1,500})"$', re.S)


def say_exactly(instructions: object) -> str | None:
    """The line of a ``Say exactly: "..."`` response instruction, if that is what was asked."""
    match = _SAY_EXACTLY.match(instructions) if isinstance(instructions, str) else None
    return match.group(1) if match else None


def fill_template(then_say: str, output: object) -> str:
    """``then_say`` with ``{field}`` taken from the tool output's JSON object, so the reply
    speaks the tool's actual result; unknown fields and non-JSON outputs leave it unchanged."""
    try:
        values = json.loads(output) if isinstance(output, str) else None
    except ValueError:
        values = None
    if not isinstance(values, dict):
        return then_say
    flat = {k: v for k, v in values.items() if isinstance(v, (str, int, float))}
    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: str(flat.get(m.group(1), m.group(0))), then_say)
