"""The Twilio REST stand-in, driven by the real ``twilio`` library.

Peers: the simulator (uvicorn, in a thread), and an app stand-in (uvicorn on a free port)
that answers voice webhooks with TwiML, records status callbacks after checking their
signatures with the library's ``RequestValidator`` on the *public* URL, and accepts the
media stream. No Ray, no gateway.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx
import pytest
import pytest_asyncio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from pipelines import g711
from pipelines import twilio_media as tm
from simulators.carrier import Callee, RestSimOptions, TwilioRestSim
from simulators.carrier.script import Hangup, Say, Silence, WaitForAgent

ACCOUNT = "AC" + "1" * 32
TOKEN = "rest-sim-token-" + "0" * 17
PUBLIC = "https://app.example.test"
AGENT = "+15550100000"
TONE = bytes([0x10]) * tm.FRAME_BYTES  # loud mu-law: "agent speech"
SILENCE = bytes([g711.SILENCE_BYTE]) * tm.FRAME_BYTES
ALL_EVENTS = ["initiated", "ringing", "answered", "completed"]
SAY_TWIML = "<Response><Say>Hi there, this is a reminder.</Say></Response>"
STREAM_TWIML = (
    f'<Response><Connect><Stream url="{PUBLIC.replace("https", "wss")}/media">'
    '<Parameter name="token" value="t-1"/></Stream></Connect></Response>'
)


def number() -> str:
    return "+1555" + str(secrets.randbelow(10**7)).zfill(7)


# ---- the app stand-in ----------------------------------------------------------------------


@dataclass
class StreamLog:
    events: list[tm.Connected | tm.Start | tm.Media | tm.Dtmf | tm.MarkEcho | tm.Stop] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [m.event for m in self.events]


@dataclass
class AppLog:
    callbacks: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # by CallSid
    webhooks: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    streams: dict[str, StreamLog] = field(default_factory=dict)
    bad_signatures: list[str] = field(default_factory=list)


def make_app(log: AppLog) -> Starlette:
    validator = RequestValidator(TOKEN)

    async def signed_form(request: Request) -> dict[str, str] | None:
        form = await request.form()
        signed_url = PUBLIC + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not validator.validate(signed_url, form, request.headers.get("X-Twilio-Signature", "")):
            log.bad_signatures.append(request.url.path)
            return None
        return {k: str(v) for k, v in form.items()}

    async def status(request: Request) -> Response:
        if request.method == "GET":  # signed over the full URL, query string included, no params
            signed_url = PUBLIC + request.url.path + "?" + request.url.query
            if not validator.validate(signed_url, {}, request.headers.get("X-Twilio-Signature", "")):
                log.bad_signatures.append(request.url.path)
                return Response(status_code=403)
            form: dict[str, str] | None = dict(request.query_params)
        else:
            form = await signed_form(request)
        if form is None:
            return Response(status_code=403)
        log.callbacks.setdefault(form["CallSid"], []).append(form)
        return Response(status_code=204)

    def voice(twiml: str):  # type: ignore[no-untyped-def]
        async def answer(request: Request) -> Response:
            form = await signed_form(request)
            if form is None:
                return Response(status_code=403)
            log.webhooks.setdefault(form["CallSid"], []).append(form)
            return Response(twiml, media_type="application/xml")

        return answer

    async def media(ws: WebSocket) -> None:
        await ws.accept()
        first = tm.parse_inbound(await ws.receive_text())
        start = tm.parse_inbound(await ws.receive_text())
        assert isinstance(first, tm.Connected) and isinstance(start, tm.Start)
        stream = log.streams[start.start.callSid] = StreamLog([first, start])
        heard, answered = False, False
        while True:
            try:
                message = tm.parse_inbound(await ws.receive_text())
            except WebSocketDisconnect:
                return
            stream.events.append(message)
            if isinstance(message, tm.Stop):
                return
            if isinstance(message, tm.Media):
                speech = message.audio != SILENCE
                if heard and not speech and not answered:  # the callee stopped talking: 200 ms reply
                    answered = True
                    for _ in range(10):
                        await ws.send_text(tm.media_out(start.streamSid, TONE))
                heard = heard or speech

    return Starlette(routes=[
        Route("/status", status, methods=["GET", "POST"]),
        Route("/voice/say", voice(SAY_TWIML), methods=["POST"]),
        Route("/voice/stream", voice(STREAM_TWIML), methods=["POST"]),
        Route("/voice/broken", voice("<Response><Dance/></Response>"), methods=["POST"]),
        WebSocketRoute("/media", media),
    ])


@dataclass
class App:
    url: str
    log: AppLog


@pytest_asyncio.fixture(scope="module")
async def app() -> AsyncIterator[App]:
    log = AppLog()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(make_app(log), log_level="warning", ws="websockets-sansio", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done(), "app stand-in failed to start"
        await asyncio.sleep(0.01)
    yield App(url=f"http://127.0.0.1:{sock.getsockname()[1]}", log=log)
    server.should_exit = True
    await task
    sock.close()


@pytest.fixture(scope="module")
def sim(app: App) -> Iterator[TwilioRestSim]:
    """The simulator in its own thread, as product tests would run it next to their own loop."""
    options = RestSimOptions(queue_ms=5, setup_ms=5, say_ms_per_char=4, dial_leg_ms=300)
    quick = Callee(ring_ms=50, script=(Say("Hello?"), WaitForAgent(timeout_s=3, quiet_ms=200), Hangup()))
    simulator = TwilioRestSim({ACCOUNT: TOKEN}, routes={PUBLIC: app.url}, default_callee=quick, options=options)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest_asyncio.fixture
async def client(sim: TwilioRestSim) -> AsyncIterator[Client]:
    http = AsyncTwilioHttpClient()
    twilio = Client(ACCOUNT, TOKEN, http_client=http)
    assert sim.base_url is not None
    twilio.api.base_url = sim.base_url  # PROTOCOLS §C.3, way 1
    yield twilio
    await http.close()


async def place(client: Client, to: str, path: str, events: list[str] | None = ALL_EVENTS) -> str:
    kwargs = {"status_callback_event": events} if events is not None else {}
    call = await client.calls.create_async(
        to=to, from_=AGENT, url=f"{PUBLIC}{path}", method="POST",
        status_callback=f"{PUBLIC}/status", status_callback_method="POST", **kwargs,
    )
    assert call.sid is not None
    return call.sid


async def until(condition, timeout_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.01)


# ---- tests ---------------------------------------------------------------------------------


async def test_answered_call_runs_twiml_and_sends_signed_callbacks_in_order(
    client: Client, sim: TwilioRestSim, app: App
) -> None:
    to = number()
    call = await client.calls.create_async(
        to=to, from_=AGENT, url=f"{PUBLIC}/voice/say", method="POST",
        status_callback=f"{PUBLIC}/status", status_callback_method="POST", status_callback_event=ALL_EVENTS,
    )
    assert call.sid is not None and re.fullmatch(r"CA[0-9a-f]{32}", call.sid)
    assert (call.status, call.direction, call.to, call._from, call.account_sid) == (
        "queued", "outbound-api", to, AGENT, ACCOUNT)
    assert call.date_created is not None and call.api_version == "2010-04-01" and call.duration is None

    timeline = await sim.wait_for_call(call.sid)
    callbacks = app.log.callbacks[call.sid]
    assert [c["CallStatus"] for c in callbacks] == ["initiated", "ringing", "in-progress", "completed"]
    assert [c["SequenceNumber"] for c in callbacks] == ["0", "1", "2", "3"]
    for c in callbacks:
        assert (c["AccountSid"], c["From"], c["To"], c["Direction"], c["ApiVersion"], c["CallbackSource"]) == (
            ACCOUNT, AGENT, to, "outbound-api", "2010-04-01", "call-progress-events")
        assert parsedate_to_datetime(c["Timestamp"]).tzinfo is not None
    assert [("CallDuration" in c) for c in callbacks] == [False, False, False, True]
    assert int(callbacks[-1]["CallDuration"]) >= 1
    assert not app.log.bad_signatures

    [hook] = app.log.webhooks[call.sid]
    assert (hook["CallStatus"], hook["Direction"], hook["To"], hook["Called"], hook["From"], hook["Caller"]) == (
        "in-progress", "outbound-api", to, to, AGENT, AGENT)

    assert [v.verb for v in timeline.verbs] == ["Say"] and timeline.verbs[0].detail.startswith("Hi there")
    assert [c.http_status for c in timeline.callbacks] == [204] * 4
    assert (timeline.status, timeline.end_reason) == ("completed", "end of TwiML")
    fetched = await client.calls(call.sid).fetch_async()
    assert (fetched.status, fetched.duration) == ("completed", callbacks[-1]["CallDuration"])
    assert fetched.end_time is not None and fetched.start_time is not None


async def test_status_callback_defaults_to_the_completed_event_only(
    client: Client, sim: TwilioRestSim, app: App
) -> None:
    sid = await place(client, number(), "/voice/say", events=None)
    await sim.wait_for_call(sid)
    assert [c["CallStatus"] for c in app.log.callbacks[sid]] == ["completed"]
    assert app.log.callbacks[sid][0]["SequenceNumber"] == "0"


@pytest.mark.parametrize(("answer", "statuses"), [
    ("busy", ["initiated", "busy"]),
    ("no-answer", ["initiated", "ringing", "no-answer"]),
    ("failed", ["initiated", "failed"]),
])
async def test_unanswered_numbers_end_busy_no_answer_or_failed_without_a_webhook(
    client: Client, sim: TwilioRestSim, app: App, answer: str, statuses: list[str]
) -> None:
    to = number()
    async with httpx.AsyncClient() as http:  # the local control endpoint
        response = await http.put(f"{sim.base_url}/local/numbers/{to}", json={"answer": answer, "ring_ms": 50})
    assert response.status_code == 200 and response.json()["answer"] == answer

    sid = await place(client, to, "/voice/say")
    timeline = await sim.wait_for_call(sid)

    callbacks = app.log.callbacks[sid]
    assert [c["CallStatus"] for c in callbacks] == statuses
    assert callbacks[-1]["CallDuration"] == "0"
    assert sid not in app.log.webhooks and timeline.verbs == []
    fetched = await client.calls(sid).fetch_async()
    assert (fetched.status, fetched.duration) == (answer, None)


async def test_ringing_call_canceled_over_rest_reports_canceled(client: Client, sim: TwilioRestSim, app: App) -> None:
    to = number()
    sim.set_callee(to, Callee(ring_ms=5000))
    sid = await place(client, to, "/voice/say")
    await until(lambda: [c["CallStatus"] for c in app.log.callbacks.get(sid, [])][-1:] == ["ringing"])

    updated = await client.calls(sid).update_async(status="canceled")

    assert updated.status == "canceled"
    await sim.wait_for_call(sid, timeout_s=2)
    assert [c["CallStatus"] for c in app.log.callbacks[sid]] == ["initiated", "ringing", "canceled"]


async def test_stream_call_runs_the_callee_script_until_the_callee_hangs_up(
    client: Client, sim: TwilioRestSim, app: App
) -> None:
    sid = await place(client, number(), "/voice/stream")
    timeline = await sim.wait_for_call(sid)

    stream = app.log.streams[sid]
    start = stream.events[1]
    assert isinstance(start, tm.Start) and start.start.customParameters == {"token": "t-1"}
    assert start.start.accountSid == ACCOUNT and stream.names[-1] == "stop"
    assert any(isinstance(m, tm.Media) and m.audio != SILENCE for m in stream.events)
    [media] = timeline.media
    assert (media.connected, media.closed_by, media.stop_sent, media.script_completed) == (True, "caller", True, True)
    assert media.timeouts == [] and media.errors == []
    assert media.agent_audio_ms_received == pytest.approx(200)
    assert (timeline.status, timeline.end_reason) == ("completed", "callee hung up")
    assert [c["CallStatus"] for c in app.log.callbacks[sid]][-1] == "completed"


async def test_update_with_dial_twiml_stops_the_live_stream_and_records_the_dial(
    client: Client, sim: TwilioRestSim, app: App
) -> None:
    to = number()
    sim.set_callee(to, Callee(ring_ms=50, script=(Say("Hello?"), Silence(10_000))))
    sid = await place(client, to, "/voice/stream")
    await until(lambda: sid in app.log.streams and len(app.log.streams[sid].events) > 5)

    updated = await client.calls(sid).update_async(twiml="<Response><Dial>+15551230003</Dial></Response>")

    assert updated.status == "in-progress"
    timeline = await sim.wait_for_call(sid)
    stream = app.log.streams[sid]
    stop = stream.events[-1]
    assert isinstance(stop, tm.Stop) and stop.stop.callSid == sid and stop.streamSid == stream.events[1].streamSid
    [media] = timeline.media
    assert (media.closed_by, media.stop_sent, media.script_completed) == ("carrier", True, False)
    assert timeline.dials == ["Number:+15551230003"]
    assert [v.verb for v in timeline.verbs] == ["Connect", "Dial"]
    assert [t.source for t in timeline.twiml] == ["create-url", "update-twiml"]
    update = next(r for r in timeline.requests if r.form.get("Twiml"))
    assert update.form["Twiml"] == ["<Response><Dial>+15551230003</Dial></Response>"] and update.status == 200
    dial_at = timeline.verbs[1].t
    assert timeline.statuses[-1][0] - dial_at >= 0.3 - 0.005  # the operator leg lasted dial_leg_ms
    assert (timeline.status, timeline.end_reason) == ("completed", "end of TwiML")

    async with httpx.AsyncClient() as http:  # the same timeline over the local endpoint
        body = (await http.get(f"{sim.base_url}/local/calls/{sid}")).json()
    assert body["dials"] == ["Number:+15551230003"] and body["media"][0]["stop_sent"] is True
    assert body["resource"]["status"] == "completed"


async def test_update_status_completed_hangs_up_the_live_stream(client: Client, sim: TwilioRestSim, app: App) -> None:
    to = number()
    sim.set_callee(to, Callee(ring_ms=50, script=(Silence(10_000),)))
    sid = await place(client, to, "/voice/stream")
    await until(lambda: sid in app.log.streams and len(app.log.streams[sid].events) > 3)

    updated = await client.calls(sid).update_async(status="completed")

    assert updated.status == "completed" and updated.duration is not None
    timeline = await sim.wait_for_call(sid)
    assert app.log.streams[sid].names[-1] == "stop"
    assert timeline.media[0].closed_by == "carrier" and timeline.end_reason == "hung up over REST"
    assert [c["CallStatus"] for c in app.log.callbacks[sid]][-1] == "completed"
    with pytest.raises(TwilioRestException) as exc:  # an ended call cannot be redirected
        await client.calls(sid).update_async(twiml="<Response><Hangup/></Response>")
    assert (exc.value.status, exc.value.code) == (400, 21220)


async def test_update_with_url_fetches_new_twiml_with_a_signed_webhook(
    client: Client, sim: TwilioRestSim, app: App
) -> None:
    to = number()
    sim.set_callee(to, Callee(ring_ms=50, script=(Silence(10_000),)))
    sid = await place(client, to, "/voice/stream")
    await until(lambda: sid in app.log.streams and len(app.log.streams[sid].events) > 3)

    await client.calls(sid).update_async(url=f"{PUBLIC}/voice/say", method="POST")

    timeline = await sim.wait_for_call(sid)
    assert app.log.streams[sid].names[-1] == "stop"
    assert [(w.reason, w.http_status) for w in timeline.webhooks] == [("create-url", 200), ("update-url", 200)]
    assert [h["CallStatus"] for h in app.log.webhooks[sid]] == ["in-progress", "in-progress"]
    assert [v.verb for v in timeline.verbs] == ["Connect", "Say"] and timeline.status == "completed"
    assert not app.log.bad_signatures


async def test_invalid_twiml_from_the_webhook_ends_the_call_with_an_application_error(
    client: Client, sim: TwilioRestSim
) -> None:
    sid = await place(client, number(), "/voice/broken")
    timeline = await sim.wait_for_call(sid)
    assert (timeline.status, timeline.end_reason) == ("completed", "application error")
    assert "12100" in timeline.errors[0]


async def test_get_status_callbacks_are_signed_over_the_query_string(
    client: Client, sim: TwilioRestSim, app: App
) -> None:
    call = await client.calls.create_async(
        to=number(), from_=AGENT, twiml=SAY_TWIML, status_callback=f"{PUBLIC}/status?tenant=t1",
        status_callback_method="GET", status_callback_event=["answered", "completed"],
    )
    assert call.sid is not None
    await sim.wait_for_call(call.sid)
    callbacks = app.log.callbacks[call.sid]
    assert [(c["CallStatus"], c["tenant"]) for c in callbacks] == [("in-progress", "t1"), ("completed", "t1")]
    assert not app.log.bad_signatures


async def test_stopping_the_simulator_ends_live_calls_with_stop_and_callback(app: App) -> None:
    sim = TwilioRestSim({ACCOUNT: TOKEN}, routes={PUBLIC: app.url},
                        default_callee=Callee(ring_ms=10, script=(Silence(10_000),)))
    await sim.start_async()
    twilio = sim.client(ACCOUNT)
    call = await asyncio.to_thread(
        twilio.calls.create, to=number(), from_=AGENT, url=f"{PUBLIC}/voice/stream",
        status_callback=f"{PUBLIC}/status",
    )
    assert call.sid is not None
    sid = call.sid
    await until(lambda: sid in app.log.streams and len(app.log.streams[sid].events) > 3)

    await asyncio.wait_for(sim.stop_async(), 5)

    timeline = sim.call(sid)
    assert timeline is not None and timeline.ended and timeline.end_reason == "simulator stopped"
    assert app.log.streams[sid].names[-1] == "stop" and timeline.media[0].closed_by == "carrier"
    assert [c["CallStatus"] for c in app.log.callbacks[sid]] == ["completed"]


async def test_bad_credentials_raise_twilio_rest_exception_20003(sim: TwilioRestSim) -> None:
    http = AsyncTwilioHttpClient()
    twilio = Client(ACCOUNT, "not-the-token", http_client=http)
    twilio.api.base_url = sim.base_url
    try:
        with pytest.raises(TwilioRestException) as exc:
            await twilio.calls.create_async(to=number(), from_=AGENT, twiml=SAY_TWIML)
    finally:
        await http.close()
    assert (exc.value.status, exc.value.code) == (401, 20003)


async def test_another_accounts_calls_are_not_found(client: Client) -> None:
    other = "AC" + "2" * 32
    with pytest.raises(TwilioRestException) as exc:
        await client.api.v2010.accounts(other).calls.create_async(to=number(), from_=AGENT, twiml=SAY_TWIML)
    assert (exc.value.status, exc.value.code) == (404, 20404)


@pytest.mark.parametrize(("to", "from_", "twiml", "code"), [
    ("5551234", AGENT, SAY_TWIML, 21211),
    ("+15551234567", "not-a-number", SAY_TWIML, 21212),
    ("+15551234567", AGENT, None, 21205),
])
async def test_invalid_create_requests_raise_twilio_error_codes(
    client: Client, to: str, from_: str, twiml: str | None, code: int
) -> None:
    with pytest.raises(TwilioRestException) as exc:
        await client.calls.create_async(to=to, from_=from_, twiml=twiml)
    assert (exc.value.status, exc.value.code) == (400, code)


async def test_unknown_call_sid_is_20404(client: Client) -> None:
    unknown = "CA" + "0" * 32
    for request in (client.calls(unknown).fetch_async(), client.calls(unknown).update_async(status="completed")):
        with pytest.raises(TwilioRestException) as exc:
            await request
        assert (exc.value.status, exc.value.code) == (404, 20404)


async def test_sync_client_in_a_thread_against_a_simulator_in_this_loop(app: App) -> None:
    options = RestSimOptions(queue_ms=1, setup_ms=1, say_ms_per_char=1)
    async with TwilioRestSim({ACCOUNT: TOKEN}, routes={PUBLIC: app.url}, options=options,
                             default_callee=Callee(ring_ms=10)) as sim:
        twilio = sim.client(ACCOUNT)  # the sync TwilioHttpClient (requests)
        call = await asyncio.to_thread(
            twilio.calls.create, to=number(), from_=AGENT, twiml=SAY_TWIML,
            status_callback=f"{PUBLIC}/status", status_callback_event=["answered", "completed"],
        )
        assert call.sid is not None
        timeline = await sim.wait_for_call(call.sid)
    assert [c.call_status for c in timeline.callbacks] == ["in-progress", "completed"]
    assert [t.source for t in timeline.twiml] == ["create-twiml"] and timeline.status == "completed"
