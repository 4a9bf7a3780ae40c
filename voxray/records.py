"""Domain records shared by gateway, actors and governance (pydantic, JSON in Redis)."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from voxray.sealing import Sealer, SealingUnavailable, is_sealed

E164 = r"^\+[1-9]\d{6,14}$"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_signing_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def p95(values: list[float]) -> float | None:
    """Nearest-rank 95th percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


class VadConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    aggressiveness: int = Field(default=2, ge=0, le=3)
    start_frames: int = Field(default=3, ge=1, le=50)
    hangover_frames: int = Field(default=15, ge=1, le=200)


BuiltinTool = Literal["transfer_to_operator", "end_call", "send_dtmf", "collect_dtmf"]


DEFAULT_BUILTINS: tuple[BuiltinTool, ...] = ("transfer_to_operator", "end_call")


class ToolSpec(BaseModel):
    """A tenant workflow tool: the model calls it; the session POSTs the arguments to ``endpoint``."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-zA-Z][a-zA-Z0-9_-]{0,63}$")
    description: str = Field(min_length=1, max_length=1024)
    # JSON Schema (draft 2020-12) of the arguments object.
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    endpoint: str = Field(pattern=r"^https?://", max_length=2048)
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=1, ge=0, le=5)
    retry_backoff_s: float = Field(default=0.3, ge=0, le=10)
    # Whether the agent keeps the caller company with a filler line while the tool runs.
    speak_while_running: bool = True
    filler_after_ms: int = Field(default=1500, ge=0, le=60_000)
    filler_text: str = Field(default="One moment while I look that up.", max_length=300)


class HandoffRules(BaseModel):
    """Rules that hand the caller to a person regardless of what the model decides."""

    model_config = ConfigDict(extra="forbid")
    keywords: list[str] = Field(default_factory=lambda: ["operator", "human", "real person", "representative"])
    dtmf_digit: str | None = Field(default="0", pattern=r"^[0-9*#]$")
    max_tool_failures: int | None = Field(default=3, ge=1)
    max_turns_without_progress: int | None = Field(default=8, ge=1)
    max_call_s: float | None = Field(default=1800.0, gt=0)
    transfer_mode: Literal["cold", "warm"] = "warm"


class AgentConfig(BaseModel):
    """What the per-call session needs to run an agent (the runtime config of a version)."""

    model_config = ConfigDict(extra="forbid")
    name: str = "demo-agent"
    version: int = 1
    model: str = "gpt-realtime"
    voice: str = "marin"
    instructions: str = "You are a helpful phone agent for a small business. Be brief."
    # Names the prompt in the tenant's prompt library that ``instructions`` was taken from.
    prompt_key: str | None = None
    # pcmu: G.711 passes through to the model untouched (PROTOCOLS §D.1); pcm16: decode and
    # resample to PCM16 24 kHz for models that do not take G.711.
    audio_mode: Literal["pcmu", "pcm16"] = "pcmu"
    vad: VadConfig = Field(default_factory=VadConfig)
    # Local realtime server only: which YAML script to run (passed as a query parameter).
    local_script: str | None = None
    mark_every_frames: int = Field(default=5, ge=1, le=50)
    transcription_model: str | None = "gpt-transcribe"
    tools: list[ToolSpec] = Field(default_factory=list, max_length=64)
    builtin_tools: list[BuiltinTool] = Field(default_factory=lambda: list(DEFAULT_BUILTINS))
    handoff: HandoffRules = Field(default_factory=HandoffRules)


class TelephonyConfig(BaseModel):
    """Per-tenant telephony defaults (runtime config; data in Redis, not environment)."""

    model_config = ConfigDict(extra="forbid")
    # Outbound caller ID; must be one of the tenant's numbers.
    caller_id: str | None = Field(default=None, pattern=E164)
    # Where operator handoffs dial, and what callers get when no operator is reachable.
    operator_number: str | None = Field(default=None, pattern=E164)
    fallback_number: str | None = Field(default=None, pattern=E164)
    fallback_message: str = "All of our operators are busy. Please leave a message after the tone."


class RateLimits(BaseModel):
    """Token buckets: ``*_per_s`` refill rate and ``*_burst`` capacity, per tenant and per key."""

    model_config = ConfigDict(extra="forbid")
    tenant_per_s: float = Field(default=50.0, gt=0, le=100_000)
    tenant_burst: int = Field(default=100, ge=1, le=1_000_000)
    key_per_s: float = Field(default=20.0, gt=0, le=100_000)
    key_burst: int = Field(default=40, ge=1, le=1_000_000)


class Tenant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")
    name: str = Field(min_length=1, max_length=200)
    twilio_account_sid: str = Field(pattern=r"^AC[0-9a-f]{32}$")
    twilio_auth_token: SecretStr
    phone_numbers: list[str] = Field(default_factory=list)
    agent: AgentConfig = Field(default_factory=AgentConfig)
    telephony: TelephonyConfig = Field(default_factory=TelephonyConfig)
    max_concurrent_calls: int = Field(default=50, ge=1)
    # shared: calls share session-actor processes (the default, cheap); dedicated: each live call
    # gets a process of its own, reused for this tenant's next call (never another tenant's).
    isolation: Literal["shared", "dedicated"] = "shared"
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    # Bumped by every runtime-config change; calls record the version they started with.
    config_version: int = 1
    # Signs the requests the agent's tools send to the tenant (Standard Webhooks).
    tool_signing_secret: SecretStr = Field(default_factory=lambda: SecretStr(new_signing_secret()))
    created_at: datetime = Field(default_factory=utcnow)

    def stored(self, sealer: "Sealer") -> dict[str, Any]:
        """JSON for Redis, its secrets sealed (voxray/sealing.py: Redis never holds them in clear)."""
        data = self.model_dump(mode="json")
        for name in SEALED_TENANT_FIELDS:
            data[name] = sealer.seal(getattr(self, name).get_secret_value())
        return data

    @classmethod
    def from_stored(cls, raw: bytes | str, sealer: "Sealer | None") -> "Tenant":
        """Parse what ``stored`` wrote, opening its secrets (legacy cleartext is read as it is)."""
        data = orjson.loads(raw)
        for name in SEALED_TENANT_FIELDS:
            value = data.get(name)
            if isinstance(value, str) and is_sealed(value):
                if sealer is None:
                    raise SealingUnavailable("a tenant secret is sealed but no secrets key is configured")
                data[name] = sealer.open(value)
        return cls.model_validate(data)


SEALED_TENANT_FIELDS = ("twilio_auth_token", "tool_signing_secret")


class CallStatus(StrEnum):
    """Twilio's call statuses (PROTOCOLS C.4), ``initiated`` included."""

    QUEUED = "queued"
    INITIATED = "initiated"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = {CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED, CallStatus.CANCELED}


