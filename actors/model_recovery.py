"""Model-stream recovery decisions, as pure functions of what happened and the time.

What a lost model connection means (renew, retry, give up), how long to wait before the next
attempt inside the recovery budget, when to renew a session before the provider's maximum
session length (at a quiet moment if one comes), what the caller is told after a gap, and the
conversation items that restore a new session. The I/O lives in ``providers/recovering.py``.

Sources: the realtime-recovery facts sheet (§1 limit and 1001 close, §2 replay, §3 fatal vs
recoverable, §4 the SDK's recoverable close codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, Field


class RecoveryPolicy(BaseModel):
    """How hard a call tries to keep its model stream (sent with the call's setup)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Reconnect attempts, their backoff and the connects themselves fit in this many seconds.
    budget_s: float = Field(default=2.0, gt=0, le=60)
    # The first connect of a call has longer: the caller is still being connected meanwhile.
    first_connect_budget_s: float = Field(default=10.0, gt=0, le=120)
    first_delay_s: float = Field(default=0.05, ge=0, le=10)
    max_delay_s: float = Field(default=0.5, ge=0, le=30)
    # A model that keeps dropping (e.g. a quota teardown right after each connect) is given up.
    max_reconnects: int = Field(default=5, ge=0, le=100)
    # Renew before the provider's maximum session length (60 min at OpenAI).
    max_session_s: float = Field(default=55 * 60, gt=0)
    renew_margin_s: float = Field(default=300.0, ge=0)
    # Restored history: the tail of the conversation that fits.
    history_items: int = Field(default=40, ge=0, le=500)
    history_chars: int = Field(default=12_000, ge=0, le=200_000)
    # Caller audio held while the model is away (20 ms frames; 1500 = 30 s).
    audio_frames: int = Field(default=1500, ge=0, le=30_000)


class Verdict(StrEnum):
    RENEW = "renew"   # the session reached its maximum length: open a new one, restore it
    RETRY = "retry"   # a transient loss: reconnect with backoff inside the budget
    FATAL = "fatal"   # reconnecting cannot help (credentials, quota, a refused request)


# Errors after which the server tears every new session down again (facts §3).
FATAL_ERROR_CODES = frozenset({"invalid_api_key", "insufficient_quota", "account_deactivated", "model_not_found",
                               "unknown_script", "missing_required_parameter", "beta_api_shape_disabled"})
# Policy violation, unsupported data, message too big; 4xxx are application codes.
FATAL_CLOSE_CODES = frozenset({1003, 1007, 1008, 1009})
FATAL_HTTP = frozenset({400, 401, 403, 404})


def classify(*, close_code: int | None, reason: str, http_status: int | None = None,
             last_error_code: str | None = None) -> Verdict:
    """What a lost connection (or a failed connect) means."""
    if last_error_code == "session_expired" or (close_code == 1001 and "maximum duration" in reason):
        return Verdict.RENEW
    if last_error_code in FATAL_ERROR_CODES:
        return Verdict.FATAL
    if http_status in FATAL_HTTP:
        return Verdict.FATAL
    if close_code is not None and (close_code in FATAL_CLOSE_CODES or 4000 <= close_code <= 4999):
        return Verdict.FATAL
    return Verdict.RETRY


@dataclass
class Attempts:
    """Backoff inside a budget: ``next_delay`` says how long to wait, or None to give up."""

    policy: RecoveryPolicy
    started_at: float
    made: int = 0
    budget_s: float | None = None  # instead of the policy's

    def deadline(self) -> float:
        return self.started_at + (self.policy.budget_s if self.budget_s is None else self.budget_s)

    def remaining(self, now: float) -> float:
        return max(0.0, self.deadline() - now)

    def next_delay(self, now: float, jitter: float = 1.0) -> float | None:
        """After a failed attempt: the wait before the next one (jitter in 0.75..1), or None."""
        self.made += 1
        p = self.policy
        delay = min(p.first_delay_s * 2 ** (self.made - 1), p.max_delay_s) * jitter
        # An attempt needs time to connect too: give up rather than start one bound to time out.
        if now + delay + min(0.1, (self.deadline() - self.started_at) / 10) >= self.deadline():
            return None
        return delay


@dataclass(frozen=True)
class Renewal:
    """From ``soft`` on, renew at the first quiet moment; at ``hard``, renew anyway."""

    soft: float
    hard: float

    def due(self, now: float, *, response_active: bool, caller_speaking: bool) -> bool:
        if now >= self.hard:
            return True
        return now >= self.soft and not response_active and not caller_speaking

    def next_check(self, now: float, poll_s: float = 0.25) -> float:
        """When to look again (seconds from ``now``)."""
        if now < self.soft:
            return self.soft - now
        return max(0.0, min(poll_s, self.hard - now))


def renewal(policy: RecoveryPolicy, opened_at: float, *, wall_at_open: float | None = None,
            expires_at: float | None = None) -> Renewal:
    """When to renew a session opened at ``opened_at`` (monotonic seconds).

    The deadline is the policy's maximum session length, or the provider's ``expires_at``
    (epoch seconds, from ``session.created``) if earlier; renewal starts a margin before it
    (at most half the session's life, so even short sessions leave room for a quiet moment) and
    is forced a quarter of that margin before it.
    """
    life = policy.max_session_s
    if expires_at is not None and wall_at_open is not None and expires_at > wall_at_open:
        life = min(life, expires_at - wall_at_open)
    margin = min(policy.renew_margin_s, life / 2)
    deadline = opened_at + life
    return Renewal(soft=deadline - margin, hard=deadline - margin / 4)


SORRY_CUT_OFF = "Sorry, the line cut out for a moment. I'm back now."
SORRY_WAIT = "Sorry about the wait, I'm here. Please go on."
AUDIBLE_GAP_S = 1.0


def recovery_line(*, renewed: bool, agent_cut_off: bool, caller_spoke: bool, gap_s: float) -> str | None:
    """What the agent says after a reconnect, if the caller could have noticed the gap.

    Nothing after a renewal at a quiet moment or a short silent gap; nothing either when the
    caller spoke meanwhile: their held audio reaches the new session, which answers it.
    """
    if caller_spoke:
        return None
    if agent_cut_off:  # a drop, or a renewal forced mid-sentence by the session limit
        return SORRY_CUT_OFF
    if not renewed and gap_s >= AUDIBLE_GAP_S:
        return SORRY_WAIT
    return None


Turn = tuple[str, str]  # ("user" | "assistant", text)
EARLIER_NOTE = "Earlier parts of this phone call are not shown."


def history_items(turns: Iterable[Turn], *, max_items: int, max_chars: int) -> list[dict[str, Any]]:
    """``conversation.item.create`` items for the finished text turns, newest kept first.

    User turns are ``input_text`` and assistant turns ``output_text`` (GA names; assistant audio
    cannot be created, facts §2). If older turns do not fit, a system note says so.
    """
    kept: list[Turn] = []
    used = 0
    every = [t for t in turns if t[1].strip()]
    for role, text in reversed(every):
        if len(kept) >= max_items or used + len(text) > max_chars:
            break
        kept.append((role, text))
        used += len(text)
    kept.reverse()
    items: list[dict[str, Any]] = []
    if len(kept) < len(every):
        items.append({"type": "message", "role": "system", "content": [{"type": "input_text", "text": EARLIER_NOTE}]})
    for role, text in kept:
        kind = "output_text" if role == "assistant" else "input_text"
        items.append({"type": "message", "role": role, "content": [{"type": kind, "text": text}]})
    return items
