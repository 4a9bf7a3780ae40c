"""How each call ended (pure): with audio, refused with a spoken busy message, or failed.

A refusal is a webhook that answered TwiML without ``<Connect>`` (voxray past capacity says a
busy message: ``<Say>`` + ``<Hangup>``): the caller was turned away cleanly, not failed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

Outcome = Literal["ok", "refused", "failed"]


def refused(result: Any) -> bool:
    """The webhook answered TwiML, and that TwiML opens no stream."""
    twiml = getattr(result, "twiml", None)
    if twiml is None:
        return False
    return not any(type(v).__name__ == "Connect" for v in twiml.verbs)


def outcome(result: Any) -> Outcome:
    if refused(result):
        return "refused"
    return "ok" if result.ok else "failed"


def tally(results: list[Any]) -> dict[str, Any]:
    """Counts of each outcome, calls that heard any agent audio, and why calls failed."""
    kinds = Counter(outcome(r) for r in results)
    reasons = Counter(r.status for r in results if outcome(r) == "failed")
    return {"calls": len(results), "ok": kinds["ok"], "refused": kinds["refused"], "failed": kinds["failed"],
            "with_audio": sum(1 for r in results if r.agent_audio_ms_received > 0),
            "failed_by_status": dict(reasons),
            "refusal_said": sorted({v.text for r in results if refused(r) for v in r.twiml.verbs
                                    if type(v).__name__ == "Say"})[:3]}
