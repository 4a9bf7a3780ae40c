"""The readiness checks' rules on their own: pure functions of the gathered facts."""

from __future__ import annotations

import secrets
from dataclasses import replace

from pydantic import SecretStr

from gateway.routes.readiness import Facts, assess, check_limits, check_tools, check_twilio, check_webhooks
from voxray.events import DeliveryRecord, DeliveryState
from voxray.records import AgentConfig, Tenant, ToolSpec, utcnow


def _facts(**changes: object) -> Facts:
    tenant = Tenant(id="t-rules", name="Rules", twilio_account_sid="AC" + "a" * 32,
                    twilio_auth_token=SecretStr(secrets.token_hex(16)), phone_numbers=["+15550001111"])
    facts = Facts(tenant=tenant, numbers_held={"+15550001111": True}, public_base_url="https://voice.example.test",
                  allow_http=False, allow_private=False, has_webhook_endpoint=False, deliveries=(), live_calls=0,
                  kill_switch_mode=None, kill_switch_known=True)
    return replace(facts, **changes)  # type: ignore[arg-type]


def _delivery(state: DeliveryState, status: int | None = None) -> DeliveryRecord:
    return DeliveryRecord(event_id="evt_" + secrets.token_hex(16), event_type="call.completed", endpoint_id="ep_1",
                          state=state, attempts=1, created_at=utcnow(), last_status_code=status)


def test_twilio_signatures_need_an_https_public_url() -> None:
    assert check_twilio(_facts()).status == "ok"
    failing = check_twilio(_facts(public_base_url="http://voice.example.test"))
    assert failing.status == "failing" and failing.blocking and "https" in failing.detail
    local = check_twilio(_facts(public_base_url="http://127.0.0.1:8000"))
    assert local.status == "warning" and not local.blocking and "carrier simulator" in local.detail
    assert assess(_facts(public_base_url="http://localhost:8000"), utcnow()).ready is True


def test_tool_endpoints_are_judged_by_the_egress_policy() -> None:
    tool = ToolSpec(name="lookup", description="d", endpoint="http://127.0.0.1:9/x")
    tenant = _facts().tenant.model_copy(update={"agent": AgentConfig(tools=[tool])})
    refused = check_tools(_facts(tenant=tenant))
    assert refused.status == "failing" and "lookup" in refused.detail
    assert check_tools(_facts(tenant=tenant, allow_http=True, allow_private=True)).status == "ok"


def test_the_latest_settled_delivery_decides_webhook_health() -> None:
    ok = check_webhooks(_facts(has_webhook_endpoint=True, deliveries=(_delivery(DeliveryState.PENDING),
                                                                       _delivery(DeliveryState.DELIVERED, 200))))
    assert ok.status == "ok"
    dead = check_webhooks(_facts(has_webhook_endpoint=True, deliveries=(_delivery(DeliveryState.DEAD, 500),
                                                                         _delivery(DeliveryState.DELIVERED, 200))))
    assert dead.status == "failing" and not dead.blocking and "1 of the last 2" in dead.detail


def test_capacity_and_governance_outages() -> None:
    at_limit = _facts(live_calls=50)
    assert check_limits(at_limit).status == "failing"
    assert assess(at_limit, utcnow()).ready is False
    unknown = assess(_facts(kill_switch_known=False), utcnow())
    assert unknown.ready is True and "kill_switch" in unknown.missing
