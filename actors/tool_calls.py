"""The model's function calls during a call: tenant tools over HTTP, built-in actions, fillers.

Calls are collected per response and run once that response is done (``response.done``), so
``response.create`` never races the model's own response (the server refuses a second active
response). All calls of a response run together; their outputs go back as
``function_call_output`` items followed by one ``response.create`` (PROTOCOLS D.2). A slow tool
gets a filler line after its ``filler_after_ms``; a timeout or error is a structured output the
model can talk about, never a hung call.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import orjson
import structlog

from actors import metrics
from actors.handoff import HandoffRequest
from actors.tools.builtins import CollectDtmf, EndCall, SendDtmf, Transfer, acknowledgement, parse_builtin
from actors.tools.arguments import InvalidArguments
from actors.tools.catalog import ToolCatalog
from actors.tools.invoker import ToolOutcome, invoke
from pipelines import realtime_events as rt
from pipelines.dtmf import Collected
from voxray.events import EventType
from voxray.records import FunctionCall, HandoffRules, ToolSpec

log = structlog.get_logger("voxray.tools")


class ToolHost(Protocol):
    """What the runner needs from the call session."""

    async def send_model(self, event: rt.ClientEvent) -> None: ...
    async def say(self, text: str) -> None: ...
    async def wait_response_idle(self, timeout_s: float) -> None: ...
    async def record_function_call(self, fc: FunctionCall) -> None: ...
    async def emit(self, event: EventType, data: dict[str, Any]) -> None: ...
    async def hand_off(self, request: HandoffRequest) -> None: ...
    async def end_call(self, reason: str) -> None: ...
    def key_dtmf(self, digits: str) -> None: ...
    async def collect_dtmf(self, action: CollectDtmf) -> Collected: ...
    def tool_outcome(self, ok: bool) -> None: ...
    def media_at_ms(self) -> int: ...


@dataclass(frozen=True)
class PendingCall:
    call_id: str
    name: str
    arguments: str


@dataclass
class Done:
    """One call's result: the output for the model, and an action that ends the turn, if any."""

    call: PendingCall
    output: str
    status: str
    latency_ms: float
    final: Transfer | EndCall | None = None


class ToolRunner:
    def __init__(self, host: ToolHost, catalog: ToolCatalog, handoff: HandoffRules, *, call_sid: str,
                 tenant_id: str, session_id: str, signing_secret: str | None, http: httpx.AsyncClient,
                 clock: Any) -> None:
        self.host, self.catalog, self.handoff = host, catalog, handoff
        self.call_sid, self.tenant_id, self.session_id = call_sid, tenant_id, session_id
        self.signing_secret, self.http, self.clock = signing_secret, http, clock
        self._pending: dict[str, list[PendingCall]] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    def on_arguments_done(self, ev: rt.FunctionCallArgumentsDone) -> None:
        self._pending.setdefault(ev.response_id, []).append(PendingCall(ev.call_id, ev.name, ev.arguments))

    def on_response_done(self, response_id: str, cancelled: bool) -> None:
        calls = self._pending.pop(response_id, [])
        if calls and not cancelled:  # an interrupted response's calls are dropped with it
            task = asyncio.create_task(self._run(calls), name=f"tools-{self.call_sid}")
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _run(self, calls: list[PendingCall]) -> None:
        try:
            done = await asyncio.gather(*(self._one(c) for c in calls))
            final = next((d.final for d in done if d.final is not None), None)
            await self.host.wait_response_idle(timeout_s=15)  # a filler may still be speaking
            for d in done:
                await self.host.send_model(rt.ItemCreate(item={"type": "function_call_output",
                                                               "call_id": d.call.call_id, "output": d.output}))
            if isinstance(final, Transfer):
                await self.host.hand_off(HandoffRequest(reason=final.reason, by="tool", mode=self.handoff.transfer_mode,
                                                        urgency=final.urgency))
            elif isinstance(final, EndCall):
                await self.host.end_call(final.reason)
            else:
                await self.host.send_model(rt.ResponseCreate())
        except asyncio.CancelledError:
            raise
        except Exception:  # a tool path bug must not take the call down silently
            log.exception("tool_run_failed", call_sid=self.call_sid)

    async def _one(self, call: PendingCall) -> Done:
        started = self.clock()
        target = self.catalog.lookup(call.name)
        if target is None:
            output = orjson.dumps({"error": "unknown_tool",
                                   "message": f"no tool named {call.name!r} is enabled for this agent"}).decode()
            done = Done(call, output, "failed", 0.0)
        elif isinstance(target, ToolSpec):
            outcome = await self._invoke(target, call)
            done = Done(call, outcome.model_output(), "completed" if outcome.ok else "failed", outcome.latency_ms)
        else:
            done = await self._builtin(call, target, started)
        self.host.tool_outcome(done.status == "completed")
        metrics.tool_call(call.name if isinstance(target, str) else "webhook" if target else "unknown",
                          done.status, done.latency_ms)
        await self.host.record_function_call(FunctionCall(
            call_id=call.call_id, name=call.name, arguments=call.arguments, result=_redacted(call.name, done.output),
            status="completed" if done.status == "completed" else "failed", latency_ms=done.latency_ms,
            at_ms=self.host.media_at_ms()))
        await self.host.emit(EventType.TOOL_CALLED, {"call_id": self.call_sid, "tool": call.name,
                                                     "status": done.status, "latency_ms": done.latency_ms})
        return done

    async def _invoke(self, spec: ToolSpec, call: PendingCall) -> ToolOutcome:
        if self.signing_secret is None:
            raise RuntimeError("tool signing secret missing")
        task = asyncio.ensure_future(invoke(spec, call.arguments, call_id=call.call_id, call_sid=self.call_sid,
                                            session_id=self.session_id, tenant_id=self.tenant_id,
                                            signing_secret=self.signing_secret, http=self.http, clock=self.clock))
        if spec.speak_while_running:
            try:
                return await asyncio.wait_for(asyncio.shield(task), spec.filler_after_ms / 1000)
            except TimeoutError:
                await self.host.say(spec.filler_text)  # keep the caller company
        return await task

    async def _builtin(self, call: PendingCall, name: str, started: float) -> Done:
        action = parse_builtin(name, call.arguments)  # type: ignore[arg-type]
        if isinstance(action, InvalidArguments):
            return Done(call, orjson.dumps(action.to_model()).decode(), "failed", 0.0)
        elapsed = lambda: round((self.clock() - started) * 1000, 2)  # noqa: E731
        if isinstance(action, SendDtmf):
            self.host.key_dtmf(action.digits)
            return Done(call, acknowledgement(action, sent=action.digits), "completed", elapsed())
        if isinstance(action, CollectDtmf):
            got = await self.host.collect_dtmf(action)
            return Done(call, acknowledgement(action, digits=got.digits, reason=got.reason), "completed", elapsed())
        return Done(call, acknowledgement(action), "completed", elapsed(), final=action)


def _redacted(name: str, output: str) -> str:
    """Digits a caller keyed (PINs) never reach the stored record; the model still gets them."""
    if name != "collect_dtmf":
        return output
    try:
        data = orjson.loads(output)
    except orjson.JSONDecodeError:
        return output
    if isinstance(data, dict) and isinstance(data.get("digits"), str):
        data["digits"] = "*" * len(data["digits"])
    return orjson.dumps(data).decode()
