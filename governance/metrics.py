"""A rollout step's window metrics, from the recorded call logs and their QA reviews.

``split_window`` is pure: given a route and its calls (with reviews) it counts the canary and
the stable arm apart. ``collect`` reads the records from Redis for many routes at once.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable

from governance.models import PhoneRoute, WindowMetrics
from voxray.records import CallRecord, CallStatus, QaState, SessionReview, p95
from voxray.store import Store

Observed = tuple[CallRecord, SessionReview]
REVIEW_BATCH = 100


def window_metrics(calls: Iterable[Observed]) -> WindowMetrics:
    """One arm's metrics. Every ended call counts; only ``failed`` is a failure."""
    calls = list(calls)
    reviewed = [review.qa.state for _, review in calls if review.qa.state is not QaState.UNREVIEWED]
    latencies = [c.turn_latency_p95_ms for c, _ in calls if c.turn_latency_p95_ms is not None]
    return WindowMetrics(
        calls=len(calls),
        failed=sum(1 for c, _ in calls if c.status is CallStatus.FAILED),
        escalated=sum(1 for c, _ in calls if c.escalation is not None),
        tool_calls=sum(c.tool_calls for c, _ in calls),
        tool_errors=sum(min(c.tool_errors, c.tool_calls) for c, _ in calls),
        qa_reviewed=len(reviewed),
        qa_failed=sum(1 for state in reviewed if state is QaState.FAILED),
        turn_latency_p95_ms=p95(latencies),
    )


def in_window(route: PhoneRoute, call: CallRecord) -> bool:
    """Whether ``call`` ended on ``route`` during its rollout's current step."""
    canary = route.canary
    return (canary is not None and call.route_number == route.number and call.status.terminal
            and call.created_at >= canary.step_started_at)


def split_window(route: PhoneRoute, calls: Iterable[Observed]) -> tuple[WindowMetrics, WindowMetrics]:
    """(canary, stable) metrics of the route's current step; fallback calls count for neither."""
    canary = route.canary
    if canary is None:
        return WindowMetrics(), WindowMetrics()
    mine = [(c, r) for c, r in calls if in_window(route, c)]
    return (window_metrics((c, r) for c, r in mine if c.arm == "canary" and c.agent_version == canary.version),
            window_metrics((c, r) for c, r in mine if c.arm == "stable" and c.agent_version == route.stable_version))


async def collect(store: Store, routes: list[PhoneRoute]) -> dict[str, tuple[WindowMetrics, WindowMetrics]]:
    """Window metrics for every route with a rollout: route number -> (canary, stable)."""
    by_tenant: dict[str, list[PhoneRoute]] = defaultdict(list)
    for route in routes:
        if route.canary is not None:
            by_tenant[route.tenant_id].append(route)
    found: dict[str, tuple[WindowMetrics, WindowMetrics]] = {}
    for tenant_id, tenant_routes in by_tenant.items():
        since = min(r.canary.step_started_at for r in tenant_routes if r.canary is not None)
        calls = [c async for c in store.scan_calls(tenant_id, since=since.timestamp())
                 if any(in_window(r, c) for r in tenant_routes)]
        observed = list(zip(calls, await _reviews(store, tenant_id, calls)))
        for route in tenant_routes:
            found[route.number] = split_window(route, observed)
    return found


async def _reviews(store: Store, tenant_id: str, calls: list[CallRecord]) -> list[SessionReview]:
    reviews: list[SessionReview] = []
    for start in range(0, len(calls), REVIEW_BATCH):
        batch = calls[start:start + REVIEW_BATCH]
        reviews += await asyncio.gather(*(store.get_review(tenant_id, c.call_sid) for c in batch))
    return reviews
