"""DTMF: collecting the caller's keys, in-band tones for keys the agent presses, and hearing them back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import g711
from pipelines.dtmf import (
    KEYS,
    Collected,
    CollectorFinished,
    DtmfCollector,
    InvalidKey,
    detect_digits,
    tone_pcm,
    tone_ulaw,
)

# ---- collector ----------------------------------------------------------------------------------


def test_entry_ends_at_max_digits() -> None:
    c = DtmfCollector(max_digits=3, finish_on_key="#", inter_digit_timeout_s=5, started_at=0)
    assert c.feed("1", 1.0) is None and c.feed("2", 2.0) is None
    assert c.feed("3", 3.0) == Collected("123", "max_digits")
    assert c.done and c.deadline is None


def test_finish_key_ends_the_entry_and_is_not_collected() -> None:
    c = DtmfCollector(max_digits=10, finish_on_key="#", started_at=0)
    c.feed("4", 0.5)
    assert c.feed("#", 1.0) == Collected("4", "finish_key")


def test_without_a_finish_key_hash_is_a_digit() -> None:
    c = DtmfCollector(max_digits=2, finish_on_key=None, started_at=0)
    c.feed("#", 0.1)
    assert c.feed("*", 0.2) == Collected("#*", "max_digits")


def test_inter_digit_timeout_restarts_on_each_key() -> None:
    c = DtmfCollector(max_digits=8, inter_digit_timeout_s=2, started_at=10)
    assert c.deadline == 12
    assert c.poll(11.9) is None
    c.feed("7", 11.9)
    assert c.deadline == pytest.approx(13.9)
    assert c.poll(13.0) is None
    assert c.poll(13.9) == Collected("7", "timeout")
    assert c.poll(20.0) is None  # reported once


def test_overall_timeout_bounds_a_slow_typist() -> None:
    c = DtmfCollector(max_digits=8, inter_digit_timeout_s=2, overall_timeout_s=5, started_at=0)
    for t in (1.5, 3.0, 4.5):
        assert c.feed("1", t) is None
    assert c.deadline == 5
    assert c.poll(5.0) == Collected("111", "timeout")


def test_a_key_after_the_deadline_does_not_count() -> None:
    c = DtmfCollector(max_digits=2, inter_digit_timeout_s=1, started_at=0)
    c.feed("1", 0.5)
    assert c.feed("2", 1.6) == Collected("1", "timeout")


def test_feeding_a_finished_collector_or_a_bad_key_is_an_error() -> None:
    c = DtmfCollector(max_digits=1, started_at=0)
    with pytest.raises(InvalidKey):
        c.feed("x", 0.1)
    c.feed("1", 0.2)
    with pytest.raises(CollectorFinished):
        c.feed("2", 0.3)


@settings(max_examples=200)
@given(max_digits=st.integers(1, 32), finish=st.sampled_from(["#", "*", None]),
       presses=st.lists(st.tuples(st.sampled_from(sorted(KEYS)), st.floats(0, 3)), max_size=60))
def test_collector_never_returns_more_than_max_digits(max_digits: int, finish: str | None,
                                                      presses: list[tuple[str, float]]) -> None:
    c = DtmfCollector(max_digits=max_digits, finish_on_key=finish, inter_digit_timeout_s=2, started_at=0)
    now = 0.0
    result = None
    for key, wait in presses:
        now += wait
        result = c.feed(key, now)
        if result is not None:
            break
    result = result or c.poll(now + 100)
    assert result is not None
    assert len(result.digits) <= max_digits
    assert finish is None or finish not in result.digits


# ---- tones ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_key_round_trips_through_mu_law(key: str) -> None:
    assert detect_digits(tone_ulaw(key)) == key


def test_tone_lengths_and_pauses() -> None:
    assert len(tone_ulaw("1")) == 800 + 480  # 100 ms tone + 60 ms gap at 8 kHz
    assert len(tone_ulaw("1w")) == 1280 + 4000
    assert len(tone_ulaw("W")) == 8000
    assert tone_ulaw("") == b""
    with pytest.raises(InvalidKey):
        tone_ulaw("1x")


def test_tone_pair_has_energy_at_its_two_frequencies_only() -> None:
    pcm = tone_pcm("5", gap_ms=0).astype(float)
    spectrum = np.abs(np.fft.rfft(pcm))
    freqs = np.fft.rfftfreq(len(pcm), 1 / 8000)
    peaks = sorted(freqs[np.argsort(spectrum)[-2:]])
    assert peaks == pytest.approx([770, 1336], abs=10)


def test_pauses_and_repeated_keys_are_heard_as_separate_presses() -> None:
    assert detect_digits(tone_ulaw("00w11W#")) == "0011#"


@settings(max_examples=60, deadline=None)
@given(keys=st.text(alphabet="0123456789*#wA", min_size=1, max_size=12), offset=st.integers(0, 400),
       level=st.floats(0.05, 1.0))
def test_tone_round_trip_at_any_alignment_and_level(keys: str, offset: int, level: float) -> None:
    pcm = np.concatenate([np.zeros(offset), tone_pcm(keys) * level]).astype(np.int16)
    assert detect_digits(g711.encode(pcm)) == keys.replace("w", "")


def test_noise_silence_and_a_plain_tone_are_not_keys() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(8000) / 8000
    assert detect_digits(g711.encode(rng.normal(0, 3000, 8000).astype(np.int16))) == ""
    assert detect_digits(g711.encode((10_000 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16))) == ""
    assert detect_digits(bytes([g711.SILENCE_BYTE]) * 8000) == ""
    assert detect_digits(b"") == ""


def test_keys_are_heard_through_moderate_noise() -> None:
    rng = np.random.default_rng(3)
    pcm = tone_pcm("2580#").astype(float)
    noisy = np.clip(pcm + rng.normal(0, 1000, len(pcm)), -32768, 32767).astype(np.int16)
    assert detect_digits(g711.encode(noisy)) == "2580#"
