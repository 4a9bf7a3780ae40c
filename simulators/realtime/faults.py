"""Fault knobs of the local realtime server: drop sessions, refuse connects, answer slowly, expire.

Set per server at start-up (CLI flags) and changed at runtime with ``GET /local/faults?...``
(the websockets handshake hook only sees GET requests). A ``model=`` parameter scopes the
change to connections for that model name, so one test can break its own tenant's model while
other calls on the same server go on; without it the change applies to every model without an
override of its own.

Knobs (each optional in a request; ``reset=1`` clears the scope first; ``drop_now=CODE`` drops
the scope's live sessions at once, as ``drop_code`` does):

- ``drop_after_s`` / ``drop_sessions`` / ``drop_code``: the next ``drop_sessions`` sessions
  (``-1``: every one) are dropped ``drop_after_s`` after they open; code 1006 cuts the TCP
  connection with no close frame (a network loss), any other code sends that close frame.
- ``refuse_next``: the next K websocket upgrades are answered ``503`` (a server that is down).
- ``connect_delay_ms``: each upgrade waits this long before it is answered (a slow handshake).
- ``delay_ms``: added to every response's think time (a model that answers slowly).
- ``session_ttl_s``: the session's ``expires_at``; when it passes the server sends a
  ``session_expired`` error and closes 1001, as the real API does at its 60-minute limit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

MAX_DURATION_CLOSE = 1001
ABORT_CODE = 1006


class FaultError(ValueError):
    """A control request with an unknown knob or a bad value."""


@dataclass(frozen=True)
class Faults:
    drop_after_s: float | None = None
    drop_sessions: int = 0
    drop_code: int = ABORT_CODE
    refuse_next: int = 0
    connect_delay_ms: int = 0
    delay_ms: int = 0
    session_ttl_s: float | None = None

    def check(self) -> "Faults":
        if self.drop_after_s is not None and not 0 <= self.drop_after_s <= 86_400:
            raise FaultError("drop_after_s must be within 0..86400")
        if self.drop_sessions < -1:
            raise FaultError("drop_sessions must be -1 (every session) or more")
        if not (self.drop_code == ABORT_CODE or 1000 <= self.drop_code <= 4999) or self.drop_code in (1005, 1015):
            raise FaultError("drop_code must be 1006 (no close frame) or a sendable close code")
        if self.refuse_next < 0 or not 0 <= self.connect_delay_ms <= 60_000 or not 0 <= self.delay_ms <= 60_000:
            raise FaultError("refuse_next >= 0; connect_delay_ms and delay_ms within 0..60000")
        if self.session_ttl_s is not None and not 0.5 <= self.session_ttl_s <= 86_400:
            raise FaultError("session_ttl_s must be within 0.5..86400")
        return self


_KINDS: dict[str, type] = {"drop_after_s": float, "drop_sessions": int, "drop_code": int, "refuse_next": int,
                           "connect_delay_ms": int, "delay_ms": int, "session_ttl_s": float}


def parse_changes(query: dict[str, list[str]]) -> dict[str, Any]:
    """Knob values from a control request's query (``none`` unsets an optional knob)."""
    changes: dict[str, Any] = {}
    for name, values in query.items():
        if name in ("model", "reset", "drop_now"):
            continue
        kind = _KINDS.get(name)
        if kind is None:
            raise FaultError(f"unknown fault knob {name!r}; one of {sorted(_KINDS)}")
        raw = values[-1]
        if raw.lower() == "none" and name in ("drop_after_s", "session_ttl_s"):
            changes[name] = None
            continue
        try:
            changes[name] = kind(raw)
        except ValueError:
            raise FaultError(f"{name} must be a number") from None
    return changes


@dataclass
class FaultBook:
    """The server's faults: a default and per-model overrides, with the one-shot counters."""

    default: Faults = field(default_factory=Faults)
    by_model: dict[str, Faults] = field(default_factory=dict)

    def for_model(self, model: str) -> Faults:
        return self.by_model.get(model, self.default)

    def change(self, model: str | None, changes: dict[str, Any], reset: bool = False) -> Faults:
        base = Faults() if reset else (self.default if model is None else self.for_model(model))
        faults = replace(base, **changes).check()
        if model is None:
            self.default = faults
        else:
            self.by_model[model] = faults
        return faults

    def _take(self, model: str, name: str) -> bool:
        faults = self.for_model(model)
        left = getattr(faults, name)
        if left == 0:
            return False
        if left > 0:
            self._store(model, replace(faults, **{name: left - 1}))
        return True

    def _store(self, model: str, faults: Faults) -> None:
        if model in self.by_model:
            self.by_model[model] = faults
        else:
            self.default = faults

    def take_refusal(self, model: str) -> bool:
        """Whether this connect is to be refused (uses up one of ``refuse_next``)."""
        return self._take(model, "refuse_next")

    def take_drop(self, model: str) -> tuple[float, int] | None:
        """(after_s, code) if the session opening now is to be dropped."""
        faults = self.for_model(model)
        if faults.drop_after_s is None or not self._take(model, "drop_sessions"):
            return None
        return faults.drop_after_s, faults.drop_code

    def snapshot(self) -> dict[str, Any]:
        return {"default": asdict(self.default), "by_model": {m: asdict(f) for m, f in self.by_model.items()},
                "knobs": [f.name for f in fields(Faults)]}


def expired_message(ttl_s: float) -> str:
    """The real API's words at its session limit (it says minutes)."""
    minutes = ttl_s / 60
    shown = f"{minutes:g}" if minutes >= 1 else f"{minutes:.2f}"
    return f"Your session hit the maximum duration of {shown} minutes."
