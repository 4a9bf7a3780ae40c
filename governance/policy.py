"""Launch governance as pure rules: version lifecycle, approval, call routing, rollout sweeps.

No Ray, no I/O, no clock: ``now`` is an argument and every function returns new records
(validated copies), never mutating its inputs. The governance actor holds the records and
calls these; the gateway maps ``GovernanceError.code`` to problem+json.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from governance.models import (
    AgentSpec,
    AgentVersion,
    Breach,
    Canary,
    ChecklistCategory,
    ChecklistItem,
    Guard,
    KillSwitch,
    LaunchChecklist,
    LifecycleEvent,
    PhoneRoute,
    RolloutAction,
    RolloutEvent,
    RolloutPolicy,
    RolloutState,
    RouteDecision,
    SweepAction,
    SweepDecision,
    SweepReport,
    VersionAction,
    VersionState,
    WindowMetrics,
)

#: Who ``apply_decision`` records as the actor of sweep-made changes.
SWEEP_ACTOR = "system:sweep"
#: Callers hash into this many buckets; a canary at w% takes buckets below w * 100.
BUCKETS = 10_000

# ---- errors ----------------------------------------------------------------------------


class GovernanceError(Exception):
    """Base of every governance rule violation; ``code`` is stable, for API error bodies."""

    code = "governance_error"


class IllegalTransition(GovernanceError):
    code = "illegal_transition"

    def __init__(self, kind: str, state: str, action: str) -> None:
        super().__init__(f"{kind} cannot {action!r} in state {state!r}")
        self.kind, self.state, self.action = kind, state, action


class ImmutableVersion(IllegalTransition):
    """A version's spec is frozen once it leaves draft."""

    code = "immutable_version"


class ApprovalRequired(GovernanceError):
    """The version would take production traffic but is not approved."""

    code = "approval_required"


class SelfApprovalForbidden(GovernanceError):
    code = "self_approval_forbidden"


class ApproverNotVouched(SelfApprovalForbidden):
    """The approving credential does not establish a person (the bootstrap key, or a key whose
    owner nobody else vouched for)."""

    code = "approver_not_vouched"


BOOTSTRAP_ACTOR = "admin-key:bootstrap"


@dataclass(frozen=True)
class Approver:
    """Who asks to approve, as authenticated (F4): the person, and how the key came to be."""

    actor: str
    bootstrap: bool
    vouched: bool
    issuer_chain: frozenset[str]


def check_approver(version: "AgentVersion", approver: Approver) -> None:
    """The two-person rule over authenticated people: the bootstrap key never approves, nor a key
    whose person is not vouched for, nor the version's author, nor a key its author issued
    (directly or through keys issued with keys it issued: the issuer saw every such secret)."""
    if approver.bootstrap or approver.actor == BOOTSTRAP_ACTOR:
        raise SelfApprovalForbidden("the bootstrap key may author versions but never approve them")
    if not approver.vouched:
        raise ApproverNotVouched("this key's person is not vouched for: an admin other than its owner must issue it")
    authors = version.authors
    if approver.actor in authors:
        raise SelfApprovalForbidden(f"{approver.actor} wrote or staged v{version.number}; another admin must approve")
    minted_by = sorted(authors & approver.issuer_chain)
    if minted_by:
        raise SelfApprovalForbidden(f"this key was issued by {minted_by[0]}, an author of v{version.number}")


class ChecklistIncomplete(GovernanceError):
    code = "checklist_incomplete"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"launch checklist incomplete: {', '.join(missing)}")
        self.missing = missing


class ChecklistMismatch(GovernanceError):
    code = "checklist_mismatch"


class UnknownChecklistItem(GovernanceError):
    code = "unknown_checklist_item"


class VersionMismatch(GovernanceError):
    """The version belongs to another tenant or agent, or is already the route's stable one."""

    code = "version_mismatch"


