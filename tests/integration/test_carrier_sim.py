"""Carrier simulator: TwiML parsing, Twilio's playout buffer, the caller script, and whole
calls against an in-test gateway stub served by real uvicorn on a free port."""

from __future__ import annotations

import asyncio
import re
import secrets
import socket
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import numpy as np
import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI, Request, Response, WebSocket, WebSocketDisconnect
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Connect, Dial, VoiceResponse

from pipelines import g711
from pipelines import twilio_media as tm
from simulators.carrier import (
    BargeIn, Dtmf, Hangup, PlayoutBuffer, Say, ScriptError, Silence, StreamUrlError, TwimlError,
    WaitForAgent, map_stream_url, parse_twiml, run_calls, summarize,
)
from simulators.carrier import twiml as tw
from simulators.carrier.caller import Caller

AUTH_TOKEN = "test-auth-token-" + "0" * 16
PUBLIC_BASE = "https://voice.example.test"
TO_NUMBER = "+15550001000"
TO_NUMBER_CRASHING = "+15550001999"  # the stub closes the stream with 1011 after a few frames
SILENCE = bytes([g711.SILENCE_BYTE]) * tm.FRAME_BYTES
BURST_FRAMES = 50  # 1 s of agent audio sent at once
TONE = g711.encode((np.sin(np.arange(tm.FRAME_BYTES) * 2 * np.pi * 440 / 8000) * 8000).astype(np.int16))


# ---- TwiML ---------------------------------------------------------------------------------


def test_twiml_connect_stream_with_parameters_and_other_verbs_is_parsed() -> None:
    r = VoiceResponse()
    r.say("Connecting you now.", voice="alice")
    c = Connect()
    s = c.stream(url="wss://voice.example.test/media-stream", status_callback="https://voice.example.test/status")
    s.parameter(name="token", value="abc123")
    s.parameter(name="tenant", value="acme")
    r.append(c)
    d = Dial(caller_id="+15550000001")
    d.number("+15551230003")
    r.append(d)
    r.dial("+15551230004")
    r.pause(length=1)
    r.hangup()
    r.reject(reason="busy")

    doc = parse_twiml(str(r))

    assert doc.verb_names == ["Say", "Connect", "Dial", "Dial", "Pause", "Hangup", "Reject"]
    assert doc.connect is not None
    stream = doc.connect.stream
    assert stream.url == "wss://voice.example.test/media-stream"
    assert stream.status_callback == "https://voice.example.test/status"
    assert stream.parameters == {"token": "abc123", "tenant": "acme"}
    assert doc.verbs[0] == tw.Say(text="Connecting you now.", voice="alice")
    assert doc.verbs[2] == tw.Dial(number="+15551230003", caller_id="+15550000001", nouns=("Number",))
    assert doc.verbs[3] == tw.Dial(number="+15551230004")
    assert doc.verbs[6] == tw.Reject(reason="busy")


def test_twiml_without_connect_has_no_stream() -> None:
    assert parse_twiml("<Response><Say>Bye</Say><Hangup/></Response>").connect is None


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("<Response><Connect>", "well-formed"),
        ("<Respons><Hangup/></Respons>", "root element"),
        ("<Response><Connect/></Response>", "exactly one noun"),
        ("<Response><Connect><Room>r</Room></Connect></Response>", "not supported"),
        ("<Response><Connect><Stream/></Connect></Response>", "no url"),
        ('<Response><Connect><Stream url="wss://h/m"><Parameter value="x"/></Stream></Connect></Response>', "no name"),
        (
            '<Response><Connect><Stream url="wss://h/m"><Parameter name="a" value="1"/>'
            '<Parameter name="a" value="2"/></Stream></Connect></Response>',
            "twice",
        ),
        ('<Response><Connect><Stream url="wss://h/m"><Say>x</Say></Stream></Connect></Response>', "only contain"),
        ("<Response><Dance/></Response>", "unknown TwiML verb"),
    ],
)
def test_malformed_twiml_raises_twiml_error_with_reason(document: str, reason: str) -> None:
    with pytest.raises(TwimlError, match=reason):
        parse_twiml(document)


