"""Process settings: one pydantic-settings object read from ``VOXRAY_*`` environment variables.

Per-tenant runtime config is data in Redis, not here. Built at start-up (``load_settings``),
never at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXRAY_", extra="ignore")

    # Record plane. None: `voxray up` starts a private redis-server with AOF under data_dir.
    redis_url: str | None = None
    # External Redis over TLS (redis_url rediss://...): CA bundle to verify the server, and a
    # client certificate and key when the server asks for one (docs/SECURITY.md).
    redis_ca_file: Path | None = None
    redis_cert_file: Path | None = None
    redis_key_file: Path | None = None
    key_prefix: str = Field(default="vx", pattern=r"^[a-z0-9_-]{1,32}$")
    data_dir: Path = Path("var")

    # Gateway.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # The URL Twilio is configured with (e.g. https://voice.example.com). Signatures are checked
    # against it, never against the socket address (PROTOCOLS §B.3). Default: http://host:port.
    public_base_url: str | None = None
    # Where Twilio opens media streams (TwiML <Stream url>), when media gateways are a pool of
    # their own (e.g. https://media.example.com): then webhooks and the API never wait behind
    # the relay of live calls' audio on one event loop. Default: PUBLIC_BASE_URL.
    media_public_base_url: str | None = None
    ws_max_message_bytes: int = Field(default=64 * 1024, ge=1024)
    webhook_max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    # Stream tokens (one-call, single-use credentials for the media websocket).
    stream_token_secret: SecretStr | None = None
    stream_token_ttl_s: int = Field(default=60, ge=5, le=3600)
    # A call whose media stream has not started by then is ended and recorded as failed.
    stream_start_timeout_s: float = Field(default=30.0, gt=0, le=3600)

    # Ray and session actors.
    ray_address: str | None = None
    ray_namespace: str = Field(default="voxray", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    # Spare call slots kept on ready session actors, so call setup never starts a process: the
    # default answers a burst of 50 calls within a second (one 50-call actor on a 2-CPU node).
    warm_pool_size: int = Field(default=50, ge=0, le=10_000)
    # A call node carries CALLS_PER_CORE x its CPUs calls. CALLS_PER_ACTOR None (default) packs
    # them into as few shared actors as possible, each at most 50 calls (fewer processes cost
    # less CPU per call), never more actors than CPUs; a number fixes the actor size instead.
    # A Ray worker costs ~145 MB and 1.5-2 CPU-s to start, so calls share processes by default
    # (benchmarks/README.md has the numbers).
    calls_per_actor: int | None = Field(default=None, ge=1, le=1000)
    calls_per_core: int = Field(default=25, ge=1, le=1000)
    # Tenants with `isolation: dedicated` get a process per live call, reused for their next
    # call and retired after DEDICATED_MAX_CALLS calls or any error; DEDICATED_WARM unbound
    # processes are kept ready (0: a tenant's first dedicated call waits for one to start).
    dedicated_warm: int = Field(default=0, ge=0, le=100)
    dedicated_max_calls: int = Field(default=20, ge=1, le=10_000)
    # Idle shared actors above the warm target leave after this long.
    pool_idle_retire_s: float = Field(default=60.0, gt=0)
    # Headroom: a session actor whose event loop runs this late on average (two half-second
    # windows in a row), or whose process keeps this share of a core busy, takes no new calls
    # until it recovers; callers past that hear the busy message and admitted calls keep latency.
    headroom_lag_ms: float = Field(default=25.0, gt=0)
    headroom_cpu: float = Field(default=0.85, gt=0)
    # Cluster-wide cap on live calls (every gateway, every node).
    max_live_calls: int = Field(default=200, ge=1)
    actor_cpus: float = Field(default=0.01, gt=0)
    # Custom Ray resource that call nodes advertise (e.g. `ray start --resources='{"voxray_call_node": 8}'`,
    # its CPUs): session actors land only there and the pool asks the autoscaler for it. "" = any node.
    call_node_resource: str = Field(default="", pattern=r"^[A-Za-z0-9_]{0,64}$")
    # Custom Ray resource the head advertises (e.g. {"voxray_control": 1}): the pool supervisor
    # and the governance actor then live there, not on a call node or a gateway's raylet. "" = anywhere.
    control_resource: str = Field(default="", pattern=r"^[A-Za-z0-9_]{0,64}$")
    # SIGTERM drains a gateway: /readyz turns 503, no new calls, live ones get this long to end.
    drain_timeout_s: float = Field(default=300.0, ge=0, le=86_400)
    # Interface the actor's media socket binds to; the gateway connects there. On a
    # multi-node cluster use 0.0.0.0 (the actor then advertises its node IP).
    media_bind_host: str = "127.0.0.1"
    # The cluster's secret for the gateway <-> actor media link: with it the link is TLS 1.3,
    # pinned to a key derived from it (actors/link_tls.py). Required when MEDIA_BIND_HOST is not
    # loopback (caller audio would otherwise cross the network in clear).
    media_link_key: SecretStr | None = Field(default=None, min_length=32)
    # Carry every call between this gateway and a session actor over one connection (frames
    # wrapped per call, sent once per event-loop turn) instead of a connection per call; actors
    # take either (actors/link_mux.py). Steady 50: 12.1 ms CPU per call-second against 12.5 per call.
    media_link_mux: bool = True
    # On a shared connection, the gateway sends at most once per this long: the callers' frames of
    # many calls leave in one send (the actor wakes once for them) for at most this much delay on
    # the way in; a frame after a quiet spell leaves at the end of its event-loop turn, as with 0
    # (every turn). The loop's timers have 1 ms resolution.
    media_link_coalesce_ms: float = Field(default=0.0, ge=0, le=20)

    # Model. None: `voxray up` starts the local realtime server and points here.
    openai_api_key: SecretStr = SecretStr("sk-local")
    openai_websocket_base_url: str | None = None
    local_model_port: int = Field(default=8765, ge=0, le=65535)
    local_model_script: str | None = "demo"
    # Model-stream recovery (actors/model_recovery.py): reconnects after a loss fit in this budget;
    # sessions are renewed before this age (OpenAI ends them at 60 minutes, or at expires_at).
    model_recovery_budget_s: float = Field(default=2.0, gt=0, le=60)
    model_max_session_s: float = Field(default=55 * 60, gt=0)

    # Bootstrap admin key for /api/v1/admin/*: at least 20 characters, not guessable (see
    # _strong_admin_key). It may issue the first admin's keys and author, never approve.
    admin_key: SecretStr | None = None
    # Envelope encryption of tenant secrets at rest (voxray/sealing.py): a Fernet key
    # (``voxray keygen``), never stored in Redis. OLD_KEYS (JSON list) still open what they
    # sealed until ``voxray rotate-secrets`` re-seals everything with SECRETS_KEY. None: the
    # embedded deployment keeps a generated key in ``data_dir/secrets.key`` (mode 0600).
    secrets_key: SecretStr | None = None
    secrets_old_keys: list[SecretStr] = Field(default_factory=list)
    # Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed (uvicorn's
    # forwarded_allow_ips, comma-separated, or "*"). Empty: the socket address is the client.
    forwarded_allow_ips: str = ""
    browser_session_ttl_s: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    # Rate limits (token buckets) that are not per tenant: admin keys, unauthenticated
    # endpoints and failed authentication, per client address.
    admin_rate_per_s: float = Field(default=50.0, gt=0)
    admin_burst: int = Field(default=200, ge=1)
    anon_rate_per_s: float = Field(default=0.5, gt=0)
    anon_burst: int = Field(default=10, ge=1)
    auth_fail_per_s: float = Field(default=2.0, gt=0)
    auth_fail_burst: int = Field(default=30, ge=1)
    # Anonymous surfaces (F6; gateway/anon_quotas.py): Twilio webhooks per called number,
    # media websocket connects per client address (IPv6 per /64) and for the whole deployment,
    # and how many undecided access requests are kept.
    twilio_webhook_per_s: float = Field(default=20.0, gt=0)
    twilio_webhook_burst: int = Field(default=200, ge=1)
    media_connect_per_s: float = Field(default=10.0, gt=0)
    media_connect_burst: int = Field(default=100, ge=1)
    media_connect_global_per_s: float = Field(default=200.0, gt=0)
    media_connect_global_burst: int = Field(default=2000, ge=1)
    access_requests_max_pending: int = Field(default=1000, ge=1)
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
    # link-local addresses (SSRF) unless ALLOW_PRIVATE_HOSTS; both are for local development,
    # each set on its own (never derived from another setting). With ALLOW_PRIVATE_HOSTS on, a
    # gateway bound to a non-loopback host refuses to start unless
    # I_UNDERSTAND_TENANTS_CAN_REACH_PRIVATE_NETWORKS is also set (voxray/egress_policy.py).
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=60)
    webhook_backoff_s: list[Annotated[float, Field(gt=0, le=86_400)]] = Field(
        default_factory=lambda: [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0], min_length=1)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    webhook_concurrency: int = Field(default=16, ge=1, le=1000)
    webhook_allow_http: bool = False
    webhook_allow_private_hosts: bool = False
    i_understand_tenants_can_reach_private_networks: bool = False

    # Launch governance (governance/): the governance actor's CPU reservation, and how many entries
    # the append-only audit log (a Redis stream) keeps before its oldest are trimmed.
    governance_actor_cpus: float = Field(default=0.01, gt=0)
    governance_audit_max_entries: int = Field(default=1_000_000, ge=1000)

    # Logging.
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("public_base_url", "media_public_base_url")
    @classmethod
    def _public_url(cls, v: str | None) -> str | None:
        if v and not v.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for local development)")
        return v.rstrip("/") if v else v

    @model_validator(mode="after")
    def _media_url_secure(self) -> "Settings":
        """Twilio refuses ws:// Stream URLs (error 31922): a deployment Twilio reaches over https
        must send media streams to an https base too, or every call would hear the apology."""
        if (self.media_public_base_url or "").startswith("http://") and (self.public_base_url or "").startswith("https://"):
            raise ValueError("VOXRAY_MEDIA_PUBLIC_BASE_URL must be https:// when VOXRAY_PUBLIC_BASE_URL is")
        return self

    @model_validator(mode="after")
    def _redis_tls(self) -> "Settings":
        """Carry the TLS files in redis_url's query, so every client built from the URL uses them."""
        files = {"ssl_ca_certs": self.redis_ca_file, "ssl_certfile": self.redis_cert_file,
                 "ssl_keyfile": self.redis_key_file}
        given = {k: str(v) for k, v in files.items() if v is not None}
        if not given:
            return self
        if not (self.redis_url or "").startswith("rediss://"):
            raise ValueError("VOXRAY_REDIS_CA_FILE/CERT_FILE/KEY_FILE need VOXRAY_REDIS_URL=rediss://...")
        url = self.redis_url or ""
        query = urlencode({**given, "ssl_cert_reqs": "required"})
        if "ssl_" not in url:
            self.redis_url = f"{url}{'&' if '?' in url else '?'}{query}"
        return self

    @field_validator("admin_key")
    @classmethod
    def _strong_admin_key(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None:
            problem = admin_key_weakness(v.get_secret_value())
            if problem:
                raise ValueError(problem)
        return v

    @property
    def effective_public_base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"


ADMIN_KEY_MIN_LENGTH = 20


def admin_key_weakness(key: str) -> str | None:
    """Why ``key`` is too weak for the bootstrap admin key, or None (F10).

    A long key drawn from few symbols ("aaaa...", "12121212...") is refused too: at least 10
    distinct characters and no character making up more than a quarter of the key.
    """
    if len(key) < ADMIN_KEY_MIN_LENGTH:
        return f"must be at least {ADMIN_KEY_MIN_LENGTH} characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
    if len(set(key)) < 10 or max(key.count(c) for c in set(key)) * 4 > len(key):
        return "is too repetitive to be a secret; use a random one"
    return None


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; raises pydantic.ValidationError with every bad field named."""
    return Settings(**overrides)  # type: ignore[arg-type]
