"""What a session actor is told about its call (sent once over Ray at call setup)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, SecretStr

from actors.model_recovery import RecoveryPolicy
from voxray.records import AgentConfig, TelephonyConfig


class CallSetup(BaseModel):
    call_sid: str
    tenant_id: str
    from_number: str
    to_number: str
    direction: str = "inbound"
    agent: AgentConfig
    redis_url: str
    key_prefix: str
    model_websocket_base_url: str | None
    model_api_key: SecretStr
    # Shared secret the gateway presents on the media link, so no other local process can attach.
    link_key: str
    stream_connect_timeout_s: float = 60.0
    # Operator handoff: where transfers dial, and the public URL Twilio reports dial results to.
    telephony: TelephonyConfig = Field(default_factory=TelephonyConfig)
    public_base_url: str = ""
    # Tool requests are signed with the tenant's secret (Standard Webhooks, ``whsec_...``).
    tool_signing_secret: SecretStr | None = None
    tool_allow_private_hosts: bool = False
    # W3C trace context of the gateway's admission span: the actor's spans join the call's trace.
    trace_context: dict[str, str] = Field(default_factory=dict)
    # Model-stream recovery: reconnect budget, renewal before the provider's session limit.
    model_recovery: RecoveryPolicy = Field(default_factory=RecoveryPolicy)


def session_config(agent: AgentConfig, tools: list[dict[str, Any]] | None = None) -> dict[str, object]:
    """The GA ``session.update`` body for an agent (PROTOCOLS §D.2): pcmu in and out by default."""
    fmt: dict[str, object] = {"type": "audio/pcmu"} if agent.audio_mode == "pcmu" else {"type": "audio/pcm", "rate": 24000}
    audio_in: dict[str, object] = {
        "format": fmt,
        "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                           "silence_duration_ms": 500, "create_response": True, "interrupt_response": True},
    }
    if agent.transcription_model:
        audio_in["transcription"] = {"model": agent.transcription_model}
    return {
        "type": "realtime",
        "instructions": agent.instructions,
        "output_modalities": ["audio"],
        "audio": {"input": audio_in, "output": {"format": fmt, "voice": agent.voice}},
        "tools": tools or [],
        "tool_choice": "auto",
    }
