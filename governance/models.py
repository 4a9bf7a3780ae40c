"""Governance records: agent versions, launch checklists, phone routes, rollout policy, metrics.

Plain pydantic data (frozen, ``extra="forbid"``, JSON in Redis). The rules that move them from
one state to the next live in ``governance.policy``; every change there returns a new object.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from voxray.records import E164, VadConfig

_NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- agent versions --------------------------------------------------------------------


class VersionState(StrEnum):
    DRAFT = "draft"
    STAGED = "staged"
    APPROVED = "approved"
    LIVE = "live"
    RETIRED = "retired"
    REJECTED = "rejected"

    @property
    def routable(self) -> bool:
        """Whether calls may be sent to a version in this state (approved by an admin)."""
        return self in (VersionState.APPROVED, VersionState.LIVE)


class VersionAction(StrEnum):
    CREATE = "create"  # the first history entry; not a transition
    EDIT = "edit"
    STAGE = "stage"
    APPROVE = "approve"
    REJECT = "reject"
    GO_LIVE = "go_live"
    WITHDRAW = "withdraw"
    RETIRE = "retire"


class AgentSpec(_Record):
    """Everything that makes the agent; frozen into the version once it is staged."""

    prompt_key: str = Field(min_length=1, max_length=200)
    prompt_text: str = Field(min_length=1, max_length=100_000)
    model: str = Field(min_length=1, max_length=200)
    voice: str = Field(min_length=1, max_length=100)
    # JSON-schema function tools, as the realtime API takes them: {"type": "function", "name", ...}.
    tools: list[dict[str, Any]] = Field(default_factory=list)
    audio_mode: Literal["pcmu", "pcm16"] = "pcmu"
    vad: VadConfig = Field(default_factory=VadConfig)
    # Local realtime server only: the scripted conversation this version runs (tests, demos).
    local_model_script: str | None = Field(default=None, pattern=r"^[a-z0-9_-]{1,64}$")

    @field_validator("tools")
    @classmethod
    def _tools_are_named_functions(cls, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        names = []
        for tool in tools:
            if tool.get("type", "function") != "function" or not isinstance(tool.get("name"), str) or not tool["name"]:
                raise ValueError("each tool must be a function tool with a non-empty 'name'")
            names.append(tool["name"])
        if len(set(names)) != len(names):
            raise ValueError("tool names must be unique")
        return tools


class LifecycleEvent(_Record):
    action: VersionAction
    actor: str = Field(min_length=1)
    at: AwareDatetime
    note: str | None = None


class AgentVersion(_Record):
    tenant_id: str
    agent: str = Field(pattern=_NAME)
    number: int = Field(ge=1)
    spec: AgentSpec
    state: VersionState = VersionState.DRAFT
    history: list[LifecycleEvent] = Field(min_length=1)

    @property
    def created_by(self) -> str:
        return self.history[0].actor

    @property
    def authors(self) -> frozenset[str]:
        """Who wrote or submitted this version; under the two-person rule none may approve it."""
        writing = (VersionAction.CREATE, VersionAction.EDIT, VersionAction.STAGE)
        return frozenset(e.actor for e in self.history if e.action in writing)


# ---- launch checklist ------------------------------------------------------------------


class ChecklistCategory(StrEnum):
    SECURITY = "security"
    RUNTIME = "runtime"
    OPERATIONS = "operations"
    MONITORING = "monitoring"
    BUSINESS = "business"


class ChecklistItem(_Record):
    key: str = Field(pattern=_NAME)
    category: ChecklistCategory
    title: str = Field(min_length=1, max_length=500)
    required: bool = True
    done_by: str | None = None
    done_at: AwareDatetime | None = None
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _done_by_and_at_together(self) -> ChecklistItem:
        if (self.done_by is None) != (self.done_at is None):
            raise ValueError("done_by and done_at are set together")
        return self

    @property
    def done(self) -> bool:
        return self.done_by is not None


class LaunchChecklist(_Record):
    """What must be true before a version may be approved; one per version."""

    tenant_id: str
    agent: str = Field(pattern=_NAME)
    version: int = Field(ge=1)
    items: list[ChecklistItem]

    @model_validator(mode="after")
    def _covers_every_category_once_per_key(self) -> LaunchChecklist:
        keys = [i.key for i in self.items]
        if len(set(keys)) != len(keys):
            raise ValueError("checklist item keys must be unique")
        missing = set(ChecklistCategory) - {i.category for i in self.items}
        if missing:
            raise ValueError(f"checklist lacks categories: {sorted(missing)}")
        return self

    @property
    def missing(self) -> list[str]:
        """Keys of required items not yet done."""
        return [i.key for i in self.items if i.required and not i.done]

    @property
    def complete(self) -> bool:
        return not self.missing


# ---- rollout policy and metrics --------------------------------------------------------


class GuardMetric(StrEnum):
    FAILURE_RATE = "failure_rate"
    ESCALATION_RATE = "escalation_rate"
    TURN_LATENCY_P95_MS = "turn_latency_p95_ms"
    TOOL_ERROR_RATE = "tool_error_rate"
    QA_FAILURE_RATE = "qa_failure_rate"


class Guard(_Record):
    """A limit on one canary metric; any limit exceeded is a breach.

    ``min_samples`` counts the metric's own denominator (calls, tool calls or QA reviews). Limits
    relative to stable are checked only when stable has that many samples too.
    """

    metric: GuardMetric
    max_ratio_vs_stable: float | None = Field(default=None, ge=1.0)
    max_absolute_delta: float | None = Field(default=None, ge=0.0)
    absolute_max: float | None = Field(default=None, ge=0.0)
    min_samples: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _has_a_limit(self) -> Guard:
        if self.max_ratio_vs_stable is None and self.max_absolute_delta is None and self.absolute_max is None:
            raise ValueError("a guard needs max_ratio_vs_stable, max_absolute_delta or absolute_max")
        return self


class RolloutPolicy(_Record):
    """Canary steps in percent (strictly increasing, ending at 100) and what each step needs."""

    steps: list[int] = Field(default_factory=lambda: [5, 25, 50, 100], min_length=2)
    # Before leaving each step: canary calls in the step's window, and seconds spent in it.
    min_calls: int = Field(default=50, ge=0)
    bake_time_s: float = Field(default=900.0, ge=0)
    guards: list[Guard] = Field(default_factory=list)

    @field_validator("steps")
    @classmethod
    def _steps_increase_to_100(cls, steps: list[int]) -> list[int]:
        if any(s < 1 or s > 100 for s in steps):
            raise ValueError("steps are percentages in 1..100")
        if any(b <= a for a, b in zip(steps, steps[1:])):
            raise ValueError("steps must be strictly increasing")
        if steps[-1] != 100:
            raise ValueError("the last step must be 100")
        return steps


class WindowMetrics(_Record):
    """One version's completed calls on one route over one window (the current step)."""

    calls: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0)
    escalated: int = Field(default=0, ge=0)
    tool_calls: int = Field(default=0, ge=0)
    tool_errors: int = Field(default=0, ge=0)
    qa_reviewed: int = Field(default=0, ge=0)
    qa_failed: int = Field(default=0, ge=0)
    turn_latency_p95_ms: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _parts_within_wholes(self) -> WindowMetrics:
        if max(self.failed, self.escalated, self.qa_reviewed) > self.calls:
            raise ValueError("failed, escalated and qa_reviewed cannot exceed calls")
        if self.tool_errors > self.tool_calls or self.qa_failed > self.qa_reviewed:
            raise ValueError("tool_errors <= tool_calls and qa_failed <= qa_reviewed")
        return self

    @property
    def failure_rate(self) -> float | None:
        return _rate(self.failed, self.calls)

    @property
    def escalation_rate(self) -> float | None:
        return _rate(self.escalated, self.calls)

    @property
    def tool_error_rate(self) -> float | None:
        return _rate(self.tool_errors, self.tool_calls)

    @property
    def qa_failure_rate(self) -> float | None:
        return _rate(self.qa_failed, self.qa_reviewed)

    def value(self, metric: GuardMetric) -> float | None:
        """The metric's value; None when there is nothing to measure."""
        if metric is GuardMetric.TURN_LATENCY_P95_MS:
            return self.turn_latency_p95_ms if self.calls else None
        return {
            GuardMetric.FAILURE_RATE: self.failure_rate,
            GuardMetric.ESCALATION_RATE: self.escalation_rate,
            GuardMetric.TOOL_ERROR_RATE: self.tool_error_rate,
            GuardMetric.QA_FAILURE_RATE: self.qa_failure_rate,
        }[metric]

    def samples(self, metric: GuardMetric) -> int:
        """How many observations the metric rests on."""
        if metric is GuardMetric.TOOL_ERROR_RATE:
            return self.tool_calls
        if metric is GuardMetric.QA_FAILURE_RATE:
            return self.qa_reviewed
        return self.calls


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ---- routes, rollouts, kill switches ---------------------------------------------------


