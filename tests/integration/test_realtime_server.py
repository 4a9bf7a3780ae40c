"""The local realtime server speaks GA Realtime to the real ``openai`` SDK (PROTOCOLS.md §D, §E).

Each test talks to a real server on a free port through ``AsyncOpenAI(websocket_base_url=...)``,
except the pacing test, which drives the sans-I/O session with a hand-held clock. Every server
event received through the SDK is also validated strictly against the SDK's own event models.
"""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import subprocess
import sys
from typing import Any, AsyncIterator, cast

import httpx
import numpy as np
import pytest
import websockets
from openai import AsyncOpenAI
from openai.types.realtime import RealtimeServerEvent
from pydantic import TypeAdapter

from pipelines import g711
from simulators.realtime import RealtimeServerConfig, RunningServer, serve
from simulators.realtime.agent import HonestAgent, Say
from simulators.realtime.formats import PCM24K, ULAW
from simulators.realtime.session import RealtimeSession, Send, SessionSettings, Synthesize
from simulators.realtime.voice import CHUNK_MS, render
from simulators.speech import silence_ulaw, synthesize_pcm, synthesize_ulaw

API_KEY = "sk-local-test"
SENTENCE = "Hello, I would like to check the status of my order please."
PCMU: dict[str, Any] = {"format": {"type": "audio/pcmu"}}
ULAW_SESSION: dict[str, Any] = {"type": "realtime", "audio": {"input": PCMU, "output": PCMU}}
MANUAL_ULAW_SESSION: dict[str, Any] = {"type": "realtime",
                                       "audio": {"input": {**PCMU, "turn_detection": None}, "output": PCMU}}
SDK_EVENTS: TypeAdapter[Any] = TypeAdapter(RealtimeServerEvent)


@pytest.fixture(scope="module")
async def fast() -> AsyncIterator[RunningServer]:
    server = await serve(RealtimeServerConfig(api_key=API_KEY, think_ms=10, pace=500))
    yield server
    await server.close()


@pytest.fixture(scope="module")
async def slow() -> AsyncIterator[RunningServer]:
    """Streams at 2x real time, so a test can act while audio is still flowing."""
    server = await serve(RealtimeServerConfig(api_key=API_KEY, think_ms=10, pace=2))
    yield server
    await server.close()


def client(server: RunningServer, key: str = API_KEY) -> AsyncOpenAI:
    return AsyncOpenAI(api_key=key, websocket_base_url=server.url)


async def recv(conn: Any, timeout: float = 10.0) -> dict[str, Any]:
    """Next server event as a dict, checked against the SDK's strict models (rate limits skipped)."""
    while True:
        raw = await asyncio.wait_for(conn.recv_bytes(), timeout)
        SDK_EVENTS.validate_json(raw)
        event: dict[str, Any] = json.loads(raw)
        if event["type"] != "rate_limits.updated":
            return event


