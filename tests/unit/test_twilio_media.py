"""Twilio Media Streams messages: doc examples, round trips, and malformed input."""

from __future__ import annotations

import base64

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines import twilio_media as tm

# Twilio's "WebSocket messages" doc examples (PROTOCOLS §A.2). The doc elides the media payload
# as "no+JhoaJjpzS..."; its 12-character prefix is kept, which is valid base64.
DOC_EXAMPLES = {
    "connected": '{"event":"connected","protocol":"Call","version":"1.0.0"}',
    "start": '{"event":"start","sequenceNumber":"1","start":{"accountSid":"AC…","streamSid":"MZ…",'
    '"callSid":"CA…","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,'
    '"channels":1},"customParameters":{"FirstName":"Jane","LastName":"Doe","RemoteParty":"Bob"}},'
    '"streamSid":"MZ…"}',
    "media": '{"event":"media","sequenceNumber":"4","media":{"track":"inbound","chunk":"2","timestamp":"5",'
    '"payload":"no+JhoaJjpzS"},"streamSid":"MZ…"}',
    "dtmf": '{"event":"dtmf","streamSid":"MZ…","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}',
    "mark": '{"event":"mark","sequenceNumber":"4","streamSid":"MZ…","mark":{"name":"my label"}}',
    "stop": '{"event":"stop","sequenceNumber":"5","stop":{"accountSid":"AC…","callSid":"CA…"},"streamSid":"MZ…"}',
}

FRAME = bytes(range(160))
INBOUND = [
    tm.Connected(),
    tm.Start(
        sequenceNumber=1, streamSid="MZ1",
        start=tm.StartInfo(accountSid="AC1", streamSid="MZ1", callSid="CA1", customParameters={"token": "t"}),
    ),
    tm.Media(sequenceNumber=2, streamSid="MZ1",
             media=tm.MediaInfo(chunk=1, timestamp=0, payload=base64.b64encode(FRAME).decode())),
    tm.Media(sequenceNumber=3, streamSid="MZ1",
             media=tm.MediaInfo(track="outbound", chunk=2, timestamp=20, payload="")),
    tm.Dtmf(sequenceNumber=4, streamSid="MZ1", dtmf=tm.DtmfInfo(digit="#")),
    tm.MarkEcho(sequenceNumber=5, streamSid="MZ1", mark=tm.MarkInfo(name="item_1:40:2")),
    tm.Stop(sequenceNumber=6, streamSid="MZ1", stop=tm.StopInfo(accountSid="AC1", callSid="CA1")),
]
OUTBOUND = [
    tm.OutMedia(streamSid="MZ1", media=tm.OutMediaInfo(payload=base64.b64encode(FRAME).decode())),
    tm.OutMark(streamSid="MZ1", mark=tm.MarkInfo(name="m")),
    tm.OutClear(streamSid="MZ1"),
]


@pytest.mark.parametrize("msg", INBOUND, ids=lambda m: type(m).__name__)
def test_inbound_round_trip(msg: tm._Msg) -> None:
    assert tm.parse_inbound(msg.dump()) == msg


@pytest.mark.parametrize("msg", OUTBOUND, ids=lambda m: type(m).__name__)
def test_outbound_round_trip(msg: tm._Msg) -> None:
    assert tm.parse_outbound(msg.dump()) == msg


@pytest.mark.parametrize("msg", [m for m in INBOUND if not isinstance(m, tm.Connected)], ids=lambda m: type(m).__name__)
def test_dumped_numbers_are_strings_like_twilio_sends(msg: tm._Msg) -> None:
    body = orjson.loads(msg.dump())
    assert isinstance(body["sequenceNumber"], str)
    if body["event"] == "media":
        assert isinstance(body["media"]["chunk"], str) and isinstance(body["media"]["timestamp"], str)
    if body["event"] == "start":
        assert body["start"]["mediaFormat"]["sampleRate"] == 8000  # the one numeric field


@pytest.mark.parametrize("kind", list(DOC_EXAMPLES))
def test_doc_examples_parse(kind: str) -> None:
    msg = tm.parse_inbound(DOC_EXAMPLES[kind])
    assert msg.event == kind
    assert tm.parse_inbound(msg.dump()) == msg