def test_stream_url_maps_public_wss_to_gateway_ws_and_refuses_what_twilio_refuses() -> None:
    gw = "http://127.0.0.1:8123"
    assert map_stream_url("wss://voice.example.test/media", public_base_url=PUBLIC_BASE, gateway_url=gw) == (
        "ws://127.0.0.1:8123/media"
    )
    assert map_stream_url(
        "wss://h.test/app/media", public_base_url="https://h.test/app/", gateway_url="http://10.0.0.2:80"
    ) == "ws://10.0.0.2:80/media"
    for bad in ("ws://voice.example.test/media", "wss://voice.example.test/media?x=1", "wss://other.test/media"):
        with pytest.raises(StreamUrlError):
            map_stream_url(bad, public_base_url=PUBLIC_BASE, gateway_url=gw)
    # Local development without a public https base: ws:// is let through.
    assert map_stream_url("ws://127.0.0.1:8123/media", public_base_url=gw, gateway_url=gw) == "ws://127.0.0.1:8123/media"


# ---- playout buffer ------------------------------------------------------------------------


def test_marks_echo_only_once_the_audio_before_them_has_played_at_real_time() -> None:
    p = PlayoutBuffer()
    p.push_media(b"\x01" * 400, now=10.0)  # 50 ms
    p.push_mark("a", now=10.0)
    p.push_media(b"\x02" * 160, now=10.01)  # 20 ms more
    p.push_mark("b", now=10.01)

    assert p.advance(10.049) == []
    assert p.advance(10.050) == ["a"]
    assert p.advance(10.069) == []
    assert p.advance(10.070) == ["b"]
    assert p.played_bytes == 560 and not p.is_playing(10.07)


def test_mark_with_no_audio_before_it_echoes_at_once() -> None:
    p = PlayoutBuffer()
    p.push_mark("first", now=1.0)
    assert p.advance(1.0) == ["first"]
    p.push_media(b"\x01" * 160, now=1.0)
    assert p.advance(1.03) == []
    p.push_mark("after-dry", now=1.03)
    assert p.advance(1.03) == ["after-dry"]


def test_clear_drops_audio_and_echoes_every_pending_mark_immediately() -> None:
    p = PlayoutBuffer()
    p.push_media(b"\x01" * 800, now=0.0)  # 100 ms
    p.push_mark("m1", now=0.0)
    p.push_media(b"\x01" * 800, now=0.0)
    p.push_mark("m2", now=0.0)
    assert p.advance(0.03) == []

    assert p.clear(0.04) == ["m1", "m2"]
    assert p.advance(1.0) == []
    assert p.played_bytes == 320 and p.cleared_bytes == 1280
    assert p.clear(1.0) == []


def test_underruns_count_dry_gaps_inside_an_utterance_only() -> None:
    p = PlayoutBuffer()
    p.push_media(b"\x01" * 160, now=0.0)   # plays 0.00-0.02
    p.push_media(b"\x01" * 160, now=0.03)  # 10 ms gap: same utterance, one underrun
    p.push_media(b"\x01" * 160, now=0.05)  # arrives exactly as it runs dry: no gap
    p.push_media(b"\x01" * 160, now=0.50)  # 430 ms after dry: a new utterance
    assert (p.underruns, round(p.underrun_s * 1000, 3), p.utterances) == (1, 10.0, 2)

    p.clear(0.51)
    p.push_media(b"\x01" * 160, now=0.55)  # after a clear: new utterance, not a gap
    assert (p.underruns, p.utterances) == (1, 3)


def test_render_places_played_audio_on_the_timeline_with_silence_between() -> None:
    p = PlayoutBuffer()
    p.push_media(b"\x01" * 80, now=1.01)
    p.push_media(b"\x02" * 80, now=1.03)
    p.push_media(b"\x03" * 800, now=1.04)
    p.clear(1.045)  # only 5 ms (40 bytes) of the last chunk is heard
    audio = p.render(1.0, 1.06)
    silence = bytes([g711.SILENCE_BYTE])
    assert audio == silence * 80 + b"\x01" * 80 + silence * 80 + b"\x02" * 80 + b"\x03" * 40 + silence * 120
    assert p.quiet_for(1.06) == pytest.approx(0.015)


# ---- caller script (pure) ------------------------------------------------------------------


def _loud(text: str) -> bytes:
    return b"\x00" * (3 * tm.FRAME_BYTES)  # 0x00 is full-scale mu-law: 3 frames of "speech"


def test_wait_for_agent_times_out_and_records_it() -> None:
    caller = Caller([WaitForAgent(timeout_s=0.1, quiet_ms=0)], speak=_loud)
    p = PlayoutBuffer()
    ticks = [caller.tick(i * 0.02, p) for i in range(7)]
    assert [t.audio for t in ticks[:5]] == [SILENCE] * 5
    assert ticks[5].hangup and "WaitForAgent" in ticks[5].timeouts[0]
    assert caller.finished


