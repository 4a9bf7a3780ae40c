"""The local model server's fault knobs, driven through its control route and the real SDK stream.

Each knob is set at runtime (``GET /local/faults``) for one model name, and observed through the
provider stream the session actors use (``OpenAIRealtimeStream``): a refused connect, a drop with
no close frame, the maximum-duration close, a slow answer, a session restored after a drop.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import AsyncIterator

import httpx
import pytest
from openai import AsyncOpenAI

from actors.providers.base import ModelStreamClosed
from actors.providers.openai_realtime import OpenAIRealtimeStream
from pipelines import realtime_events as rt
from simulators.realtime import RealtimeServerConfig, RunningServer, serve
from simulators.realtime.faults import FaultBook, FaultError, Faults, parse_changes

pytestmark = pytest.mark.asyncio

SESSION = {"type": "realtime", "instructions": "Be brief.", "output_modalities": ["audio"],
           "audio": {"output": {"voice": "marin"}}}


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[RunningServer]:
    running = await serve(RealtimeServerConfig(think_ms=10, pace=500))
    yield running
    await running.close()


def control_url(server: RunningServer) -> str:
    return server.url.replace("ws://", "http://").removesuffix("/v1") + "/local/faults"


async def set_faults(server: RunningServer, **knobs: object) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(control_url(server), params={k: str(v) for k, v in knobs.items()})


def stream(server: RunningServer, model: str, script: str | None = None) -> OpenAIRealtimeStream:
    client = AsyncOpenAI(api_key="sk-test", websocket_base_url=server.url, max_retries=0)
    return OpenAIRealtimeStream(client=client, model=model, extra_query={"script": script} if script else None)


async def events_until(s: OpenAIRealtimeStream, kind: type, limit: int = 200) -> list[rt.ServerEvent]:
    seen: list[rt.ServerEvent] = []
    for _ in range(limit):
        ev = await s.recv()
        seen.append(ev)  # type: ignore[arg-type]
        if isinstance(ev, kind):
            return seen
    raise AssertionError(f"no {kind.__name__} in {[e.type for e in seen]}")


def model_name() -> str:
    return f"gpt-realtime-{secrets.token_hex(4)}"


async def test_fault_book_counts_down_one_shot_knobs_per_model() -> None:
    book = FaultBook()
    book.change("m1", {"refuse_next": 2, "drop_after_s": 1.5, "drop_sessions": 1})
    assert [book.take_refusal("m1") for _ in range(3)] == [True, True, False]
    assert book.take_refusal("other") is False  # scoped to m1
    assert book.take_drop("m1") == (1.5, 1006) and book.take_drop("m1") is None
    book.change(None, {"drop_after_s": 2.0, "drop_sessions": -1})  # every session, every model without its own
    assert book.take_drop("other") == (2.0, 1006) and book.take_drop("other") == (2.0, 1006)
    with pytest.raises(FaultError):
        parse_changes({"explode": ["1"]})
    with pytest.raises(FaultError):
        Faults(drop_code=1005).check()
    assert parse_changes({"session_ttl_s": ["none"], "delay_ms": ["200"], "model": ["x"]}) == {
        "session_ttl_s": None, "delay_ms": 200}


async def test_control_route_refuses_bad_knobs(server: RunningServer) -> None:
    r = await set_faults(server, model="m", refuse_next=-1)
    assert r.status_code == 400 and "refuse_next" in r.json()["error"]["message"]
    r = await set_faults(server, model="m", bogus=1)
    assert r.status_code == 400
    r = await set_faults(server, model="m", refuse_next=1)
    assert r.status_code == 200 and r.json()["by_model"]["m"]["refuse_next"] == 1


async def test_refused_connects_surface_as_http_503_then_the_server_accepts_again(server: RunningServer) -> None:
    model = model_name()
    await set_faults(server, model=model, refuse_next=2)
    for _ in range(2):
        with pytest.raises(ModelStreamClosed) as refused:
            await stream(server, model).connect(SESSION)
        assert refused.value.http_status == 503
    s = stream(server, model)
    await s.connect(SESSION)
    assert (await s.recv()).type == "session.created"
    await s.close()


async def test_a_drop_has_no_close_frame_and_drop_now_reaches_live_sessions(server: RunningServer) -> None:
    model = model_name()
    await set_faults(server, model=model, drop_after_s=0.2, drop_sessions=1)
    s = stream(server, model)
    await s.connect(SESSION)
    with pytest.raises(ModelStreamClosed) as closed:
        await events_until(s, rt.ResponseDone)
    assert closed.value.code == 1006
    await s.close()
    s = stream(server, model)  # the one-shot drop is used up: this session lives until drop_now
    await s.connect(SESSION)
    await events_until(s, rt.SessionUpdated)
    r = await set_faults(server, model=model, drop_now=1011)
    assert r.json()["dropped"] == 1
    with pytest.raises(ModelStreamClosed) as closed:
        await events_until(s, rt.ResponseDone)
    assert closed.value.code == 1011
    await s.close()


async def test_the_session_limit_sends_session_expired_then_closes_1001(server: RunningServer) -> None:
    model = model_name()
    await set_faults(server, model=model, session_ttl_s=1)
    s = stream(server, model)
    await s.connect(SESSION)
    created = (await s.recv())
    assert created.type == "session.created" and s.expires_at is not None
    assert s.expires_at - time.time() < 1.5
    seen: list[str] = []
    with pytest.raises(ModelStreamClosed) as closed:
        for _ in range(50):
            ev = await s.recv()
            seen.append(str(ev.error.code) if isinstance(ev, rt.ErrorEvent) else ev.type)
    assert "session_expired" in seen and closed.value.code == 1001
    assert "maximum duration" in closed.value.reason
    await s.close()


async def test_a_slow_model_answers_after_the_added_delay(server: RunningServer) -> None:
    model = model_name()
    await set_faults(server, model=model, delay_ms=600)
    s = stream(server, model)
    await s.connect(SESSION)
    await events_until(s, rt.SessionUpdated)
    started = asyncio.get_running_loop().time()
    await s.send(rt.ResponseCreate(response={"instructions": 'Say exactly: "Hello."'}))
    await events_until(s, rt.OutputAudioDelta)
    assert asyncio.get_running_loop().time() - started >= 0.6
    await s.close()


async def test_a_restored_conversation_is_not_greeted_again_and_the_script_resumes(server: RunningServer) -> None:
    s = stream(server, model_name(), script="demo")
    greeting = "Hello, thanks for calling Acme support. This is the voxray demo agent. How can I help you today?"
    history = [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": greeting}]},
               {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "My order."}]},
               {"type": "message", "role": "assistant",
                "content": [{"type": "output_text", "text": "Sure. Could you tell me your order number, please?"}]}]
    await s.connect(SESSION, history)
    seen = await events_until(s, rt.SessionUpdated)
    assert sum(1 for e in seen if e.type == "conversation.item.done") == 3
    await s.send(rt.ResponseCreate())  # the next scripted turn: the tool call after the two said lines
    seen = await events_until(s, rt.ResponseDone)
    assert any(isinstance(e, rt.FunctionCallArgumentsDone) for e in seen), [e.type for e in seen]
    await s.close()
