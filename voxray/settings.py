"""Process settings: one pydantic-settings object read from ``VOXRAY_*`` environment variables.

Per-tenant runtime config is data in Redis, not here. Built at start-up (``load_settings``),
never at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXRAY_", extra="ignore")

    # Record plane. None: `voxray up` starts a private redis-server with AOF under data_dir.
    redis_url: str | None = None
    key_prefix: str = Field(default="vx", pattern=r"^[a-z0-9_-]{1,32}$")
    data_dir: Path = Path("var")

    # Gateway.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # The URL Twilio is configured with (e.g. https://voice.example.com). Signatures are checked
    # against it, never against the socket address (PROTOCOLS §B.3). Default: http://host:port.
    public_base_url: str | None = None
    ws_max_message_bytes: int = Field(default=64 * 1024, ge=1024)
    webhook_max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    # Stream tokens (one-call, single-use credentials for the media websocket).
    stream_token_secret: SecretStr | None = None
    stream_token_ttl_s: int = Field(default=60, ge=5, le=3600)
    # A call whose media stream has not started by then is ended and recorded as failed.
    stream_start_timeout_s: float = Field(default=30.0, gt=0, le=3600)

    # Ray and session actors.
    ray_address: str | None = None
    # Spare call slots kept on ready session actors, so call setup never starts a process.
    warm_pool_size: int = Field(default=4, ge=0, le=1000)
    # Calls one session actor hosts. 1: every call gets its own actor process, retired after
    # the call. More: fewer processes (each costs ~145 MB and ~0.6 % of a core when idle).
    calls_per_actor: int = Field(default=1, ge=1, le=1000)
    max_live_calls: int = Field(default=200, ge=1)
    actor_cpus: float = Field(default=0.01, gt=0)
    # Interface the actor's media socket binds to; the gateway connects there. On a
    # multi-node cluster use 0.0.0.0 (the actor then advertises its node IP).
    media_bind_host: str = "127.0.0.1"

    # Model. None: `voxray up` starts the local realtime server and points here.
    openai_api_key: SecretStr = SecretStr("sk-local")
    openai_websocket_base_url: str | None = None
    local_model_port: int = Field(default=8765, ge=0, le=65535)
    local_model_script: str | None = "demo"

    # Bootstrap admin key for /api/v1/admin/* (any string); admins then mint vxa_ keys.
    admin_key: SecretStr | None = None
    browser_session_ttl_s: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    # Rate limits (token buckets) that are not per tenant: admin keys, unauthenticated
    # endpoints and failed authentication, per client address.
    admin_rate_per_s: float = Field(default=50.0, gt=0)
    admin_burst: int = Field(default=200, ge=1)
    anon_rate_per_s: float = Field(default=0.5, gt=0)
    anon_burst: int = Field(default=10, ge=1)
    auth_fail_per_s: float = Field(default=2.0, gt=0)
    auth_fail_burst: int = Field(default=30, ge=1)
    # JSON API bodies larger than this get 413.
    api_max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    idempotency_ttl_s: int = Field(default=24 * 3600, ge=60)

    # Twilio REST API (outbound calls, transfers), e.g. https://api.twilio.com. None: the
    # embedded deployment (`voxray up`, tests) starts the carrier simulator's REST stand-in.
    twilio_api_base_url: str | None = None
    twilio_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # An outbound call still queued or ringing after this counts no more against the tenant's limit.
    ring_timeout_s: float = Field(default=90.0, gt=0)

    # Outbound webhooks to tenants (Standard Webhooks; gateway/webhooks). VOXRAY_WEBHOOK_*:
    # TIMEOUT_S bounds one delivery attempt end to end; BACKOFF_S is a JSON list of retry delays
    # (e.g. "[5, 300, 1800]"), each jittered by +-20 %, doubling past the list's end up to a day;
    # MAX_ATTEMPTS (first try included) before a delivery is dead-lettered; POLL_INTERVAL_S is how
    # often a gateway looks for due deliveries; CONCURRENCY caps attempts in flight per gateway.
    # Endpoints must be https:// unless ALLOW_HTTP, and may not resolve to private, loopback or
    # link-local addresses (SSRF) unless ALLOW_PRIVATE_HOSTS; both are for local development.
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=60)
    webhook_backoff_s: list[Annotated[float, Field(gt=0, le=86_400)]] = Field(
        default_factory=lambda: [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0], min_length=1)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    webhook_concurrency: int = Field(default=16, ge=1, le=1000)
    webhook_allow_http: bool = False
    webhook_allow_private_hosts: bool = False

    # Launch governance (governance/): the governance actor's CPU reservation, and how many entries
    # the append-only audit log (a Redis stream) keeps before its oldest are trimmed.
    governance_actor_cpus: float = Field(default=0.01, gt=0)
    governance_audit_max_entries: int = Field(default=1_000_000, ge=1000)

    # Logging.
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("public_base_url")
    @classmethod
    def _public_url(cls, v: str | None) -> str | None:
        if v and not v.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for local development)")
        return v.rstrip("/") if v else v

    @property
    def effective_public_base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; raises pydantic.ValidationError with every bad field named."""
    return Settings(**overrides)  # type: ignore[arg-type]