class RolloutInProgress(GovernanceError):
    code = "rollout_in_progress"


class NoActiveRollout(GovernanceError):
    code = "no_active_rollout"


class KillSwitchEngaged(GovernanceError):
    code = "kill_switch_engaged"


class StaleDecision(GovernanceError):
    """A sweep decision made for another rollout or step than the route now has."""

    code = "stale_decision"


# ---- state machines --------------------------------------------------------------------

_V, _VA = VersionState, VersionAction

#: Version lifecycle: (state, action) -> state. Anything else raises IllegalTransition.
VERSION_TRANSITIONS: dict[tuple[VersionState, VersionAction], VersionState] = {
    (_V.DRAFT, _VA.EDIT): _V.DRAFT,
    (_V.DRAFT, _VA.STAGE): _V.STAGED,  # the spec is frozen from here on
    (_V.STAGED, _VA.APPROVE): _V.APPROVED,
    (_V.STAGED, _VA.REJECT): _V.REJECTED,
    (_V.APPROVED, _VA.GO_LIVE): _V.LIVE,
    (_V.APPROVED, _VA.RETIRE): _V.RETIRED,
    (_V.LIVE, _VA.GO_LIVE): _V.LIVE,  # another route starts using it
    (_V.LIVE, _VA.WITHDRAW): _V.APPROVED,  # taken off traffic (rollback); may be rolled out again
    (_V.LIVE, _VA.RETIRE): _V.RETIRED,
}

_R, _RA = RolloutState, RolloutAction

#: Rollout: (state, action) -> state. Starting one is ``start_rollout``, not a transition.
ROLLOUT_TRANSITIONS: dict[tuple[RolloutState, RolloutAction], RolloutState] = {
    (_R.RUNNING, _RA.PAUSE): _R.PAUSED,
    (_R.PAUSED, _RA.RESUME): _R.RUNNING,
    (_R.RUNNING, _RA.PROMOTE): _R.RUNNING,
    (_R.RUNNING, _RA.COMPLETE): _R.COMPLETED,
    (_R.RUNNING, _RA.ROLLBACK): _R.ROLLED_BACK,
    (_R.PAUSED, _RA.ROLLBACK): _R.ROLLED_BACK,  # a paused canary keeps its weight, so guards still apply
    (_R.RUNNING, _RA.ABORT): _R.ABORTED,
    (_R.PAUSED, _RA.ABORT): _R.ABORTED,
}

_S = TypeVar("_S", bound=StrEnum)
_A = TypeVar("_A", bound=StrEnum)
_M = TypeVar("_M", bound=BaseModel)


def _next(table: Mapping[tuple[_S, _A], _S], kind: str, state: _S, action: _A) -> _S:
    try:
        return table[(state, action)]
    except KeyError:
        raise IllegalTransition(kind, state.value, action.value) from None


def _evolve(model: _M, **changes: Any) -> _M:
    """A validated copy with ``changes`` (``model_copy(update=...)`` would skip validation)."""
    data = {name: getattr(model, name) for name in type(model).model_fields}
    data.update(changes)
    return type(model).model_validate(data)


# ---- agent versions --------------------------------------------------------------------


def new_version(
    *, tenant_id: str, agent: str, number: int, spec: AgentSpec, author: str, now: datetime
) -> AgentVersion:
    event = LifecycleEvent(action=VersionAction.CREATE, actor=author, at=now)
    return AgentVersion(tenant_id=tenant_id, agent=agent, number=number, spec=spec, history=[event])


def _advance(
    version: AgentVersion, action: VersionAction, actor: str, now: datetime, note: str | None = None, **changes: Any
) -> AgentVersion:
    state = _next(VERSION_TRANSITIONS, "version", version.state, action)
    event = LifecycleEvent(action=action, actor=actor, at=now, note=note)
    return _evolve(version, state=state, history=[*version.history, event], **changes)


