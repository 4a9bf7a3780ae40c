"""The governance service's pure parts: errors across Ray, window metrics, the route cache, and
the agent config a routed call runs with. No Ray, no Redis (an in-memory generation counter)."""

from __future__ import annotations

import pickle
import secrets
from datetime import datetime, timedelta, timezone
from typing import Literal

import pytest

from governance import policy as gp
from governance.agent_config import agent_config, map_tools
from governance.errors import CarriedError, GovernanceUnavailable, VersionNotFound
from governance.metrics import split_window, window_metrics
from governance.models import AgentSpec, AgentVersion, PhoneRoute, RolloutPolicy, VersionState
from governance.routing import CallRouting, RouteCache, RoutingSnapshot
from voxray.records import AgentConfig, CallRecord, CallStatus, Escalation, QaReview, QaState, SessionReview, ToolSpec

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
NUMBER = "+15550100200"
Arm = Literal["stable", "canary", "fallback"]
SPEC = AgentSpec(prompt_key="support-v2", prompt_text="You answer calls for Acme.", model="gpt-realtime-mini",
                 voice="cedar", audio_mode="pcm16", local_model_script="error_then_drop")


def live_version(number: int, spec: AgentSpec = SPEC) -> AgentVersion:
    v = gp.new_version(tenant_id="acme", agent="support", number=number, spec=spec, author="alice", now=NOW)
    v = gp.stage(v, actor="alice", now=NOW)
    checklist = gp.default_checklist(v)
    for item in checklist.items:
        checklist = gp.complete_item(checklist, item.key, actor="carol", now=NOW)
    return gp.go_live(gp.approve(v, approver="bob", checklist=checklist, now=NOW), actor="bob", now=NOW)


def rollout() -> tuple[PhoneRoute, dict[int, AgentVersion]]:
    v1, v2 = live_version(1), live_version(2)
    route = gp.new_route(number=NUMBER, version=v1)
    route = gp.start_rollout(route, v2, RolloutPolicy(steps=[50, 100]), rollout_id="ro-1", actor="bob", now=NOW)
    return route, {1: v1, 2: v2}


# ---- errors across Ray ---------------------------------------------------------------------


@pytest.mark.parametrize("error", [gp.IllegalTransition("version", "draft", "approve"),
                                   gp.ChecklistIncomplete(["pii-reviewed", "alerts-routed"]),
                                   VersionNotFound("no version 9"), gp.ImmutableVersion("version", "staged", "edit")])
def test_governance_errors_survive_pickling_with_their_type_and_fields(error: gp.GovernanceError) -> None:
    restored = pickle.loads(pickle.dumps(CarriedError.of(error))).restore()
    assert type(restored) is type(error) and str(restored) == str(error) and restored.code == error.code
    assert vars(restored) == vars(error)


# ---- window metrics ------------------------------------------------------------------------


def call(arm: Arm, version: int, *, status: CallStatus = CallStatus.COMPLETED, at: datetime = NOW,
         route_number: str = NUMBER, escalated: bool = False, latency: float | None = 400.0,
         tools: tuple[int, int] = (0, 0)) -> CallRecord:
    return CallRecord(call_sid=f"CA{secrets.token_hex(16)}", tenant_id="acme", from_number="+15550100999",
                      to_number=route_number, status=status, agent_version=version, route_number=route_number,
                      arm=arm, created_at=at + timedelta(seconds=1), turn_latency_p95_ms=latency,
                      escalation=Escalation(at=at, reason="x") if escalated else None,
                      tool_calls=tools[0], tool_errors=tools[1])


def reviewed(state: QaState) -> SessionReview:
    return SessionReview(qa=QaReview(state=state))


def test_window_splits_canary_from_stable_and_ignores_what_is_not_in_it() -> None:
    route, _ = rollout()
    unreviewed = SessionReview()
    calls = [
        (call("canary", 2, status=CallStatus.FAILED, tools=(4, 3)), reviewed(QaState.FAILED)),
        (call("canary", 2, escalated=True, latency=900.0, tools=(2, 0)), reviewed(QaState.PASSED)),
        (call("stable", 1, latency=300.0), unreviewed),
        (call("fallback", 0, status=CallStatus.FAILED), unreviewed),  # neither arm
        (call("canary", 3), unreviewed),  # another version
        (call("canary", 2, at=NOW - timedelta(hours=1)), unreviewed),  # before the step's window
        (call("canary", 2, status=CallStatus.IN_PROGRESS), unreviewed),  # not ended yet
        (call("canary", 2, route_number="+15550100300"), unreviewed),  # another route
    ]
    canary, stable = split_window(route, calls)
    assert (canary.calls, canary.failed, canary.escalated) == (2, 1, 1)
    assert (canary.tool_calls, canary.tool_errors, canary.qa_reviewed, canary.qa_failed) == (6, 3, 2, 1)
    assert canary.turn_latency_p95_ms == 900.0
    assert (stable.calls, stable.failed, stable.turn_latency_p95_ms, stable.qa_reviewed) == (1, 0, 300.0, 0)


def test_empty_window_has_no_latency() -> None:
    assert window_metrics([]).turn_latency_p95_ms is None and window_metrics([]).calls == 0


