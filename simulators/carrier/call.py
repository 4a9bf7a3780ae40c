"""One simulated call against a voxray gateway (the asyncio shell).

Plays Twilio's part: asks the app for TwiML with a signed webhook (by default the one an
inbound call sends), then runs the ``<Connect><Stream>`` it answers with: the media leg
(``MediaSession``) streams the caller's script in real time and plays the agent's audio.
The caller's behaviour comes from ``Caller`` (pure); this module owns the call's setup.
The outbound REST simulator (``simulators.carrier.rest``) reuses ``run_stream`` for the
streams of the calls it places.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from simulators.carrier.caller import Caller
from simulators.carrier.errors import StreamUrlError
from simulators.carrier.media import MediaSession
from simulators.carrier.result import CallResult, CallTiming
from simulators.carrier.script import BargeIn, Say, Step
from simulators.carrier.twiml import Connect, Say as TwimlSay, Stream, TwimlResponse
from simulators.carrier.urls import UrlMap, map_stream_url
from simulators.carrier.webhook import API_VERSION, WEBHOOK_TIMEOUT_S, Webhook, fetch_twiml, webhook_params
from simulators.speech import synthesize_ulaw

__all__ = [
    "API_VERSION", "CallConfig", "SimulatedCall", "WEBHOOK_PATH", "map_stream_url", "new_sid", "place_call",
    "synthesize_script", "webhook_params",
]

WEBHOOK_PATH = "/api/v1/incoming-call"


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two-letter prefix + 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass(frozen=True)
class CallConfig:
    gateway_url: str
    """Where the gateway really listens, e.g. ``http://127.0.0.1:8000``."""
    public_base_url: str
    """The https base URL Twilio is configured with; webhook signatures are computed on it."""
    auth_token: str
    to_number: str
    from_number: str
    script: Sequence[Step]
    account_sid: str = field(default_factory=lambda: new_sid("AC"))
    webhook_timeout_s: float = WEBHOOK_TIMEOUT_S
    connect_timeout_s: float = 10.0
    max_duration_s: float = 600.0
    timing: bool = False
    """Keep per-frame send/arrival times in ``CallResult.timing`` (latency benchmarks)."""