def test_barge_in_starts_speaking_once_agent_audio_played_long_enough() -> None:
    caller = Caller([BargeIn("stop", after_agent_ms=200), Hangup()], speak=_loud)
    p = PlayoutBuffer()
    p.push_media(TONE * 50, now=0.0)
    ticks = [caller.tick(i * 0.02, p) for i in range(15)]
    first = next(i for i, t in enumerate(ticks) if t.speech)
    assert first == 10 and ticks[first].started is not None and ticks[first].started.kind == "barge_in"
    assert [t.speech for t in ticks[10:13]] == [True] * 3 and ticks[12].ended
    assert ticks[13].hangup


def test_script_steps_reject_invalid_arguments() -> None:
    with pytest.raises(ScriptError):
        Dtmf("x")
    with pytest.raises(ScriptError):
        Say("  ")
    with pytest.raises(ScriptError):
        Silence(-1)


# ---- gateway stub (real uvicorn) -----------------------------------------------------------


@dataclass
class StreamLog:
    start: tm.Start
    received: list[tuple[float, tm.Media | tm.Dtmf | tm.MarkEcho | tm.Stop]] = field(default_factory=list)
    marks_sent: dict[str, float] = field(default_factory=dict)
    mark_echoes: dict[str, float] = field(default_factory=dict)
    bursts: list[tuple[float, list[str]]] = field(default_factory=list)  # (sent at, mark names)
    clears: list[float] = field(default_factory=list)


@dataclass
class StubLog:
    webhooks: list[dict[str, str]] = field(default_factory=list)
    rejected: int = 0
    tokens: dict[str, str] = field(default_factory=dict)
    streams: dict[str, StreamLog] = field(default_factory=dict)  # by CallSid


