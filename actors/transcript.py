"""Bookkeeping for transcript segments: pending until complete, then written once."""

from __future__ import annotations

from dataclasses import dataclass, field

from voxray.records import Speaker, TranscriptSegment


@dataclass
class _Pending:
    speaker: Speaker
    start_ms: int
    end_ms: int
    text_parts: list[str] = field(default_factory=list)
    final_text: str | None = None
    generated: bool = False  # agent: the model finished the item


class TranscriptBook:
    """Collects caller and agent segments keyed by model item id; ``take_*`` hands out finished ones."""

    def __init__(self) -> None:
        self._caller: dict[str, _Pending] = {}
        self._agent: dict[str, _Pending] = {}
        self._written: set[str] = set()  # agent items already recorded: late events can't revive them
        # Finished text turns in arrival order, keyed by item: what a new model session is told.
        self._history: dict[str, tuple[str, str]] = {}

    def _agent_item(self, item_id: str) -> _Pending | None:
        if item_id in self._written:
            return None
        return self._agent.setdefault(item_id, _Pending(Speaker.AGENT, 0, 0))

    # caller
    def caller_started(self, item_id: str, at_ms: int) -> None:
        self._caller.setdefault(item_id, _Pending(Speaker.CALLER, at_ms, at_ms))

    def caller_stopped(self, item_id: str, at_ms: int) -> None:
        self._caller.setdefault(item_id, _Pending(Speaker.CALLER, at_ms, at_ms)).end_ms = at_ms

    def caller_text(self, item_id: str, text: str | None) -> TranscriptSegment | None:
        p = self._caller.pop(item_id, None)
        if p is None:
            return None
        if text:
            self._history.setdefault(item_id, ("user", text))
        return TranscriptSegment(speaker=Speaker.CALLER, text=text, start_ms=p.start_ms, end_ms=p.end_ms, item_id=item_id)

    def take_caller(self) -> list[TranscriptSegment]:
        """Caller segments whose text will not come (no transcription): words unknown."""
        return [s for s in (self.caller_text(i, None) for i in list(self._caller)) if s]

    # agent
    def agent_audio(self, item_id: str, start_ms: int, end_ms: int) -> None:
        if item_id in self._written:
            return
        p = self._agent.setdefault(item_id, _Pending(Speaker.AGENT, start_ms, end_ms))
        p.end_ms = end_ms

    def agent_text_delta(self, item_id: str, delta: str) -> None:
        if (p := self._agent_item(item_id)) is not None:
            p.text_parts.append(delta)

    def agent_text_done(self, item_id: str, transcript: str) -> None:
        if (p := self._agent_item(item_id)) is not None:
            p.final_text = transcript
            if transcript:
                self._history.setdefault(item_id, ("assistant", transcript))

    def agent_generated(self, item_id: str) -> None:
        if item_id in self._agent:
            self._agent[item_id].generated = True

    def take_agent(self, item_id: str, *, interrupted: bool, heard_end_ms: int | None = None) -> TranscriptSegment | None:
        p = self._agent.pop(item_id, None)
        if p is None:
            return None
        self._written.add(item_id)
        text = p.final_text if p.final_text is not None else "".join(p.text_parts)
        end = p.end_ms if heard_end_ms is None else p.start_ms + heard_end_ms
        return TranscriptSegment(speaker=Speaker.AGENT, text=text or None, start_ms=p.start_ms, end_ms=end,
                                 item_id=item_id, interrupted=interrupted)

    def history(self) -> list[tuple[str, str]]:
        """The finished turns so far as (role, text), roles ``user``/``assistant``, in order."""
        return list(self._history.values())

    def agent_items(self) -> list[str]:
        return list(self._agent)

    def generated_agent_items(self) -> list[str]:
        return [i for i, p in self._agent.items() if p.generated]