def edit_version(version: AgentVersion, spec: AgentSpec, *, actor: str, now: datetime) -> AgentVersion:
    if version.state is not VersionState.DRAFT:
        raise ImmutableVersion("version", version.state.value, VersionAction.EDIT.value)
    return _advance(version, VersionAction.EDIT, actor, now, spec=spec)


def stage(version: AgentVersion, *, actor: str, now: datetime) -> AgentVersion:
    return _advance(version, VersionAction.STAGE, actor, now)


def approve(
    version: AgentVersion,
    *,
    approver: str,
    checklist: LaunchChecklist,
    now: datetime,
    two_person_rule: bool = True,
) -> AgentVersion:
    """Approve a staged version. The caller has checked that ``approver`` is an admin."""
    _next(VERSION_TRANSITIONS, "version", version.state, VersionAction.APPROVE)
    if (checklist.tenant_id, checklist.agent, checklist.version) != (version.tenant_id, version.agent, version.number):
        raise ChecklistMismatch(f"checklist is for {checklist.agent} v{checklist.version}, not v{version.number}")
    if two_person_rule and approver == BOOTSTRAP_ACTOR:
        raise SelfApprovalForbidden("the bootstrap key may author versions but never approve them")
    if two_person_rule and approver in version.authors:
        raise SelfApprovalForbidden(f"{approver} wrote or staged v{version.number}; another admin must approve")
    if not checklist.complete:
        raise ChecklistIncomplete(checklist.missing)
    return _advance(version, VersionAction.APPROVE, approver, now)


def reject(version: AgentVersion, *, actor: str, reason: str, now: datetime) -> AgentVersion:
    return _advance(version, VersionAction.REJECT, actor, now, note=reason)


def go_live(version: AgentVersion, *, actor: str, now: datetime) -> AgentVersion:
    return _advance(version, VersionAction.GO_LIVE, actor, now)


def withdraw(version: AgentVersion, *, actor: str, now: datetime, reason: str | None = None) -> AgentVersion:
    return _advance(version, VersionAction.WITHDRAW, actor, now, note=reason)


def retire(version: AgentVersion, *, actor: str, now: datetime, reason: str | None = None) -> AgentVersion:
    return _advance(version, VersionAction.RETIRE, actor, now, note=reason)


# ---- launch checklist ------------------------------------------------------------------

_C = ChecklistCategory

#: The standard launch checklist: (key, category, title).
DEFAULT_CHECKLIST: tuple[tuple[str, ChecklistCategory, str], ...] = (
    ("tool-credentials-scoped", _C.SECURITY, "Tool credentials are scoped to this tenant and stored as secrets"),
    ("pii-reviewed", _C.SECURITY, "Prompt and tools reviewed for handling of personal data"),
    ("test-calls-passed", _C.RUNTIME, "Scripted test calls pass on a staging number"),
    ("latency-within-budget", _C.RUNTIME, "Turn latency in test calls is within budget"),
    ("fallback-configured", _C.OPERATIONS, "Operator number or fallback message is configured"),
    ("kill-switch-drilled", _C.OPERATIONS, "On-call knows the runbook and has tried the kill switch"),
    ("guards-configured", _C.MONITORING, "Rollout guards and their thresholds are set"),
    ("alerts-routed", _C.MONITORING, "Alerts for this agent reach the on-call rotation"),
    ("business-signoff", _C.BUSINESS, "Business owner signed off on the prompt, voice and tools"),
)


def default_checklist(version: AgentVersion) -> LaunchChecklist:
    items = [ChecklistItem(key=k, category=c, title=t) for k, c, t in DEFAULT_CHECKLIST]
    return LaunchChecklist(tenant_id=version.tenant_id, agent=version.agent, version=version.number, items=items)