class Escalation(BaseModel):
    """A handoff to a person: when, why, to whom, and whether a tool or a rule asked for it."""

    at: datetime
    reason: str
    target: str | None = None
    by: Literal["tool", "rule", "operator"] = "tool"
    # How the operator's <Dial> ended, once Twilio said (set once: replayed callbacks change nothing).
    dial_status: str | None = None


class CallRecord(BaseModel):
    call_sid: str
    tenant_id: str
    direction: Literal["inbound", "outbound"] = "inbound"
    from_number: str
    to_number: str
    status: CallStatus = CallStatus.RINGING
    agent_name: str = ""
    agent_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_s: float | None = None
    turns: int = 0
    end_reason: str | None = None
    model_session_id: str | None = None
    node: str | None = None
    escalation: Escalation | None = None
    summary: str | None = None
    config_version: int = 0
    # Launch governance: which route and arm served the call, and what the sweep compares.
    route_number: str | None = None
    arm: Literal["stable", "canary", "fallback"] | None = None
    turn_latency_p95_ms: float | None = None
    tool_calls: int = 0
    tool_errors: int = 0
    # Model sessions reopened after an unexpected loss (planned renewals not counted).
    model_reconnects: int = 0


class Speaker(StrEnum):
    CALLER = "caller"
    AGENT = "agent"


class TranscriptSegment(BaseModel):
    speaker: Speaker
    # None when the words are unknown (the model could not transcribe the caller).
    text: str | None
    start_ms: int
    end_ms: int
    item_id: str | None = None
    interrupted: bool = False


class FunctionCall(BaseModel):
    call_id: str
    name: str
    arguments: str
    result: str | None = None
    status: Literal["completed", "failed"] = "completed"
    latency_ms: float | None = None
    at_ms: int = 0


class QaState(StrEnum):
    UNREVIEWED = "unreviewed"
    PASSED = "passed"
    FAILED = "failed"


class QaReview(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: QaState = QaState.UNREVIEWED
    notes: str = Field(default="", max_length=4000)
    score: float | None = Field(default=None, ge=0, le=100)
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None


class SessionReview(BaseModel):
    """What people add to a voice session after the call: tags and the QA verdict."""

    model_config = ConfigDict(extra="forbid")
    tags: list[str] = Field(default_factory=list)
    qa: QaReview = Field(default_factory=QaReview)
