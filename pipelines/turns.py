"""Turn tracking and the barge-in decision, as pure logic.

The turn machine is a table of (state, event) -> state in the style of h11: harmless repeats are
explicit self-transitions and anything not in the table raises ``IllegalTransition``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TurnState(StrEnum):
    LISTENING = "listening"
    CALLER_SPEAKING = "caller_speaking"
    AGENT_SPEAKING = "agent_speaking"


class TurnEvent(StrEnum):
    CALLER_START = "caller_start"
    CALLER_STOP = "caller_stop"
    AGENT_AUDIO = "agent_audio"
    AGENT_DONE = "agent_done"


class IllegalTransition(Exception):
    """An event that cannot happen in the current turn state."""

    def __init__(self, state: TurnState, event: TurnEvent) -> None:
        super().__init__(f"event {event.value!r} is illegal in state {state.value!r}")
        self.state = state
        self.event = event


_S, _E = TurnState, TurnEvent

#: (state, event) -> (next state, whether a new turn begins).
TRANSITIONS: dict[tuple[TurnState, TurnEvent], tuple[TurnState, bool]] = {
    (_S.LISTENING, _E.CALLER_START): (_S.CALLER_SPEAKING, True),
    (_S.LISTENING, _E.AGENT_AUDIO): (_S.AGENT_SPEAKING, True),
    (_S.LISTENING, _E.AGENT_DONE): (_S.LISTENING, False),  # a response with no audio, or done after a clear
    (_S.CALLER_SPEAKING, _E.CALLER_START): (_S.CALLER_SPEAKING, False),
    (_S.CALLER_SPEAKING, _E.CALLER_STOP): (_S.LISTENING, False),
    (_S.CALLER_SPEAKING, _E.AGENT_AUDIO): (_S.CALLER_SPEAKING, False),  # model answers while caller talks
    (_S.CALLER_SPEAKING, _E.AGENT_DONE): (_S.CALLER_SPEAKING, False),
    (_S.AGENT_SPEAKING, _E.CALLER_START): (_S.CALLER_SPEAKING, True),  # barge-in
    (_S.AGENT_SPEAKING, _E.AGENT_AUDIO): (_S.AGENT_SPEAKING, False),
    (_S.AGENT_SPEAKING, _E.AGENT_DONE): (_S.LISTENING, False),
}
# Not in the table: CALLER_STOP while LISTENING or AGENT_SPEAKING (the caller was not speaking).


class TurnMachine:
    """Who holds the floor; ``turn_index`` counts caller turns and agent reply turns."""

    def __init__(self) -> None:
        self.state = TurnState.LISTENING
        self.turn_index = 0

    def feed(self, event: TurnEvent) -> TurnState:
        """Apply ``event``; return the new state or raise IllegalTransition."""
        try:
            self.state, new_turn = TRANSITIONS[(self.state, event)]
        except KeyError:
            raise IllegalTransition(self.state, event) from None
        if new_turn:
            self.turn_index += 1
        return self.state


@dataclass(frozen=True)
class BargeIn:
    """What to do when the caller starts speaking over the agent."""

    clear_playout: bool
    cancel_response: bool
    truncate: tuple[str, int] | None  # (item_id, audio_end_ms)


def decide_barge_in(
    *,
    response_active: bool,
    unheard_ms: int,
    item_id: str | None,
    heard_ms: int,
    sent_ms: int,
    min_unheard_ms: int = 20,
) -> BargeIn | None:
    """Decide the reaction to caller speech; None when nothing is playing or being generated."""
    clear = unheard_ms >= min_unheard_ms
    if not response_active and not clear:
        return None
    truncate = (item_id, max(0, min(heard_ms, sent_ms))) if item_id is not None and heard_ms < sent_ms else None
    return BargeIn(clear_playout=clear, cancel_response=response_active, truncate=truncate)
