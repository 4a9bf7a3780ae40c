"""OpenAI Realtime GA events: parse/serialize, beta refusal, unknown and invalid events."""

from __future__ import annotations

from collections.abc import Mapping

import orjson
import pytest

from pipelines import realtime_events as rt

GA_SESSION = {
    "type": "realtime",
    "audio": {"input": {"format": {"type": "audio/pcmu"}, "turn_detection": {"type": "server_vad"}},
              "output": {"format": {"type": "audio/pcmu"}, "voice": "marin"}},
}

SERVER_EVENTS: list[tuple[dict[str, object], type]] = [
    ({"type": "error", "event_id": "e1", "error": {"type": "invalid_request_error", "code": "x", "message": "m"}},
     rt.ErrorEvent),
    ({"type": "session.created", "session": GA_SESSION}, rt.SessionCreated),
    ({"type": "session.updated", "session": GA_SESSION}, rt.SessionUpdated),
    ({"type": "input_audio_buffer.speech_started", "audio_start_ms": 120, "item_id": "i1"}, rt.SpeechStarted),
    ({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": 900, "item_id": "i1"}, rt.SpeechStopped),
    ({"type": "input_audio_buffer.committed", "item_id": "i1", "previous_item_id": None}, rt.InputCommitted),
    ({"type": "input_audio_buffer.cleared"}, rt.InputCleared),
    ({"type": "conversation.item.added", "item": {"id": "i1", "type": "message"}}, rt.ItemAdded),
    ({"type": "conversation.item.done", "item": {"id": "i1", "type": "message"}}, rt.ItemDone),
    ({"type": "conversation.item.truncated", "item_id": "i2", "content_index": 0, "audio_end_ms": 300},
     rt.ItemTruncated),
    ({"type": "conversation.item.input_audio_transcription.completed", "item_id": "i1", "content_index": 0,
      "transcript": "hello"}, rt.InputTranscriptionCompleted),
    ({"type": "conversation.item.input_audio_transcription.failed", "item_id": "i1",
      "error": {"message": "nope"}}, rt.InputTranscriptionFailed),
    ({"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}, rt.ResponseCreated),
    ({"type": "response.output_item.added", "response_id": "r1", "item": {"id": "i2"}}, rt.OutputItemAdded),
    ({"type": "response.output_item.done", "response_id": "r1", "item": {"id": "i2", "status": "completed"}},
     rt.OutputItemDone),
    ({"type": "response.output_audio.delta", "response_id": "r1", "item_id": "i2", "output_index": 0,
      "content_index": 0, "delta": "//////8="}, rt.OutputAudioDelta),
    ({"type": "response.output_audio.done", "response_id": "r1", "item_id": "i2"}, rt.OutputAudioDone),
    ({"type": "response.output_audio_transcript.delta", "response_id": "r1", "item_id": "i2", "delta": "Hi"},
     rt.OutputTranscriptDelta),
    ({"type": "response.output_audio_transcript.done", "response_id": "r1", "item_id": "i2", "transcript": "Hi"},
     rt.OutputTranscriptDone),
    ({"type": "response.function_call_arguments.done", "response_id": "r1", "item_id": "i3", "call_id": "c1",
      "name": "end_call", "arguments": "{}"}, rt.FunctionCallArgumentsDone),
    ({"type": "response.done", "response": {"id": "r1", "status": "completed",
                                            "usage": {"total_tokens": 10}}}, rt.ResponseDone),
]

CLIENT_EVENTS: list[tuple[dict[str, object], type]] = [
    ({"type": "session.update", "session": GA_SESSION}, rt.SessionUpdate),
    ({"type": "input_audio_buffer.append", "audio": "//////8="}, rt.InputAudioAppend),
    ({"type": "input_audio_buffer.commit"}, rt.InputAudioCommit),
    ({"type": "input_audio_buffer.clear"}, rt.InputAudioClear),
    ({"type": "conversation.item.create", "item": {"type": "function_call_output", "call_id": "c1", "output": "{}"}},
     rt.ItemCreate),
    ({"type": "conversation.item.truncate", "item_id": "i2", "content_index": 0, "audio_end_ms": 300},
     rt.ItemTruncate),
    ({"type": "response.create"}, rt.ResponseCreate),
    ({"type": "response.create", "response": {"instructions": "Greet the caller."}}, rt.ResponseCreate),
    ({"type": "response.cancel"}, rt.ResponseCancel),
]


def _raw(body: Mapping[str, object]) -> bytes:
    return orjson.dumps(body)


@pytest.mark.parametrize(("body", "cls"), SERVER_EVENTS, ids=lambda v: v["type"] if isinstance(v, dict) else "")
def test_ga_server_events_parse_to_their_class_and_round_trip(body: dict[str, object], cls: type) -> None:
    ev = rt.parse_server(_raw(body))
    assert type(ev) is cls
    assert rt.parse_server(ev.dump()) == ev


@pytest.mark.parametrize(("body", "cls"), CLIENT_EVENTS, ids=lambda v: v["type"] if isinstance(v, dict) else "")
def test_ga_client_events_parse_to_their_class_and_round_trip(body: dict[str, object], cls: type) -> None:
    ev = rt.parse_client(_raw(body))
    assert type(ev) is cls
    assert rt.parse_client(ev.dump()) == ev


def test_audio_delta_fields_are_typed() -> None:
    ev = rt.parse_server(_raw(SERVER_EVENTS[15][0]))
    assert isinstance(ev, rt.OutputAudioDelta)
    assert (ev.response_id, ev.item_id, ev.delta) == ("r1", "i2", "//////8=")


def test_models_build_and_dump_the_wire_shape() -> None:
    body = orjson.loads(rt.ItemTruncate(item_id="i2", audio_end_ms=250).dump())
    assert body == {"type": "conversation.item.truncate", "item_id": "i2", "content_index": 0, "audio_end_ms": 250}
    assert orjson.loads(rt.ResponseCancel().dump()) == {"type": "response.cancel"}


def test_extra_fields_are_kept() -> None:
    ev = rt.parse_server(_raw({"type": "input_audio_buffer.cleared", "event_id": "e9", "future_field": 1}))
    assert orjson.loads(ev.dump())["future_field"] == 1


@pytest.mark.parametrize("kind", sorted(rt.BETA_EVENT_TYPES))
def test_beta_event_names_are_refused_both_ways(kind: str) -> None:
    body = {"type": kind, "response_id": "r1", "item_id": "i1", "delta": "AA==", "item": {}}
    with pytest.raises(rt.BetaShapeRefused) as info:
        rt.parse_server(_raw(body))
    assert info.value.code == "beta_api_shape_disabled"
    with pytest.raises(rt.BetaShapeRefused):
        rt.parse_client(_raw(body))


@pytest.mark.parametrize(
    "session",
    [
        {"type": "realtime", "input_audio_format": "g711_ulaw"},
        {"type": "realtime", "modalities": ["audio"]},
        {"type": "realtime", "voice": "alloy"},
        {"type": "realtime", "turn_detection": {"type": "server_vad"}},
        {"audio": {"input": {"format": {"type": "audio/pcmu"}}}},  # GA keys but no session.type
    ],
)
def test_beta_shaped_session_update_is_refused(session: dict[str, object]) -> None:
    with pytest.raises(rt.BetaShapeRefused) as info:
        rt.parse_client(_raw({"type": "session.update", "session": session}))
    assert isinstance(info.value, rt.RealtimeProtocolError)
    assert info.value.code == "beta_api_shape_disabled"


def test_unknown_server_event_is_kept_not_lost() -> None:
    ev = rt.parse_server(_raw({"type": "rate_limits.updated", "rate_limits": [{"name": "requests"}]}))
    assert isinstance(ev, rt.UnknownServerEvent)
    assert ev.type == "rate_limits.updated"
    assert orjson.loads(ev.dump())["rate_limits"] == [{"name": "requests"}]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"not json", "invalid_json"),
        (b"[]", "invalid_event"),
        (b'{"no_type": 1}', "invalid_event"),
        (b'{"type": 5}', "invalid_event"),
        (b'{"type": "input_audio_buffer.append"}', "invalid_event"),
        (b'{"type": "conversation.item.truncate", "item_id": "i", "audio_end_ms": -1}', "invalid_event"),
        (b'{"type": "conversation.item.truncate", "audio_end_ms": 10}', "invalid_event"),
        (b'{"type": "session.update"}', "invalid_event"),
        (b'{"type": "made.up.client.event"}', "invalid_event"),
    ],
)
def test_invalid_client_events_raise_protocol_error(raw: bytes, code: str) -> None:
    with pytest.raises(rt.RealtimeProtocolError) as info:
        rt.parse_client(raw)
    assert info.value.code == code
    assert not isinstance(info.value, rt.BetaShapeRefused)
    assert info.value.message


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"type": "response.output_audio.delta", "item_id": "i"}',
        b'{"type": "input_audio_buffer.speech_started", "audio_start_ms": "soon", "item_id": "i"}',
    ],
)
def test_invalid_known_server_events_raise_protocol_error(raw: bytes) -> None:
    with pytest.raises(rt.RealtimeProtocolError):
        rt.parse_server(raw)
