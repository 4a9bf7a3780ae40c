"""Metrics move as a real simulated call, a dead-lettered webhook and a throttled key say they should.

The gateway's own metrics come from its /metrics; the session actors' from Ray's metrics export
(prefixed ``ray_``), exactly where Prometheus would scrape them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import yaml

from simulators.carrier.call import SimulatedCall
from simulators.carrier.script import BargeIn, Hangup, Say, Silence, WaitForAgent
from tests.integration import scrape
from tests.integration.api import create_tenant
from tests.integration.test_call_path import call_config, wait_call_ended
from tests.integration.test_tools_and_handoff import agent_tenant, order_tool, place, tool_server  # noqa: F401
from tests.integration.test_webhooks import eventually_state
from tests.integration.webhook_receiver import Receiver, configure
from voxray.events import EventType, emit

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_call_with_a_barge_in_moves_the_session_metrics(live, store, make_tenant) -> None:  # type: ignore[no-untyped-def]
    before = await scrape.ray_metrics()
    gw_before = await scrape.gateway(live.gateway_url)
    tenant = await make_tenant(local_script="long_reply")
    script = [Silence(300), Say("Tell me everything about your services."),
              BargeIn("Sorry, stop please.", after_agent_ms=1200, timeout_s=15), WaitForAgent(15), Hangup()]
    result = await SimulatedCall(call_config(live, tenant, script)).run()
    assert result.ok, (result.errors, result.timeouts)
    await wait_call_ended(store, tenant.id, result.call_sid)

    def live_rows(s: scrape.Samples) -> list[tuple[dict[str, str], float]]:
        return [(labels, v) for labels, v in s.get("ray_voxray_live_calls", []) if labels.get("tenant") == tenant.id]

    def moved(s: scrape.Samples) -> bool:
        # Ray exports the gauge and the counters in separate reports: wait for both to settle.
        rows = live_rows(s)
        return (bool(rows) and all(v == 0 for _, v in rows)
                and scrape.total(s, "ray_voxray_calls_ended_total", status="completed")
                > scrape.total(before, "ray_voxray_calls_ended_total", status="completed")
                and scrape.total(s, "ray_voxray_turn_latency_ms_count")
                >= scrape.total(before, "ray_voxray_turn_latency_ms_count") + 2
                and scrape.total(s, "ray_voxray_barge_ins_total") > scrape.total(before, "ray_voxray_barge_ins_total"))

    after = await scrape.eventually(scrape.ray_metrics, moved)
    assert moved(after), {k: v for k, v in after.items() if "voxray" in k}
    assert scrape.total(after, "ray_voxray_barge_in_reaction_ms_count") > \
        scrape.total(before, "ray_voxray_barge_in_reaction_ms_count")
    assert scrape.total(after, "ray_voxray_model_connect_ms_count") > scrape.total(before, "ray_voxray_model_connect_ms_count")
    # The live-calls gauge had a series for this tenant (set while live, back to 0 once ended).
    assert live_rows(after) and all(v == 0 for _, v in live_rows(after)), live_rows(after)
    # No label carries the call id.
    assert not any(result.call_sid in str(labels) for rows in after.values() for labels, _ in rows)

    gw = await scrape.gateway(live.gateway_url)
    webhook = scrape.total(gw, "voxray_http_requests_total", route="/api/v1/incoming-call", status="200")
    assert webhook > scrape.total(gw_before, "voxray_http_requests_total", route="/api/v1/incoming-call", status="200")
    assert scrape.total(gw, "voxray_redis_latency_seconds_count") > scrape.total(gw_before, "voxray_redis_latency_seconds_count")
    assert not any(result.call_sid in str(labels) for rows in gw.values() for labels, _ in rows)
    # The collector: start-up's objects frozen, each pass timed since (a young pass needs 700 objects
    # kept: not every call makes one, but a process that has served this session's calls has).
    assert scrape.total(gw, "voxray_gc_frozen_objects") > 10_000
    assert scrape.total(gw, "voxray_gc_pause_seconds_count") > 0 and scrape.total(gw, "voxray_gc_pause_seconds_sum") > 0
    def timed(s: scrape.Samples) -> bool:
        return scrape.total(s, "ray_voxray_gc_passes_total") > 0 and scrape.total(s, "ray_voxray_gc_pause_ms_total") > 0

    assert timed(await scrape.eventually(scrape.ray_metrics, timed))


async def test_a_dead_lettered_webhook_counts_attempts_retries_and_the_dead_letter(
        api: httpx.AsyncClient, store, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    tenant = await create_tenant(api)
    receiver.always_fail = True
    await configure(api, tenant, receiver.url)
    before = await scrape.gateway(str(api.base_url))
    event_id = await emit(store.redis, store.p, tenant.id, EventType.CALL_COMPLETED, {"call_id": "CA1"})
    assert event_id is not None
    await eventually_state(api, tenant, event_id, "dead")
    after = await scrape.gateway(str(api.base_url))

    def delta(name: str, **labels: str) -> float:
        return scrape.total(after, name, **labels) - scrape.total(before, name, **labels)

    assert delta("voxray_webhook_attempts_total", result="failed") >= 3
    assert delta("voxray_webhook_retries_total") >= 2
    assert delta("voxray_webhook_dead_letters_total") >= 1
    assert delta("voxray_webhook_attempt_seconds_count") >= 3


async def test_a_throttled_key_counts_a_rate_limit_refusal_by_bucket_kind(api: httpx.AsyncClient) -> None:
    tenant = await create_tenant(api, rate_limits={"key_per_s": 0.01, "key_burst": 1})
    before = await scrape.gateway(str(api.base_url))
    statuses = [(await api.get("/api/v1/call-logs", headers=tenant.auth)).status_code for _ in range(2)]
    assert statuses == [200, 429]
    after = await scrape.gateway(str(api.base_url))
    assert scrape.total(after, "voxray_rate_limit_refusals_total", bucket="key") == \
        scrape.total(before, "voxray_rate_limit_refusals_total", bucket="key") + 1
    assert scrape.total(after, "voxray_http_requests_total", route="/api/v1/call-logs", status="429") >= 1


DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "observability"
METRIC = re.compile(r"\b((?:ray_)?voxray_[a-z0-9_]+)")


def named_metrics() -> set[str]:
    """Every metric the Grafana dashboard and the alert rules query."""
    exprs = [t["expr"] for p in json.loads((DEPLOY / "grafana-dashboard.json").read_text())["panels"]
             for t in p["targets"]]
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())
    exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
    assert all(r.get("alert") and r.get("annotations", {}).get("summary") for g in rules["groups"] for r in g["rules"])
    return {m for e in exprs for m in METRIC.findall(e)}


async def test_every_metric_the_dashboard_and_alerts_name_is_exported(api, live, make_tenant, tool_server) -> None:  # type: ignore[no-untyped-def]
    # A tool call (refused arguments) and a model error, beside the calls above.
    tools = await agent_tenant(api, live, "order_lookup_bad_args", tool_server, tools=[order_tool(tool_server)])
    await place(api, live, tools)
    failing = await make_tenant(local_script="error_then_drop")
    result = await SimulatedCall(call_config(live, failing, [Silence(300), Say("Hello there."), Silence(1500),
                                                             Hangup()])).run()
    assert result.call_sid
    names = named_metrics()
    assert {"ray_voxray_turn_latency_ms_bucket", "voxray_webhook_dead_letters_total",
            "ray_voxray_calls_ended_total"} <= names

    async def both() -> scrape.Samples:
        return {**await scrape.gateway(live.gateway_url), **await scrape.ray_metrics()}

    scraped = await scrape.eventually(both, lambda s: names <= set(s))
    assert names - set(scraped) == set(), sorted(names - set(scraped))
