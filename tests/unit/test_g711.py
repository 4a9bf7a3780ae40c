"""G.711 mu-law codec: reference values, round-trip bounds, and agreement with CPython's audioop."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines import g711

ALL_SAMPLES = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)
ALL_BYTES = bytes(range(256))

# Standard mu-law decode values (ITU-T G.711 table / Sun g711.c u2l table).
REFERENCE_DECODE = {
    0x00: -32124, 0x01: -31100, 0x0F: -16764, 0x10: -15996, 0x20: -7932, 0x30: -3900, 0x40: -1884,
    0x50: -876, 0x60: -372, 0x70: -120, 0x7E: -8, 0x7F: 0,
    0x80: 32124, 0x8F: 16764, 0xF0: 120, 0xFE: 8, 0xFF: 0,
}
REFERENCE_ENCODE = {0: 0xFF, 1: 0xFF, -1: 0x7F, 8: 0xFE, -8: 0x7E, 32767: 0x80, -32768: 0x00, 32124: 0x80, -32124: 0x00}


def _half_step(magnitude: int) -> int:
    """Largest quantisation error for a magnitude in range: half the step of its segment."""
    exponent = max(0, (magnitude + 0x84).bit_length() - 8)
    return 1 << (exponent + 2)


def test_decode_matches_reference_table() -> None:
    decoded = g711.decode(bytes(REFERENCE_DECODE))
    assert decoded.tolist() == list(REFERENCE_DECODE.values())


def test_encode_matches_reference_table() -> None:
    pcm = np.array(list(REFERENCE_ENCODE), dtype=np.int16)
    assert list(g711.encode(pcm)) == list(REFERENCE_ENCODE.values())


def test_silence_byte_encodes_zero_and_decodes_to_zero() -> None:
    assert g711.SILENCE_BYTE == 0xFF
    assert g711.encode(np.zeros(4, dtype=np.int16)) == b"\xff" * 4
    assert g711.decode(bytes([g711.SILENCE_BYTE])).tolist() == [0]


def test_encode_of_decode_is_identity_except_negative_zero() -> None:
    # 0x7F is mu-law "negative zero": it decodes to 0, which encodes to positive zero 0xFF.
    again = g711.encode(g711.decode(ALL_BYTES))
    expected = bytearray(ALL_BYTES)
    expected[0x7F] = 0xFF
    assert again == bytes(expected)


def test_decode_of_encode_error_within_half_step_for_every_sample() -> None:
    x = ALL_SAMPLES.astype(np.int64)
    err = np.abs(g711.decode(g711.encode(ALL_SAMPLES)).astype(np.int64) - x)
    magnitude = np.abs(x)
    in_range = magnitude <= 32635
    bound = np.array([_half_step(int(m)) for m in magnitude[in_range]])
    assert (err[in_range] <= bound).all()
    assert (err[~in_range] <= magnitude[~in_range] - 32124).all()  # clipped to the top level


@given(st.integers(-32768, 32767))
def test_round_trip_error_bounded_by_segment(sample: int) -> None:
    out = int(g711.decode(g711.encode(np.array([sample], dtype=np.int16)))[0])
    magnitude = abs(sample)
    bound = _half_step(magnitude) if magnitude <= 32635 else magnitude - 32124
    assert abs(out - sample) <= bound
    assert out == 0 or (out > 0) == (sample > 0)


@given(st.integers(1, 32767))
def test_encoding_is_sign_symmetric(sample: int) -> None:
    pos, neg = g711.encode(np.array([sample, -sample], dtype=np.int16))
    assert pos ^ neg == 0x80


@given(st.binary(max_size=400))
def test_decode_gives_one_int16_sample_per_byte(data: bytes) -> None:
    pcm = g711.decode(data)
    assert pcm.dtype == np.int16 and len(pcm) == len(data)
    assert len(g711.encode(pcm)) == len(data)


@given(st.binary(max_size=400))
def test_decode_bytes_is_the_little_endian_pcm_of_decode(data: bytes) -> None:
    assert g711.decode_bytes(data) == g711.decode(data).astype("<i2").tobytes()


def test_agrees_with_audioop() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")
    assert g711.decode(ALL_BYTES).tobytes() == audioop.ulaw2lin(ALL_BYTES, 2)
    ours = np.frombuffer(g711.encode(ALL_SAMPLES), dtype=np.uint8).astype(np.int16)
    theirs = np.frombuffer(audioop.lin2ulaw(ALL_SAMPLES.tobytes(), 2), dtype=np.uint8).astype(np.int16)
    nonneg = ALL_SAMPLES >= 0
    assert (ours[nonneg] == theirs[nonneg]).all()
    # audioop floors negative samples to 14 bits first, so it may pick the neighbouring code at a boundary.
    assert (np.abs(ours[~nonneg] - theirs[~nonneg]) <= 1).all()
    assert (ours != theirs).mean() < 0.01
