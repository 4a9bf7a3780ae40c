"""Call control for a session: what the model's tools and the handoff rules make happen.

The ``ToolHost`` that ``ToolRunner`` drives (speak a line, key or collect DTMF, end the call)
and the operator handoff (announce, record the escalation, post the summary, redirect the call
through Twilio). A mixin of ``CallSession``, kept apart so the media path reads on its own.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable

import httpx
import structlog

from actors import link
from actors.agent_audio import AgentAudio
from actors.handoff import HandoffRequest, announcement, dial_result_url, transfer_twiml
from actors.handoff_rules import ForcedHandoff, HandoffRuleEngine
from actors.providers.base import ModelStream
from actors.setup import CallSetup
from actors.tool_calls import ToolRunner
from actors.tools.builtins import CollectDtmf
from actors.tools.catalog import ToolCatalog
from pipelines import realtime_events as rt
from pipelines.dtmf import Collected, DtmfCollector, DtmfError, tone_ulaw
from voxray.events import EventType
from voxray.records import CallStatus, Escalation, FunctionCall, utcnow
from voxray.store import Store
from voxray.summary import summarize

log = structlog.get_logger("voxray.session")


class CallControl:
    # Provided by CallSession (its media state) or set by _init_control (the control state).
    setup: CallSetup
    store: Store
    model: ModelStream
    clock: Callable[[], float]
    audio: AgentAudio | None
    rules: HandoffRuleEngine
    stats: dict[str, Any]
    media_ms: int
    _ending: bool
    _writer: link.LinkWriter | None
    _response_id: str | None
    _response_idle: asyncio.Event
    _handoff: HandoffRequest | None
    _stop_reason: str
    _redirected: asyncio.Future[dict[str, Any]] | None
    _collector: tuple[DtmfCollector, asyncio.Future[Collected]] | None
    _tool_ok_in_turn: bool
    _tasks: list[asyncio.Task[None]]
    catalog: ToolCatalog
    tools: ToolRunner

    def _init_control(self, setup: CallSetup, clock: Callable[[], float], http: httpx.AsyncClient | None) -> None:
        self.catalog = ToolCatalog.for_agent(setup.agent)
        self.rules = HandoffRuleEngine(setup.agent.handoff, started_at=clock())
        secret = setup.tool_signing_secret
        self.tools = ToolRunner(self, self.catalog, setup.agent.handoff, call_sid=setup.call_sid,
                                tenant_id=setup.tenant_id, session_id=setup.call_sid,
                                signing_secret=secret.get_secret_value() if secret else None,
                                http=http or httpx.AsyncClient(), clock=clock)
        self._response_idle = asyncio.Event()
        self._response_idle.set()
        self._handoff = None
        self._stop_reason = "caller_hangup"
        self._redirected = None
        self._collector = None
        self._tool_ok_in_turn = False

    if TYPE_CHECKING:
        def _now_ms(self) -> float: ...
        def _send_link(self, data: bytes) -> None: ...
        def _send_twilio(self, texts: list[str]) -> None: ...
        async def _emit(self, event: EventType, data: dict[str, Any]) -> None: ...
        async def _barge_in(self) -> None: ...
        async def _flush_transcript(self, final: bool = False) -> None: ...
        async def abort(self, code: int, reason: str, end_reason: str, status: CallStatus = CallStatus.FAILED) -> None: ...

    async def send_model(self, event: rt.ClientEvent) -> None:
        await self.model.send(event)

    async def say(self, text: str) -> None:
        """Have the agent speak one line now (a filler, an announcement)."""
        if self._response_id is None and not self._ending:
            self._response_idle.clear()  # until that response is done
            await self.model.send(rt.ResponseCreate(response={"instructions": f'Say exactly: "{text}"'}))

    async def wait_response_idle(self, timeout_s: float) -> None:
        try:
            await asyncio.wait_for(self._response_idle.wait(), timeout_s)
        except TimeoutError:
            log.warning("response_still_active", call_sid=self.setup.call_sid)

    async def record_function_call(self, fc: FunctionCall) -> None:
        await self.store.append_function_call(self.setup.tenant_id, self.setup.call_sid, fc)

    async def emit(self, event: EventType, data: dict[str, Any]) -> None:
        await self._emit(event, data)

    def tool_outcome(self, ok: bool) -> None:
        self._tool_ok_in_turn = self._tool_ok_in_turn or ok
        if not ok:
            self.stats["tool_errors"] += 1
        forced = self.rules.on_tool_outcome(ok, self.clock())
        if forced is not None:
            self._spawn(self._forced(forced))

    def media_at_ms(self) -> int:
        return self.media_ms

    def key_dtmf(self, digits: str) -> None:
        """Key DTMF in-band, as audio the far end's IVR hears (Media Streams carries no digits out)."""
        if self.audio is not None:
            now = self._now_ms()
            item = f"dtmf_{self.audio.frames_out}"
            self._send_twilio(self.audio.ulaw(item, tone_ulaw(digits), now) + self.audio.finish_item(now))

    async def collect_dtmf(self, action: CollectDtmf) -> Collected:
        collector = DtmfCollector(max_digits=action.max_digits, finish_on_key=action.finish_on_key,
                                  inter_digit_timeout_s=action.timeout_s, started_at=self.clock())
        future: asyncio.Future[Collected] = asyncio.get_running_loop().create_future()
        self._collector = (collector, future)
        try:
            while not future.done():
                deadline = collector.deadline
                delay = max(0.0, deadline - self.clock()) if deadline is not None else 1.0
                try:
                    return await asyncio.wait_for(asyncio.shield(future), delay)
                except TimeoutError:
                    if (result := collector.poll(self.clock())) is not None:
                        return result
            return future.result()
        finally:
            self._collector = None

    async def _on_dtmf(self, digit: str) -> None:
        if self._collector is not None and not self._collector[0].done:
            collector, future = self._collector
            try:
                result = collector.feed(digit, self.clock())
            except DtmfError:  # a key Twilio should never send; not worth the call
                log.warning("dtmf_ignored", call_sid=self.setup.call_sid, digit=digit[:4])
                return
            if result is not None and not future.done():
                future.set_result(result)
            return
        await self._forced(self.rules.on_dtmf(digit, self.clock()))

    async def _call_length_watch(self) -> None:
        while (deadline := self.rules.deadline) is not None:
            await asyncio.sleep(max(0.05, deadline - self.clock()))
            await self._forced(self.rules.poll(self.clock()))

    async def _forced(self, forced: ForcedHandoff | None) -> None:
        # A task of its own: the handoff waits for model events and the gateway's answer, which
        # the loops that detect these rules (media link, model events) must stay free to read.
        if forced is not None:
            self._spawn(self.hand_off(HandoffRequest(reason=f"{forced.rule}: {forced.detail}", by="rule",
                                                     mode=self.setup.agent.handoff.transfer_mode, rule=forced.rule)))

    def _spawn(self, coro: Any) -> None:
        self._tasks.append(asyncio.create_task(coro))

    async def end_call(self, reason: str) -> None:
        """The agent ends the call: let its goodbye play, then hang up through Twilio."""
        if self._handoff is not None or self._ending:
            return
        self._handoff = HandoffRequest(reason=reason, by="tool", mode="cold")  # no second redirect now
        await self._await_spoken(10.0)
        self._stop_reason = f"agent_ended: {reason}"[:200]
        if not await self._redirect("<Response><Hangup/></Response>"):
            await self.abort(1000, "call ended", self._stop_reason, status=CallStatus.COMPLETED)

    async def hand_off(self, request: HandoffRequest) -> None:
        """Move the caller to a person: announce (warm), note why and to whom, post the summary,
        then replace the call's TwiML with the operator dial (or the fallback)."""
        if self._handoff is not None or self._ending:
            return
        self._handoff = request
        log.info("handoff", call_sid=self.setup.call_sid, by=request.by, reason=request.reason, mode=request.mode)
        if self._response_id is not None:  # the model must not talk over the handoff
            await self._barge_in()
        if request.mode == "warm":
            await self.wait_response_idle(5.0)
            await self.say(announcement(request.urgency))
            await self._await_spoken(15.0)
        await self._flush_transcript()
        tenant, sid = self.setup.tenant_id, self.setup.call_sid
        twiml, target = transfer_twiml(self.setup.telephony, dial_result_url(self.setup.public_base_url, tenant))
        summary = summarize(await self.store.transcript(tenant, sid))
        await self.store.update_call(tenant, sid, summary=summary, escalation=Escalation(
            at=utcnow(), reason=request.reason, target=target, by=request.by))
        await self._emit(EventType.HANDOFF_REQUESTED, {
            "call_id": sid, "reason": request.reason, "by": request.by, "rule": request.rule, "mode": request.mode,
            "urgency": request.urgency, "target": target, "summary": summary,
            "transcript_url": f"/api/v1/voice-sessions/{sid}"})
        self._stop_reason = "transferred_to_operator" if target else "transferred_to_fallback"
        if not await self._redirect(twiml):
            # Closing the stream runs the TwiML after <Connect>: the caller hears an apology.
            await self.abort(1000, "transfer failed", "transfer_failed")

    async def _redirect(self, twiml: str, timeout_s: float = 15.0) -> bool:
        """Ask the gateway to replace the call's TwiML; True once Twilio accepted it."""
        if self._writer is None or self._writer.is_closing():
            return False
        self._redirected = asyncio.get_running_loop().create_future()
        self._send_link(link.encode_json(link.Kind.REDIRECT, {"twiml": twiml}))
        try:
            answer = await asyncio.wait_for(self._redirected, timeout_s)
        except TimeoutError:
            return False
        if not answer.get("ok"):
            log.warning("redirect_refused", call_sid=self.setup.call_sid, error=answer.get("error"))
        return bool(answer.get("ok"))

    async def _await_spoken(self, timeout_s: float) -> None:
        """Until the current response is done and the caller has heard all audio sent."""
        end = self.clock() + timeout_s
        await self.wait_response_idle(timeout_s)
        while self.audio is not None and self.audio.playout.unheard_ms(self._now_ms()) > 0 and self.clock() < end:
            await asyncio.sleep(0.05)