def _set_item(checklist: LaunchChecklist, key: str, **changes: Any) -> LaunchChecklist:
    if key not in {i.key for i in checklist.items}:
        raise UnknownChecklistItem(f"no checklist item {key!r}")
    items = [_evolve(i, **changes) if i.key == key else i for i in checklist.items]
    return _evolve(checklist, items=items)


def complete_item(
    checklist: LaunchChecklist, key: str, *, actor: str, now: datetime, note: str | None = None
) -> LaunchChecklist:
    return _set_item(checklist, key, done_by=actor, done_at=now, note=note)


def reopen_item(checklist: LaunchChecklist, key: str) -> LaunchChecklist:
    return _set_item(checklist, key, done_by=None, done_at=None)


# ---- routes, rollouts, kill switches ---------------------------------------------------


def _why_unroutable(route: PhoneRoute, number: int, version: AgentVersion | None) -> str | None:
    """Why calls on ``route`` may not go to version ``number``; None when they may."""
    if version is None:
        return f"v{number} is unknown"
    if (version.tenant_id, version.agent, version.number) != (route.tenant_id, route.agent, number):
        return f"v{number} is not {route.agent} of tenant {route.tenant_id}"
    if not version.state.routable:
        return f"v{number} is {version.state.value}, not approved"
    return None


def _require_routable(route: PhoneRoute, version: AgentVersion) -> None:
    if (version.tenant_id, version.agent) != (route.tenant_id, route.agent):
        raise VersionMismatch(f"v{version.number} is not {route.agent} of tenant {route.tenant_id}")
    if not version.state.routable:
        raise ApprovalRequired(f"v{version.number} is {version.state.value}; it must be approved first")


def new_route(*, number: str, version: AgentVersion) -> PhoneRoute:
    """A phone number answered by ``version`` of its agent."""
    route = PhoneRoute(number=number, tenant_id=version.tenant_id, agent=version.agent, stable_version=version.number)
    _require_routable(route, version)
    return route


def set_stable(route: PhoneRoute, version: AgentVersion) -> PhoneRoute:
    """Switch the route outright (e.g. back to an older version); not during a rollout."""
    if route.canary is not None:
        raise RolloutInProgress(f"rollout {route.canary.rollout_id} is {route.canary.state.value} on {route.number}")
    _require_routable(route, version)
    return _evolve(route, stable_version=version.number)


def start_rollout(
    route: PhoneRoute, version: AgentVersion, policy: RolloutPolicy, *, rollout_id: str, actor: str, now: datetime
) -> PhoneRoute:
    """Begin a canary of ``version`` at the policy's first step; the policy is kept with it."""
    if route.canary is not None:
        raise RolloutInProgress(f"rollout {route.canary.rollout_id} is {route.canary.state.value} on {route.number}")
    if route.kill_switch is not None:
        raise KillSwitchEngaged(f"the kill switch is engaged on {route.number}")
    _require_routable(route, version)
    if version.number == route.stable_version:
        raise VersionMismatch(f"v{version.number} is already the stable version")
    event = RolloutEvent(action=RolloutAction.START, actor=actor, at=now, step_index=0)
    canary = Canary(
        rollout_id=rollout_id,
        version=version.number,
        policy=policy,
        step_index=0,
        weight_pct=policy.steps[0],
        step_started_at=now,
        history=[event],
    )
    return _evolve(route, canary=canary)


def _move_rollout(
    route: PhoneRoute, action: RolloutAction, *, actor: str, now: datetime, note: str | None = None
) -> PhoneRoute:
    canary = route.canary
    if canary is None:
        raise NoActiveRollout(f"no rollout is running or paused on {route.number}")
    state = _next(ROLLOUT_TRANSITIONS, "rollout", canary.state, action)
    step = canary.step_index + 1 if action in (RolloutAction.PROMOTE, RolloutAction.COMPLETE) else canary.step_index
    changes: dict[str, Any] = {
        "state": state,
        "step_index": step,
        "weight_pct": canary.policy.steps[step],
        "history": [*canary.history, RolloutEvent(action=action, actor=actor, at=now, step_index=step, note=note)],
    }
    if step != canary.step_index or action is RolloutAction.RESUME:
        changes["step_started_at"] = now  # a new window: bake time and metrics count from here
    moved = _evolve(canary, **changes)
    if state.active:
        return _evolve(route, canary=moved)
    stable = moved.version if state is RolloutState.COMPLETED else route.stable_version
    return _evolve(route, stable_version=stable, canary=None, last_rollout=moved)


