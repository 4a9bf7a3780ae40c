"""Forced handoff rules: each rule trips on its own signal, fires once, and is off when unset."""

from __future__ import annotations

import pytest

from actors.handoff_rules import ForcedHandoff, HandoffRuleEngine, keyword_pattern
from voxray.records import HandoffRules

OFF = HandoffRules(keywords=[], dtmf_digit=None, max_tool_failures=None, max_turns_without_progress=None,
                   max_call_s=None)


def engine(**rules: object) -> HandoffRuleEngine:
    return HandoffRuleEngine(OFF.model_copy(update=rules), started_at=100.0)


def test_pressing_the_operator_digit_forces_a_handoff() -> None:
    e = engine(dtmf_digit="0")
    assert e.on_dtmf("5", 101) is None
    assert e.on_dtmf("0", 102) == ForcedHandoff("dtmf", "the caller pressed 0")


@pytest.mark.parametrize("text", ["Can I talk to a HUMAN?", "get me a real   person", "Operator!",
                                  "I want a representative, please"])
def test_asking_for_a_person_forces_a_handoff(text: str) -> None:
    e = engine(keywords=["operator", "human", "real person", "representative"])
    forced = e.on_caller_text(text, 101)
    assert forced is not None and forced.rule == "keyword"


@pytest.mark.parametrize("text", ["for the good of humanity", "a really personal question",
                                  "humane treatment", "cooperator", "real personnel"])
def test_keywords_match_whole_words_only(text: str) -> None:
    e = engine(keywords=["operator", "human", "real person"])
    assert e.on_caller_text(text, 101) is None


def test_keyword_pattern_is_none_without_keywords() -> None:
    assert keyword_pattern([]) is None and keyword_pattern(["  "]) is None


def test_tool_failures_in_a_row_force_a_handoff_and_a_success_resets_the_count() -> None:
    e = engine(max_tool_failures=2)
    assert e.on_tool_outcome(False, 101) is None
    assert e.on_tool_outcome(True, 102) is None
    assert e.on_tool_outcome(False, 103) is None
    forced = e.on_tool_outcome(False, 104)
    assert forced is not None and forced.rule == "tool_failures"


def test_turns_where_the_caller_repeats_themselves_are_no_progress() -> None:
    e = engine(max_turns_without_progress=2)
    assert e.on_caller_text("I need to change my booking", 101) is None
    assert e.on_turn(False, 102) is None  # new words: progress
    e.on_caller_text("I need to change my booking!", 103)
    assert e.on_turn(False, 104) is None  # repeat 1
    e.on_caller_text("i NEED to change my booking", 105)
    forced = e.on_turn(False, 106)  # repeat 2
    assert forced is not None and forced.rule == "no_progress"


def test_a_successful_tool_call_makes_the_turn_progress() -> None:
    e = engine(max_turns_without_progress=2)
    e.on_caller_text("change my booking", 101)
    e.on_turn(False, 102)
    for t in range(5):
        e.on_caller_text("change my booking", 103 + t)
        e.on_tool_outcome(True, 103 + t)
        assert e.on_turn(False, 103 + t) is None


def test_turns_with_unknown_words_neither_count_nor_reset() -> None:
    e = engine(max_turns_without_progress=2)
    e.on_caller_text("change my booking", 101)
    e.on_turn(False, 102)
    e.on_caller_text("change my booking", 103)
    assert e.on_turn(False, 104) is None  # 1 stalled turn
    for t in range(10):
        assert e.on_turn(False, 105 + t) is None  # no transcript: not judged
    e.on_caller_text("change my booking", 120)
    assert e.on_turn(False, 121) is not None  # 2 stalled turns


def test_the_session_can_declare_progress() -> None:
    e = engine(max_turns_without_progress=1)
    e.on_caller_text("hello", 101)
    e.on_turn(False, 101)
    e.on_caller_text("hello", 102)
    assert e.on_turn(True, 103) is None


def test_max_call_length_is_reached_by_poll_or_any_event() -> None:
    e = engine(max_call_s=60)
    assert e.deadline == 160
    assert e.poll(159.9) is None
    assert e.poll(160) == ForcedHandoff("max_call_length", "the call reached its 60 s limit")
    e2 = engine(max_call_s=60, dtmf_digit="0")
    forced = e2.on_dtmf("0", 170)
    assert forced is not None and forced.rule == "max_call_length"


def test_a_handoff_fires_only_once() -> None:
    e = engine(dtmf_digit="0", keywords=["human"], max_tool_failures=1, max_call_s=10)
    assert e.on_dtmf("0", 101) is not None
    assert e.on_dtmf("0", 102) is None
    assert e.on_caller_text("human", 103) is None
    assert e.on_tool_outcome(False, 104) is None
    assert e.poll(1000) is None and e.deadline is None
    assert e.fired is not None and e.fired.rule == "dtmf"


def test_all_rules_off_never_fire() -> None:
    e = engine()
    assert e.deadline is None
    for t in range(50):
        assert e.on_dtmf("0", 100 + t) is None
        assert e.on_caller_text("operator human real person", 100 + t) is None
        assert e.on_tool_outcome(False, 100 + t) is None
        assert e.on_turn(False, 100 + t) is None
    assert e.poll(10**9) is None


def test_defaults_hand_off_on_zero_and_on_keywords() -> None:
    assert HandoffRuleEngine(HandoffRules(), 0).on_dtmf("0", 1) is not None
    assert HandoffRuleEngine(HandoffRules(), 0).on_caller_text("a real person please", 1) is not None