class RolloutState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    ROLLED_BACK = "rolled_back"
    ABORTED = "aborted"

    @property
    def active(self) -> bool:
        return self in (RolloutState.RUNNING, RolloutState.PAUSED)


class RolloutAction(StrEnum):
    START = "start"  # the first history entry; not a transition
    PAUSE = "pause"
    RESUME = "resume"
    PROMOTE = "promote"
    COMPLETE = "complete"
    ROLLBACK = "rollback"
    ABORT = "abort"


class RolloutEvent(_Record):
    action: RolloutAction
    actor: str = Field(min_length=1)
    at: AwareDatetime
    step_index: int = Field(ge=0)
    note: str | None = None


class Canary(_Record):
    """A rollout of ``version`` on one route, under the policy it was started with."""

    rollout_id: str = Field(min_length=1, max_length=100)
    version: int = Field(ge=1)
    policy: RolloutPolicy
    step_index: int = Field(ge=0)
    weight_pct: int = Field(ge=0, le=100)
    step_started_at: AwareDatetime
    state: RolloutState = RolloutState.RUNNING
    history: list[RolloutEvent] = Field(min_length=1)

    @model_validator(mode="after")
    def _weight_is_the_steps(self) -> Canary:
        if self.step_index >= len(self.policy.steps):
            raise ValueError("step_index beyond the policy's steps")
        if self.weight_pct != self.policy.steps[self.step_index]:
            raise ValueError("weight_pct must equal the current step's weight")
        if self.state.active and self.step_index == len(self.policy.steps) - 1:
            raise ValueError("an active rollout is below 100%: reaching the last step completes it")
        return self


