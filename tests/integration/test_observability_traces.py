"""Traces with the SDK's in-memory exporter: request spans, webhook delivery spans, one trace across processes."""

from __future__ import annotations

import contextvars

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.integration.api import ADMIN, create_tenant
from tests.integration.test_webhooks import eventually_state
from tests.integration.webhook_receiver import Receiver, configure
from voxray import tracing
from voxray.events import EventType, emit

ASYNC = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    if not tracing.configure("voxray-test", exporter):
        pytest.fail("tracing did not configure")
    return exporter


def test_tracing_is_off_unless_the_standard_settings_turn_it_on() -> None:
    assert tracing.wanted({}) is None
    assert tracing.wanted({"OTEL_TRACES_EXPORTER": "none"}) is None
    assert tracing.wanted({"OTEL_TRACES_EXPORTER": "console"}) == "console"
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}) == "otlp"
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}) is None


@ASYNC
async def test_each_request_is_a_span_named_by_its_route_with_the_request_id(
        api: httpx.AsyncClient, spans: InMemorySpanExporter) -> None:
    tenant = await create_tenant(api)
    r = await api.get(f"/api/v1/admin/tenants/{tenant.id}", headers={**ADMIN, "X-Request-Id": "trace-test-0001"})
    assert r.status_code == 200
    [span] = [s for s in spans.get_finished_spans() if s.attributes.get("request_id") == "trace-test-0001"]
    assert span.name == "GET /api/v1/admin/tenants/{tenant_id}"  # the template: no ids in span names
    assert span.attributes["http.status_code"] == 200


@ASYNC
async def test_webhook_deliveries_are_spans_with_their_event(
        api: httpx.AsyncClient, store, receiver: Receiver, spans: InMemorySpanExporter) -> None:  # type: ignore[no-untyped-def]
    tenant = await create_tenant(api)
    receiver.fail_first = 1
    await configure(api, tenant, receiver.url)
    event_id = await emit(store.redis, store.p, tenant.id, EventType.CALL_COMPLETED, {"call_id": "CA1"})
    await eventually_state(api, tenant, event_id, "delivered")
    mine = [s for s in spans.get_finished_spans() if s.name == "webhook.delivery"
            and s.attributes.get("event_id") == event_id]
    assert [(s.attributes["attempt"], s.attributes["http.status_code"]) for s in mine] == [(1, 500), (2, 200)]
    assert all(s.attributes["tenant_id"] == tenant.id for s in mine)


def test_a_call_keeps_one_trace_across_processes(spans: InMemorySpanExporter) -> None:
    with tracing.span("POST /api/v1/incoming-call", call_sid="CA42") as webhook:
        carrier = tracing.inject()  # what the gateway hands the session actor
    assert "traceparent" in carrier

    def in_the_actor() -> None:  # a fresh context, as in another process
        with tracing.span("model.connect", parent=carrier, call_sid="CA42"):
            with tracing.span("tool.call", tool="lookup_order"):
                pass

    contextvars.Context().run(in_the_actor)
    by_name = {s.name: s for s in spans.get_finished_spans() if s.attributes.get("call_sid") == "CA42"
               or s.name == "tool.call"}
    trace_id = webhook.get_span_context().trace_id
    assert by_name["model.connect"].context.trace_id == trace_id
    assert by_name["model.connect"].parent.span_id == webhook.get_span_context().span_id
    assert by_name["tool.call"].parent.span_id == by_name["model.connect"].context.span_id
