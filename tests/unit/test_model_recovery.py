"""Model-stream recovery: the pure decisions, and the recovering stream over a scripted fake provider."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Sequence

import pytest

from actors.model_recovery import (
    EARLIER_NOTE, SORRY_CUT_OFF, SORRY_WAIT, Attempts, RecoveryPolicy, Verdict, classify, history_items,
    recovery_line, renewal,
)
from actors.providers.base import ModelReconnected, ModelStreamClosed, ModelStreamFailed
from actors.providers.recovering import RecoveringStream
from pipelines import realtime_events as rt


@pytest.mark.parametrize(("kw", "verdict"), [
    ({"close_code": 1006, "reason": "closed 1006: no close frame"}, Verdict.RETRY),
    ({"close_code": 1011, "reason": "keepalive ping timeout"}, Verdict.RETRY),
    ({"close_code": None, "reason": "connect_failed: ConnectionRefusedError"}, Verdict.RETRY),
    ({"close_code": None, "reason": "connect_failed: HTTP 503", "http_status": 503}, Verdict.RETRY),
    ({"close_code": 1000, "reason": "closed 1000: bye"}, Verdict.RETRY),  # unexpected, so retried
    ({"close_code": 1001, "reason": "Your session hit the maximum duration of 60 minutes."}, Verdict.RENEW),
    ({"close_code": 1006, "reason": "x", "last_error_code": "session_expired"}, Verdict.RENEW),
    ({"close_code": 1001, "reason": "going away"}, Verdict.RETRY),
    ({"close_code": 1008, "reason": "unknown_script"}, Verdict.FATAL),
    ({"close_code": 4000, "reason": "beta"}, Verdict.FATAL),
    ({"close_code": None, "reason": "HTTP 401", "http_status": 401}, Verdict.FATAL),
    # A quota teardown looks like a network loss; the error before it says otherwise (facts §3).
    ({"close_code": 1006, "reason": "x", "last_error_code": "insufficient_quota"}, Verdict.FATAL),
])
def test_a_lost_connection_is_classified(kw: dict[str, Any], verdict: Verdict) -> None:
    assert classify(**kw) is verdict


def test_backoff_doubles_and_stops_inside_the_budget() -> None:
    attempts = Attempts(RecoveryPolicy(budget_s=2.0, first_delay_s=0.1, max_delay_s=0.5), started_at=10.0)
    assert attempts.next_delay(10.0) == pytest.approx(0.1)
    assert attempts.next_delay(10.2) == pytest.approx(0.2)
    assert attempts.next_delay(10.5) == pytest.approx(0.4)
    assert attempts.next_delay(11.0) == pytest.approx(0.5)  # capped
    assert attempts.next_delay(11.0, jitter=0.75) == pytest.approx(0.375)
    assert attempts.next_delay(11.5) is None  # 11.5 + 0.5 would pass the 12.0 deadline
    assert attempts.remaining(11.5) == pytest.approx(0.5) and attempts.remaining(13) == 0


def test_renewal_comes_before_the_policy_limit_or_the_providers_expiry() -> None:
    policy = RecoveryPolicy(max_session_s=3300, renew_margin_s=300)
    r = renewal(policy, opened_at=100.0)
    assert (r.soft, r.hard) == (100 + 3000, 100 + 3300 - 75)
    # expires_at (epoch) sooner than the policy: a 4 s session renews in its second half.
    r = renewal(policy, opened_at=100.0, wall_at_open=1_000.0, expires_at=1_004.0)
    assert (r.soft, r.hard) == (102.0, 103.5)
    assert not r.due(101.9, response_active=False, caller_speaking=False)
    assert r.due(102.1, response_active=False, caller_speaking=False)
    assert not r.due(102.1, response_active=True, caller_speaking=False)  # waits for a quiet moment
    assert not r.due(102.1, response_active=False, caller_speaking=True)
    assert r.due(103.6, response_active=True, caller_speaking=True)  # but not past the hard line
    assert r.next_check(100.0) == pytest.approx(2.0) and r.next_check(103.4) == pytest.approx(0.1)


def test_the_caller_hears_a_line_only_when_the_gap_was_noticeable() -> None:
    assert recovery_line(renewed=True, agent_cut_off=False, caller_spoke=False, gap_s=3) is None
    assert recovery_line(renewed=True, agent_cut_off=True, caller_spoke=False, gap_s=0.1) == SORRY_CUT_OFF
    assert recovery_line(renewed=False, agent_cut_off=True, caller_spoke=True, gap_s=3) is None
    assert recovery_line(renewed=False, agent_cut_off=True, caller_spoke=False, gap_s=0.1) == SORRY_CUT_OFF
    assert recovery_line(renewed=False, agent_cut_off=False, caller_spoke=False, gap_s=1.5) == SORRY_WAIT
    assert recovery_line(renewed=False, agent_cut_off=False, caller_spoke=False, gap_s=0.2) is None


def test_history_keeps_the_newest_turns_that_fit_and_notes_what_was_left_out() -> None:
    turns = [("user", "hello"), ("assistant", "hi there"), ("user", ""), ("user", "my order"),
             ("assistant", "which one?")]
    items = history_items(turns, max_items=10, max_chars=1000)
    assert [(i["role"], i["content"][0]["type"], i["content"][0]["text"]) for i in items] == [
        ("user", "input_text", "hello"), ("assistant", "output_text", "hi there"),
        ("user", "input_text", "my order"), ("assistant", "output_text", "which one?")]
    short = history_items(turns, max_items=2, max_chars=1000)
    assert short[0]["role"] == "system" and short[0]["content"][0]["text"] == EARLIER_NOTE
    assert [i["content"][0]["text"] for i in short[1:]] == ["my order", "which one?"]
    assert [i["content"][0]["text"] for i in history_items(turns, max_items=10, max_chars=20)[1:]] == [
        "my order", "which one?"]


# ---- the recovering stream over a fake provider ------------------------------------------------


class FakeProvider:
    """Each connect pops an outcome: None (success) or a ModelStreamClosed to raise. Each session's
    events are fed through ``push``; ``drop`` ends the current session with a close."""

    def __init__(self, outcomes: Sequence[ModelStreamClosed | None] = ()) -> None:
        self.outcomes = deque(outcomes)
        self.session_id: str | None = None
        self.expires_at: float | None = None
        self.connects: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        self.sent: list[str] = []
        self.queue: asyncio.Queue[rt.ServerEvent | ModelStreamClosed] = asyncio.Queue()

    async def connect(self, session: dict[str, Any], history: Sequence[dict[str, Any]] = ()) -> None:
        outcome = self.outcomes.popleft() if self.outcomes else None
        if outcome is not None:
            raise outcome
        self.connects.append((session, list(history)))
        self.session_id = f"sess_{len(self.connects)}"
        self.queue = asyncio.Queue()

    async def send(self, event: rt.ClientEvent) -> None:
        self.sent.append(event.type)

    async def send_audio(self, audio_b64: str) -> None:
        self.sent.append(f"audio:{audio_b64}")

    async def recv(self) -> rt.ServerEvent:
        item = await self.queue.get()
        if isinstance(item, ModelStreamClosed):
            raise item
        return item

    async def close(self) -> None:
        pass


FAST = RecoveryPolicy(budget_s=1.0, first_connect_budget_s=1.0, first_delay_s=0.01, max_delay_s=0.05,
                      max_reconnects=2)
SESSION = {"type": "realtime", "instructions": "Be brief.", "audio": {"output": {"voice": "cedar"}}}


async def test_a_dropped_session_is_reopened_with_the_conversation_and_held_audio() -> None:
    fake = FakeProvider()
    history = [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi"}]}]
    stream = RecoveringStream(fake, FAST, history=lambda: history)
    await stream.connect(SESSION)
    await stream.send_audio("a1")
    fake.queue.put_nowait(rt.ResponseCreated(response={"id": "resp_1"}))
    assert isinstance(await stream.recv(), rt.ResponseCreated)
    fake.queue.put_nowait(ModelStreamClosed("closed 1006: no close frame", code=1006))
    fake.outcomes.extend([ModelStreamClosed("connect_failed: HTTP 503", http_status=503)])
    receiving = asyncio.create_task(stream.recv())
    await asyncio.sleep(0)
    await stream.send_audio("a2")  # while the model is away: held, not lost
    await stream.send(rt.ResponseCancel())  # belongs to the lost response: dropped
    notice = await receiving
    assert isinstance(notice, ModelReconnected)
    assert (notice.renewed, notice.attempts, notice.response_was_active) == (False, 2, True)
    assert notice.session_id == "sess_2" and stream.reconnects == 1
    assert fake.connects[1] == (SESSION, history)  # same settings, the conversation restored
    assert fake.sent == ["audio:a1", "audio:a2"]


async def test_a_refused_or_fatal_model_fails_the_stream_and_sends_stop_raising() -> None:
    fake = FakeProvider([ModelStreamClosed("connect_failed: HTTP 503", http_status=503)] * 100)
    stream = RecoveringStream(fake, FAST)
    with pytest.raises(ModelStreamFailed, match="gave up"):
        await stream.connect(SESSION)
    fatal = FakeProvider([ModelStreamClosed("connect_failed: HTTP 401", http_status=401)])
    stream = RecoveringStream(fatal, FAST)
    with pytest.raises(ModelStreamFailed, match="HTTP 401"):
        await stream.connect(SESSION)
    await stream.send_audio("x")  # the call goes on without a model (a transfer may follow)
    await stream.send(rt.ResponseCancel())
    with pytest.raises(ModelStreamFailed):
        await stream.recv()


async def test_a_model_that_keeps_dropping_is_given_up_after_the_reconnect_cap() -> None:
    fake = FakeProvider()
    stream = RecoveringStream(fake, FAST)
    await stream.connect(SESSION)
    for _ in range(FAST.max_reconnects):
        fake.queue.put_nowait(ModelStreamClosed("closed 1011: x", code=1011))
        assert isinstance(await stream.recv(), ModelReconnected)
    fake.queue.put_nowait(ModelStreamClosed("closed 1011: x", code=1011))
    with pytest.raises(ModelStreamFailed, match="reconnected 2 times"):
        await stream.recv()


async def test_an_error_before_the_close_decides_it() -> None:
    fake = FakeProvider()
    stream = RecoveringStream(fake, FAST)
    await stream.connect(SESSION)
    error = rt.ErrorEvent(error=rt.ErrorInfo(type="insufficient_quota", code="insufficient_quota", message="quota"))
    fake.queue.put_nowait(error)
    fake.queue.put_nowait(ModelStreamClosed("closed 1006: x", code=1006))
    assert isinstance(await stream.recv(), rt.ErrorEvent)
    with pytest.raises(ModelStreamFailed, match="insufficient_quota"):
        await stream.recv()


async def test_a_session_is_renewed_before_it_expires_at_a_quiet_moment() -> None:
    fake = FakeProvider()
    policy = FAST.model_copy(update={"max_session_s": 0.4, "renew_margin_s": 0.1})
    stream = RecoveringStream(fake, policy)
    await stream.connect(SESSION)
    fake.queue.put_nowait(rt.ResponseCreated(response={"id": "resp_1"}))
    assert isinstance(await stream.recv(), rt.ResponseCreated)
    loop = asyncio.get_running_loop()
    loop.call_later(0.4, fake.queue.put_nowait, rt.ResponseDone(response={"id": "resp_1", "status": "completed"}))
    # soft line at 0.3 s: a response is active, so it waits; the hard line (0.375 s) forces it
    assert isinstance(await stream.recv(), ModelReconnected)
    assert stream.renewals == 1 and stream.reconnects == 0 and len(fake.connects) == 2


async def test_the_providers_expiry_brings_renewal_forward() -> None:
    fake = FakeProvider()
    clock = [1000.0]
    stream = RecoveringStream(fake, FAST, wall=lambda: clock[0])
    await stream.connect(SESSION)
    fake.expires_at = 1000.4  # session.created says it ends in 0.4 s
    fake.queue.put_nowait(rt.SessionCreated(session={"id": "sess_1", "expires_at": 1000}))
    assert isinstance(await stream.recv(), rt.SessionCreated)
    started = asyncio.get_running_loop().time()
    notice = await stream.recv()
    assert isinstance(notice, ModelReconnected) and notice.renewed
    assert 0.15 < asyncio.get_running_loop().time() - started < 0.4  # soft line: 0.2 s, quiet
