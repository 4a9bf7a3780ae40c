"""Rules that hand the caller to a person whatever the model decides (``HandoffRules`` per agent version).

Pure: the session feeds what happened, with the time, and gets a ``ForcedHandoff`` the first time a
rule trips, and never again after that. Every method also checks the maximum call length.

Progress, for ``max_turns_without_progress``: a turn makes progress when a tool call succeeded
during it, when the session says so, or when the caller said something new (not a near-repeat of
one of their last few utterances). A turn in which the caller's words are unknown (no
transcript) neither counts nor resets, so agents without tools or transcription are not handed
off for talking. A turn without progress is thus "the caller repeats themselves and no tool helps".
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Literal

from voxray.records import HandoffRules

Rule = Literal["dtmf", "keyword", "tool_failures", "no_progress", "max_call_length"]

REPEAT_SIMILARITY = 0.6  # Jaccard similarity of word sets at which an utterance is a repeat
RECENT_UTTERANCES = 5
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ForcedHandoff:
    rule: Rule
    detail: str


def keyword_pattern(keywords: list[str]) -> re.Pattern[str] | None:
    """Case-insensitive whole-word match of any keyword; a phrase's words may be split by any spacing.

    "human" matches "a human please" but not "humanity"; "real person" matches "Real  person".
    """
    phrases = [r"\s+".join(re.escape(w) for w in k.split()) for k in keywords if k.strip()]
    if not phrases:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)", re.IGNORECASE)


class HandoffRuleEngine:
    def __init__(self, rules: HandoffRules, started_at: float) -> None:
        self.rules = rules
        self.started_at = started_at
        self.fired: ForcedHandoff | None = None
        self._keywords = keyword_pattern(rules.keywords)
        self._failures = 0  # tool failures since the last success
        self._idle_turns = 0  # consecutive turns without progress
        self._turn_progress = False
        self._turn_repeat = False
        self._recent: deque[frozenset[str]] = deque(maxlen=RECENT_UTTERANCES)

    @property
    def deadline(self) -> float | None:
        """When ``poll`` will force a handoff for the call's length (None if that rule is off)."""
        if self.fired is not None or self.rules.max_call_s is None:
            return None
        return self.started_at + self.rules.max_call_s

    def poll(self, now: float) -> ForcedHandoff | None:
        deadline = self.deadline
        if deadline is not None and now >= deadline:
            return self._fire("max_call_length", f"the call reached its {self.rules.max_call_s:g} s limit")
        return None

    def on_caller_text(self, text: str, now: float) -> ForcedHandoff | None:
        """A final transcript of the caller's words."""
        if (forced := self.poll(now)) is not None or self.fired is not None:
            return forced
        if self._keywords is not None and (match := self._keywords.search(text)):
            return self._fire("keyword", f"the caller said {match.group(0)!r}")
        words = frozenset(w.lower() for w in _WORD.findall(text))
        if words:
            if any(_similarity(words, seen) >= REPEAT_SIMILARITY for seen in self._recent):
                self._turn_repeat = True
            else:
                self._turn_progress = True
            self._recent.append(words)
        return None

    def on_dtmf(self, digit: str, now: float) -> ForcedHandoff | None:
        """A key the caller pressed. Don't feed keys collected for a tool (a PIN may contain the 0)."""
        if (forced := self.poll(now)) is not None or self.fired is not None:
            return forced
        if self.rules.dtmf_digit is not None and digit == self.rules.dtmf_digit:
            return self._fire("dtmf", f"the caller pressed {digit}")
        return None

    def on_tool_outcome(self, ok: bool, now: float) -> ForcedHandoff | None:
        """A tenant tool call finished; failures in a row (no success between) trip the rule."""
        if (forced := self.poll(now)) is not None or self.fired is not None:
            return forced
        if ok:
            self._failures = 0
            self._turn_progress = True
            return None
        self._failures += 1
        limit = self.rules.max_tool_failures
        if limit is not None and self._failures >= limit:
            return self._fire("tool_failures", f"{self._failures} tool calls failed in a row")
        return None

    def on_turn(self, progress: bool, now: float) -> ForcedHandoff | None:
        """A turn ended (e.g. the agent's response is done). ``progress=True`` marks it as progress
        whatever the engine saw; with False the engine judges from tool outcomes and caller words."""
        if (forced := self.poll(now)) is not None or self.fired is not None:
            return forced
        made_progress = progress or self._turn_progress
        stalled = not made_progress and self._turn_repeat
        self._turn_progress = self._turn_repeat = False
        if made_progress:
            self._idle_turns = 0
        elif stalled:
            self._idle_turns += 1
        limit = self.rules.max_turns_without_progress
        if limit is not None and self._idle_turns >= limit:
            return self._fire("no_progress", f"{self._idle_turns} turns without progress")
        return None

    def _fire(self, rule: Rule, detail: str) -> ForcedHandoff:
        self.fired = ForcedHandoff(rule, detail)
        return self.fired


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b)
