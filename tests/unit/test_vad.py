"""Speech detection: argument validation, hysteresis, and real (espeak-ng) speech end to end."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines import g711
from pipelines.vad import SpeechDetector, SpeechStart, SpeechStop

FRAME = 160  # 20 ms at 8 kHz


class _ScriptedVad:
    """Stands in for webrtcvad so hysteresis can be tested frame by frame."""

    def __init__(self, script: str) -> None:
        self._script = iter(script)

    def is_speech(self, buf: bytes, rate: int) -> bool:
        return next(self._script) == "1"


def _run(det: SpeechDetector, pcm: np.ndarray, frame_ms: int = 20) -> list[SpeechStart | SpeechStop]:
    n = det.frame_samples
    events = []
    for i in range(len(pcm) // n):
        ev = det.process(pcm[i * n : (i + 1) * n], i * frame_ms)
        if ev is not None:
            events.append(ev)
    return events


def _scripted(script: str, **kwargs: int) -> list[SpeechStart | SpeechStop]:
    det = SpeechDetector(**kwargs)
    det._vad = _ScriptedVad(script)
    return _run(det, np.zeros(FRAME * len(script), dtype=np.int16))


def _speech(text: str) -> np.ndarray:
    from simulators.speech import SpeechUnavailable, synthesize_pcm

    try:
        return np.frombuffer(synthesize_pcm(text), dtype=np.int16)
    except SpeechUnavailable as exc:
        pytest.skip(str(exc))


def _active_span_ms(pcm: np.ndarray, threshold: int = 300) -> tuple[float, float]:
    loud = np.nonzero(np.abs(pcm.astype(np.int32)) > threshold)[0]
    return loud[0] / 8, loud[-1] / 8


# ---- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"aggressiveness": 4}, "aggressiveness"),
        ({"aggressiveness": -1}, "aggressiveness"),
        ({"frame_ms": 25}, "frame_ms"),
        ({"sample_rate": 11025}, "sample_rate"),
        ({"start_frames": 0}, "start_frames"),
        ({"hangover_frames": 0}, "hangover_frames"),
    ],
)
def test_invalid_arguments_raise_clear_value_error(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SpeechDetector(**kwargs)


@pytest.mark.parametrize(
    "frame",
    [np.zeros(159, dtype=np.int16), np.zeros(320, dtype=np.int16), np.zeros(160, dtype=np.float32),
     np.zeros((160, 1), dtype=np.int16), bytes(320)],
)
def test_wrong_frame_shape_or_dtype_raises(frame: np.ndarray) -> None:
    with pytest.raises(ValueError, match="160 int16 samples"):
        SpeechDetector().process(frame, 0)


@pytest.mark.parametrize(("rate", "frame_ms"), [(8000, 10), (8000, 30), (16000, 20), (48000, 30)])
def test_supported_rates_and_frame_sizes_accept_silence(rate: int, frame_ms: int) -> None:
    det = SpeechDetector(sample_rate=rate, frame_ms=frame_ms)
    assert det.frame_samples == rate * frame_ms // 1000
    assert det.process(np.zeros(det.frame_samples, dtype=np.int16), 0) is None


# ---- hysteresis ------------------------------------------------------------------------


def test_start_needs_consecutive_voiced_frames_and_reports_the_first() -> None:
    assert _scripted("0011011100") == [SpeechStart(at_ms=100)]


def test_short_voiced_bursts_never_start() -> None:
    assert _scripted("0110110110", start_frames=3) == []


def test_stop_after_hangover_reports_first_unvoiced_frame() -> None:
    events = _scripted("1" * 8 + "000" + "1" + "0000" + "0", hangover_frames=4)
    assert events == [SpeechStart(at_ms=0), SpeechStop(at_ms=240)]


def test_pause_shorter_than_hangover_does_not_stop() -> None:
    assert _scripted("111" + "000" + "1" + "000", hangover_frames=4) == [SpeechStart(at_ms=0)]


def test_speaking_property_follows_events() -> None:
    det = SpeechDetector(start_frames=2, hangover_frames=2)
    det._vad = _ScriptedVad("1100")
    frame = np.zeros(FRAME, dtype=np.int16)
    states = []
    for i in range(4):
        det.process(frame, i * 20)
        states.append(det.speaking)
    assert states == [False, True, True, False]


def test_repeated_turns_alternate_start_and_stop() -> None:
    events = _scripted("111000111000", start_frames=3, hangover_frames=3)
    assert events == [SpeechStart(0), SpeechStop(60), SpeechStart(120), SpeechStop(180)]


# ---- real audio ------------------------------------------------------------------------


def test_digital_silence_and_faint_hiss_produce_no_events() -> None:
    rng = np.random.default_rng(7)
    hiss = rng.integers(-3, 4, FRAME * 250).astype(np.int16)
    assert _run(SpeechDetector(), np.zeros(FRAME * 250, dtype=np.int16)) == []
    assert _run(SpeechDetector(), hiss) == []


@pytest.mark.parametrize("through_mulaw", [False, True])
def test_spoken_sentence_between_silences_gives_one_start_and_one_stop(through_mulaw: bool) -> None:
    speech = _speech("Hello, I would like to book a table for two tonight.")
    lead = np.zeros(8000, dtype=np.int16)  # 1 s
    pcm = np.concatenate([lead, speech, np.zeros(12000, dtype=np.int16)])
    if through_mulaw:  # what the session actor sees from Twilio
        pcm = g711.decode(g711.encode(pcm))
    det = SpeechDetector()
    events = _run(det, pcm)
    on, off = _active_span_ms(speech)
    assert [type(e) for e in events] == [SpeechStart, SpeechStop]
    start, stop = events
    assert 1000 + on - 60 <= start.at_ms <= 1000 + on + 200
    assert 1000 + off - 100 <= stop.at_ms <= 1000 + off + 400
    assert not det.speaking


def test_pcm16_frames_of_the_wrong_length_raise() -> None:
    with pytest.raises(ValueError, match="320 bytes"):
        SpeechDetector().process_pcm16(b"\x00" * 318, 0)
