"""Launch governance rules by example: every lifecycle and rollout transition, legal or not."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

import pytest
from pydantic import ValidationError

from governance import policy as gp
from governance.models import (
    AgentSpec,
    AgentVersion,
    ChecklistCategory,
    ChecklistItem,
    Guard,
    GuardMetric,
    KillSwitch,
    LaunchChecklist,
    LifecycleEvent,
    PhoneRoute,
    RolloutAction,
    RolloutPolicy,
    RolloutState,
    RouteDecision,
    SweepAction,
    VersionAction,
    VersionState,
    WindowMetrics,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
NUMBER = "+15550100200"
SPEC = AgentSpec(prompt_key="support-v1", prompt_text="You answer calls for Acme.", model="gpt-realtime", voice="marin")
POLICY = RolloutPolicy(
    steps=[5, 25, 50, 100],
    min_calls=20,
    bake_time_s=600,
    guards=[Guard(metric=GuardMetric.FAILURE_RATE, max_ratio_vs_stable=2.0, absolute_max=0.2, min_samples=10)],
)
V, VA = VersionState, VersionAction


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def draft(number: int = 1, author: str = "alice") -> AgentVersion:
    return gp.new_version(tenant_id="acme", agent="support", number=number, spec=SPEC, author=author, now=NOW)


def done_checklist(version: AgentVersion, actor: str = "carol") -> LaunchChecklist:
    checklist = gp.default_checklist(version)
    for item in checklist.items:
        checklist = gp.complete_item(checklist, item.key, actor=actor, now=NOW)
    return checklist


def version_in(state: VersionState, number: int = 1) -> AgentVersion:
    """A version brought to ``state`` through the public transitions."""
    v = draft(number)
    if state is V.DRAFT:
        return v
    v = gp.stage(v, actor="alice", now=later(1))
    if state is V.REJECTED:
        return gp.reject(v, actor="bob", reason="tone is off", now=later(2))
    if state is V.STAGED:
        return v
    v = gp.approve(v, approver="bob", checklist=done_checklist(v), now=later(2))
    if state is V.APPROVED:
        return v
    if state is V.RETIRED:
        return gp.retire(v, actor="bob", now=later(3))
    return gp.go_live(v, actor="bob", now=later(3))


def route_with_rollout(canary_state: VersionState = V.APPROVED) -> tuple[PhoneRoute, dict[int, AgentVersion]]:
    """A route on v1 with a canary of v2 at 5 %; the returned v2 is then in ``canary_state``."""
    v1, v2 = version_in(V.LIVE, 1), version_in(V.APPROVED, 2)
    route = gp.new_route(number=NUMBER, version=v1)
    route = gp.start_rollout(route, v2, POLICY, rollout_id="ro-1", actor="bob", now=NOW)
    return route, {1: v1, 2: version_in(canary_state, 2)}


def healthy(calls: int = 100) -> WindowMetrics:
    return WindowMetrics(calls=calls, failed=calls // 50)


# ---- version lifecycle -----------------------------------------------------------------

ACTIONS: dict[VersionAction, Callable[[AgentVersion], AgentVersion]] = {
    VA.EDIT: lambda v: gp.edit_version(v, SPEC.model_copy(update={"voice": "cedar"}), actor="alice", now=later(9)),
    VA.STAGE: lambda v: gp.stage(v, actor="alice", now=later(9)),
    VA.APPROVE: lambda v: gp.approve(v, approver="bob", checklist=done_checklist(v), now=later(9)),
    VA.REJECT: lambda v: gp.reject(v, actor="bob", reason="no", now=later(9)),
    VA.GO_LIVE: lambda v: gp.go_live(v, actor="bob", now=later(9)),
    VA.WITHDRAW: lambda v: gp.withdraw(v, actor="bob", now=later(9)),
    VA.RETIRE: lambda v: gp.retire(v, actor="bob", now=later(9)),
}

EXPECTED_VERSION = {
    (V.DRAFT, VA.EDIT): V.DRAFT,
    (V.DRAFT, VA.STAGE): V.STAGED,
    (V.STAGED, VA.APPROVE): V.APPROVED,
    (V.STAGED, VA.REJECT): V.REJECTED,
    (V.APPROVED, VA.GO_LIVE): V.LIVE,
    (V.APPROVED, VA.RETIRE): V.RETIRED,
    (V.LIVE, VA.GO_LIVE): V.LIVE,
    (V.LIVE, VA.WITHDRAW): V.APPROVED,
    (V.LIVE, VA.RETIRE): V.RETIRED,
}


def test_version_table_is_the_documented_lifecycle() -> None:
    assert gp.VERSION_TRANSITIONS == EXPECTED_VERSION


@pytest.mark.parametrize("state", list(V))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_version_transition_moves_or_raises_illegal(state: VersionState, action: VersionAction) -> None:
    version = version_in(state)
    expected = EXPECTED_VERSION.get((state, action))
    if expected is None:
        with pytest.raises(gp.IllegalTransition) as err:
            ACTIONS[action](version)
        assert (err.value.state, err.value.action) == (state.value, action.value)
        return
    moved = ACTIONS[action](version)
    assert moved.state is expected
    assert moved.history[-1].action is action and moved.history[-1].at == later(9)
    assert version.state is state  # the input is untouched


def test_history_records_who_did_each_step_and_when() -> None:
    v = version_in(V.LIVE)
    assert [(e.action, e.actor, e.at) for e in v.history] == [
        (VA.CREATE, "alice", NOW),
        (VA.STAGE, "alice", later(1)),
        (VA.APPROVE, "bob", later(2)),
        (VA.GO_LIVE, "bob", later(3)),
    ]


@pytest.mark.parametrize("state", [V.STAGED, V.APPROVED, V.LIVE, V.RETIRED, V.REJECTED])
def test_spec_is_immutable_once_staged(state: VersionState) -> None:
    with pytest.raises(gp.ImmutableVersion) as err:
        ACTIONS[VA.EDIT](version_in(state))
    assert err.value.code == "immutable_version" and isinstance(err.value, gp.IllegalTransition)


def test_edit_in_draft_replaces_the_spec() -> None:
    assert ACTIONS[VA.EDIT](draft()).spec.voice == "cedar"


def test_records_are_frozen() -> None:
    with pytest.raises(ValidationError):
        draft().state = V.LIVE  # type: ignore[misc]


def test_reject_records_the_reason() -> None:
    assert version_in(V.REJECTED).history[-1].note == "tone is off"


# ---- approval --------------------------------------------------------------------------


@pytest.mark.parametrize("author_step", ["create", "edit", "stage"])
def test_two_person_rule_forbids_every_author_approving(author_step: str) -> None:
    v = draft(author="alice" if author_step != "create" else "dave")
    if author_step == "edit":
        v = gp.edit_version(v, SPEC, actor="dave", now=NOW)
    v = gp.stage(v, actor="dave" if author_step == "stage" else "alice", now=NOW)
    with pytest.raises(gp.SelfApprovalForbidden) as err:
        gp.approve(v, approver="dave", checklist=done_checklist(v), now=NOW)
    assert err.value.code == "self_approval_forbidden"


def test_author_may_approve_when_the_two_person_rule_is_off() -> None:
    v = gp.stage(draft(), actor="alice", now=NOW)
    approved = gp.approve(v, approver="alice", checklist=done_checklist(v), now=NOW, two_person_rule=False)
    assert approved.state is V.APPROVED


def test_incomplete_checklist_blocks_approval_and_lists_what_is_missing() -> None:
    v = gp.stage(draft(), actor="alice", now=NOW)
    checklist = gp.reopen_item(done_checklist(v), "business-signoff")
    with pytest.raises(gp.ChecklistIncomplete) as err:
        gp.approve(v, approver="bob", checklist=checklist, now=NOW)
    assert err.value.missing == ["business-signoff"] and err.value.code == "checklist_incomplete"


def test_checklist_of_another_version_is_refused() -> None:
    v = gp.stage(draft(2), actor="alice", now=NOW)
    with pytest.raises(gp.ChecklistMismatch):
        gp.approve(v, approver="bob", checklist=done_checklist(draft(1)), now=NOW)


def test_optional_checklist_items_do_not_block() -> None:
    v = gp.stage(draft(), actor="alice", now=NOW)
    checklist = done_checklist(v)
    extra = ChecklistItem(key="press-release", category=ChecklistCategory.BUSINESS, title="PR", required=False)
    checklist = checklist.model_copy(update={"items": [*checklist.items, extra]})
    assert checklist.complete and gp.approve(v, approver="bob", checklist=checklist, now=NOW).state is V.APPROVED


def test_default_checklist_covers_the_five_categories_and_starts_open() -> None:
    checklist = gp.default_checklist(draft())
    assert {i.category for i in checklist.items} == set(ChecklistCategory)
    assert checklist.missing == [i.key for i in checklist.items]


def test_completing_an_item_records_who_and_when() -> None:
    checklist = gp.complete_item(gp.default_checklist(draft()), "pii-reviewed", actor="erin", now=later(5), note="ok")
    item = next(i for i in checklist.items if i.key == "pii-reviewed")
    assert (item.done_by, item.done_at, item.note) == ("erin", later(5), "ok")


def test_unknown_checklist_item_is_named() -> None:
    with pytest.raises(gp.UnknownChecklistItem):
        gp.complete_item(gp.default_checklist(draft()), "nope", actor="erin", now=NOW)


def test_checklist_must_cover_every_category() -> None:
    item = ChecklistItem(key="only", category=ChecklistCategory.SECURITY, title="x")
    with pytest.raises(ValidationError, match="categories"):
        LaunchChecklist(tenant_id="acme", agent="support", version=1, items=[item])


def test_checklist_item_done_by_needs_done_at() -> None:
    with pytest.raises(ValidationError):
        ChecklistItem(key="k", category=ChecklistCategory.RUNTIME, title="x", done_by="erin")


# ---- record validation -----------------------------------------------------------------


@pytest.mark.parametrize("steps", [[100], [5, 5, 100], [50, 25, 100], [5, 50], [0, 100], [5, 101]])
def test_policy_steps_must_increase_strictly_to_100(steps: list[int]) -> None:
    with pytest.raises(ValidationError):
        RolloutPolicy(steps=steps)


def test_guard_needs_a_limit() -> None:
    with pytest.raises(ValidationError, match="needs"):
        Guard(metric=GuardMetric.ESCALATION_RATE)


@pytest.mark.parametrize(
    "fields", [{"calls": 1, "failed": 2}, {"tool_calls": 1, "tool_errors": 2}, {"calls": 1, "qa_reviewed": 2}]
)
def test_metrics_parts_cannot_exceed_wholes(fields: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        WindowMetrics(**fields)


def test_metric_rates_are_none_without_samples() -> None:
    m = WindowMetrics(calls=10, failed=1, escalated=2, turn_latency_p95_ms=800)
    assert (m.failure_rate, m.escalation_rate, m.tool_error_rate, m.qa_failure_rate) == (0.1, 0.2, None, None)
    assert m.value(GuardMetric.TURN_LATENCY_P95_MS) == 800 and m.samples(GuardMetric.TOOL_ERROR_RATE) == 0


@pytest.mark.parametrize(
    "tools", [[{"type": "function"}], [{"name": "a"}, {"name": "a"}], [{"type": "x", "name": "a"}]]
)
def test_spec_tools_must_be_uniquely_named_functions(tools: list[dict[str, str]]) -> None:
    with pytest.raises(ValidationError):
        AgentSpec.model_validate(SPEC.model_dump() | {"tools": tools})


def test_only_fallback_decisions_lack_a_version() -> None:
    with pytest.raises(ValidationError):
        RouteDecision(arm="stable", version=None, reason="x")


def test_every_error_has_a_distinct_stable_code() -> None:
    errors: list[type[gp.GovernanceError]] = [gp.GovernanceError, *gp.GovernanceError.__subclasses__()]
    errors.append(gp.ImmutableVersion)
    codes = [e.code for e in errors]
    assert len(set(codes)) == len(codes) and all(c.islower() for c in codes)


# ---- routes and rollouts ---------------------------------------------------------------


@pytest.mark.parametrize("state", [V.DRAFT, V.STAGED, V.REJECTED, V.RETIRED])
def test_unapproved_version_cannot_answer_a_route(state: VersionState) -> None:
    with pytest.raises(gp.ApprovalRequired):
        gp.new_route(number=NUMBER, version=version_in(state))
    route = gp.new_route(number=NUMBER, version=version_in(V.LIVE))
    with pytest.raises(gp.ApprovalRequired):
        gp.start_rollout(route, version_in(state, 2), POLICY, rollout_id="r", actor="bob", now=NOW)
    with pytest.raises(gp.ApprovalRequired):
        gp.set_stable(route, version_in(state, 2))


def test_start_rollout_begins_at_the_first_step() -> None:
    route, _ = route_with_rollout()
    assert route.canary is not None
    assert (route.canary.version, route.canary.weight_pct, route.canary.step_index) == (2, 5, 0)
    assert route.canary.state is RolloutState.RUNNING and route.canary.step_started_at == NOW
    assert route.canary.history[0].action is RolloutAction.START


def test_only_one_rollout_per_route() -> None:
    route, _ = route_with_rollout()
    with pytest.raises(gp.RolloutInProgress):
        gp.start_rollout(route, version_in(V.APPROVED, 3), POLICY, rollout_id="ro-2", actor="bob", now=NOW)
    with pytest.raises(gp.RolloutInProgress):
        gp.set_stable(route, version_in(V.APPROVED, 3))


def test_rollout_of_the_stable_version_or_another_agent_is_refused() -> None:
    route = gp.new_route(number=NUMBER, version=version_in(V.LIVE))
    with pytest.raises(gp.VersionMismatch):
        gp.start_rollout(route, version_in(V.APPROVED, 1), POLICY, rollout_id="r", actor="bob", now=NOW)
    other = version_in(V.APPROVED, 2).model_copy(update={"agent": "sales"})
    with pytest.raises(gp.VersionMismatch):
        gp.start_rollout(route, other, POLICY, rollout_id="r", actor="bob", now=NOW)


def test_no_rollout_starts_under_a_kill_switch() -> None:
    route = gp.new_route(number=NUMBER, version=version_in(V.LIVE))
    route = gp.engage_kill_switch(route, mode="stable", actor="bob", reason="incident", now=NOW)
    with pytest.raises(gp.KillSwitchEngaged):
        gp.start_rollout(route, version_in(V.APPROVED, 2), POLICY, rollout_id="r", actor="bob", now=NOW)


def test_set_stable_switches_outright_without_a_rollout() -> None:
    route = gp.new_route(number=NUMBER, version=version_in(V.LIVE))
    assert gp.set_stable(route, version_in(V.APPROVED, 2)).stable_version == 2


EXPECTED_ROLLOUT = {
    (RolloutState.RUNNING, RolloutAction.PAUSE): RolloutState.PAUSED,
    (RolloutState.PAUSED, RolloutAction.RESUME): RolloutState.RUNNING,
    (RolloutState.RUNNING, RolloutAction.PROMOTE): RolloutState.RUNNING,
    (RolloutState.RUNNING, RolloutAction.COMPLETE): RolloutState.COMPLETED,
    (RolloutState.RUNNING, RolloutAction.ROLLBACK): RolloutState.ROLLED_BACK,
    (RolloutState.PAUSED, RolloutAction.ROLLBACK): RolloutState.ROLLED_BACK,
    (RolloutState.RUNNING, RolloutAction.ABORT): RolloutState.ABORTED,
    (RolloutState.PAUSED, RolloutAction.ABORT): RolloutState.ABORTED,
}


def test_rollout_table_is_the_documented_machine() -> None:
    assert gp.ROLLOUT_TRANSITIONS == EXPECTED_ROLLOUT


def test_pause_then_resume_restarts_the_bake_clock() -> None:
    route, _ = route_with_rollout()
    paused = gp.pause_rollout(route, actor="bob", now=later(100), reason="holiday")
    assert paused.canary is not None and paused.canary.state is RolloutState.PAUSED
    resumed = gp.resume_rollout(paused, actor="bob", now=later(200))
    assert resumed.canary is not None and resumed.canary.state is RolloutState.RUNNING
    assert resumed.canary.step_started_at == later(200) and resumed.canary.weight_pct == 5


@pytest.mark.parametrize(
    "move",
    [
        lambda r: gp.resume_rollout(r, actor="bob", now=NOW),
        lambda r: gp.pause_rollout(gp.pause_rollout(r, actor="bob", now=NOW), actor="bob", now=NOW),
    ],
)
def test_illegal_rollout_moves_raise(move: Callable[[PhoneRoute], PhoneRoute]) -> None:
    route, _ = route_with_rollout()
    with pytest.raises(gp.IllegalTransition):
        move(route)


@pytest.mark.parametrize("paused", [False, True])
def test_abort_returns_all_traffic_to_stable_and_keeps_the_record(paused: bool) -> None:
    route, _ = route_with_rollout()
    if paused:
        route = gp.pause_rollout(route, actor="bob", now=NOW)
    aborted = gp.abort_rollout(route, actor="bob", now=later(5), reason="wrong prompt")
    assert aborted.canary is None and aborted.stable_version == 1
    assert aborted.last_rollout is not None and aborted.last_rollout.state is RolloutState.ABORTED
    assert aborted.last_rollout.history[-1].note == "wrong prompt"


@pytest.mark.parametrize(
    "move",
    [
        lambda r: gp.pause_rollout(r, actor="bob", now=NOW),
        lambda r: gp.resume_rollout(r, actor="bob", now=NOW),
        lambda r: gp.abort_rollout(r, actor="bob", now=NOW, reason="x"),
    ],
)
def test_rollout_moves_need_an_active_rollout(move: Callable[[PhoneRoute], PhoneRoute]) -> None:
    with pytest.raises(gp.NoActiveRollout):
        move(gp.new_route(number=NUMBER, version=version_in(V.LIVE)))


# ---- route decision --------------------------------------------------------------------


def callers_by_arm(route: PhoneRoute) -> tuple[str, str]:
    """One caller number in the canary bucket range of ``route`` and one outside it."""
    assert route.canary is not None
    numbers = [f"+1415555{i:04d}" for i in range(2000)]
    cut = route.canary.weight_pct * 100
    inside = [n for n in numbers if gp.caller_bucket(NUMBER, route.canary.rollout_id, n) < cut]
    outside = [n for n in numbers if n not in inside]
    return inside[0], outside[0]


def test_without_a_rollout_every_call_goes_to_stable() -> None:
    route = gp.new_route(number=NUMBER, version=version_in(V.LIVE))
    decision = gp.decide_route(route, {1: version_in(V.LIVE)}, "+14155550000")
    assert (decision.arm, decision.version, decision.bucket) == ("stable", 1, None)


def test_canary_callers_go_to_the_canary_and_others_to_stable() -> None:
    route, versions = route_with_rollout()
    inside, outside = callers_by_arm(route)
    assert gp.decide_route(route, versions, inside).arm == "canary"
    decision = gp.decide_route(route, versions, outside)
    assert decision.arm == "stable" and decision.bucket is not None and decision.bucket >= 500


@pytest.mark.parametrize("scope", ["route", "tenant"])
def test_stable_kill_switch_sends_canary_callers_to_stable(scope: str) -> None:
    route, versions = route_with_rollout()
    inside, _ = callers_by_arm(route)
    switch = KillSwitch(mode="stable", by="bob", at=NOW, reason="spike in complaints")
    if scope == "route":
        route = gp.engage_kill_switch(route, mode="stable", actor="bob", reason="spike in complaints", now=NOW)
    decision = gp.decide_route(route, versions, inside, switch if scope == "tenant" else None)
    assert (decision.arm, decision.version) == ("stable", 1) and "kill switch" in decision.reason


def test_fallback_kill_switch_wins_over_a_stable_one() -> None:
    route, versions = route_with_rollout()
    route = gp.engage_kill_switch(route, mode="stable", actor="bob", reason="r", now=NOW)
    tenant = KillSwitch(mode="fallback", by="ops", at=NOW, reason="outage")
    decision = gp.decide_route(route, versions, "+14155550000", tenant)
    assert (decision.arm, decision.version) == ("fallback", None) and "outage" in decision.reason


def test_releasing_the_kill_switch_restores_routing() -> None:
    route, versions = route_with_rollout()
    inside, _ = callers_by_arm(route)
    killed = gp.engage_kill_switch(route, mode="fallback", actor="bob", reason="r", now=NOW)
    assert gp.release_kill_switch(killed) == route
    assert gp.decide_route(gp.release_kill_switch(killed), versions, inside).arm == "canary"


def test_unapproved_canary_degrades_to_stable() -> None:
    route, versions = route_with_rollout(canary_state=V.RETIRED)
    inside, _ = callers_by_arm(route)
    decision = gp.decide_route(route, versions, inside)
    assert (decision.arm, decision.version) == ("stable", 1) and "retired" in decision.reason


def test_unroutable_stable_degrades_to_fallback() -> None:
    route = gp.new_route(number=NUMBER, version=version_in(V.LIVE))
    for versions in ({}, {1: version_in(V.RETIRED)}, {1: version_in(V.LIVE).model_copy(update={"tenant_id": "evil"})}):
        assert gp.decide_route(route, versions, "+14155550000").arm == "fallback"


# ---- sweep -----------------------------------------------------------------------------


def test_hold_says_which_calls_and_bake_time_are_missing() -> None:
    route, _ = route_with_rollout()
    decision = gp.evaluate_rollout(route, healthy(7), healthy(), now=later(240))
    assert decision.action is SweepAction.HOLD and (decision.from_step, decision.to_step) == (0, 0)
    assert decision.reasons[:2] == ["calls 7/20", "bake 360 s remaining"]
    assert gp.apply_decision(route, decision, now=later(240)) is route


def test_promotion_goes_exactly_one_step_and_starts_a_new_window() -> None:
    route, _ = route_with_rollout()
    decision = gp.evaluate_rollout(route, healthy(), healthy(), now=later(600))
    assert decision.action is SweepAction.PROMOTE
    assert (decision.from_step, decision.to_step, decision.to_weight) == (0, 1, 25)
    promoted = gp.apply_decision(route, decision, now=later(601))
    assert promoted.canary is not None
    canary = promoted.canary
    assert (canary.step_index, canary.weight_pct, canary.step_started_at) == (1, 25, later(601))
    assert promoted.canary.history[-1].actor == gp.SWEEP_ACTOR


def test_the_step_to_100_completes_and_the_canary_becomes_stable() -> None:
    route, _ = route_with_rollout()
    for step in range(3):
        now = later(1000 * (step + 1))
        decision = gp.evaluate_rollout(route, healthy(), healthy(), now=now)
        route = gp.apply_decision(route, decision, now=now)
    assert decision.action is SweepAction.COMPLETE and decision.to_weight == 100
    assert route.canary is None and route.stable_version == 2
    assert route.last_rollout is not None and route.last_rollout.state is RolloutState.COMPLETED
    assert [e.action for e in route.last_rollout.history] == ["start", "promote", "promote", "complete"]


def test_breach_rolls_back_naming_the_guard_and_margin_even_before_bake() -> None:
    route, _ = route_with_rollout()
    canary, stable = WindowMetrics(calls=10, failed=3), WindowMetrics(calls=100, failed=5)
    decision = gp.evaluate_rollout(route, canary, stable, now=NOW)
    assert decision.action is SweepAction.ROLLBACK and decision.to_step is None and decision.to_weight == 0
    kinds = {b.kind: b for b in decision.breaches}
    assert set(kinds) == {"absolute_max", "ratio_vs_stable"}
    assert kinds["ratio_vs_stable"].limit == pytest.approx(0.1) and kinds["ratio_vs_stable"].by == pytest.approx(0.2)
    assert kinds["absolute_max"].by == pytest.approx(0.1) and kinds["absolute_max"].guard == 0
    assert "guard 0 (failure_rate) breached" in decision.reasons[0]
    rolled = gp.apply_decision(route, decision, now=NOW)
    assert rolled.canary is None and rolled.stable_version == 1
    assert rolled.last_rollout is not None and rolled.last_rollout.state is RolloutState.ROLLED_BACK


def test_paused_rollout_holds_but_still_rolls_back_on_breach() -> None:
    route, _ = route_with_rollout()
    paused = gp.pause_rollout(route, actor="bob", now=NOW)
    assert gp.evaluate_rollout(paused, healthy(), healthy(), now=later(5000)).reasons == ["rollout is paused"]
    bad = gp.evaluate_rollout(paused, WindowMetrics(calls=50, failed=25), healthy(), now=later(1))
    assert bad.action is SweepAction.ROLLBACK
    assert gp.apply_decision(paused, bad, now=later(1)).canary is None


def test_kill_switch_holds_the_rollout() -> None:
    route, _ = route_with_rollout()
    tenant = KillSwitch(mode="stable", by="ops", at=NOW, reason="r")
    decision = gp.evaluate_rollout(route, healthy(), healthy(), now=later(5000), tenant_kill_switch=tenant)
    assert decision.action is SweepAction.HOLD and "tenant kill switch" in decision.reasons[0]


def test_guards_below_their_sample_size_are_reported_not_checked() -> None:
    route, _ = route_with_rollout()
    decision = gp.evaluate_rollout(route, WindowMetrics(calls=5, failed=5), healthy(), now=NOW)
    assert decision.action is SweepAction.HOLD
    assert "guard 0 (failure_rate) not checked: 5/10 canary samples" in decision.reasons


def test_relative_limits_need_a_stable_baseline_but_absolute_ones_do_not() -> None:
    guard = Guard(metric=GuardMetric.TURN_LATENCY_P95_MS, max_absolute_delta=200, absolute_max=1500, min_samples=10)
    canary = WindowMetrics(calls=30, turn_latency_p95_ms=1400)
    assert gp.find_breaches([guard], canary, WindowMetrics(calls=3, turn_latency_p95_ms=900)) == []
    [breach] = gp.find_breaches([guard], canary, WindowMetrics(calls=30, turn_latency_p95_ms=900))
    assert (breach.kind, breach.limit, breach.by, breach.stable_value) == ("absolute_delta", 1100, 300, 900)
    [breach] = gp.find_breaches([guard], canary.model_copy(update={"turn_latency_p95_ms": 1600}), WindowMetrics())
    assert (breach.kind, breach.by) == ("absolute_max", 100)


@pytest.mark.parametrize(
    "metric, canary",
    [
        (GuardMetric.ESCALATION_RATE, WindowMetrics(calls=20, escalated=10)),
        (GuardMetric.TOOL_ERROR_RATE, WindowMetrics(calls=20, tool_calls=20, tool_errors=10)),
        (GuardMetric.QA_FAILURE_RATE, WindowMetrics(calls=20, qa_reviewed=20, qa_failed=10)),
    ],
)
def test_each_rate_guard_counts_its_own_samples(metric: GuardMetric, canary: WindowMetrics) -> None:
    guard = Guard(metric=metric, absolute_max=0.25, min_samples=20)
    [breach] = gp.find_breaches([guard], canary, WindowMetrics())
    assert breach.metric is metric and breach.by == pytest.approx(0.25)


def test_stale_decisions_are_refused() -> None:
    route, _ = route_with_rollout()
    decision = gp.evaluate_rollout(route, healthy(), healthy(), now=later(600))
    promoted = gp.apply_decision(route, decision, now=later(600))
    with pytest.raises(gp.StaleDecision):
        gp.apply_decision(promoted, decision, now=later(601))
    skipping = decision.model_copy(update={"to_step": 2})
    with pytest.raises(gp.StaleDecision):
        gp.apply_decision(route, skipping, now=later(601))
    paused = gp.pause_rollout(route, actor="bob", now=later(600))
    with pytest.raises(gp.IllegalTransition):
        gp.apply_decision(paused, decision, now=later(601))


def test_sweep_reports_each_active_rollout() -> None:
    route, _ = route_with_rollout()
    idle = gp.new_route(number="+15550100999", version=version_in(V.LIVE))
    reports = gp.sweep([route, idle], {NUMBER: (healthy(), healthy())}, now=later(600))
    assert [r.decision.action for r in reports] == [SweepAction.PROMOTE]
    assert reports[0].route.canary is not None and reports[0].route.canary.weight_pct == 25
    [held] = gp.sweep([route], {}, now=later(600))
    assert held.decision.action is SweepAction.HOLD and held.route == route


def test_lifecycle_event_times_must_carry_a_zone() -> None:
    with pytest.raises(ValidationError):
        LifecycleEvent(action=VA.STAGE, actor="a", at=datetime(2025, 1, 1))