def pause_rollout(route: PhoneRoute, *, actor: str, now: datetime, reason: str | None = None) -> PhoneRoute:
    """Stop promotions; the canary keeps its weight and its guards."""
    return _move_rollout(route, RolloutAction.PAUSE, actor=actor, now=now, note=reason)


def resume_rollout(route: PhoneRoute, *, actor: str, now: datetime) -> PhoneRoute:
    """Continue; the current step's bake time and window start again."""
    return _move_rollout(route, RolloutAction.RESUME, actor=actor, now=now)


def abort_rollout(route: PhoneRoute, *, actor: str, now: datetime, reason: str) -> PhoneRoute:
    """End the rollout by hand; all traffic returns to the stable version."""
    return _move_rollout(route, RolloutAction.ABORT, actor=actor, now=now, note=reason)


def engage_kill_switch(
    route: PhoneRoute, *, mode: Literal["stable", "fallback"], actor: str, reason: str, now: datetime
) -> PhoneRoute:
    return _evolve(route, kill_switch=KillSwitch(mode=mode, by=actor, at=now, reason=reason))


def release_kill_switch(route: PhoneRoute) -> PhoneRoute:
    return _evolve(route, kill_switch=None)


# ---- the route decision ----------------------------------------------------------------


def caller_bucket(route_number: str, rollout_id: str, caller_number: str) -> int:
    """The caller's sticky place in 0..9999 for one rollout: the same at every step of it."""
    key = "\x1f".join((route_number, rollout_id, caller_number)).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") % BUCKETS


def decide_route(
    route: PhoneRoute,
    versions: Mapping[int, AgentVersion],
    caller_number: str,
    tenant_kill_switch: KillSwitch | None = None,
) -> RouteDecision:
    """Where a new call goes: kill switches first, then the caller's bucket against the canary weight.

    Never names a version that is not approved; an unroutable canary degrades to stable, an
    unroutable stable to the fallback. Tenant concurrency limits are the caller's business.
    """
    switches = [(scope, k) for scope, k in (("tenant", tenant_kill_switch), ("route", route.kill_switch)) if k]
    for scope, switch in switches:
        if switch.mode == "fallback":
            return RouteDecision(arm="fallback", version=None, reason=f"{scope} kill switch: {switch.reason}")
    stable_problem = _why_unroutable(route, route.stable_version, versions.get(route.stable_version))
    notes: list[str] = [f"{scope} kill switch: {switch.reason}" for scope, switch in switches]
    bucket: int | None = None
    canary = route.canary
    if canary is not None and not switches:
        bucket = caller_bucket(route.number, canary.rollout_id, caller_number)
        if bucket < canary.weight_pct * 100:
            canary_problem = _why_unroutable(route, canary.version, versions.get(canary.version))
            if canary_problem is None:
                reason = f"rollout {canary.rollout_id} at {canary.weight_pct}%: bucket {bucket}"
                return RouteDecision(arm="canary", version=canary.version, reason=reason, bucket=bucket)
            notes.append(f"canary {canary_problem}")
        else:
            notes.append(f"rollout {canary.rollout_id} at {canary.weight_pct}%: bucket {bucket} stays stable")
    if stable_problem is not None:
        return RouteDecision(arm="fallback", version=None, reason="; ".join([*notes, f"stable {stable_problem}"]))
    reason = "; ".join(notes) or "no rollout"
    return RouteDecision(arm="stable", version=route.stable_version, reason=reason, bucket=bucket)


