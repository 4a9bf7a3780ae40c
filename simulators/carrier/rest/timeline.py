"""What happened on one simulated outbound call, for tests to inspect.

Times ``t`` are seconds since the call was created (the event loop's clock). Lists stay
short (a call makes a handful of requests); the registry bounds how many calls are kept.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from simulators.carrier.result import CallResult


@dataclass
class RestRequestLog:
    """A REST request about this call, with its form fields (e.g. the ``Twiml`` of an update)."""

    t: float
    method: str
    path: str
    form: dict[str, list[str]]
    status: int
    error_code: int | None = None


@dataclass
class CallbackLog:
    """A status callback: what was sent and how the app answered (``http_status`` or ``error``)."""

    t: float
    event: str
    call_status: str
    sequence_number: int
    url: str
    method: str
    params: dict[str, str]
    http_status: int | None = None
    error: str | None = None


@dataclass
class WebhookLog:
    """A request for TwiML: on answer (``reason="answer"``) or for an update's ``Url``."""

    t: float
    reason: str
    url: str
    method: str
    http_status: int | None
    error: str | None
    elapsed_ms: float | None


@dataclass
class TwimlLog:
    """A TwiML document the call started to run, and where it came from."""

    t: float
    source: str
    document: str
    verbs: list[str]


@dataclass
class VerbLog:
    """A verb as executed. ``detail``: Say text, Dial targets (``"Number:+1555..."``), Stream URL."""

    t: float
    verb: str
    detail: str = ""
    note: str = ""


@dataclass
class MediaSummary:
    """The gist of one media stream's ``CallResult``."""

    stream_sid: str
    stream_url: str
    connected: bool
    setup_error: str | None
    closed_by: str | None
    close_code: int | None
    stop_sent: bool
    script_completed: bool
    frames_sent: int
    frames_received: int
    agent_audio_ms_received: float
    agent_audio_ms_played: float
    duration_s: float
    custom_parameters: dict[str, str]
    errors: list[str]
    timeouts: list[str]

    @classmethod
    def of(cls, result: CallResult, stream_url: str) -> "MediaSummary":
        return cls(
            stream_sid=result.stream_sid, stream_url=stream_url, connected=result.connected,
            setup_error=result.setup_error, closed_by=result.closed_by, close_code=result.close_code,
            stop_sent=result.stop_sent, script_completed=result.script_completed, frames_sent=result.frames_sent,
            frames_received=result.frames_received, agent_audio_ms_received=result.agent_audio_ms_received,
            agent_audio_ms_played=result.agent_audio_ms_played, duration_s=result.duration_s,
            custom_parameters=dict(result.custom_parameters), errors=list(result.errors),
            timeouts=list(result.timeouts),
        )


@dataclass
class CallTimeline:
    """Everything observable about one call, in order within each list."""

    sid: str
    account_sid: str
    to: str
    from_: str
    created_at: str
    statuses: list[tuple[float, str]] = field(default_factory=list)
    requests: list[RestRequestLog] = field(default_factory=list)
    callbacks: list[CallbackLog] = field(default_factory=list)
    webhooks: list[WebhookLog] = field(default_factory=list)
    twiml: list[TwimlLog] = field(default_factory=list)
    verbs: list[VerbLog] = field(default_factory=list)
    media: list[MediaSummary] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: str = "queued"
    duration_s: int | None = None
    end_reason: str | None = None
    ended: bool = False

    @property
    def dials(self) -> list[str]:
        """Targets of every ``<Dial>`` executed, e.g. ``["Number:+15551230003"]``."""
        return [v.detail for v in self.verbs if v.verb == "Dial"]

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["from"] = body.pop("from_")
        body["dials"] = self.dials
        return body
