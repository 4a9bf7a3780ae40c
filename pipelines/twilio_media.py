"""Typed Twilio Media Streams messages, parsed and serialized only here.

Shapes follow Twilio's "WebSocket messages" reference (see shared/PROTOCOLS.md §A.2/A.3):
numeric fields such as ``sequenceNumber``, ``chunk`` and ``timestamp`` arrive as *strings*;
``payload`` is base64 raw mu-law/8000 with no header. Both directions are modelled so the
gateway/actor (server side) and the carrier simulator (Twilio side) share one definition.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal, Union

import orjson
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

#: One 20 ms frame of mu-law at 8 kHz: 8 bytes per ms (PROTOCOLS §A.4).
FRAME_MS = 20
BYTES_PER_MS = 8
FRAME_BYTES = FRAME_MS * BYTES_PER_MS


class MalformedMessage(ValueError):
    """A websocket text frame that is not a valid Media Streams message."""

    def __init__(self, reason: str, event: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event = event


class _Msg(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    def dump(self) -> str:
        """Serialize to the exact JSON text Twilio sends/expects (numbers as strings)."""
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True, by_alias=True)).decode()


# ---- Twilio -> server -------------------------------------------------------------------


class Connected(_Msg):
    event: Literal["connected"] = "connected"
    protocol: str = "Call"
    version: str = "1.0.0"


class MediaFormat(_Msg):
    encoding: str = "audio/x-mulaw"
    sampleRate: int = 8000
    channels: int = 1


class StartInfo(_Msg):
    accountSid: str
    streamSid: str
    callSid: str
    tracks: list[str] = Field(default_factory=lambda: ["inbound"])
    mediaFormat: MediaFormat = Field(default_factory=MediaFormat)
    customParameters: dict[str, str] = Field(default_factory=dict)


class _Sequenced(_Msg):
    """Inbound messages carry ``sequenceNumber``, which Twilio sends as a string."""

    sequenceNumber: int

    def dump(self) -> str:
        body = self.model_dump(mode="json", exclude_none=True)
        body["sequenceNumber"] = str(self.sequenceNumber)
        return orjson.dumps(body).decode()


class Start(_Sequenced):
    event: Literal["start"] = "start"
    start: StartInfo
    streamSid: str


class MediaInfo(_Msg):
    track: Literal["inbound", "outbound"] = "inbound"
    chunk: int
    timestamp: int
    payload: str


class Media(_Sequenced):
    """Caller audio. ``audio`` holds the decoded mu-law bytes (validated base64)."""

    event: Literal["media"] = "media"
    media: MediaInfo
    streamSid: str
    _audio: bytes = PrivateAttr(default=b"")

    @model_validator(mode="after")
    def _decode_payload(self) -> "Media":
        try:
            self._audio = base64.b64decode(self.media.payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"media.payload is not valid base64: {exc}") from exc
        return self

    @property
    def audio(self) -> bytes:
        return self._audio

    def dump(self) -> str:
        m = self.media
        return orjson.dumps(
            {
                "event": "media",
                "sequenceNumber": str(self.sequenceNumber),
                "media": {"track": m.track, "chunk": str(m.chunk), "timestamp": str(m.timestamp), "payload": m.payload},
                "streamSid": self.streamSid,
            }
        ).decode()


class DtmfInfo(_Msg):
    track: str = "inbound_track"
    digit: str = Field(pattern=r"^[0-9*#A-D]$")


class Dtmf(_Sequenced):
    event: Literal["dtmf"] = "dtmf"
    streamSid: str
    dtmf: DtmfInfo


class MarkInfo(_Msg):
    name: str


class MarkEcho(_Sequenced):
    """Twilio's echo of a mark we sent: the audio queued before it has played or was cleared."""

    event: Literal["mark"] = "mark"
    streamSid: str
    mark: MarkInfo


class StopInfo(_Msg):
    accountSid: str
    callSid: str


class Stop(_Sequenced):
    event: Literal["stop"] = "stop"
    stop: StopInfo
    streamSid: str


InboundMessage = Annotated[Union[Connected, Start, Media, Dtmf, MarkEcho, Stop], Field(discriminator="event")]

# ---- server -> Twilio -------------------------------------------------------------------


class OutMediaInfo(_Msg):
    payload: str


class OutMedia(_Msg):
    event: Literal["media"] = "media"
    streamSid: str
    media: OutMediaInfo


class OutMark(_Msg):
    event: Literal["mark"] = "mark"
    streamSid: str
    mark: MarkInfo


class OutClear(_Msg):
    event: Literal["clear"] = "clear"
    streamSid: str


OutboundMessage = Annotated[Union[OutMedia, OutMark, OutClear], Field(discriminator="event")]

_INBOUND: TypeAdapter[InboundMessage] = TypeAdapter(InboundMessage)
_OUTBOUND: TypeAdapter[OutboundMessage] = TypeAdapter(OutboundMessage)


def _parse(adapter: TypeAdapter, raw: str | bytes):  # type: ignore[type-arg]
    try:
        return adapter.validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        event = None
        try:
            event = orjson.loads(raw).get("event")
        except (orjson.JSONDecodeError, AttributeError):
            pass
        raise MalformedMessage(f"{where}: {first.get('msg')}" if where else str(first.get("msg")), event) from None


def parse_inbound(raw: str | bytes) -> InboundMessage:
    """Parse one text frame Twilio sent. Raises MalformedMessage."""
    return _parse(_INBOUND, raw)


def parse_outbound(raw: str | bytes) -> OutboundMessage:
    """Parse one text frame a server sent to Twilio (used by the carrier simulator)."""
    return _parse(_OUTBOUND, raw)


def media_out(stream_sid: str, ulaw: bytes) -> str:
    """Hot path: serialize one outbound audio frame without building a model."""
    return orjson.dumps(
        {"event": "media", "streamSid": stream_sid, "media": {"payload": base64.b64encode(ulaw).decode()}}
    ).decode()


def mark_out(stream_sid: str, name: str) -> str:
    return orjson.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}).decode()


def clear_out(stream_sid: str) -> str:
    return orjson.dumps({"event": "clear", "streamSid": stream_sid}).decode()