# ---- the sweep -------------------------------------------------------------------------


def find_breaches(guards: list[Guard], canary: WindowMetrics, stable: WindowMetrics) -> list[Breach]:
    """Every guard limit the canary exceeds, among guards with enough canary samples."""
    breaches = []
    for index, guard in enumerate(guards):
        value = canary.value(guard.metric)
        if value is None or canary.samples(guard.metric) < guard.min_samples:
            continue
        base = stable.value(guard.metric) if stable.samples(guard.metric) >= guard.min_samples else None
        for kind, threshold, limit in _limits(guard, base):
            if value > limit:
                breaches.append(
                    Breach(
                        guard=index,
                        metric=guard.metric,
                        kind=kind,
                        threshold=threshold,
                        limit=limit,
                        canary_value=value,
                        stable_value=base,
                        by=value - limit,
                    )
                )
    return breaches


_LimitKind = Literal["ratio_vs_stable", "absolute_delta", "absolute_max"]


def _limits(guard: Guard, base: float | None) -> list[tuple[_LimitKind, float, float]]:
    """(kind, threshold, implied bound on the canary's value); relative ones need a baseline."""
    limits: list[tuple[_LimitKind, float, float]] = []
    if guard.absolute_max is not None:
        limits.append(("absolute_max", guard.absolute_max, guard.absolute_max))
    if base is not None and guard.max_ratio_vs_stable is not None:
        limits.append(("ratio_vs_stable", guard.max_ratio_vs_stable, base * guard.max_ratio_vs_stable))
    if base is not None and guard.max_absolute_delta is not None:
        limits.append(("absolute_delta", guard.max_absolute_delta, base + guard.max_absolute_delta))
    return limits


def _unchecked(guards: list[Guard], canary: WindowMetrics, stable: WindowMetrics) -> list[str]:
    notes = []
    for index, g in enumerate(guards):
        name = f"guard {index} ({g.metric.value})"
        if canary.samples(g.metric) < g.min_samples:
            notes.append(f"{name} not checked: {canary.samples(g.metric)}/{g.min_samples} canary samples")
        elif (g.max_ratio_vs_stable, g.max_absolute_delta) != (None, None) and stable.samples(g.metric) < g.min_samples:
            notes.append(f"{name} vs stable not checked: {stable.samples(g.metric)}/{g.min_samples} stable samples")
    return notes


def _describe(b: Breach) -> str:
    stable = "" if b.stable_value is None else f" (stable {b.stable_value:.4g})"
    return (
        f"guard {b.guard} ({b.metric.value}) breached: canary {b.canary_value:.4g}{stable} over "
        f"{b.kind} limit {b.limit:.4g} by {b.by:.4g}"
    )