def make_gateway_stub(log: StubLog) -> FastAPI:
    """A minimal voxray stand-in: validates Twilio's signature on the public URL, answers
    <Connect><Stream> with a one-time token, echoes caller speech back as agent audio with a
    mark every 5 frames, plays a 1 s burst on DTMF '1', and clears on '#' or on barge-in."""
    app = FastAPI()
    validator = RequestValidator(AUTH_TOKEN)

    @app.post("/api/v1/incoming-call")
    async def incoming_call(request: Request) -> Response:
        # Parsed by hand: Starlette's request.form() needs python-multipart, not installed here.
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(PUBLIC_BASE + request.url.path, params, signature):
            log.rejected += 1
            return Response(status_code=403)
        log.webhooks.append(params)
        token = secrets.token_hex(8)
        log.tokens[params["CallSid"]] = token
        response, connect = VoiceResponse(), Connect()
        stream = connect.stream(url="wss://voice.example.test/media-stream")
        stream.parameter(name="token", value=token)
        stream.parameter(name="mode", value="crash" if params["To"] == TO_NUMBER_CRASHING else "echo")
        response.append(connect)
        return Response(str(response), media_type="application/xml")

    @app.websocket("/media-stream")
    async def media_stream(ws: WebSocket) -> None:
        await ws.accept()
        loop = asyncio.get_running_loop()
        assert isinstance(tm.parse_inbound(await ws.receive_text()), tm.Connected)
        start = tm.parse_inbound(await ws.receive_text())
        assert isinstance(start, tm.Start)
        if log.tokens.pop(start.start.callSid, None) != start.start.customParameters.get("token"):
            await ws.close(1008, "bad stream token")
            return
        stream = log.streams[start.start.callSid] = StreamLog(start=start)
        sid, echoed, burst_until = start.streamSid, 0, 0.0

        async def send_mark(name: str) -> None:
            stream.marks_sent[name] = loop.time()
            await ws.send_text(tm.mark_out(sid, name))

        async def clear() -> None:
            nonlocal burst_until
            burst_until = 0.0
            stream.clears.append(loop.time())
            await ws.send_text(tm.clear_out(sid))

        while True:
            try:
                raw = await ws.receive_text()
            except WebSocketDisconnect:
                return
            now = loop.time()
            message = tm.parse_inbound(raw)
            assert not isinstance(message, (tm.Connected, tm.Start))
            stream.received.append((now, message))
            if isinstance(message, tm.Media):
                if start.start.customParameters["mode"] == "crash" and message.media.chunk == 10:
                    await ws.close(1011, "agent crashed")
                    return
                if message.audio == SILENCE:
                    continue
                if now < burst_until:
                    await clear()  # the caller talks over the burst: barge-in
                await ws.send_text(tm.media_out(sid, message.audio))
                echoed += 1
                if echoed % 5 == 0:
                    await send_mark(f"echo-{echoed}")
            elif isinstance(message, tm.Dtmf) and message.dtmf.digit == "1":
                names = [f"burst{len(stream.bursts) + 1}-{k}" for k in range(1, BURST_FRAMES // 5 + 1)]
                stream.bursts.append((now, names))
                burst_until = now + BURST_FRAMES * 0.02
                for k in range(BURST_FRAMES):
                    await ws.send_text(tm.media_out(sid, TONE))
                    if (k + 1) % 5 == 0:
                        await send_mark(names[k // 5])
            elif isinstance(message, tm.Dtmf) and message.dtmf.digit == "#":
                await clear()
            elif isinstance(message, tm.MarkEcho):
                stream.mark_echoes[message.mark.name] = now
            elif isinstance(message, tm.Stop):
                return

    return app


@dataclass
class Stub:
    url: str
    log: StubLog


@pytest_asyncio.fixture(scope="module")
async def gateway_stub() -> AsyncIterator[Stub]:
    log = StubLog()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(make_gateway_stub(log), log_level="warning", ws="websockets-sansio", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done(), "uvicorn failed to start"
        await asyncio.sleep(0.01)
    yield Stub(url=f"http://127.0.0.1:{port}", log=log)
    server.should_exit = True
    await task
    sock.close()


SCRIPT = [
    Silence(100),
    Say("Hello, I need help with my order."),
    WaitForAgent(timeout_s=5, quiet_ms=300),
    Dtmf("1"),                                   # stub sends a 1 s burst with 10 marks
    BargeIn("Wait.", after_agent_ms=200, timeout_s=3),  # stub clears on barge-in
    WaitForAgent(timeout_s=5, quiet_ms=200),
    Dtmf("1"),                                   # second burst...
    Silence(300),
    Dtmf("#"),                                   # ...cleared by the stub after ~300 ms
    Silence(200),
    Hangup(),
]


async def test_concurrent_calls_signed_paced_with_marks_and_clears_like_twilio(gateway_stub: Stub, tmp_path) -> None:
    results = await run_calls(
        2, gateway_url=gateway_stub.url, public_base_url=PUBLIC_BASE, auth_token=AUTH_TOKEN,
        to_number=TO_NUMBER, script=SCRIPT, stagger_ms=30, save_dir=str(tmp_path),
    )
    log = gateway_stub.log
    hooks = {h["CallSid"]: h for h in log.webhooks}
    assert len({r.from_number for r in results}) == 2

    for r in results:
        assert r.ok, (r.setup_error, r.errors)
        assert (r.closed_by, r.close_code, r.script_completed) == ("caller", 1000, True)
        assert r.setup_ms is not None and r.setup_ms < 1000

        # The webhook was signed on the public URL and carried Twilio's inbound-call form.
        hook = hooks[r.call_sid]
        assert re.fullmatch(r"CA[0-9a-f]{32}", r.call_sid) and re.fullmatch(r"AC[0-9a-f]{32}", hook["AccountSid"])
        assert hook["From"] == hook["Caller"] == r.from_number and hook["To"] == hook["Called"] == TO_NUMBER
        assert (hook["Direction"], hook["CallStatus"], hook["ApiVersion"]) == ("inbound", "ringing", "2010-04-01")

        stream = log.streams[r.call_sid]
        start = stream.start.start
        assert (start.callSid, start.streamSid, stream.start.streamSid) == (r.call_sid, r.stream_sid, r.stream_sid)
        assert start.tracks == ["inbound"] and start.mediaFormat == tm.MediaFormat()
        assert set(start.customParameters) == {"token", "mode"} and r.custom_parameters == start.customParameters

        # One sequence counter for every message; chunks and media timestamps run from the start.
        seqs = [int(m.sequenceNumber) for _, m in stream.received]
        assert seqs == list(range(2, len(seqs) + 2)) and stream.start.sequenceNumber == 1
        media = [(t, m) for t, m in stream.received if isinstance(m, tm.Media)]
        assert [int(m.media.chunk) for _, m in media] == list(range(1, len(media) + 1)) == list(range(1, r.frames_sent + 1))
        assert all(int(m.media.timestamp) == (int(m.media.chunk) - 1) * 20 for _, m in media)
        assert all(len(m.audio) == tm.FRAME_BYTES for _, m in media)
        assert isinstance(stream.received[-1][1], tm.Stop)
        assert [m.dtmf.digit for _, m in stream.received if isinstance(m, tm.Dtmf)] == ["1", "1", "#"]

        # Real-time pacing on an absolute schedule: N frames take N * 20 ms, without drift.
        t_first = media[0][0]
        span = media[-1][0] - t_first
        assert span == pytest.approx((len(media) - 1) * 0.02, abs=0.04)
        assert max(abs(t - (t_first + i * 0.02)) for i, (t, _) in enumerate(media)) < 0.04

        # Every mark comes back once; a burst mark only after the audio before it has played.
        assert stream.mark_echoes.keys() == stream.marks_sent.keys()
        assert r.marks_received == r.marks_echoed == len(stream.marks_sent)
        sent_at, names = stream.bursts[0]
        assert stream.mark_echoes[names[0]] - sent_at >= 0.1 - 0.005  # 5 frames = 100 ms of audio
        assert stream.mark_echoes[names[1]] - sent_at >= 0.2 - 0.005

        # `clear` echoes all pending marks at once, long before their audio would have played.
        assert len(stream.clears) == r.clears_received == 2
        sent_at, names = stream.bursts[1]
        cleared_at = stream.clears[1]
        pending = [n for k, n in enumerate(names, start=1) if sent_at + 0.1 * k > cleared_at + 0.05]
        assert len(pending) >= 4
        assert all(0 <= stream.mark_echoes[n] - cleared_at < 0.05 for n in pending)
        assert r.agent_audio_ms_cleared > 1000

        # Turn metrics: the echo answers at once; the barge-in was met by a clear.
        assert [t.kind for t in r.turns] == ["say", "barge_in"]
        assert r.turns[0].latency_ms is not None and 0 <= r.turns[0].latency_ms < 100
        assert r.barge_in_reaction_ms[0] is not None and 0 <= r.barge_in_reaction_ms[0] < 100
        assert r.turns[1].speech_start_s - r.turns[0].speech_end_s > 0.3 + 0.2  # waited, then barged in
        assert r.agent_audio_ms_received > r.agent_audio_ms_played > 0

        # Recordings are time-aligned from the first frame.
        assert len(r.caller_audio) == r.frames_sent * tm.FRAME_BYTES
        assert abs(len(r.agent_audio) - round(r.duration_s * 8000)) <= 1

    for index in (1, 2):
        for name in ("caller.wav", "agent.wav"):
            with wave.open(str(tmp_path / f"call-{index:03d}" / name)) as w:
                assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
                assert w.getnframes() > 8000
    rows = summarize(results)
    assert [row["status"] for row in rows] == ["ok", "ok"] and rows[0]["barge_in_ms"] != "-"


async def test_wrong_auth_token_is_rejected_403_as_setup_error(gateway_stub: Stub) -> None:
    rejected_before = gateway_stub.log.rejected
    [r] = await run_calls(
        1, gateway_url=gateway_stub.url, public_base_url=PUBLIC_BASE, auth_token="not-the-token",
        to_number=TO_NUMBER, script=[Say("Hello.")],
    )
    assert gateway_stub.log.rejected == rejected_before + 1
    assert r.setup_error is not None and "403" in r.setup_error
    assert not r.connected and r.frames_sent == 0 and not r.ok
    assert summarize([r])[0]["status"] == "setup_error"


async def test_signature_on_internal_url_instead_of_public_url_is_rejected(gateway_stub: Stub) -> None:
    [r] = await run_calls(
        1, gateway_url=gateway_stub.url, public_base_url=gateway_stub.url, auth_token=AUTH_TOKEN,
        to_number=TO_NUMBER, script=[Say("Hello.")],
    )
    assert r.setup_error is not None and "403" in r.setup_error


async def test_gateway_closing_the_stream_is_recorded_with_code_and_reason(gateway_stub: Stub) -> None:
    [r] = await run_calls(
        1, gateway_url=gateway_stub.url, public_base_url=PUBLIC_BASE, auth_token=AUTH_TOKEN,
        to_number=TO_NUMBER_CRASHING, script=[Silence(2000)],
    )
    assert r.connected and r.setup_error is None
    assert (r.closed_by, r.close_code, r.close_reason) == ("gateway", 1011, "agent crashed")
    assert not r.script_completed and 10 <= r.frames_sent < 20
    assert any("1011" in e for e in r.errors) and not r.ok
