"""``GET /api/v1/readiness``: can this tenant take calls now, and if not, what is missing.

The checks are pure functions over what the route gathers (the tenant record, who holds its
numbers, the last webhook deliveries, live calls, the tenant kill switch), so each rule is
testable alone and the route only does I/O. A check is *blocking* when calls cannot be taken
while it fails (no number, bad Twilio credentials, an invalid agent, capacity); webhook health
is reported but never blocks calls.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Sequence
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, ValidationError
from twilio.request_validator import RequestValidator

from actors.tools.catalog import check_agent_tools
from actors.tools.errors import ToolConfigError
from gateway.auth import TenantPrincipal, require_tenant
from gateway.errors import ApiError
from gateway.routes.call_logs import PROBLEMS
from gateway.runtime import Runtime, runtime
from gateway.webhooks.store import WebhookStore
from voxray.endpoint_urls import UrlRejected, check_endpoint_url
from voxray.events import DeliveryRecord, DeliveryState
from voxray.keys import Scope
from voxray.records import AgentConfig, Tenant, utcnow

router = APIRouter(prefix="/api/v1", tags=["readiness"])

CheckName = Literal["phone_numbers", "twilio_credentials", "agent_config", "tools", "webhooks", "limits",
                    "kill_switch"]
CheckStatus = Literal["ok", "warning", "failing"]
RECENT_DELIVERIES = 20
GOVERNANCE_TIMEOUT_S = 2.0


class ReadinessCheck(BaseModel):
    name: CheckName
    status: CheckStatus
    blocking: bool = Field(description="True when calls cannot be taken while this check fails")
    detail: str = Field(description="What was checked, or what is missing and how to fix it")


class Readiness(BaseModel):
    tenant_id: str
    ready: bool = Field(description="The tenant can take calls now: no blocking check fails")
    missing: list[CheckName] = Field(description="The checks that fail, blocking or not")
    checks: list[ReadinessCheck]
    checked_at: datetime


@dataclass(frozen=True)
class Facts:
    """What the checks judge, gathered by the route."""

    tenant: Tenant
    numbers_held: dict[str, bool]
    public_base_url: str
    allow_http: bool
    allow_private: bool
    has_webhook_endpoint: bool
    deliveries: Sequence[DeliveryRecord]  # newest first
    live_calls: int
    kill_switch_mode: str | None
    kill_switch_known: bool


def _check(name: CheckName, ok: bool, detail: str, *, blocking: bool = True,
           warn: bool = False) -> ReadinessCheck:
    status: CheckStatus = "ok" if ok else ("warning" if warn else "failing")
    return ReadinessCheck(name=name, status=status, blocking=blocking, detail=detail)


def check_numbers(facts: Facts) -> ReadinessCheck:
    numbers = facts.tenant.phone_numbers
    if not numbers:
        return _check("phone_numbers", False, "The tenant has no phone number: claim one (admin PATCH tenant)")
    lost = [n for n in numbers if not facts.numbers_held.get(n)]
    if lost:
        return _check("phone_numbers", False, f"Not routed to this tenant: {', '.join(lost)}")
    return _check("phone_numbers", True, f"{len(numbers)} number(s) routed here: {', '.join(numbers)}")


def check_twilio(facts: Facts) -> ReadinessCheck:
    """Credentials present, and a webhook signed with the auth token verifies at the public URL."""
    token = facts.tenant.twilio_auth_token.get_secret_value()
    if not facts.tenant.twilio_account_sid or not token:
        return _check("twilio_credentials", False, "Twilio account SID or auth token missing")
    if not facts.public_base_url.startswith("https://"):
        if _is_loopback(facts.public_base_url):  # a developer's `voxray up`: the carrier simulator calls it
            return _check("twilio_credentials", False, f"Local only: the public base URL {facts.public_base_url} "
                                                       "is not https, so Twilio cannot call it (the carrier simulator "
                                                       "can); set VOXRAY_PUBLIC_BASE_URL for real calls",
                          blocking=False, warn=True)
        return _check("twilio_credentials", False, f"The public base URL {facts.public_base_url!r} is not https: "
                                                   "Twilio will not call it and signatures cannot match")
    url = f"{facts.public_base_url}/api/v1/incoming-call"
    params = {"AccountSid": facts.tenant.twilio_account_sid, "CallSid": "CA" + "0" * 32, "To": "+15550000000"}
    validator = RequestValidator(token)
    if not validator.validate(url, params, validator.compute_signature(url, params)):
        return _check("twilio_credentials", False, "A request signed with the auth token does not verify")
    return _check("twilio_credentials", True, f"Account {facts.tenant.twilio_account_sid}; webhooks to {url} "
                                              "are verified with the auth token (HMAC-SHA1)")


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_agent(facts: Facts) -> ReadinessCheck:
    agent = facts.tenant.agent
    try:
        AgentConfig.model_validate(agent.model_dump())
        check_agent_tools(agent.tools, agent.builtin_tools)
    except (ValidationError, ToolConfigError) as exc:
        return _check("agent_config", False, f"The agent config is not valid: {exc}")
    if not (agent.instructions.strip() or agent.prompt_key):
        return _check("agent_config", False, "The agent has neither instructions nor a prompt_key")
    return _check("agent_config", True, f"Agent {agent.name} v{agent.version} (config {facts.tenant.config_version}): "
                                        f"model {agent.model}, voice {agent.voice}, {len(agent.tools)} tool(s)")


def check_tools(facts: Facts) -> ReadinessCheck:
    rejected: list[str] = []
    for tool in facts.tenant.agent.tools:
        try:
            check_endpoint_url(tool.endpoint, allow_http=facts.allow_http, allow_private=facts.allow_private)
        except UrlRejected as exc:
            rejected.append(f"{tool.name}: {exc}")
    if rejected:
        return _check("tools", False, "Tool endpoints the egress policy refuses: " + "; ".join(rejected))
    return _check("tools", True, f"{len(facts.tenant.agent.tools)} tool endpoint(s) allowed by the egress policy")


def check_webhooks(facts: Facts) -> ReadinessCheck:
    if not facts.has_webhook_endpoint:
        return _check("webhooks", False, "No webhook endpoint: PUT /api/v1/webhook-endpoint to receive events",
                      blocking=False, warn=True)
    settled = [d for d in facts.deliveries if d.state is not DeliveryState.PENDING]
    if not settled:
        return _check("webhooks", True, "Endpoint configured; no delivery attempted yet "
                                        "(POST /api/v1/webhook-endpoint/test sends one)", blocking=False)
    last = settled[0]
    if last.state is DeliveryState.DELIVERED:
        return _check("webhooks", True, f"Last delivery {last.event_id} ({last.event_type}) delivered "
                                        f"(HTTP {last.last_status_code})", blocking=False)
    failing = sum(1 for d in settled if d.state is not DeliveryState.DELIVERED)
    return _check("webhooks", False, f"Last delivery {last.event_id} {last.state.value}: "
                                     f"{last.last_error or f'HTTP {last.last_status_code}'}; {failing} of the last "
                                     f"{len(settled)} not delivered", blocking=False)


def check_limits(facts: Facts) -> ReadinessCheck:
    limit = facts.tenant.max_concurrent_calls
    if facts.live_calls >= limit:
        return _check("limits", False, f"At the concurrency limit: {facts.live_calls} of {limit} calls live")
    rl = facts.tenant.rate_limits
    return _check("limits", True, f"{facts.live_calls} of {limit} concurrent calls in use; API rate "
                                  f"{rl.tenant_per_s:g}/s per tenant, {rl.key_per_s:g}/s per key")


def check_kill_switch(facts: Facts) -> ReadinessCheck:
    if not facts.kill_switch_known:
        return _check("kill_switch", False, "Governance did not answer in time; state unknown", blocking=False,
                      warn=True)
    if facts.kill_switch_mode == "fallback":
        return _check("kill_switch", False, "The tenant kill switch sends every call to the fallback")
    if facts.kill_switch_mode == "stable":
        return _check("kill_switch", True, "Kill switch engaged: calls run the stable version only", blocking=False)
    return _check("kill_switch", True, "Not engaged", blocking=False)


CHECKS = (check_numbers, check_twilio, check_agent, check_tools, check_webhooks, check_limits, check_kill_switch)


def assess(facts: Facts, now: datetime) -> Readiness:
    checks = [check(facts) for check in CHECKS]
    return Readiness(tenant_id=facts.tenant.id, ready=not any(c.blocking and c.status == "failing" for c in checks),
                     missing=[c.name for c in checks if c.status != "ok"], checks=checks, checked_at=now)


async def _recent_deliveries(ws: WebhookStore, tenant_id: str) -> list[DeliveryRecord]:
    out: list[DeliveryRecord] = []
    async for delivery in ws.scan_deliveries(tenant_id, batch=RECENT_DELIVERIES):
        out.append(delivery)
        if len(out) == RECENT_DELIVERIES:
            break
    return out


@router.get("/readiness", response_model=Readiness, operation_id="get_readiness", responses=PROBLEMS,
            summary="Can this tenant take calls now, and what is missing",
            description="Numbers routed, Twilio credentials and signatures, agent config, tool endpoints against "
                        "the egress policy, webhook endpoint health (last deliveries), limits and the kill switch. "
                        "Needs a key with `calls:read`.")
async def get_readiness(who: TenantPrincipal = Depends(require_tenant(Scope.CALLS_READ)),
                        rt: Runtime = Depends(runtime)) -> Readiness:
    tenant = await rt.store.get_tenant(who.tenant_id)
    if tenant is None:
        raise ApiError(404, "tenant_not_found", "The tenant no longer exists")
    held = {}
    for number in tenant.phone_numbers:
        owner = await rt.store.tenant_for_number(number)
        held[number] = owner is not None and owner.id == tenant.id
    ws = WebhookStore(rt.store.redis, rt.store.p)
    mode: str | None = None
    known = True
    try:
        if rt.governance is None:
            raise LookupError("no governance service")
        async with asyncio.timeout(GOVERNANCE_TIMEOUT_S):
            switch = await rt.governance.tenant_kill_switch(tenant.id)
        mode = switch.mode if switch is not None else None
    except Exception:  # noqa: BLE001 - a slow or absent governance actor is reported, never a 500
        known = False
    s = rt.settings
    facts = Facts(tenant=tenant, numbers_held=held, public_base_url=s.effective_public_base_url,
                  allow_http=s.webhook_allow_http, allow_private=s.webhook_allow_private_hosts,
                  has_webhook_endpoint=await ws.endpoint(tenant.id) is not None,
                  deliveries=await _recent_deliveries(ws, tenant.id), live_calls=await rt.registry.live_count(tenant.id),
                  kill_switch_mode=mode, kill_switch_known=known)
    return assess(facts, utcnow())
