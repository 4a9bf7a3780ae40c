"""Model audio -> Twilio frames: 20 ms framing, marks, item boundaries, pcm16 resampling."""

from __future__ import annotations

import base64

import numpy as np

from actors.agent_audio import AgentAudio
from actors.transcript import TranscriptBook
from pipelines import twilio_media as tm
from voxray.records import Speaker


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def parsed(texts: list[str]) -> list[tm.OutMedia | tm.OutMark | tm.OutClear]:
    return [tm.parse_outbound(t) for t in texts]


def test_pcmu_delta_is_cut_in_whole_frames_one_message_per_mark_stretch() -> None:
    audio = AgentAudio("MZ1", "pcmu", mark_every_frames=2)
    out = parsed(audio.delta("item1", b64(bytes(range(256)) * 2 + b"\x01" * 88), now_ms=0))  # 600 bytes
    media = [m for m in out if isinstance(m, tm.OutMedia)]
    marks = [m for m in out if isinstance(m, tm.OutMark)]
    # 3 whole frames: two (to the mark) in one message, then the third; 120 bytes wait for more.
    assert [len(base64.b64decode(m.media.payload)) for m in media] == [320, 160]
    assert isinstance(out[1], tm.OutMark)
    assert len(marks) == 1 and marks[0].mark.name.startswith("item1:40:")
    assert all(m.streamSid == "MZ1" for m in out)
    # The partial last frame is padded with silence and marked when the item ends.
    tail = parsed(audio.finish_item(now_ms=100))
    assert len(base64.b64decode(tail[0].media.payload)) == 160  # type: ignore[union-attr]
    assert isinstance(tail[-1], tm.OutMark) and tail[-1].mark.name.startswith("item1:80:")
    assert audio.playout.sent_ms("item1") == 80 and audio.frames_out == 4


def test_a_100_ms_delta_leaves_as_one_media_message_and_its_mark() -> None:
    audio = AgentAudio("MZ1", "pcmu", mark_every_frames=5)
    for n in range(3):
        out = parsed(audio.delta("a", b64(bytes([n]) * 800), now_ms=100 * n))
        assert [type(m) for m in out] == [tm.OutMedia, tm.OutMark]
        assert base64.b64decode(out[0].media.payload) == bytes([n]) * 800  # type: ignore[union-attr]
    # Off the mark grid (a 30 ms delta first), a delta splits at the mark, never the other way.
    audio = AgentAudio("MZ1", "pcmu", mark_every_frames=5)
    audio.delta("b", b64(b"\x00" * 320), now_ms=0)
    out = parsed(audio.delta("b", b64(b"\x01" * 800), now_ms=40))
    sizes = [len(base64.b64decode(m.media.payload)) if isinstance(m, tm.OutMedia) else "mark" for m in out]
    assert sizes == [480, "mark", 320]
    assert audio.frames_out == 7 and audio.playout.sent_ms("b") == 140


def test_new_item_flushes_previous_item_first() -> None:
    audio = AgentAudio("MZ1", "pcmu", mark_every_frames=5)
    audio.delta("a", b64(b"\x00" * 100), now_ms=0)
    out = parsed(audio.delta("b", b64(b"\x00" * 160), now_ms=10))
    names = [m.mark.name for m in out if isinstance(m, tm.OutMark)]
    assert names and names[0].startswith("a:20:")
    assert audio.playout.sent_ms("a") == 20 and audio.playout.sent_ms("b") == 20


def test_barge_in_drops_the_partial_frame() -> None:
    audio = AgentAudio("MZ1", "pcmu", mark_every_frames=5)
    audio.delta("a", b64(b"\x00" * 100), now_ms=0)
    audio.drop_pending()
    assert audio.finish_item(now_ms=5) == []


def test_pcm16_24k_is_resampled_to_8k_mulaw() -> None:
    audio = AgentAudio("MZ1", "pcm16", mark_every_frames=50)
    tone = (np.sin(np.arange(24000) * 2 * np.pi * 440 / 24000) * 8000).astype(np.int16)  # 1 s at 24 kHz
    out = audio.delta("a", b64(tone.tobytes()), now_ms=0) + audio.finish_item(now_ms=0)
    total = sum(len(base64.b64decode(m.media.payload)) for m in parsed(out) if isinstance(m, tm.OutMedia))
    assert abs(total - 8000) <= 320  # one second of 8 kHz mu-law, give or take filter delay


def test_transcript_book_pairs_caller_timing_with_text_and_keeps_unknown_words_unknown() -> None:
    book = TranscriptBook()
    book.caller_started("u1", 100)
    book.caller_stopped("u1", 900)
    seg = book.caller_text("u1", "hello")
    assert seg and (seg.speaker, seg.text, seg.start_ms, seg.end_ms) == (Speaker.CALLER, "hello", 100, 900)
    book.caller_started("u2", 1000)
    book.caller_stopped("u2", 1500)
    [unknown] = book.take_caller()
    assert unknown.text is None and unknown.end_ms == 1500
    assert book.caller_text("u1", "again") is None


def test_transcript_book_agent_segment_is_cut_at_what_was_heard() -> None:
    book = TranscriptBook()
    book.agent_audio("a1", 2000, 2000)
    book.agent_text_delta("a1", "Hello ")
    book.agent_text_delta("a1", "there")
    book.agent_audio("a1", 2000, 5000)
    seg = book.take_agent("a1", interrupted=True, heard_end_ms=1200)
    assert seg and (seg.text, seg.start_ms, seg.end_ms, seg.interrupted) == ("Hello there", 2000, 3200, True)
    assert book.agent_items() == []
