"""Typed OpenAI Realtime (GA) events, parsed and serialized only here.

Client events (what we send) and server events (what the model sends) are both modelled, so the
session actor's provider and the local realtime server share one definition. GA names only
(shared/PROTOCOLS.md §D.4): beta names such as ``response.audio.delta`` are refused with
``BetaShapeRefused``; an unknown *server* event becomes ``UnknownServerEvent`` (forward
compatible, dispatch on ``type``), an unknown *client* event is malformed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

# Beta-only event names and session keys (PROTOCOLS §D.4). Seeing one means a beta peer.
BETA_EVENT_TYPES = frozenset(
    {
        "response.audio.delta",
        "response.audio.done",
        "response.audio_transcript.delta",
        "response.audio_transcript.done",
        "response.text.delta",
        "response.text.done",
        "conversation.item.created",
        "transcription_session.update",
    }
)
BETA_SESSION_KEYS = frozenset(
    {"input_audio_format", "output_audio_format", "modalities", "voice", "turn_detection",
     "input_audio_transcription", "max_response_output_tokens", "temperature"}
)


class RealtimeProtocolError(ValueError):
    """An event that is not valid GA Realtime."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BetaShapeRefused(RealtimeProtocolError):
    def __init__(self, message: str) -> None:
        super().__init__("beta_api_shape_disabled", message)


class _Event(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    event_id: str | None = None

    def dump(self) -> str:
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True)).decode()


# ---- client -> server -------------------------------------------------------------------


class SessionUpdate(_Event):
    type: Literal["session.update"] = "session.update"
    session: dict[str, Any]


class InputAudioAppend(_Event):
    type: Literal["input_audio_buffer.append"] = "input_audio_buffer.append"
    audio: str


class InputAudioCommit(_Event):
    type: Literal["input_audio_buffer.commit"] = "input_audio_buffer.commit"


class InputAudioClear(_Event):
    type: Literal["input_audio_buffer.clear"] = "input_audio_buffer.clear"


class ItemCreate(_Event):
    type: Literal["conversation.item.create"] = "conversation.item.create"
    item: dict[str, Any]
    previous_item_id: str | None = None


class ItemTruncate(_Event):
    type: Literal["conversation.item.truncate"] = "conversation.item.truncate"
    item_id: str
    content_index: int = 0
    audio_end_ms: int = Field(ge=0)


class ResponseCreate(_Event):
    type: Literal["response.create"] = "response.create"
    response: dict[str, Any] | None = None


class ResponseCancel(_Event):
    type: Literal["response.cancel"] = "response.cancel"
    response_id: str | None = None


ClientEvent = Annotated[
    Union[SessionUpdate, InputAudioAppend, InputAudioCommit, InputAudioClear, ItemCreate, ItemTruncate,
          ResponseCreate, ResponseCancel],
    Field(discriminator="type"),
]

# ---- server -> client -------------------------------------------------------------------


class ErrorInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = "invalid_request_error"
    code: str | None = None
    message: str = ""
    param: str | None = None
    event_id: str | None = None


class ErrorEvent(_Event):
    type: Literal["error"] = "error"
    error: ErrorInfo


class SessionCreated(_Event):
    type: Literal["session.created"] = "session.created"
    session: dict[str, Any]


class SessionUpdated(_Event):
    type: Literal["session.updated"] = "session.updated"
    session: dict[str, Any]


class SpeechStarted(_Event):
    type: Literal["input_audio_buffer.speech_started"] = "input_audio_buffer.speech_started"
    audio_start_ms: int
    item_id: str


class SpeechStopped(_Event):
    type: Literal["input_audio_buffer.speech_stopped"] = "input_audio_buffer.speech_stopped"
    audio_end_ms: int
    item_id: str


class InputCommitted(_Event):
    type: Literal["input_audio_buffer.committed"] = "input_audio_buffer.committed"
    item_id: str
    previous_item_id: str | None = None


class InputCleared(_Event):
    type: Literal["input_audio_buffer.cleared"] = "input_audio_buffer.cleared"


class ItemAdded(_Event):
    type: Literal["conversation.item.added"] = "conversation.item.added"
    item: dict[str, Any]
    previous_item_id: str | None = None


class ItemDone(_Event):
    type: Literal["conversation.item.done"] = "conversation.item.done"
    item: dict[str, Any]
    previous_item_id: str | None = None


class ItemTruncated(_Event):
    type: Literal["conversation.item.truncated"] = "conversation.item.truncated"
    item_id: str
    content_index: int = 0
    audio_end_ms: int


