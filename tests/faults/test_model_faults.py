"""Model faults on real simulated calls (make-call -> carrier simulator -> gateway -> session
actor -> local model server), each stating what the caller heard and what the records say.

| fault                          | the caller hears                                  | the records say                         |
|--------------------------------|---------------------------------------------------|-----------------------------------------|
| model dropped mid-call         | the conversation go on (the next scripted answer) | completed, model_reconnects 1           |
| model away for 1.4 s           | "Sorry about the wait, I'm here. Please go on."   | completed, model_reconnects 1           |
| model refuses every reconnect  | the operator's line ringing (a <Dial>)            | failed, model_error ... transferred     |
| same, no operator configured   | the fallback message and a recording prompt       | failed, model_error ... fallback        |
| model answers 2.5 s late       | every answer, late                                | completed, turn p95 >= 2500 ms          |
| model sessions limited to 8 s  | every answer, no apology                          | completed, model_reconnects 0, renewed  |
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from actors.model_recovery import SORRY_CUT_OFF, SORRY_WAIT
from simulators.carrier import Say, Silence, WaitForAgent
from tests.conftest import Live
from tests.faults.calls import agent_lines, fault_tenant, live_state, model_faults, model_session_events, place, \
    said, wait_state
from tests.integration.api import new_number

pytestmark = pytest.mark.asyncio

GREETING = "Hello, you have reached the recovery test line."
FIRST = "First answer. I can help with that."
SECOND = "Second answer. We are still talking after the line came back."


async def test_a_model_dropped_mid_call_is_reconnected_and_the_conversation_goes_on(
        api: httpx.AsyncClient, live: Live) -> None:
    ft = await fault_tenant(api, live)

    async def drop_after_first_answer(sid: str) -> None:
        await wait_state(api, sid, lambda s: s["agent_responses"] >= 2)
        assert (await model_faults(live, model=ft.model, drop_now=1006))["dropped"] == 1
        await wait_state(api, sid, lambda s: s["model_reconnects"] == 1)

    placed = await place(api, live, ft, during=drop_after_first_answer)
    call = placed.session["call"]
    # The caller heard the greeting, the first answer, and after the drop the *second* answer:
    # the new session knew the conversation and carried on; no apology for a silent ~50 ms gap.
    assert agent_lines(placed.session) == [GREETING, FIRST, SECOND], agent_lines(placed.session)
    results = live.stack.carrier.media_results(placed.sid)  # type: ignore[union-attr]
    assert [t.latency_ms is not None for t in results[0].turns] == [True, True]
    assert (call["status"], placed.record.model_reconnects) == ("completed", 1)
    # The new session was restored: the conversation as items before the same session settings.
    assert placed.record.model_session_id
    events = await model_session_events(live, placed.record.model_session_id)
    restored = [e["item"]["content"][0]["text"] for e in events if e["type"] == "conversation.item.create"]
    assert restored == [GREETING, FIRST]
    kinds = [e["type"] for e in events]
    assert kinds.index("session.update") > kinds.index("conversation.item.create")
    update = next(e for e in events if e["type"] == "session.update")
    assert update["session"]["instructions"] and update["session"]["audio"]["output"]["voice"] == "marin"


async def test_a_noticeable_gap_is_apologized_for(api: httpx.AsyncClient, live: Live) -> None:
    ft = await fault_tenant(api, live)

    async def slow_reconnect(sid: str) -> None:
        await wait_state(api, sid, lambda s: s["agent_responses"] >= 2)
        await model_faults(live, model=ft.model, connect_delay_ms=1400)
        await model_faults(live, model=ft.model, drop_now=1006)
        await wait_state(api, sid, lambda s: s["model_reconnects"] == 1)
        await model_faults(live, model=ft.model, connect_delay_ms=0)

    placed = await place(api, live, ft, during=slow_reconnect)
    lines = agent_lines(placed.session)
    assert SORRY_WAIT in lines and SORRY_CUT_OFF not in lines, lines
    assert lines.index(SORRY_WAIT) == 2 and SECOND in lines  # after the first answer; then carried on
    assert (placed.session["call"]["status"], placed.record.model_reconnects) == ("completed", 1)


async def refused_for_good(api: httpx.AsyncClient, live: Live, model: str, sid: str) -> None:
    await wait_state(api, sid, lambda s: s["agent_responses"] >= 2)
    await model_faults(live, model=model, refuse_next=1000)
    await model_faults(live, model=model, drop_now=1006)


async def test_a_model_refusing_every_reconnect_transfers_the_caller_to_the_operator(
        api: httpx.AsyncClient, live: Live) -> None:
    operator = new_number()
    ft = await fault_tenant(api, live, telephony={"operator_number": operator})
    try:
        placed = await place(api, live, ft, during=lambda sid: refused_for_good(api, live, ft.model, sid))
    finally:
        await model_faults(live, model=ft.model, reset=1)
    # The caller heard the operator's line ring (Twilio ran the <Dial> of the transfer), not dead air.
    assert placed.timeline.dials == [f"Number:{operator}"]
    call = placed.session["call"]
    assert call["status"] == "failed" and call["end_reason"].startswith("model_error: ")
    assert call["end_reason"].endswith("-> transferred_to_operator") and "gave up" in call["end_reason"]
    assert call["escalation"]["by"] == "rule" and call["escalation"]["target"] == operator
    assert call["escalation"]["reason"].startswith("model_unavailable: ")
    assert placed.record.model_reconnects == 1


async def test_with_no_operator_a_refusing_model_plays_the_fallback(api: httpx.AsyncClient, live: Live) -> None:
    ft = await fault_tenant(api, live, telephony={"fallback_message": "Our assistant is unavailable, sorry."})
    try:
        placed = await place(api, live, ft, during=lambda sid: refused_for_good(api, live, ft.model, sid))
    finally:
        await model_faults(live, model=ft.model, reset=1)
    assert "Our assistant is unavailable, sorry." in said(placed.timeline)
    assert "Record" in [v.verb for v in placed.timeline.verbs] and not placed.timeline.dials
    call = placed.session["call"]
    assert call["status"] == "failed" and call["end_reason"].endswith("-> transferred_to_fallback")


async def test_a_slow_model_is_waited_for_and_every_answer_is_heard(api: httpx.AsyncClient, live: Live) -> None:
    ft = await fault_tenant(api, live)
    await model_faults(live, model=ft.model, delay_ms=2500)
    placed = await place(api, live, ft)
    assert agent_lines(placed.session) == [GREETING, FIRST, SECOND]
    results = live.stack.carrier.media_results(placed.sid)  # type: ignore[union-attr]
    latencies = [t.latency_ms for t in results[0].turns]
    assert all(ms is not None and ms >= 2500 for ms in latencies), latencies
    call = placed.session["call"]
    assert (call["status"], placed.record.model_reconnects) == ("completed", 0)
    assert placed.record.turn_latency_p95_ms is not None and placed.record.turn_latency_p95_ms >= 2500


async def test_sessions_are_renewed_before_the_providers_limit_without_the_caller_noticing(
        api: httpx.AsyncClient, live: Live) -> None:
    ft = await fault_tenant(api, live)
    # A session lives 14 s here: renewal looks for a quiet moment from 7 s and is forced at 12.25 s.
    # The caller leaves 4.5 s of quiet after the greeting and after the first answer, so each of
    # the two renewals finds one even when a busy host stretches the turns by a second or two
    # (a turn alone, speech + VAD + think + answer, is ~4.7 s: shorter than the window).
    await model_faults(live, model=ft.model, session_ttl_s=14)
    seen: dict[str, Any] = {"renewals": 0, "sessions": set()}

    async def watch(sid: str) -> None:
        await wait_state(api, sid, lambda s: s.get("state") == "in_call")
        while (state := await live_state(api, sid)) and state.get("state") == "in_call":
            seen["renewals"] = max(seen["renewals"], state.get("model_renewals", 0))
            seen["sessions"].add(state["model_session_id"])
            await asyncio.sleep(0.2)

    script = (WaitForAgent(15), Silence(4500), Say("I have a question about my order."), WaitForAgent(15),
              Silence(4500), Say("Are you still there?"), WaitForAgent(15), Silence(1000))
    placed = await place(api, live, ft, script=script, during=watch)
    lines = agent_lines(placed.session)
    assert lines == [GREETING, FIRST, SECOND], lines  # no apology, nothing repeated
    assert seen["renewals"] >= 2 and len(seen["sessions"]) >= 3, seen
    assert (placed.session["call"]["status"], placed.record.model_reconnects) == ("completed", 0)
