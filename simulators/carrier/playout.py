"""Twilio's outbound playback buffer for one Media Stream (pure; time is an argument).

What the gateway sends (``media``, ``mark``, ``clear``) is queued here and played to the
simulated caller at real time, 8 bytes of mu-law per ms (PROTOCOLS §A.3/§A.4):

* a ``mark`` is echoed once all audio queued before it has played, or at once if none is;
* ``clear`` drops the queued audio and echoes every pending mark immediately (Twilio echoes
  marks "matching any remaining mark messages", so an echo does not prove playback);
* an *underrun* is a gap inside one agent utterance: the buffer ran dry and new audio came
  within ``join_s`` (200 ms). The dry time is the gap. A ``clear`` ends the utterance.

Every method takes ``now`` (seconds on any monotonic clock) and never reads a clock itself.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from pipelines.g711 import SILENCE_BYTE
from pipelines.twilio_media import BYTES_PER_MS

BYTES_PER_S = BYTES_PER_MS * 1000
#: Float slack so that a gap of exactly zero is not counted as an underrun.
_EPSILON_S = 1e-6


@dataclass
class PlayedRun:
    """Audio played back to back from ``start`` (seconds), one byte per 1/8000 s."""

    start: float
    audio: bytearray = field(default_factory=bytearray)

    @property
    def end(self) -> float:
        return self.start + len(self.audio) / BYTES_PER_S


class PlayoutBuffer:
    """Queue of agent audio and marks, played at real time."""

    def __init__(self, join_s: float = 0.2) -> None:
        self.join_s = join_s
        self._pending = bytearray()          # queued, not yet played
        self._head = 0                       # stream position of the next byte to play
        self._tail = 0                       # stream position after the last queued byte
        self._marks: deque[tuple[int, str]] = deque()  # (position it waits for, name)
        self._now = float("-inf")
        self._run: PlayedRun | None = None   # run playing (or last played)
        self._run_head0 = 0                  # stream position where ``_run`` started
        self._dry_at: float | None = None    # when the buffer last ran dry
        self._utterance_open = False         # a clear closes the utterance
        self._utterance_start: float | None = None
        self.runs: list[PlayedRun] = []
        self.received_bytes = 0
        self.cleared_bytes = 0
        self.utterances = 0
        self.underruns = 0
        self.underrun_s = 0.0

    # ---- input from the gateway -------------------------------------------------------

    def push_media(self, ulaw: bytes, now: float) -> None:
        """Queue agent audio; it starts playing at ``now`` if the buffer was dry."""
        self._sync(now)
        if not ulaw:
            return
        self.received_bytes += len(ulaw)
        if self._head == self._tail:
            self._start_run(now)
        self._pending += ulaw
        self._tail += len(ulaw)

    def push_mark(self, name: str, now: float) -> None:
        """Queue a mark behind the audio queued so far; ``advance`` echoes it when reached."""
        self._sync(now)
        self._marks.append((self._tail, name))

    def clear(self, now: float) -> list[str]:
        """Drop all queued audio; return every pending mark name, to echo now."""
        self._sync(now)
        self.cleared_bytes += self._tail - self._head
        self._pending.clear()
        self._tail = self._head
        if self._run is not None and self._dry_at is None:
            self._dry_at = self._now
        self._utterance_open = False
        names = [name for _, name in self._marks]
        self._marks.clear()
        return names

    def advance(self, now: float) -> list[str]:
        """Play up to ``now``; return the names of marks whose preceding audio has played."""
        self._sync(now)
        due: list[str] = []
        while self._marks and self._marks[0][0] <= self._head:
            due.append(self._marks.popleft()[1])
        return due

    # ---- what the caller hears ----------------------------------------------------------

    def is_playing(self, now: float) -> bool:
        self._sync(now)
        return self._head < self._tail

    def quiet_for(self, now: float) -> float | None:
        """Seconds since the buffer ran dry; ``None`` while playing or before any audio."""
        self._sync(now)
        if self._head < self._tail or self._dry_at is None:
            return None
        return self._now - self._dry_at

    def playing_for(self, now: float) -> float:
        """Seconds the current agent utterance has been playing (0 when not playing)."""
        self._sync(now)
        if self._head == self._tail or self._utterance_start is None:
            return 0.0
        return self._now - self._utterance_start

    @property
    def played_bytes(self) -> int:
        """Bytes played as of the last call (excludes cleared audio)."""
        return self._head

    @property
    def pending_bytes(self) -> int:
        return self._tail - self._head

    @property
    def pending_marks(self) -> list[str]:
        return [name for _, name in self._marks]

    def render(self, start: float, end: float) -> bytes:
        """The audio as heard between ``start`` and ``end``: silence where nothing played."""
        length = max(0, round((end - start) * BYTES_PER_S))
        out = bytearray([SILENCE_BYTE]) * length
        for run in self.runs:
            offset = round((run.start - start) * BYTES_PER_S)
            lo, hi = max(offset, 0), min(offset + len(run.audio), length)
            if lo < hi:
                out[lo:hi] = run.audio[lo - offset : hi - offset]
        return bytes(out)

    # ---- internals ----------------------------------------------------------------------

    def _start_run(self, now: float) -> None:
        """Audio arrives into a dry buffer: continue the utterance (an underrun) or start one."""
        gap = None if self._dry_at is None else now - self._dry_at
        if self._utterance_open and gap is not None and gap <= self.join_s:
            if gap > _EPSILON_S:
                self.underruns += 1
                self.underrun_s += gap
        else:
            self.utterances += 1
            self._utterance_start = now
        self._utterance_open = True
        self._dry_at = None
        self._run = PlayedRun(start=now)
        self.runs.append(self._run)
        self._run_head0 = self._head

    def _sync(self, now: float) -> None:
        """Move the play head to ``now`` (time never goes backwards)."""
        if now > self._now:
            self._now = now
        run = self._run
        if run is None or self._head == self._tail:
            return
        due = self._run_head0 + int((self._now - run.start) * BYTES_PER_S + _EPSILON_S)
        target = min(due, self._tail)
        count = target - self._head
        if count <= 0:
            return
        run.audio += self._pending[:count]
        del self._pending[:count]
        self._head = target
        if self._head == self._tail:
            self._dry_at = run.end