class KillSwitch(_Record):
    """All new calls go to the stable version, or to the fallback (operator / message)."""

    mode: Literal["stable", "fallback"]
    by: str = Field(min_length=1)
    at: AwareDatetime
    reason: str = Field(min_length=1, max_length=2000)


class PhoneRoute(_Record):
    number: str = Field(pattern=E164)
    tenant_id: str
    agent: str = Field(pattern=_NAME)
    stable_version: int = Field(ge=1)
    canary: Canary | None = None  # the active rollout (running or paused)
    last_rollout: Canary | None = None  # the most recent finished one, for the record
    kill_switch: KillSwitch | None = None

    @model_validator(mode="after")
    def _canary_is_active_and_distinct(self) -> PhoneRoute:
        if self.canary is not None:
            if not self.canary.state.active:
                raise ValueError("route.canary holds only a running or paused rollout")
            if self.canary.version == self.stable_version:
                raise ValueError("the canary version must differ from the stable version")
        if self.last_rollout is not None and self.last_rollout.state.active:
            raise ValueError("route.last_rollout holds only a finished rollout")
        return self


# ---- decisions -------------------------------------------------------------------------


class RouteDecision(_Record):
    """Where one new call goes. ``version`` is None for the fallback."""

    arm: Literal["stable", "canary", "fallback"]
    version: int | None
    reason: str
    bucket: int | None = None  # the caller's sticky bucket in 0..9999 during a rollout

    @model_validator(mode="after")
    def _fallback_has_no_version(self) -> RouteDecision:
        if (self.arm == "fallback") != (self.version is None):
            raise ValueError("only the fallback arm has no version")
        return self


class SweepAction(StrEnum):
    PROMOTE = "promote"
    HOLD = "hold"
    ROLLBACK = "rollback"
    COMPLETE = "complete"


class Breach(_Record):
    """One guard limit the canary exceeded: ``canary_value`` is over ``limit`` by ``by``."""

    guard: int  # index in the policy's guards
    metric: GuardMetric
    kind: Literal["ratio_vs_stable", "absolute_delta", "absolute_max"]
    threshold: float  # as configured
    limit: float  # the bound it implies on the canary's value
    canary_value: float
    stable_value: float | None
    by: float


class SweepDecision(_Record):
    number: str
    rollout_id: str
    action: SweepAction
    from_step: int
    to_step: int | None  # None: the rollout ends without a step (rollback)
    from_weight: int
    to_weight: int
    reasons: list[str]
    breaches: list[Breach] = Field(default_factory=list)
    canary_metrics: WindowMetrics
    stable_metrics: WindowMetrics
    at: AwareDatetime


class SweepReport(_Record):
    decision: SweepDecision
    route: PhoneRoute  # after the decision was applied