def test_doc_example_fields_are_typed() -> None:
    start = tm.parse_inbound(DOC_EXAMPLES["start"])
    assert isinstance(start, tm.Start)
    assert start.sequenceNumber == 1 and start.start.customParameters["RemoteParty"] == "Bob"
    assert start.start.mediaFormat == tm.MediaFormat(encoding="audio/x-mulaw", sampleRate=8000, channels=1)
    media = tm.parse_inbound(DOC_EXAMPLES["media"])
    assert isinstance(media, tm.Media)
    assert (media.sequenceNumber, media.media.chunk, media.media.timestamp) == (4, 2, 5)
    assert media.audio == base64.b64decode("no+JhoaJjpzS")
    mark = tm.parse_inbound(DOC_EXAMPLES["mark"])
    assert isinstance(mark, tm.MarkEcho) and mark.mark.name == "my label"


def test_unknown_extra_fields_are_ignored() -> None:
    raw = '{"event":"connected","protocol":"Call","version":"1.0.0","somethingNew":true}'
    assert tm.parse_inbound(raw) == tm.Connected()


@pytest.mark.parametrize(
    ("raw", "event", "reason_part"),
    [
        ("{not json", None, "JSON"),
        ("[1, 2]", None, "object"),
        ('{"event":"hangup","streamSid":"MZ1"}', "hangup", "hangup"),
        ('{"streamSid":"MZ1"}', None, "event"),
        ('{"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"chunk":"1","timestamp":"0",'
         '"payload":"!!not base64!!"}}', "media", "base64"),
        ('{"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"chunk":"1","timestamp":"0"}}',
         "media", "payload"),
        ('{"event":"media","sequenceNumber":"two","streamSid":"MZ1","media":{"chunk":"1","timestamp":"0",'
         '"payload":""}}', "media", "sequenceNumber"),
        ('{"event":"stop","sequenceNumber":"5","streamSid":"MZ1"}', "stop", "stop"),
        ('{"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"streamSid":"MZ1"}}', "start", "accountSid"),
        ('{"event":"dtmf","sequenceNumber":"5","streamSid":"MZ1","dtmf":{"digit":"12"}}', "dtmf", "digit"),
        ('{"event":"mark","sequenceNumber":"5","streamSid":"MZ1"}', "mark", "mark"),
    ],
)
def test_malformed_inbound_raises_with_reason(raw: str, event: str | None, reason_part: str) -> None:
    with pytest.raises(tm.MalformedMessage) as info:
        tm.parse_inbound(raw)
    assert reason_part in info.value.reason
    assert info.value.event == event
    assert isinstance(info.value, ValueError)


def test_malformed_outbound_raises() -> None:
    with pytest.raises(tm.MalformedMessage):
        tm.parse_outbound('{"event":"media","streamSid":"MZ1"}')
    with pytest.raises(tm.MalformedMessage):
        tm.parse_outbound('{"event":"start","streamSid":"MZ1"}')


@given(st.binary(max_size=800))
def test_media_out_helper_round_trips_audio(audio: bytes) -> None:
    msg = tm.parse_outbound(tm.media_out("MZ9", audio))
    assert isinstance(msg, tm.OutMedia) and msg.streamSid == "MZ9"
    assert base64.b64decode(msg.media.payload) == audio


def test_mark_and_clear_helpers_match_models() -> None:
    assert tm.parse_outbound(tm.mark_out("MZ1", "a:1:1")) == tm.OutMark(streamSid="MZ1", mark=tm.MarkInfo(name="a:1:1"))
    assert tm.parse_outbound(tm.clear_out("MZ1")) == tm.OutClear(streamSid="MZ1")


@given(
    seq=st.integers(1, 2**31), chunk=st.integers(1, 2**31), ts=st.integers(0, 2**31), audio=st.binary(max_size=400)
)
def test_media_round_trip_any_fields(seq: int, chunk: int, ts: int, audio: bytes) -> None:
    msg = tm.Media(sequenceNumber=seq, streamSid="MZ1",
                   media=tm.MediaInfo(chunk=chunk, timestamp=ts, payload=base64.b64encode(audio).decode()))
    back = tm.parse_inbound(msg.dump())
    assert back == msg and isinstance(back, tm.Media) and back.audio == audio


def test_frame_constants() -> None:
    assert (tm.FRAME_MS, tm.BYTES_PER_MS, tm.FRAME_BYTES) == (20, 8, 160)
