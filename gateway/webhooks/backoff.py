"""When to try a delivery again, and when to give up: pure functions of the attempt's outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from voxray.events import DeliveryState

JITTER = 0.2  # +-20 %: gateways that failed together do not all retry in the same instant
MAX_DELAY_S = 24 * 3600.0


def retry_delay(retry: int, schedule: Sequence[float], u: float) -> float:
    """Seconds before retry number ``retry`` (1 = the first retry); ``u`` is uniform in [0, 1).

    The schedule's entries in order, then doubling from its last entry, capped at a day.
    """
    if retry < 1 or not schedule:
        raise ValueError("retry counts from 1 and the schedule must not be empty")
    if retry <= len(schedule):
        base = schedule[retry - 1]
    else:
        base = schedule[-1] * 2.0 ** min(retry - len(schedule), 32)
    return min(base, MAX_DELAY_S) * (1 + JITTER * (2 * u - 1))


@dataclass(frozen=True)
class Verdict:
    state: DeliveryState
    next_attempt_at: float | None


def after_attempt(*, ok: bool, attempt: int, max_attempts: int, schedule: Sequence[float], now: float, u: float,
                  retry_after_s: float | None = None) -> Verdict:
    """The delivery's state after its ``attempt``-th try (counted in the current round).

    A receiver's ``Retry-After`` (on 429 or 503) can only lengthen the wait, never shorten it.
    """
    if ok:
        return Verdict(DeliveryState.DELIVERED, None)
    if attempt >= max_attempts:
        return Verdict(DeliveryState.DEAD, None)
    delay = retry_delay(attempt, schedule, u)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, MAX_DELAY_S))
    return Verdict(DeliveryState.FAILED, now + delay)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header in its delta-seconds form (dates are ignored)."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())
