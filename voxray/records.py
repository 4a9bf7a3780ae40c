"""Domain records shared by gateway, actors and governance (pydantic, JSON in Redis)."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

E164 = r"^\+[1-9]\d{6,14}$"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class VadConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    aggressiveness: int = Field(default=2, ge=0, le=3)
    start_frames: int = Field(default=3, ge=1, le=50)
    hangover_frames: int = Field(default=15, ge=1, le=200)


class AgentConfig(BaseModel):
    """What the per-call session needs to run an agent (the runtime config of a version)."""

    model_config = ConfigDict(extra="forbid")
    name: str = "demo-agent"
    version: int = 1
    model: str = "gpt-realtime"
    voice: str = "marin"
    instructions: str = "You are a helpful phone agent for a small business. Be brief."
    # pcmu: G.711 passes through to the model untouched (PROTOCOLS §D.1); pcm16: decode and
    # resample to PCM16 24 kHz for models that do not take G.711.
    audio_mode: Literal["pcmu", "pcm16"] = "pcmu"
    vad: VadConfig = Field(default_factory=VadConfig)
    # Local realtime server only: which YAML script to run (passed as a query parameter).
    local_script: str | None = None
    mark_every_frames: int = Field(default=5, ge=1, le=50)
    transcription_model: str | None = "gpt-transcribe"


class Tenant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")
    name: str
    twilio_account_sid: str = Field(pattern=r"^AC[0-9a-f]{32}$")
    twilio_auth_token: SecretStr
    phone_numbers: list[str] = Field(default_factory=list)
    agent: AgentConfig = Field(default_factory=AgentConfig)
    max_concurrent_calls: int = Field(default=50, ge=1)

    def stored(self) -> dict[str, Any]:
        """JSON for Redis, secret included (the store is inside the trust boundary)."""
        data = self.model_dump(mode="json")
        data["twilio_auth_token"] = self.twilio_auth_token.get_secret_value()
        return data


class CallStatus(StrEnum):
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    FAILED = "failed"


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