async def until(conn: Any, kind: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Events up to and including the first of type ``kind``."""
    events: list[dict[str, Any]] = []
    while not events or events[-1]["type"] != kind:
        events.append(await recv(conn, timeout))
    return events


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


def audio_of(events: list[dict[str, Any]]) -> bytes:
    return b"".join(base64.b64decode(e["delta"]) for e in of(events, "response.output_audio.delta"))


async def send_audio(conn: Any, audio: bytes, frame: int) -> None:
    for i in range(0, len(audio), frame):
        await conn.input_audio_buffer.append(audio=base64.b64encode(audio[i:i + frame]).decode())


async def start(conn: Any, session: dict[str, Any]) -> str:
    created = await recv(conn)
    assert created["type"] == "session.created"
    await conn.session.update(session=session)
    assert (await recv(conn))["type"] == "session.updated"
    return str(created["session"]["id"])


# ---- session configuration ---------------------------------------------------------------


async def test_session_created_carries_ga_defaults(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        session = (await recv(conn))["session"]
    assert session["id"].startswith("sess_") and session["type"] == "realtime"
    assert session["model"] == "gpt-realtime"
    assert session["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert session["audio"]["input"]["turn_detection"] == {
        "type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500,
        "idle_timeout_ms": None, "create_response": True, "interrupt_response": True}
    assert session["audio"]["output"]["voice"] == "marin"


async def test_session_update_changes_only_sent_fields_and_null_means_manual_turns(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        await recv(conn)
        await conn.session.update(session={"type": "realtime", "instructions": "Be brief.",
                                           "audio": {"input": {"format": {"type": "audio/pcmu"}}}})
        first = (await recv(conn))["session"]
        await conn.session.update(session={"type": "realtime", "audio": {"input": {"turn_detection": None}}})
        second = (await recv(conn))["session"]
    assert first["instructions"] == "Be brief." and first["audio"]["input"]["format"] == {"type": "audio/pcmu"}
    assert first["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    assert first["audio"]["output"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert second["audio"]["input"]["turn_detection"] is None
    assert second["instructions"] == "Be brief." and second["audio"]["input"]["format"] == {"type": "audio/pcmu"}


async def test_rate_on_g711_format_is_refused_without_closing(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        await recv(conn)
        with_rate = {"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcmu", "rate": 8000}}}}
        await conn.session.update(session=cast(Any, with_rate))
        error = await recv(conn)
        await conn.send(cast(Any, {"type": "not.an.event"}))
        unknown = await recv(conn)
        await conn.session.update(session={"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcma"}}}})
        updated = await recv(conn)
    assert error["type"] == "error" and error["error"]["code"] == "unknown_parameter"
    assert error["error"]["param"] == "session.audio.input.format.rate"
    assert unknown["type"] == "error"
    assert updated["session"]["audio"]["input"]["format"] == {"type": "audio/pcma"}


async def test_beta_shaped_session_update_closes_4000(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        await recv(conn)
        beta_update = {"type": "session.update", "session": {"type": "realtime", "input_audio_format": "g711_ulaw"}}
        await conn.send(cast(Any, beta_update))
        error = await recv(conn)
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            await recv(conn)
    assert error["error"]["code"] == "beta_api_shape_disabled"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4000


async def test_beta_client_header_gets_error_then_close_4000(fast: RunningServer) -> None:
    async with client(fast).beta.realtime.connect(model="gpt-realtime") as conn:
        event = await conn.recv()
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            await conn.recv()
    assert event.type == "error" and event.error.code == "beta_api_shape_disabled"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4000


@pytest.mark.parametrize("headers", [{"Authorization": "Bearer sk-wrong"}, {}])
async def test_bad_or_missing_api_key_is_refused_with_401(fast: RunningServer, headers: dict[str, str]) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(f"{fast.url}/realtime?model=gpt-realtime", additional_headers=headers):
            pass
    assert refused.value.response.status_code == 401
    assert json.loads(bytes(refused.value.response.body))["error"]["code"] == "invalid_api_key"


# ---- caller speech and replies -----------------------------------------------------------


async def test_caller_speech_gets_turn_events_and_an_honest_spoken_reply(fast: RunningServer) -> None:
    speech = synthesize_ulaw(SENTENCE)
    session = {**ULAW_SESSION, "audio": {**ULAW_SESSION["audio"], "input": {
        "format": {"type": "audio/pcmu"}, "transcription": {"model": "gpt-transcribe"}}}}
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        await start(conn, session)
        await send_audio(conn, speech + silence_ulaw(1000), 160)
        events = await until(conn, "response.done")
    started = of(events, "input_audio_buffer.speech_started")[0]
    stopped = of(events, "input_audio_buffer.speech_stopped")[0]
    assert started["item_id"] == stopped["item_id"]
    assert 0 <= started["audio_start_ms"] < 500
    assert len(speech) / 8 < stopped["audio_end_ms"] <= len(speech) / 8 + 600
    assert of(events, "input_audio_buffer.committed")[0]["item_id"] == started["item_id"]
    failed = of(events, "conversation.item.input_audio_transcription.failed")[0]
    assert failed["error"]["code"] == "transcription_unavailable"

    done = events[-1]["response"]
    transcript = of(events, "response.output_audio_transcript.done")[0]["transcript"]
    deltas = "".join(e["delta"] for e in of(events, "response.output_audio_transcript.delta"))
    assert done["status"] == "completed" and done["usage"]["output_token_details"]["audio_tokens"] > 0
    assert deltas == transcript == done["output"][0]["content"][0]["transcript"]
    assert transcript.startswith("Hello, this is the voxray local agent. I heard you speak for ")
    audio = audio_of(events)
    assert audio == render(transcript, ULAW, "marin")
    assert np.abs(g711.decode(audio).astype(np.int32)).mean() > 300  # real speech, not silence
    order = [e["type"] for e in events if not e["type"].endswith(".delta")]
    reply = order[order.index("response.created"):]
    assert reply == ["response.created", "response.output_item.added", "conversation.item.added",
                     "response.content_part.added", "response.output_audio.done",
                     "response.output_audio_transcript.done", "response.content_part.done",
                     "response.output_item.done", "conversation.item.done", "response.done"]


async def test_pcm24k_session_hears_speech_and_replies_in_pcm24k(fast: RunningServer) -> None:
    speech = synthesize_pcm(SENTENCE, 24000) + bytes(48 * 1000)
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        await recv(conn)  # session.created: pcm 24 kHz in and out by default
        await send_audio(conn, speech, 960)
        events = await until(conn, "response.done")
    assert of(events, "input_audio_buffer.speech_stopped")
    transcript = of(events, "response.output_audio_transcript.done")[0]["transcript"]
    assert audio_of(events) == render(transcript, PCM24K, "marin")


async def test_manual_turns_commit_requires_audio_and_response_create_speaks(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        await start(conn, MANUAL_ULAW_SESSION)
        await conn.input_audio_buffer.commit()
        empty = await recv(conn)
        await send_audio(conn, synthesize_ulaw("One two three."), 160)
        await conn.input_audio_buffer.commit()
        committed = await until(conn, "conversation.item.done")
        await conn.response.create()
        reply = await until(conn, "response.done")
    assert empty["error"]["code"] == "input_audio_buffer_commit_empty"
    assert committed[0]["type"] == "input_audio_buffer.committed"
    assert not of(committed, "input_audio_buffer.speech_started")
    assert reply[-1]["response"]["status"] == "completed" and audio_of(reply)


async def test_scripted_demo_greets_then_calls_a_tool_and_speaks_its_result(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime", extra_query={"script": "demo"}) as conn:
        await start(conn, MANUAL_ULAW_SESSION)
        greeting = await until(conn, "response.done")
        await conn.response.create()
        first = await until(conn, "response.done")
        await conn.response.create()
        tool = await until(conn, "response.done")
        call = of(tool, "response.function_call_arguments.done")[0]
        await conn.conversation.item.create(item={"type": "function_call_output", "call_id": call["call_id"],
                                                  "output": json.dumps({"status": "shipped"})})
        added = await until(conn, "conversation.item.done")
        await conn.response.create()
        after = await until(conn, "response.done")
    greeted = of(greeting, "response.output_audio_transcript.done")[0]["transcript"]
    assert greeted.startswith("Hello, thanks for calling Acme")
    assert of(first, "response.output_audio_transcript.done")[0]["transcript"] == (
        "Sure. Could you tell me your order number, please?")
    assert call["name"] == "lookup_order" and call["call_id"].startswith("call_")
    assert json.loads(call["arguments"]) == {"order_id": "A-1042"}
    assert tool[-1]["response"]["output"][0]["type"] == "function_call" and not audio_of(tool)
    assert added[0]["item"]["type"] == "function_call_output"
    assert of(after, "response.output_audio_transcript.done")[0]["transcript"] == (
        "Thanks. Order A 1042 shipped yesterday and should arrive on Friday.")


async def test_script_error_directive_sends_error_and_drop_closes_1011(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime", extra_query={"script": "error_then_drop"}) as conn:
        await start(conn, MANUAL_ULAW_SESSION)
        await conn.response.create()
        error = await recv(conn)
        await conn.response.create()
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            await recv(conn)
    assert error["type"] == "error" and error["error"]["type"] == "server_error"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011


async def test_unknown_script_is_refused_with_1008(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime", extra_query={"script": "no_such_script"}) as conn:
        error = await recv(conn)
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            await recv(conn)
    assert error["error"]["code"] == "unknown_script"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


async def test_idle_timeout_after_reply_prompts_the_caller(fast: RunningServer) -> None:
    session = {**ULAW_SESSION, "audio": {**ULAW_SESSION["audio"], "input": {
        "format": {"type": "audio/pcmu"}, "turn_detection": {"type": "server_vad", "idle_timeout_ms": 1000}}}}
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        await start(conn, session)
        await conn.response.create()
        reply = await until(conn, "response.done")
        await send_audio(conn, silence_ulaw(len(audio_of(reply)) // 8 + 1500), 160)
        events = await until(conn, "response.done")
    triggered = of(events, "input_audio_buffer.timeout_triggered")[0]
    assert triggered["audio_end_ms"] - triggered["audio_start_ms"] >= 1000
    assert of(events, "input_audio_buffer.committed")[0]["item_id"] == triggered["item_id"]
    assert events[-1]["response"]["status"] == "completed"


# ---- cancel, barge-in, truncate ----------------------------------------------------------


async def test_cancel_without_active_response_is_a_benign_error(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        await start(conn, MANUAL_ULAW_SESSION)
        await conn.response.cancel()
        error = await recv(conn)
        await conn.response.create()
        reply = await until(conn, "response.done")
    assert error["error"]["code"] == "response_cancel_not_active"
    assert reply[-1]["response"]["status"] == "completed"


async def test_cancel_stops_audio_and_truncate_checks_generated_length(slow: RunningServer) -> None:
    async with client(slow).realtime.connect(model="gpt-realtime") as conn:
        await start(conn, MANUAL_ULAW_SESSION)
        await conn.response.create()
        head = await until(conn, "response.output_audio.delta")
        await conn.response.cancel()
        tail = await until(conn, "response.done")
        item_id = head[-1]["item_id"]
        sent_ms = len(audio_of(head + tail)) // 8
        await conn.conversation.item.truncate(item_id=item_id, content_index=0, audio_end_ms=sent_ms + 5000)
        beyond = await recv(conn)
        await conn.conversation.item.truncate(item_id=item_id, content_index=0, audio_end_ms=sent_ms // 2)
        truncated = await recv(conn)
    done = tail[-1]["response"]
    assert done["status"] == "cancelled" and done["status_details"]["reason"] == "client_cancelled"
    assert done["output"][0]["status"] == "incomplete"
    would_say = HonestAgent().reply(0)
    assert isinstance(would_say, Say)
    full_ms = len(render(would_say.text, ULAW, "marin")) // 8
    assert 0 < sent_ms < full_ms
    assert of(tail, "response.output_audio_transcript.done")[0]["transcript"] == "".join(
        e["delta"] for e in of(head + tail, "response.output_audio_transcript.delta"))
    assert beyond["type"] == "error" and beyond["error"]["code"] == "invalid_value"
    assert truncated == {**truncated, "type": "conversation.item.truncated", "item_id": item_id,
                         "audio_end_ms": sent_ms // 2}


async def test_caller_speech_during_reply_cancels_it_as_turn_detected(slow: RunningServer) -> None:
    speech = synthesize_ulaw(SENTENCE)
    async with client(slow).realtime.connect(model="gpt-realtime") as conn:
        await start(conn, ULAW_SESSION)
        await send_audio(conn, speech + silence_ulaw(700), 160)
        await until(conn, "response.output_audio.delta")
        await send_audio(conn, speech[:8000], 160)
        events = await until(conn, "response.done")
    assert of(events, "input_audio_buffer.speech_started")
    done = events[-1]["response"]
    assert done["status"] == "cancelled" and done["status_details"]["reason"] == "turn_detected"


# ---- observability and process -----------------------------------------------------------


async def test_events_endpoint_lists_client_events_without_audio(fast: RunningServer) -> None:
    async with client(fast).realtime.connect(model="gpt-realtime") as conn:
        session_id = await start(conn, MANUAL_ULAW_SESSION)
        await send_audio(conn, silence_ulaw(200), 160)
        await conn.input_audio_buffer.clear()
        assert (await recv(conn))["type"] == "input_audio_buffer.cleared"
        await conn.response.cancel()
        await recv(conn)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{fast.port}") as http:
        events = (await http.get(f"/local/sessions/{session_id}/events")).json()
        missing = await http.get("/local/sessions/sess_nope/events")
        health = (await http.get("/local/health")).json()
    assert [e["type"] for e in events] == ["session.update", "input_audio_buffer.append",
                                           "input_audio_buffer.clear", "response.cancel"]
    assert events[0]["session"]["audio"]["input"]["turn_detection"] is None
    assert events[1]["count"] == 10 and events[1]["bytes"] == 1600 and "audio" not in events[1]
    assert missing.status_code == 404
    assert health["status"] == "ok" and session_id in health["sessions"]


def test_session_streams_audio_ahead_of_real_time_at_the_configured_pace() -> None:
    session = RealtimeSession(SessionSettings(think_ms=300, pace=4.0), HonestAgent())
    session.open(0.0)
    session.receive(json.dumps({"type": "session.update", "session": MANUAL_ULAW_SESSION}), 0.0)
    out = session.receive(json.dumps({"type": "response.create"}), 0.0)
    job = next(o for o in out if isinstance(o, Synthesize))
    audio = render(job.text, ULAW, "marin")
    assert not session.audio_ready(job.key, audio, 0.1)  # still thinking: nothing before 300 ms

    def deltas(now: float) -> int:
        return sum(isinstance(o, Send) and o.event.type == "response.output_audio.delta" for o in session.advance(now))

    chunks = -(-len(audio) // (8 * CHUNK_MS))
    assert deltas(0.3) == 1
    assert deltas(0.3 + 0.1) == 4  # 100 ms of wall time releases 400 ms of audio at 4x
    assert session.next_deadline() == pytest.approx(0.3 + 5 * CHUNK_MS / 1000 / 4)
    assert deltas(1000.0) == chunks - 5 and session.next_deadline() is None


def test_cli_prints_listening_line_and_exits_on_sigterm() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "simulators.realtime", "--port", "0", "--script", "two_turns"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening ws://127.0.0.1:") and line.rstrip().endswith("/v1")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
