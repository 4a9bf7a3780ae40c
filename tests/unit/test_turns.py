"""Turn machine transition table and the barge-in decision."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.turns import TRANSITIONS, BargeIn, IllegalTransition, TurnEvent, TurnMachine, TurnState, decide_barge_in

S, E = TurnState, TurnEvent


def _machine_in(state: TurnState) -> TurnMachine:
    m = TurnMachine()
    path = {S.LISTENING: [], S.CALLER_SPEAKING: [E.CALLER_START], S.AGENT_SPEAKING: [E.AGENT_AUDIO]}[state]
    for ev in path:
        m.feed(ev)
    assert m.state is state
    return m


# ---- turn machine ----------------------------------------------------------------------


def test_enum_values_are_lower_snake_case() -> None:
    assert [e.value for e in TurnEvent] == ["caller_start", "caller_stop", "agent_audio", "agent_done"]
    assert [s.value for s in TurnState] == ["listening", "caller_speaking", "agent_speaking"]


def test_starts_listening_at_turn_zero() -> None:
    m = TurnMachine()
    assert (m.state, m.turn_index) == (S.LISTENING, 0)


EXPECTED = {
    (S.LISTENING, E.CALLER_START): (S.CALLER_SPEAKING, 1),
    (S.LISTENING, E.CALLER_STOP): None,
    (S.LISTENING, E.AGENT_AUDIO): (S.AGENT_SPEAKING, 1),
    (S.LISTENING, E.AGENT_DONE): (S.LISTENING, 0),
    (S.CALLER_SPEAKING, E.CALLER_START): (S.CALLER_SPEAKING, 0),
    (S.CALLER_SPEAKING, E.CALLER_STOP): (S.LISTENING, 0),
    (S.CALLER_SPEAKING, E.AGENT_AUDIO): (S.CALLER_SPEAKING, 0),
    (S.CALLER_SPEAKING, E.AGENT_DONE): (S.CALLER_SPEAKING, 0),
    (S.AGENT_SPEAKING, E.CALLER_START): (S.CALLER_SPEAKING, 1),
    (S.AGENT_SPEAKING, E.CALLER_STOP): None,
    (S.AGENT_SPEAKING, E.AGENT_AUDIO): (S.AGENT_SPEAKING, 0),
    (S.AGENT_SPEAKING, E.AGENT_DONE): (S.LISTENING, 0),
}


def test_expectations_cover_every_state_event_pair() -> None:
    assert set(EXPECTED) == set(itertools.product(TurnState, TurnEvent))
    assert set(TRANSITIONS) == {k for k, v in EXPECTED.items() if v is not None}


@pytest.mark.parametrize(("state", "event"), list(EXPECTED))
def test_every_transition(state: TurnState, event: TurnEvent) -> None:
    m = _machine_in(state)
    before = m.turn_index
    expected = EXPECTED[(state, event)]
    if expected is None:
        with pytest.raises(IllegalTransition) as info:
            m.feed(event)
        assert (info.value.state, info.value.event) == (state, event)
        assert m.state is state and m.turn_index == before
    else:
        assert m.feed(event) is expected[0]
        assert m.state is expected[0]
        assert m.turn_index == before + expected[1]


def test_barge_in_conversation() -> None:
    m = TurnMachine()
    script = [E.CALLER_START, E.CALLER_STOP, E.AGENT_AUDIO, E.AGENT_AUDIO, E.CALLER_START, E.AGENT_AUDIO,
              E.AGENT_DONE, E.CALLER_STOP, E.AGENT_AUDIO, E.AGENT_DONE]
    states = [m.feed(ev) for ev in script]
    assert states == [S.CALLER_SPEAKING, S.LISTENING, S.AGENT_SPEAKING, S.AGENT_SPEAKING, S.CALLER_SPEAKING,
                      S.CALLER_SPEAKING, S.CALLER_SPEAKING, S.LISTENING, S.AGENT_SPEAKING, S.LISTENING]
    assert m.turn_index == 4


def test_illegal_transition_message_names_state_and_event() -> None:
    with pytest.raises(IllegalTransition, match="caller_stop.*listening"):
        TurnMachine().feed(E.CALLER_STOP)


@given(st.lists(st.sampled_from(list(TurnEvent)), max_size=50))
def test_random_event_streams_either_transition_or_raise_without_changing_state(events: list[TurnEvent]) -> None:
    m = TurnMachine()
    for ev in events:
        before = (m.state, m.turn_index)
        try:
            m.feed(ev)
        except IllegalTransition:
            assert (m.state, m.turn_index) == before
        else:
            assert m.turn_index - before[1] in (0, 1)


# ---- barge-in decision -----------------------------------------------------------------


def test_nothing_to_interrupt_returns_none() -> None:
    assert decide_barge_in(response_active=False, unheard_ms=0, item_id=None, heard_ms=0, sent_ms=0) is None
    assert decide_barge_in(response_active=False, unheard_ms=19, item_id="i", heard_ms=100, sent_ms=119) is None


def test_agent_mid_sentence_clears_cancels_and_truncates_at_heard() -> None:
    d = decide_barge_in(response_active=True, unheard_ms=700, item_id="item_1", heard_ms=300, sent_ms=1000)
    assert d == BargeIn(clear_playout=True, cancel_response=True, truncate=("item_1", 300))


def test_response_finished_generating_but_still_playing_clears_without_cancel() -> None:
    d = decide_barge_in(response_active=False, unheard_ms=500, item_id="item_1", heard_ms=500, sent_ms=1000)
    assert d == BargeIn(clear_playout=True, cancel_response=False, truncate=("item_1", 500))


def test_response_active_but_no_audio_yet_only_cancels() -> None:
    d = decide_barge_in(response_active=True, unheard_ms=0, item_id=None, heard_ms=0, sent_ms=0)
    assert d == BargeIn(clear_playout=False, cancel_response=True, truncate=None)


def test_fully_heard_item_is_not_truncated() -> None:
    d = decide_barge_in(response_active=True, unheard_ms=0, item_id="item_1", heard_ms=800, sent_ms=800)
    assert d == BargeIn(clear_playout=False, cancel_response=True, truncate=None)


def test_unheard_below_threshold_does_not_clear() -> None:
    d = decide_barge_in(response_active=True, unheard_ms=10, item_id="i", heard_ms=90, sent_ms=100)
    assert d == BargeIn(clear_playout=False, cancel_response=True, truncate=("i", 90))
    d = decide_barge_in(response_active=True, unheard_ms=10, item_id="i", heard_ms=90, sent_ms=100, min_unheard_ms=5)
    assert d is not None and d.clear_playout


def test_threshold_is_inclusive() -> None:
    d = decide_barge_in(response_active=False, unheard_ms=20, item_id="i", heard_ms=80, sent_ms=100)
    assert d == BargeIn(clear_playout=True, cancel_response=False, truncate=("i", 80))


@given(
    response_active=st.booleans(),
    unheard=st.integers(0, 10_000),
    item_id=st.one_of(st.none(), st.text(min_size=1, max_size=8)),
    heard=st.integers(0, 10_000),
    sent=st.integers(0, 10_000),
    threshold=st.integers(0, 200),
)
def test_decision_invariants(
    response_active: bool, unheard: int, item_id: str | None, heard: int, sent: int, threshold: int
) -> None:
    d = decide_barge_in(response_active=response_active, unheard_ms=unheard, item_id=item_id, heard_ms=heard,
                        sent_ms=sent, min_unheard_ms=threshold)
    if not response_active and unheard < threshold:
        assert d is None
        return
    assert d is not None
    assert d.clear_playout == (unheard >= threshold)
    assert d.cancel_response == response_active
    if d.truncate is None:
        assert item_id is None or heard >= sent
    else:
        tid, end_ms = d.truncate
        assert tid == item_id
        assert 0 <= end_ms <= sent and end_ms == min(heard, sent)
