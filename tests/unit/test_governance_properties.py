"""Invariants of the launch-governance rules, checked with hypothesis."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Literal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from governance import policy as gp
from governance.models import (
    AgentSpec,
    AgentVersion,
    Guard,
    GuardMetric,
    KillSwitch,
    LifecycleEvent,
    PhoneRoute,
    RolloutPolicy,
    RolloutState,
    SweepAction,
    VersionAction,
    VersionState,
    WindowMetrics,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
NUMBER = "+15550100200"
SPEC = AgentSpec(prompt_key="support-v1", prompt_text="You answer calls for Acme.", model="gpt-realtime", voice="marin")
FAR = timedelta(days=365)
Arm = Literal["stable", "canary", "fallback"]


def version(number: int, state: VersionState) -> AgentVersion:
    event = LifecycleEvent(action=VersionAction.CREATE, actor="alice", at=NOW)
    return AgentVersion(tenant_id="acme", agent="support", number=number, spec=SPEC, state=state, history=[event])


LIVE_1, APPROVED_2 = version(1, VersionState.LIVE), version(2, VersionState.APPROVED)
ROUTABLE = {1: LIVE_1, 2: APPROVED_2}


def promote(route: PhoneRoute) -> PhoneRoute:
    """One sweep that meets every requirement of the current step (zero failures breach nothing)."""
    assert route.canary is not None
    policy, now = route.canary.policy, route.canary.step_started_at + FAR
    decision = gp.evaluate_rollout(route, WindowMetrics(calls=policy.min_calls), WindowMetrics(), now=now)
    assert decision.action in (SweepAction.PROMOTE, SweepAction.COMPLETE)
    return gp.apply_decision(route, decision, now=now)


def route_at(policy: RolloutPolicy, step_index: int, rollout_id: str = "ro-1") -> PhoneRoute:
    base = gp.new_route(number=NUMBER, version=LIVE_1)
    route = gp.start_rollout(base, APPROVED_2, policy, rollout_id=rollout_id, actor="bob", now=NOW)
    for _ in range(step_index):
        route = promote(route)
    return route


steps_st = st.lists(st.integers(1, 99), min_size=1, max_size=5, unique=True).map(lambda xs: [*sorted(xs), 100])
rollout_ids = st.text(alphabet="abcdef0123456789-", min_size=1, max_size=36)
callers = st.integers(10**9, 10**14).map(lambda n: f"+{n}")
kill_switches = st.builds(
    KillSwitch, mode=st.sampled_from(["stable", "fallback"]), by=st.just("ops"), at=st.just(NOW), reason=st.just("r")
)


@st.composite
def metrics(draw: st.DrawFn, max_calls: int = 120) -> WindowMetrics:
    calls = draw(st.integers(0, max_calls))
    tool_calls = draw(st.integers(0, 2 * max_calls))
    qa_reviewed = draw(st.integers(0, calls))
    return WindowMetrics(
        calls=calls,
        failed=draw(st.integers(0, calls)),
        escalated=draw(st.integers(0, calls)),
        tool_calls=tool_calls,
        tool_errors=draw(st.integers(0, tool_calls)),
        qa_reviewed=qa_reviewed,
        qa_failed=draw(st.integers(0, qa_reviewed)),
        turn_latency_p95_ms=draw(st.none() | st.floats(0, 4000)),
    )


@st.composite
def guards(draw: st.DrawFn) -> Guard:
    metric = draw(st.sampled_from(GuardMetric))
    scale = 3000.0 if metric is GuardMetric.TURN_LATENCY_P95_MS else 1.0
    ratio = draw(st.none() | st.floats(1.0, 4.0))
    delta = draw(st.none() | st.floats(0, scale / 2))
    absolute = draw(st.none() | st.floats(0, scale))
    if ratio is None and delta is None and absolute is None:
        absolute = draw(st.floats(0, scale))
    return Guard(
        metric=metric,
        max_ratio_vs_stable=ratio,
        max_absolute_delta=delta,
        absolute_max=absolute,
        min_samples=draw(st.integers(1, 60)),
    )




def policies(min_guards: int = 0) -> st.SearchStrategy[RolloutPolicy]:
    return st.builds(
        RolloutPolicy,
        steps=steps_st,
        min_calls=st.integers(0, 100),
        bake_time_s=st.floats(0, 3600),
        guards=st.lists(guards(), min_size=min_guards, max_size=4),
    )


quiet_metrics = st.builds(WindowMetrics, calls=st.integers(0, 150))  # nothing failed: breaches nothing


def observed(m: WindowMetrics, metric: GuardMetric) -> tuple[float | None, int]:
    """(value, samples), computed here from the raw counts rather than by the code under test."""
    if metric is GuardMetric.TURN_LATENCY_P95_MS:
        return (m.turn_latency_p95_ms if m.calls else None), m.calls
    part, whole = {
        GuardMetric.FAILURE_RATE: (m.failed, m.calls),
        GuardMetric.ESCALATION_RATE: (m.escalated, m.calls),
        GuardMetric.TOOL_ERROR_RATE: (m.tool_errors, m.tool_calls),
        GuardMetric.QA_FAILURE_RATE: (m.qa_failed, m.qa_reviewed),
    }[metric]
    return (part / whole if whole else None), whole


def breached(g: Guard, canary: WindowMetrics, stable: WindowMetrics) -> bool:
    value, n = observed(canary, g.metric)
    if value is None or n < g.min_samples:
        return False
    if g.absolute_max is not None and value > g.absolute_max:
        return True
    base, stable_n = observed(stable, g.metric)
    if base is None or stable_n < g.min_samples:
        return False
    ratio_hit = g.max_ratio_vs_stable is not None and value > base * g.max_ratio_vs_stable
    delta_hit = g.max_absolute_delta is not None and value > base + g.max_absolute_delta
    return ratio_hit or delta_hit


# ---- routing ---------------------------------------------------------------------------


@settings(max_examples=25, derandomize=True, deadline=None)
@given(steps=steps_st, rollout_id=rollout_ids, first=st.integers(10**9, 10**12), data=st.data())
def test_canary_share_converges_to_the_step_weight(
    steps: list[int], rollout_id: str, first: int, data: st.DataObject
) -> None:
    step = data.draw(st.integers(0, len(steps) - 2))
    route = route_at(RolloutPolicy(steps=steps, min_calls=0, bake_time_s=0), step, rollout_id)
    n, p = 4000, steps[step] / 100
    share = sum(gp.decide_route(route, ROUTABLE, f"+{first + i}").arm == "canary" for i in range(n)) / n
    assert abs(share - p) <= 4.5 * math.sqrt(p * (1 - p) / n) + 1 / n


@settings(max_examples=60, deadline=None)
@given(steps=steps_st, rollout_id=rollout_ids, numbers=st.lists(callers, min_size=1, max_size=40))
def test_callers_keep_their_arm_and_canary_callers_stay_in_canary_as_it_grows(
    steps: list[int], rollout_id: str, numbers: list[str]
) -> None:
    route = route_at(RolloutPolicy(steps=steps, min_calls=0, bake_time_s=0), 0, rollout_id)
    previous: list[Arm] | None = None
    while route.canary is not None:
        arms = [gp.decide_route(route, ROUTABLE, c).arm for c in numbers]
        assert arms == [gp.decide_route(route, ROUTABLE, c).arm for c in numbers]
        paused = gp.pause_rollout(route, actor="bob", now=NOW)
        assert arms == [gp.decide_route(paused, ROUTABLE, c).arm for c in numbers]
        if previous is not None:
            assert all(now == "canary" for before, now in zip(previous, arms) if before == "canary")
        previous, route = arms, promote(route)
    assert {gp.decide_route(route, ROUTABLE, c).version for c in numbers} == {2}  # completed: v2 is stable


@settings(max_examples=150, deadline=None)
@given(
    stable_state=st.sampled_from(VersionState),
    canary_state=st.sampled_from(VersionState),
    with_rollout=st.booleans(),
    route_switch=st.none() | kill_switches,
    tenant_switch=st.none() | kill_switches,
    steps=steps_st,
    numbers=st.lists(callers, min_size=1, max_size=30),
    data=st.data(),
)
def test_no_call_reaches_an_unapproved_version(
    stable_state: VersionState,
    canary_state: VersionState,
    with_rollout: bool,
    route_switch: KillSwitch | None,
    tenant_switch: KillSwitch | None,
    steps: list[int],
    numbers: list[str],
    data: st.DataObject,
) -> None:
    route = gp.new_route(number=NUMBER, version=LIVE_1)
    if with_rollout:
        step = data.draw(st.integers(0, len(steps) - 2))
        route = route_at(RolloutPolicy(steps=steps, min_calls=0, bake_time_s=0), step)
    route = route.model_copy(update={"kill_switch": route_switch})
    versions = {1: version(1, stable_state), 2: version(2, canary_state)}  # states may change after launch
    for caller in numbers:
        decision = gp.decide_route(route, versions, caller, tenant_switch)
        if decision.version is not None:
            assert versions[decision.version].state in (VersionState.APPROVED, VersionState.LIVE)
    if not canary_state.routable:
        for launch in (
            lambda: gp.new_route(number=NUMBER, version=versions[2]),
            lambda: gp.set_stable(gp.new_route(number=NUMBER, version=LIVE_1), versions[2]),
            lambda: gp.start_rollout(
                gp.new_route(number=NUMBER, version=LIVE_1),
                versions[2],
                RolloutPolicy(),
                rollout_id="r",
                actor="b",
                now=NOW,
            ),
        ):
            try:
                launch()
            except gp.ApprovalRequired:
                continue
            raise AssertionError(f"a {canary_state.value} version was given a route")


@settings(max_examples=100, deadline=None)
@given(
    steps=steps_st,
    switch=kill_switches,
    on_tenant=st.booleans(),
    numbers=st.lists(callers, min_size=1, max_size=40),
    data=st.data(),
)
def test_kill_switch_always_wins(
    steps: list[int], switch: KillSwitch, on_tenant: bool, numbers: list[str], data: st.DataObject
) -> None:
    route = route_at(RolloutPolicy(steps=steps, min_calls=0, bake_time_s=0), data.draw(st.integers(0, len(steps) - 2)))
    if not on_tenant:
        route = gp.engage_kill_switch(route, mode=switch.mode, actor="ops", reason="r", now=NOW)
    arms = {gp.decide_route(route, ROUTABLE, c, switch if on_tenant else None).arm for c in numbers}
    assert arms == {switch.mode}


# ---- lifecycle -------------------------------------------------------------------------

LIFECYCLE_MOVES = [a for a in VersionAction if a is not VersionAction.CREATE]


@settings(max_examples=100, deadline=None)
@given(moves=st.lists(st.tuples(st.sampled_from(LIFECYCLE_MOVES), st.sampled_from(["alice", "bob", "carol"]))))
def test_lifecycle_walks_follow_the_table_and_authors_never_approve(moves: list[tuple[VersionAction, str]]) -> None:
    v = gp.new_version(tenant_id="acme", agent="support", number=1, spec=SPEC, author="alice", now=NOW)
    for action, actor in moves:
        edited = SPEC.model_copy(update={"voice": actor})
        checklist = gp.default_checklist(v)
        for item in checklist.items:
            checklist = gp.complete_item(checklist, item.key, actor=actor, now=NOW)
        do = {
            VersionAction.EDIT: lambda: gp.edit_version(v, edited, actor=actor, now=NOW),
            VersionAction.STAGE: lambda: gp.stage(v, actor=actor, now=NOW),
            VersionAction.APPROVE: lambda: gp.approve(v, approver=actor, checklist=checklist, now=NOW),
            VersionAction.REJECT: lambda: gp.reject(v, actor=actor, reason="r", now=NOW),
            VersionAction.GO_LIVE: lambda: gp.go_live(v, actor=actor, now=NOW),
            VersionAction.WITHDRAW: lambda: gp.withdraw(v, actor=actor, now=NOW),
            VersionAction.RETIRE: lambda: gp.retire(v, actor=actor, now=NOW),
        }[action]
        expected = gp.VERSION_TRANSITIONS.get((v.state, action))
        try:
            moved = do()
        except gp.SelfApprovalForbidden:
            assert action is VersionAction.APPROVE and actor in v.authors
            continue
        except gp.IllegalTransition:
            assert expected is None
            continue
        assert moved.state is expected
        assert action is not VersionAction.APPROVE or actor not in v.authors
        assert v.state is VersionState.DRAFT or moved.spec == v.spec
        v = moved


# ---- the sweep -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    policy=policies(min_guards=1),
    canary=metrics(),
    stable=metrics(),
    paused=st.booleans(),
    switch=st.none() | kill_switches,
    elapsed=st.floats(0, 7200),
)
def test_a_breached_guard_always_rolls_back(
    policy: RolloutPolicy,
    canary: WindowMetrics,
    stable: WindowMetrics,
    paused: bool,
    switch: KillSwitch | None,
    elapsed: float,
) -> None:
    route = route_at(policy, 0)
    if paused:
        route = gp.pause_rollout(route, actor="bob", now=NOW)
    now = NOW + timedelta(seconds=elapsed)
    decision = gp.evaluate_rollout(route, canary, stable, now=now, tenant_kill_switch=switch)
    event(decision.action.value)
    expected = {i for i, g in enumerate(policy.guards) if breached(g, canary, stable)}
    assert {b.guard for b in decision.breaches} == expected
    assert (decision.action is SweepAction.ROLLBACK) == bool(expected)
    assert all(b.by > 0 and math.isclose(b.canary_value, b.limit + b.by) for b in decision.breaches)
    if expected:
        after = gp.apply_decision(route, decision, now=now)
        assert after.canary is None and after.stable_version == 1
        assert after.last_rollout is not None and after.last_rollout.state is RolloutState.ROLLED_BACK


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["absolute_max", "max_ratio_vs_stable", "max_absolute_delta"]),
    threshold=st.floats(1.0, 3000),
    stable_p95=st.floats(0, 3000),
    over=st.booleans(),
)
def test_a_guard_trips_exactly_past_its_limit(kind: str, threshold: float, stable_p95: float, over: bool) -> None:
    guard = Guard.model_validate({"metric": GuardMetric.TURN_LATENCY_P95_MS, kind: threshold, "min_samples": 10})
    limit = {
        "absolute_max": threshold,
        "max_ratio_vs_stable": stable_p95 * threshold,
        "max_absolute_delta": stable_p95 + threshold,
    }[kind]
    p95 = math.nextafter(limit, math.inf) if over else limit
    route = route_at(RolloutPolicy(guards=[guard]), 0)
    canary = WindowMetrics(calls=10, turn_latency_p95_ms=p95)
    stable = WindowMetrics(calls=10, turn_latency_p95_ms=stable_p95)
    decision = gp.evaluate_rollout(route, canary, stable, now=NOW)
    assert (decision.action is SweepAction.ROLLBACK) == over


moves = st.sampled_from(["sweep", "sweep", "sweep", "pause", "resume"])
sweeps = st.lists(st.tuples(quiet_metrics | metrics(), metrics(), st.floats(0, 2000), moves), max_size=20)


@settings(max_examples=200, deadline=None)
@given(policy=policies(), script=sweeps)
def test_promotion_never_skips_a_step_and_only_after_its_requirements(
    policy: RolloutPolicy, script: list[tuple[WindowMetrics, WindowMetrics, float, str]]
) -> None:
    route, now = route_at(policy, 0), NOW
    weights = [policy.steps[0]]
    for canary, stable, dt, move in script:
        if route.canary is None:
            break
        now += timedelta(seconds=dt)
        if move != "sweep":
            try:
                route = (gp.pause_rollout if move == "pause" else gp.resume_rollout)(route, actor="bob", now=now)
            except gp.IllegalTransition:
                pass
            continue
        before = route.canary
        assert before is not None
        decision = gp.evaluate_rollout(route, canary, stable, now=now)
        route = gp.apply_decision(route, decision, now=now)
        event(decision.action.value)
        if decision.action in (SweepAction.PROMOTE, SweepAction.COMPLETE):
            assert decision.to_step == decision.from_step + 1 == before.step_index + 1
            assert decision.to_weight == policy.steps[before.step_index + 1]
            assert before.state is RolloutState.RUNNING and canary.calls >= policy.min_calls
            assert (now - before.step_started_at).total_seconds() >= policy.bake_time_s
            weights.append(decision.to_weight)
        assert (decision.action is SweepAction.COMPLETE) == (route.stable_version == 2)
    assert weights == policy.steps[: len(weights)]


@settings(max_examples=300, deadline=None)
@given(
    policy=policies(),
    step=st.integers(0, 4),
    canary=metrics(),
    stable=metrics(),
    paused=st.booleans(),
    switch=st.none() | kill_switches,
    elapsed=st.floats(0, 7200),
)
def test_hold_never_changes_the_route(
    policy: RolloutPolicy,
    step: int,
    canary: WindowMetrics,
    stable: WindowMetrics,
    paused: bool,
    switch: KillSwitch | None,
    elapsed: float,
) -> None:
    route = route_at(policy, min(step, len(policy.steps) - 2))
    if paused:
        route = gp.pause_rollout(route, actor="bob", now=NOW)
    if switch is not None:
        route = gp.engage_kill_switch(route, mode=switch.mode, actor="ops", reason="r", now=NOW)
    snapshot = route.model_dump()
    assert route.canary is not None
    decision = gp.evaluate_rollout(route, canary, stable, now=route.canary.step_started_at + timedelta(seconds=elapsed))
    event(decision.action.value)
    if decision.action is SweepAction.HOLD:
        assert decision.reasons and decision.to_step == decision.from_step
        assert gp.apply_decision(route, decision, now=NOW + FAR) == route
    assert route.model_dump() == snapshot