def evaluate_rollout(
    route: PhoneRoute,
    canary_metrics: WindowMetrics,
    stable_metrics: WindowMetrics,
    *,
    now: datetime,
    tenant_kill_switch: KillSwitch | None = None,
) -> SweepDecision:
    """Promote one step, complete, hold (saying what is missing) or roll back (naming breaches).

    Metrics cover the current step's window (since ``canary.step_started_at``) for both versions.
    A breach rolls back whatever else holds: paused, killed, too few calls, too little bake.
    """
    canary = route.canary
    if canary is None:
        raise NoActiveRollout(f"no rollout is running or paused on {route.number}")
    policy, step = canary.policy, canary.step_index
    base: dict[str, Any] = {
        "number": route.number,
        "rollout_id": canary.rollout_id,
        "from_step": step,
        "from_weight": canary.weight_pct,
        "canary_metrics": canary_metrics,
        "stable_metrics": stable_metrics,
        "at": now,
    }
    breaches = find_breaches(policy.guards, canary_metrics, stable_metrics)
    if breaches:
        reasons = [_describe(b) for b in breaches]
        rollback = SweepAction.ROLLBACK
        return SweepDecision(action=rollback, to_step=None, to_weight=0, reasons=reasons, breaches=breaches, **base)
    baked = (now - canary.step_started_at).total_seconds()
    waiting = []
    if canary.state is RolloutState.PAUSED:
        waiting.append("rollout is paused")
    for scope, switch in (("route", route.kill_switch), ("tenant", tenant_kill_switch)):
        if switch is not None:
            waiting.append(f"{scope} kill switch engaged: the canary takes no calls")
    if canary_metrics.calls < policy.min_calls:
        waiting.append(f"calls {canary_metrics.calls}/{policy.min_calls}")
    if baked < policy.bake_time_s:
        waiting.append(f"bake {policy.bake_time_s - baked:.0f} s remaining")
    unchecked = _unchecked(policy.guards, canary_metrics, stable_metrics)
    if waiting:
        reasons = waiting + unchecked
        hold = SweepAction.HOLD
        return SweepDecision(action=hold, to_step=step, to_weight=canary.weight_pct, reasons=reasons, **base)
    to = step + 1
    action = SweepAction.COMPLETE if policy.steps[to] == 100 else SweepAction.PROMOTE
    met = [f"calls {canary_metrics.calls}/{policy.min_calls}", f"baked {baked:.0f}/{policy.bake_time_s:.0f} s"]
    reasons = met + ["no guard breached"] + unchecked
    return SweepDecision(action=action, to_step=to, to_weight=policy.steps[to], reasons=reasons, **base)


_SWEEP_ACTIONS = {
    SweepAction.PROMOTE: RolloutAction.PROMOTE,
    SweepAction.COMPLETE: RolloutAction.COMPLETE,
    SweepAction.ROLLBACK: RolloutAction.ROLLBACK,
}


def apply_decision(
    route: PhoneRoute, decision: SweepDecision, *, now: datetime, actor: str = SWEEP_ACTOR
) -> PhoneRoute:
    """The route after ``decision``; a hold returns it unchanged. Completing makes the canary stable."""
    if decision.action is SweepAction.HOLD:
        return route
    canary = route.canary
    if canary is None:
        raise NoActiveRollout(f"no rollout is running or paused on {route.number}")
    expected_to = None if decision.action is SweepAction.ROLLBACK else canary.step_index + 1
    if (decision.number, decision.rollout_id, decision.from_step, decision.to_step) != (
        route.number,
        canary.rollout_id,
        canary.step_index,
        expected_to,
    ):
        raise StaleDecision(f"decision for {decision.rollout_id} step {decision.from_step} no longer fits the route")
    completes = expected_to is not None and canary.policy.steps[expected_to] == 100
    if completes != (decision.action is SweepAction.COMPLETE):
        raise StaleDecision("only the step to 100% completes a rollout")
    note = "; ".join(decision.reasons)
    return _move_rollout(route, _SWEEP_ACTIONS[decision.action], actor=actor, now=now, note=note)


def sweep(
    routes: Iterable[PhoneRoute],
    metrics: Mapping[str, tuple[WindowMetrics, WindowMetrics]],
    *,
    now: datetime,
    tenant_kill_switches: Mapping[str, KillSwitch] | None = None,
) -> list[SweepReport]:
    """Evaluate and apply every active rollout. ``metrics``: route number -> (canary, stable)."""
    empty = WindowMetrics()
    switches = tenant_kill_switches or {}
    reports = []
    for route in routes:
        if route.canary is None:
            continue
        canary_m, stable_m = metrics.get(route.number, (empty, empty))
        tenant_switch = switches.get(route.tenant_id)
        decision = evaluate_rollout(route, canary_m, stable_m, now=now, tenant_kill_switch=tenant_switch)
        reports.append(SweepReport(decision=decision, route=apply_decision(route, decision, now=now)))
    return reports