# ---- the route cache -----------------------------------------------------------------------


class FakeGeneration:
    """The one Redis command the cache uses, in memory."""

    def __init__(self) -> None:
        self.value = 1

    async def get(self, key: str) -> bytes:
        return str(self.value).encode()


def snapshot(generation: int, route: PhoneRoute, versions: dict[int, AgentVersion]) -> RoutingSnapshot:
    return RoutingSnapshot(generation=generation, routes={route.number: route}, versions={route.number: versions},
                           tenant_kill_switches={})


async def test_route_cache_fetches_only_when_the_generation_moves() -> None:
    route, versions = rollout()
    redis = FakeGeneration()
    fetched: list[int] = []

    async def fetch() -> RoutingSnapshot:
        fetched.append(redis.value)
        current = route if redis.value == 1 else gp.engage_kill_switch(route, mode="fallback", actor="ops",
                                                                        reason="outage", now=NOW)
        return snapshot(redis.value, current, versions)

    cache = RouteCache(redis, "vx:gov:generation", fetch)  # type: ignore[arg-type]
    decisions = {caller: await cache.decide(NUMBER, caller) for caller in (f"+1555010{i:04d}" for i in range(50))}
    assert fetched == [1] and assert_arms(decisions) == {"stable", "canary"}
    for caller, routed in decisions.items():
        assert routed is not None and routed.version is not None and routed.version.number == routed.decision.version
    assert await cache.decide("+15550100300", "+15550100999") is None

    redis.value = 2
    after = {caller: await cache.decide(NUMBER, caller) for caller in decisions}
    assert fetched == [1, 2] and assert_arms(after) == {"fallback"}
    assert all(r is not None and r.version is None for r in after.values())


def assert_arms(decisions: dict[str, CallRouting | None]) -> set[str]:
    return {d.decision.arm for d in decisions.values() if d is not None}


async def test_route_cache_keeps_routing_on_its_last_snapshot_when_governance_is_down() -> None:
    route, versions = rollout()
    redis = FakeGeneration()
    up = True

    async def fetch() -> RoutingSnapshot:
        if not up:
            raise GovernanceUnavailable("down")
        return snapshot(redis.value, route, versions)

    cache = RouteCache(redis, "vx:gov:generation", fetch)  # type: ignore[arg-type]
    assert await cache.decide(NUMBER, "+15550100999") is not None
    up, redis.value = False, 2
    assert await cache.decide(NUMBER, "+15550100999") is not None
    with pytest.raises(GovernanceUnavailable):
        await RouteCache(redis, "k", fetch).decide(NUMBER, "+15550100999")  # type: ignore[arg-type]


# ---- the call's agent config ---------------------------------------------------------------

LOOKUP = ToolSpec(name="lookup_order", description="Find an order", endpoint="https://acme.example/tools/lookup",
                  timeout_s=3.0)


def test_version_spec_overrides_the_tenant_config_where_it_speaks() -> None:
    base = AgentConfig(name="demo-agent", version=7, instructions="old", local_script="demo", mark_every_frames=3,
                       tools=[LOOKUP])
    config = agent_config(live_version(4), base)
    assert (config.name, config.version, config.instructions, config.prompt_key) == (
        "support", 4, SPEC.prompt_text, "support-v2")
    assert (config.model, config.voice, config.audio_mode, config.local_script) == (
        "gpt-realtime-mini", "cedar", "pcm16", "error_then_drop")
    assert config.mark_every_frames == 3 and config.tools == [LOOKUP]  # what the spec does not hold stays
    no_script = agent_config(live_version(5, SPEC.model_copy(update={"local_model_script": None})), base)
    assert no_script.local_script == "demo"


def test_spec_tools_map_to_tool_specs_only_when_every_one_can() -> None:
    full = {"type": "function", "name": "book", "description": "Book a visit",
            "parameters": {"type": "object", "properties": {}}, "endpoint": "https://acme.example/tools/book"}
    by_name = {"type": "function", "name": "lookup_order", "description": "Find an order by its number",
               "parameters": {"type": "object", "properties": {"order": {"type": "string"}}}}
    mapped = map_tools([full, by_name], [LOOKUP])
    assert [t.name for t in mapped] == ["book", "lookup_order"]
    assert mapped[1].endpoint == LOOKUP.endpoint and mapped[1].timeout_s == 3.0
    assert mapped[1].description == "Find an order by its number"
    unknown = {"type": "function", "name": "refund", "description": "Refund", "parameters": {}}
    assert map_tools([full, unknown], [LOOKUP]) == [LOOKUP]
    assert map_tools([], [LOOKUP]) == [LOOKUP]


def test_fallback_state_versions_are_not_routable_in_a_snapshot() -> None:
    route, versions = rollout()
    retired = gp.retire(versions[1], actor="bob", now=NOW)
    assert retired.state is VersionState.RETIRED
    routed = snapshot(1, route, {1: retired, 2: versions[2]}).decide(NUMBER, "+15550100999")
    assert routed is not None and routed.decision.arm in ("canary", "fallback")
    assert (routed.version is None) == (routed.decision.arm == "fallback")