class SimulatedCall:
    """Runs one call end to end; ``await SimulatedCall(config).run()`` -> ``CallResult``.

    By default an inbound call: ``call_sid`` is new and the webhook is the inbound voice
    request to ``public_base_url + WEBHOOK_PATH``. Pass ``call_sid``/``webhook`` to play
    another call's part, and ``urls`` when more than the gateway sits behind public URLs.
    """

    def __init__(
        self,
        config: CallConfig,
        *,
        http: httpx.AsyncClient | None = None,
        speak: Callable[[str], bytes] = synthesize_ulaw,
        call_sid: str | None = None,
        webhook: Webhook | None = None,
        urls: UrlMap | None = None,
    ) -> None:
        self.config = config
        self._http = http
        self._speak = speak
        self.urls = urls or UrlMap.single(config.public_base_url, config.gateway_url)
        self.result = CallResult(
            call_sid=call_sid or new_sid("CA"), stream_sid=new_sid("MZ"),
            from_number=config.from_number, to_number=config.to_number,
            timing=CallTiming() if config.timing else None,
        )
        self.webhook = webhook or Webhook(
            url=config.public_base_url.rstrip("/") + WEBHOOK_PATH,
            params=webhook_params(
                account_sid=config.account_sid, call_sid=self.result.call_sid,
                from_number=config.from_number, to_number=config.to_number,
            ),
        )

    async def run(self) -> CallResult:
        speech = await synthesize_script(self.config.script, self._speak)
        stream = await self._webhook()
        if stream is None:
            return self.result
        return await self.run_stream(stream, speech)

    async def run_stream(
        self, stream: Stream, speech: Mapping[str, bytes] | None = None, *, stop: asyncio.Event | None = None
    ) -> CallResult:
        """Open ``<Stream url>`` and play the script until the stream ends.

        Setting ``stop`` ends the stream from Twilio's side (``stop``, then close).
        """
        if speech is None:
            speech = await synthesize_script(self.config.script, self._speak)
        try:
            ws_url = self.urls.stream_url(stream.url)
        except StreamUrlError as exc:
            self.result.setup_error = str(exc)
            return self.result
        if stream.url.startswith("ws://"):
            self.result.warnings.append("Twilio would refuse a ws:// <Stream url> (error 31922); allowed for http:// dev")
        self.result.custom_parameters = dict(stream.parameters)
        ws = await self._open(ws_url)
        if ws is None:
            return self.result
        caller = Caller(self.config.script, speech.__getitem__)
        session = MediaSession(
            ws, self.result, caller,
            account_sid=self.config.account_sid, max_duration_s=self.config.max_duration_s, stop=stop,
        )
        await session.run()
        if self.result.closed_by == "gateway" and self.result.twiml is not None:
            self.result.after_stream = verbs_after_connect(self.result.twiml)
        return self.result

    async def _webhook(self) -> Stream | None:
        """Request the TwiML; return the Stream to open, or None with ``setup_error`` set."""
        result = self.result
        fetched = await fetch_twiml(
            self._http, self.webhook, auth_token=self.config.auth_token, urls=self.urls,
            timeout_s=self.config.webhook_timeout_s,
        )
        result.setup_ms = fetched.elapsed_ms
        twiml = fetched.twiml
        if twiml is None:
            result.setup_error = fetched.error
            return None
        result.twiml = twiml
        names = twiml.verb_names
        connect_at = next((i for i, v in enumerate(twiml.verbs) if isinstance(v, Connect)), None)
        if connect_at is None:
            result.setup_error = f"TwiML has no <Connect><Stream> (verbs: {', '.join(names) or 'none'})"
            return None
        ending = [n for n in names[:connect_at] if n in ("Hangup", "Reject", "Dial")]
        if ending:
            result.setup_error = f"TwiML runs <{ending[0]}> before <Connect>, so the stream never starts"
            return None
        if connect_at:
            result.warnings.append(f"verbs before <Connect> not simulated: {', '.join(names[:connect_at])}")
        connect_verb = twiml.verbs[connect_at]
        assert isinstance(connect_verb, Connect)
        return connect_verb.stream

    async def _open(self, ws_url: str) -> ClientConnection | None:
        try:
            ws = await connect(
                ws_url,
                compression=None,
                proxy=None,
                ping_interval=None,
                open_timeout=self.config.connect_timeout_s,
                max_size=2**24,
                user_agent_header="Twilio.TmeWs/1.0",
            )
        except InvalidStatus as exc:
            self.result.setup_error = f"websocket upgrade refused: HTTP {exc.response.status_code}"
            return None
        except (InvalidHandshake, InvalidURI, OSError, TimeoutError) as exc:
            self.result.setup_error = f"websocket connect to {ws_url} failed: {exc!r}"
            return None
        self.result.connected = True
        return ws


def verbs_after_connect(twiml: TwimlResponse) -> list[str]:
    """What Twilio runs once the server closes a ``<Connect><Stream>`` (the caller hears these)."""
    verbs = twiml.verbs
    at = next((i for i, v in enumerate(verbs) if isinstance(v, Connect)), len(verbs))
    return [f"Say: {v.text}" if isinstance(v, TwimlSay) else type(v).__name__ for v in verbs[at + 1:]]


async def place_call(config: CallConfig, *, http: httpx.AsyncClient | None = None) -> CallResult:
    """Run one simulated inbound call and return what it measured."""
    return await SimulatedCall(config, http=http).run()


async def synthesize_script(script: Sequence[Step], speak: Callable[[str], bytes]) -> dict[str, bytes]:
    """Synthesize every text up front, off the event loop (espeak-ng is a subprocess)."""
    texts = {step.text for step in script if isinstance(step, (Say, BargeIn))}
    audio = await asyncio.gather(*(asyncio.to_thread(speak, text) for text in texts))
    return dict(zip(texts, audio))


