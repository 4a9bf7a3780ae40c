"""Streaming resampler: sample-count conservation across chunking, and signal preservation."""

from __future__ import annotations

import numpy as np
import pytest
import soxr
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.resample import StreamResampler, resample

RATES = [8000, 16000, 24000, 48000]


def _sine(freq: float, rate: int, seconds: float, amplitude: int = 8000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


@settings(max_examples=40, deadline=None)
@given(
    in_rate=st.sampled_from(RATES),
    out_rate=st.sampled_from(RATES),
    chunks=st.lists(st.integers(0, 400), min_size=1, max_size=30),
)
def test_streamed_output_length_matches_rate_ratio(in_rate: int, out_rate: int, chunks: list[int]) -> None:
    r = StreamResampler(in_rate, out_rate)
    rng = np.random.default_rng(0)
    total_out = 0
    for n in chunks:
        out = r.process(rng.integers(-2000, 2000, n).astype(np.int16))
        assert out.dtype == np.int16
        total_out += len(out)
    total_out += len(r.flush())
    expected = sum(chunks) * out_rate / in_rate
    assert abs(total_out - expected) <= 3


def test_streaming_equals_one_shot_length_and_content_roughly() -> None:
    x = _sine(440, 8000, 0.5)
    r = StreamResampler(8000, 24000)
    streamed = np.concatenate([r.process(x[i : i + 160]) for i in range(0, len(x), 160)] + [r.flush()])
    whole = resample(x, 8000, 24000)
    assert abs(len(streamed) - len(whole)) <= 2
    n = min(len(streamed), len(whole))
    assert np.corrcoef(streamed[:n], whole[:n])[0, 1] > 0.99


def test_8k_to_24k_and_back_preserves_a_sine() -> None:
    x = _sine(700, 8000, 1.0)
    up, down = StreamResampler(8000, 24000), StreamResampler(24000, 8000)
    y = []
    for i in range(0, len(x), 160):
        y.append(down.process(up.process(x[i : i + 160])))
    y.append(down.process(up.flush()))
    y.append(down.flush())
    back = np.concatenate(y)
    assert abs(len(back) - len(x)) <= 2
    n = min(len(back), len(x))
    assert np.corrcoef(back[:n], x[:n])[0, 1] > 0.99


def test_upsampled_sine_keeps_its_frequency() -> None:
    y = resample(_sine(1000, 8000, 1.0), 8000, 24000)
    assert len(y) == 24000 and y.dtype == np.int16
    peak_hz = np.argmax(np.abs(np.fft.rfft(y))) * 24000 / len(y)
    assert abs(peak_hz - 1000) <= 2


def test_one_shot_same_rate_is_a_copy() -> None:
    x = _sine(300, 8000, 0.1)
    y = resample(x, 8000, 8000)
    assert np.array_equal(x, y) and y is not x


def test_full_scale_input_saturates_instead_of_wrapping() -> None:
    x = np.tile(np.array([32767] * 8 + [-32768] * 8, dtype=np.int16), 100)
    reference = np.clip(soxr.resample(x.astype(np.float64), 8000, 16000), -32768, 32767)
    r = StreamResampler(8000, 16000)
    streamed = np.concatenate([r.process(x), r.flush()])
    assert len(streamed) == len(reference)
    assert np.abs(streamed - reference).max() <= 2
    assert np.abs(resample(x, 8000, 16000) - reference).max() <= 2


def test_flush_without_input_is_empty() -> None:
    assert len(StreamResampler(8000, 16000).flush()) == 0


@pytest.mark.parametrize("args", [(0, 8000), (8000, -1)])
def test_rejects_non_positive_rates(args: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="positive"):
        StreamResampler(*args)


def test_rejects_unknown_quality() -> None:
    with pytest.raises(ValueError, match="quality"):
        StreamResampler(8000, 16000, quality="best")
