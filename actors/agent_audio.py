"""Model audio -> Twilio: decode/resample if needed, frame into 20 ms, mark, track playout.

Audio is cut into whole 20 ms frames (playout is tracked, padded and cleared in frames), but
the frames of one delta leave in as few ``media`` messages as the marks allow: Twilio plays
media "of any size" in order (PROTOCOLS A.2), and every message costs a JSON body, a link frame
and a websocket send in the actor, the gateway and the carrier.
"""

from __future__ import annotations

import base64

import numpy as np

from pipelines import g711
from pipelines.framing import Framer
from pipelines.playout import PlayoutTracker
from pipelines.resample import StreamResampler
from pipelines.twilio_media import FRAME_BYTES, mark_out, media_out


class AgentAudio:
    """Turns model audio deltas into Twilio ``media`` frames with a ``mark`` every N frames."""

    def __init__(self, stream_sid: str, audio_mode: str, mark_every_frames: int) -> None:
        self.stream_sid = stream_sid
        self.playout = PlayoutTracker()
        self._framer = Framer(FRAME_BYTES)
        self._down = StreamResampler(24000, 8000) if audio_mode == "pcm16" else None
        self._mark_every = mark_every_frames
        self._item: str | None = None
        self._since_mark = 0
        self.frames_out = 0
        self.item_first_sent_ms: dict[str, float] = {}

    def _to_ulaw(self, delta_b64: str) -> bytes:
        raw = base64.b64decode(delta_b64)
        if self._down is None:
            return raw
        return g711.encode(self._down.process(np.frombuffer(raw, dtype=np.int16)))

    def delta(self, item_id: str, delta_b64: str, now_ms: float) -> list[str]:
        """Twilio frames (JSON texts) for one model audio delta, in order."""
        return self.ulaw(item_id, self._to_ulaw(delta_b64), now_ms)

    def ulaw(self, item_id: str, audio: bytes, now_ms: float) -> list[str]:
        """Twilio frames for G.711 audio of an item (model speech, or DTMF tones we key)."""
        out = self.finish_item(now_ms) if self._item not in (None, item_id) else []
        self._item = item_id
        self.item_first_sent_ms.setdefault(item_id, now_ms)
        whole = self._framer.push_whole(audio)
        if whole:
            self._send(item_id, whole, now_ms, out)
        return out

    def _send(self, item_id: str, audio: bytes, now_ms: float, out: list[str]) -> None:
        """Whole frames as one ``media`` message per stretch between marks, a mark every N frames."""
        assert len(audio) % FRAME_BYTES == 0, "whole frames only (the framer pads the last one)"
        start = 0
        while start < len(audio):
            frames = min((len(audio) - start) // FRAME_BYTES, self._mark_every - self._since_mark)
            chunk = audio[start:start + frames * FRAME_BYTES]
            start += len(chunk)
            self.playout.on_sent(item_id, len(chunk), now_ms)
            self.frames_out += frames
            self._since_mark += frames
            out.append(media_out(self.stream_sid, chunk))
            if self._since_mark >= self._mark_every:
                self._since_mark = 0
                out.append(mark_out(self.stream_sid, self.playout.next_mark(item_id)))

    def finish_item(self, now_ms: float) -> list[str]:
        """Flush the item's last partial frame (padded with silence) and mark its end."""
        item, self._item = self._item, None
        if item is None:
            return []
        out: list[str] = []
        rest = self._framer.flush()
        if rest:
            self._send(item, rest, now_ms, out)
        if self._since_mark:
            self._since_mark = 0
            out.append(mark_out(self.stream_sid, self.playout.next_mark(item)))
        return out

    def drop_pending(self) -> None:
        """Forget buffered audio of the interrupted item (barge-in)."""
        self._framer.flush(pad_byte=None)
        self._item = None
        self._since_mark = 0