class InputTranscriptionCompleted(_Event):
    type: Literal["conversation.item.input_audio_transcription.completed"] = (
        "conversation.item.input_audio_transcription.completed"
    )
    item_id: str
    content_index: int = 0
    transcript: str


class InputTranscriptionFailed(_Event):
    type: Literal["conversation.item.input_audio_transcription.failed"] = (
        "conversation.item.input_audio_transcription.failed"
    )
    item_id: str
    content_index: int = 0
    error: ErrorInfo


class ResponseCreated(_Event):
    type: Literal["response.created"] = "response.created"
    response: dict[str, Any]


class OutputItemAdded(_Event):
    type: Literal["response.output_item.added"] = "response.output_item.added"
    response_id: str
    output_index: int = 0
    item: dict[str, Any]


class OutputItemDone(_Event):
    type: Literal["response.output_item.done"] = "response.output_item.done"
    response_id: str
    output_index: int = 0
    item: dict[str, Any]


class OutputAudioDelta(_Event):
    type: Literal["response.output_audio.delta"] = "response.output_audio.delta"
    response_id: str
    item_id: str
    output_index: int = 0
    content_index: int = 0
    delta: str


class OutputAudioDone(_Event):
    type: Literal["response.output_audio.done"] = "response.output_audio.done"
    response_id: str
    item_id: str
    output_index: int = 0
    content_index: int = 0


class OutputTranscriptDelta(_Event):
    type: Literal["response.output_audio_transcript.delta"] = "response.output_audio_transcript.delta"
    response_id: str
    item_id: str
    output_index: int = 0
    content_index: int = 0
    delta: str


class OutputTranscriptDone(_Event):
    type: Literal["response.output_audio_transcript.done"] = "response.output_audio_transcript.done"
    response_id: str
    item_id: str
    output_index: int = 0
    content_index: int = 0
    transcript: str


class FunctionCallArgumentsDone(_Event):
    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    response_id: str
    item_id: str
    output_index: int = 0
    call_id: str
    name: str
    arguments: str


class ResponseDone(_Event):
    type: Literal["response.done"] = "response.done"
    response: dict[str, Any]


class UnknownServerEvent(_Event):
    """A server event this runtime does not model; kept so nothing is silently lost."""

    type: str


ServerEvent = Annotated[
    Union[ErrorEvent, SessionCreated, SessionUpdated, SpeechStarted, SpeechStopped, InputCommitted, InputCleared,
          ItemAdded, ItemDone, ItemTruncated, InputTranscriptionCompleted, InputTranscriptionFailed,
          ResponseCreated, OutputItemAdded, OutputItemDone, OutputAudioDelta, OutputAudioDone,
          OutputTranscriptDelta, OutputTranscriptDone, FunctionCallArgumentsDone, ResponseDone],
    Field(discriminator="type"),
]

_CLIENT: TypeAdapter[ClientEvent] = TypeAdapter(ClientEvent)
_SERVER: TypeAdapter[ServerEvent] = TypeAdapter(ServerEvent)
_SERVER_TYPES = frozenset(t.model_fields["type"].default for t in ServerEvent.__origin__.__args__)  # type: ignore[attr-defined]


def _load(raw: str | bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RealtimeProtocolError("invalid_json", f"event is not JSON: {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise RealtimeProtocolError("invalid_event", "event must be an object with a string 'type'")
    return body


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}"


def parse_client(raw: str | bytes) -> ClientEvent:
    """Parse an event a client sent (local realtime server side). Refuses beta shapes."""
    body = _load(raw)
    kind = body["type"]
    if kind in BETA_EVENT_TYPES:
        raise BetaShapeRefused(f"beta event type {kind!r}; use the GA Realtime API")
    if kind == "session.update":
        session = body.get("session")
        if isinstance(session, dict) and (BETA_SESSION_KEYS & session.keys() or "type" not in session):
            raise BetaShapeRefused("beta-shaped session.update; GA requires session.type and session.audio.*")
    try:
        return _CLIENT.validate_python(body)
    except ValidationError as exc:
        raise RealtimeProtocolError("invalid_event", _first_error(exc)) from None


def parse_server(raw: str | bytes) -> ServerEvent | UnknownServerEvent:
    """Parse an event the model sent (provider side). Refuses beta event names."""
    body = _load(raw)
    kind = body["type"]
    if kind in BETA_EVENT_TYPES:
        raise BetaShapeRefused(f"server sent beta event {kind!r}")
    if kind not in _SERVER_TYPES:
        return UnknownServerEvent.model_validate(body)
    try:
        return _SERVER.validate_python(body)
    except ValidationError as exc:
        raise RealtimeProtocolError("invalid_event", _first_error(exc)) from None
