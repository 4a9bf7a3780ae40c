"""The life of one outbound call placed over REST (the asyncio shell).

queued -> initiated -> ringing -> in-progress -> completed, or busy / no-answer / failed /
canceled, as the callee at the number behaves (``Callee``). Once answered the call runs
TwiML, fetched from ``Url`` (a signed voice webhook) or given inline: ``<Connect><Stream>``
through ``SimulatedCall.run_stream`` with the callee's script; ``<Say>``/``<Dial>`` are
recorded and take time; ``<Hangup>`` ends the call. A REST update replaces the running TwiML
(the stream gets ``stop``, PROTOCOLS §C.2) or hangs up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx

from simulators.carrier import twiml as tw
from simulators.carrier.call import CallConfig, SimulatedCall
from simulators.carrier.errors import TwimlError
from simulators.carrier.rest import errors
from simulators.carrier.rest.callbacks import StatusCallbacks, Subscription
from simulators.carrier.rest.callee import Callee
from simulators.carrier.rest.params import CreateCall, UpdateCall
from simulators.carrier.rest.resource import CALLBACK_EVENT, CallRecord, CallStatus, rfc2822
from simulators.carrier.rest.timeline import CallTimeline, MediaSummary, TwimlLog, VerbLog, WebhookLog
from simulators.carrier.result import CallResult
from simulators.carrier.urls import UrlMap
from simulators.carrier.webhook import Webhook, fetch_twiml, voice_params

Ending = Literal["end of TwiML", "<Hangup>", "callee hung up", "interrupted"]


@dataclass(frozen=True)
class RestSimOptions:
    """Timings and limits of simulated calls (short by default, for tests)."""

    queue_ms: int = 10
    """queued -> initiated."""
    setup_ms: int = 10
    """initiated -> ringing (or busy / failed after the callee's ``ring_ms``)."""
    say_ms_per_char: float = 60.0
    """How long ``<Say>`` takes per character of text (about 165 words a minute)."""
    dial_leg_ms: int = 500
    """How long the leg a ``<Dial>`` connects lasts before the dialed party hangs up."""
    webhook_timeout_s: float = 15.0
    callback_timeout_s: float = 15.0
    max_calls_kept: int = 500
    """Ended calls kept for inspection; the oldest are dropped first."""
    keep_audio: bool = False
    """Keep the recordings in each stream's ``CallResult`` (memory grows with call length)."""


@dataclass(frozen=True)
class CallEnv:
    """What every call shares: the HTTP client, URL routes, options, speech and the wall clock."""

    http: httpx.AsyncClient
    urls: UrlMap
    options: RestSimOptions
    speak: Callable[[str], bytes]
    clock: Callable[[], datetime]


@dataclass(frozen=True)
class Instructions:
    """TwiML to run next: inline (``twiml``) or fetched from ``url``. ``source`` says where from."""

    source: str
    twiml: str | None = None
    url: str | None = None
    method: str = "POST"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{'https' if parts.scheme in ('https', 'wss') else 'http'}://{parts.netloc}"


class OutboundCall:
    """One call: its resource, timeline and the task that runs it (``start()``)."""

    def __init__(self, record: CallRecord, request: CreateCall, callee: Callee, *, auth_token: str, env: CallEnv):
        self.record = record
        self.request = request
        self.callee = callee
        self.auth_token = auth_token
        self.env = env
        self._loop = asyncio.get_running_loop()
        self._t0 = self._loop.time()
        self.timeline = CallTimeline(
            sid=record.sid, account_sid=record.account_sid, to=record.to, from_=record.from_,
            created_at=rfc2822(record.date_created), statuses=[(0.0, record.status)],
        )
        self.callbacks = StatusCallbacks(
            Subscription(request.status_callback, request.status_callback_method, request.status_callback_events),
            http=env.http, urls=env.urls, auth_token=auth_token, timeline=self.timeline, elapsed=self.elapsed,
            timeout_s=env.options.callback_timeout_s,
        )
        #: Set when the running instructions must stop: new TwiML, or the call hung up.
        self._wake = asyncio.Event()
        self._next: Instructions | None = None
        self.media_results: list[CallResult] = []
        self.task: asyncio.Task[None] | None = None

    def elapsed(self) -> float:
        return self._loop.time() - self._t0

    def start(self) -> None:
        self.task = asyncio.create_task(self._life(), name=f"call-{self.record.sid}")

    # ---- REST updates (called from request handlers; they never wait) ---------------------

    def update(self, update: UpdateCall) -> None:
        """Apply ``POST .../Calls/{sid}.json``; raises ``TwilioApiError`` as Twilio would."""
        if update.status_callback or update.status_callback_method:
            self.callbacks.resubscribe(update.status_callback, update.status_callback_method)
        if update.status is not None:
            self._hang_up(update.status)
            return
        if update.twiml is None and update.url is None:
            return
        if self.record.ended:
            raise errors.not_in_progress()
        source = "update-url" if update.url is not None else "update-twiml"
        self._next = Instructions(source, twiml=update.twiml, url=update.url, method=update.method)
        if self.record.status == "in-progress":
            self._wake.set()  # a queued or ringing call keeps them for when it is answered

    def abort(self, reason: str) -> None:
        """End the call now (the simulator is stopping)."""
        if not self.record.ended:
            self._move("completed" if self.record.status == "in-progress" else "canceled", reason)
        self._wake.set()

    def _hang_up(self, status: Literal["completed", "canceled"]) -> None:
        record = self.record
        if record.ended:
            return  # Twilio answers with the resource as it is
        if record.status == "in-progress":
            if status == "canceled":
                # Only queued or ringing calls can be canceled (PROTOCOLS §C.2); Twilio ignores it.
                self.timeline.warnings.append("Status=canceled ignored: the call is in progress")
                return
            self._move("completed", "hung up over REST")
        else:
            # An unanswered call ends canceled whichever of the two was asked (⚠ inferred).
            self._move("canceled", f"Status={status} over REST before answer")
        self._wake.set()

    # ---- the call's life ------------------------------------------------------------------

    async def _life(self) -> None:
        try:
            if await self._ring():
                ending = await self._converse()
                if not self.record.ended:
                    self._move("completed", ending)
        except asyncio.CancelledError:
            self.abort("simulator stopped")
            self.callbacks.close()
            self.timeline.ended = True
            raise
        except Exception as exc:  # a simulator bug: recorded, and the call still ends
            self.timeline.errors.append(f"simulator failure: {exc!r}")
            if not self.record.ended:
                self._move("failed", "simulator failure")
        await self.callbacks.drain(self.env.options.callback_timeout_s)
        self.callbacks.close()
        self.timeline.ended = True

    async def _ring(self) -> bool:
        """Dial the callee; True once answered (in-progress)."""
        options, callee, record = self.env.options, self.callee, self.record
        if not await self._pause(options.queue_ms):
            return False
        now = self.env.clock()
        record.initiate(now)
        self.timeline.statuses.append((self.elapsed(), "initiated"))
        self.callbacks.fire("initiated", "initiated", record, now)
        if not await self._pause(options.setup_ms):
            return False
        if callee.answer in ("busy", "failed"):
            if await self._pause(callee.ring_ms):
                self._move(callee.answer, f"callee {callee.answer}")
            return False
        self._move("ringing")
        timeout_ms = self.request.timeout_s * 1000
        if not await self._pause(min(callee.ring_ms, timeout_ms)):
            return False
        if callee.answer == "no-answer" or callee.ring_ms > timeout_ms:
            self._move("no-answer", "callee did not answer")
            return False
        if self.request.machine_detection:
            self.timeline.warnings.append("MachineDetection is not simulated; AnsweredBy is never sent")
        self._move("in-progress")
        return True

    async def _converse(self) -> str:
        """Run the call's TwiML, and whatever updates replace it, until the call ends."""
        request = self.request
        instructions: Instructions | None = self._next or (
            Instructions("create-url", url=request.url, method=request.method)
            if request.url is not None
            else Instructions("create-twiml", twiml=request.twiml)
        )
        self._next = None
        ending = "end of TwiML"
        while instructions is not None and not self.record.ended:
            self._wake.clear()
            twiml = await self._load(instructions)
            if twiml is None:
                if self._next is None:
                    return "application error"
                ending = "interrupted"
            else:
                ending = await self._execute(twiml)
            if ending != "interrupted":
                return ending
            instructions, self._next = self._next, None
        return ending

    async def _load(self, instructions: Instructions) -> tw.TwimlResponse | None:
        """The TwiML to run, or None with the error recorded (Twilio then hangs up)."""
        document: str | None = instructions.twiml
        if instructions.url is not None:
            record = self.record
            webhook = Webhook(
                instructions.url,
                voice_params(
                    account_sid=record.account_sid, call_sid=record.sid, from_number=record.from_,
                    to_number=record.to, call_status="in-progress", direction=record.direction,
                ),
                instructions.method,
            )
            started = self.elapsed()
            fetched = await fetch_twiml(
                self.env.http, webhook, auth_token=self.auth_token, urls=self.env.urls,
                timeout_s=self.env.options.webhook_timeout_s,
            )
            self.timeline.webhooks.append(
                WebhookLog(
                    t=started, reason=instructions.source, url=instructions.url, method=instructions.method,
                    http_status=fetched.http_status, error=fetched.error, elapsed_ms=fetched.elapsed_ms,
                )
            )
            twiml, document, error = fetched.twiml, fetched.document, fetched.error
        else:
            try:
                twiml, error = tw.parse_twiml(document or ""), None
            except TwimlError as exc:
                twiml, error = None, f"invalid TwiML (Twilio error 12100): {exc}"
        if twiml is None:
            self.timeline.errors.append(error or "no TwiML")
            return None
        self.timeline.twiml.append(TwimlLog(self.elapsed(), instructions.source, document or "", twiml.verb_names))
        return twiml

    async def _execute(self, twiml: tw.TwimlResponse) -> Ending:
        """Run the verbs in order; stop early when woken (new instructions or hang-up)."""
        options = self.env.options
        for verb in twiml.verbs:
            if self._wake.is_set():
                return "interrupted"
            if isinstance(verb, tw.Connect):
                closed_by = await self._stream(verb.stream)
                if self._wake.is_set():
                    return "interrupted"
                if closed_by == "caller":
                    return "callee hung up"
                # The app closed the socket: Twilio goes on after </Connect> (PROTOCOLS §A.1).
            elif isinstance(verb, tw.Say):
                self._verb("Say", verb.text)
                if not await self._pause(len(verb.text) * options.say_ms_per_char):
                    return "interrupted"
            elif isinstance(verb, tw.Dial):
                self._verb("Dial", ", ".join(f"{t.kind}:{t.value}" for t in verb.targets))
                if not await self._pause(options.dial_leg_ms):
                    return "interrupted"
            elif isinstance(verb, tw.Hangup):
                self._verb("Hangup")
                return "<Hangup>"
            elif isinstance(verb, tw.Reject):
                # <Reject> keeps an *incoming* call from being answered (busy / no-answer); this
                # outbound call is already answered, so it just ends (⚠ inferred).
                self._verb("Reject", verb.reason, note="call already answered: ends completed")
                return "<Hangup>"
            else:
                self._verb(verb.name, note="not simulated")
        return "end of TwiML"

    async def _stream(self, stream: tw.Stream) -> str | None:
        """Run ``<Connect><Stream>`` with the callee's script; returns who closed it."""
        record, env = self.record, self.env
        route = env.urls.route_for(stream.url)
        config = CallConfig(
            gateway_url=route.real_base_url if route else _origin(stream.url),
            public_base_url=route.public_base_url if route else _origin(stream.url),
            auth_token=self.auth_token, to_number=record.to, from_number=record.from_,
            script=self.callee.script, account_sid=record.account_sid,
            webhook_timeout_s=env.options.webhook_timeout_s, max_duration_s=float(self.request.time_limit_s),
        )
        self._verb("Connect", stream.url)
        call = SimulatedCall(config, http=env.http, speak=env.speak, call_sid=record.sid, urls=env.urls)
        result = await call.run_stream(stream, stop=self._wake)
        if not env.options.keep_audio:
            result.caller_audio = result.agent_audio = b""
        self.media_results.append(result)
        self.timeline.media.append(MediaSummary.of(result, stream.url))
        if result.setup_error is not None:
            self.timeline.errors.append(f"media stream: {result.setup_error}")
        return result.closed_by

    # ---- helpers --------------------------------------------------------------------------

    async def _pause(self, ms: float) -> bool:
        """Wait ``ms``; False (at once) if woken: new instructions, or the call hung up."""
        if self._wake.is_set():
            return False
        try:
            await asyncio.wait_for(self._wake.wait(), ms / 1000)
        except TimeoutError:
            return True
        return False

    def _move(self, status: CallStatus, reason: str | None = None) -> None:
        now = self.env.clock()
        self.record.move(status, now)
        timeline = self.timeline
        timeline.statuses.append((self.elapsed(), status))
        timeline.status = status
        if self.record.ended:
            timeline.duration_s = self.record.duration_s
            timeline.end_reason = reason
        self.callbacks.fire(CALLBACK_EVENT[status], status, self.record, now)

    def _verb(self, verb: str, detail: str = "", note: str = "") -> None:
        self.timeline.verbs.append(VerbLog(self.elapsed(), verb, detail, note))
