"""DTMF (touch tones, ITU-T Q.23/Q.24): collecting keys, generating in-band tones, detecting them.

Sans-I/O: time is an argument. ``DtmfCollector`` gathers the caller's keys (from Twilio ``dtmf``
messages) as Twilio's <Gather> would; ``tone_ulaw`` renders keys the agent presses as G.711
mu-law 8 kHz audio for the media stream (a Media Stream cannot send DTMF events, so the tones go
in-band); ``detect_digits`` hears them again with a Goertzel filter bank (the carrier simulator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from pipelines import g711

RATE = 8000
ROW_HZ = (697.0, 770.0, 852.0, 941.0)
COL_HZ = (1209.0, 1336.0, 1477.0, 1633.0)
_KEYPAD = ("123A", "456B", "789C", "*0#D")
KEY_FREQS: dict[str, tuple[float, float]] = {
    key: (ROW_HZ[r], COL_HZ[c]) for r, row in enumerate(_KEYPAD) for c, key in enumerate(row)
}
KEYS = frozenset(KEY_FREQS)
#: Pause characters in a dialling string, in ms ('w' as in Twilio's sendDigits).
PAUSE_MS = {"w": 500, "W": 1000}


class DtmfError(ValueError):
    """Base of this module's errors."""


class InvalidKey(DtmfError):
    """A character that is neither a DTMF key nor a pause."""


class CollectorFinished(DtmfError):
    """A key was fed to a collector that has already returned its result."""


# ---- collecting the caller's keys -------------------------------------------------------------

FinishReason = Literal["max_digits", "finish_key", "timeout"]


@dataclass(frozen=True)
class Collected:
    digits: str  # without the finish key
    reason: FinishReason


class DtmfCollector:
    """Gathers keys until ``max_digits``, the finish key, or a timeout; returns one ``Collected``.

    The inter-digit timer runs from ``started_at`` (when the caller was asked) and restarts on each
    key; ``overall_timeout_s``, if given, bounds the whole entry. A key fed after a deadline has
    passed does not count: the timeout came first. Call ``poll`` when ``deadline`` is reached.
    """

    def __init__(self, *, max_digits: int, finish_on_key: str | None = "#", inter_digit_timeout_s: float = 5.0,
                 overall_timeout_s: float | None = None, started_at: float) -> None:
        if max_digits < 1:
            raise DtmfError("max_digits must be at least 1")
        if finish_on_key is not None and finish_on_key not in KEYS:
            raise InvalidKey(f"finish key {finish_on_key!r} is not a DTMF key")
        self.max_digits = max_digits
        self.finish_on_key = finish_on_key
        self.inter_digit_timeout_s = inter_digit_timeout_s
        self._overall_deadline = None if overall_timeout_s is None else started_at + overall_timeout_s
        self._last_at = started_at
        self._digits: list[str] = []
        self.result: Collected | None = None

    @property
    def digits(self) -> str:
        return "".join(self._digits)

    @property
    def done(self) -> bool:
        return self.result is not None

    @property
    def deadline(self) -> float | None:
        """When the entry times out if no key comes (None once done)."""
        if self.done:
            return None
        inter = self._last_at + self.inter_digit_timeout_s
        return inter if self._overall_deadline is None else min(inter, self._overall_deadline)

    def feed(self, key: str, now: float) -> Collected | None:
        """One key pressed at ``now``; the result if this (or a deadline before it) ends the entry."""
        if self.done:
            raise CollectorFinished("the collector already returned its result")
        if key not in KEYS:
            raise InvalidKey(f"{key!r} is not a DTMF key")
        if (timed_out := self.poll(now)) is not None:
            return timed_out
        if key == self.finish_on_key:
            return self._finish("finish_key")
        self._digits.append(key)
        self._last_at = now
        if len(self._digits) >= self.max_digits:
            return self._finish("max_digits")
        return None

    def poll(self, now: float) -> Collected | None:
        """The timeout result if a deadline has passed at ``now``; None otherwise (and once done)."""
        deadline = self.deadline
        if deadline is not None and now >= deadline:
            return self._finish("timeout")
        return None

    def _finish(self, reason: FinishReason) -> Collected:
        self.result = Collected(self.digits, reason)
        return self.result


# ---- generating tones ------------------------------------------------------------------------

_LEVEL = 0.3 * 32767  # per tone: the pair peaks at -4.4 dBFS, well clear of clipping
_RAMP_MS = 2  # fade in/out so tone edges do not click


def tone_pcm(keys: str, *, tone_ms: int = 100, gap_ms: int = 60) -> np.ndarray:
    """``keys`` as int16 PCM at 8 kHz: each key a tone of ``tone_ms`` then ``gap_ms`` of silence."""
    parts: list[np.ndarray] = []
    for key in keys:
        if key in PAUSE_MS:
            parts.append(np.zeros(PAUSE_MS[key] * RATE // 1000))
        elif key in KEY_FREQS:
            parts += [_tone(*KEY_FREQS[key], tone_ms * RATE // 1000), np.zeros(gap_ms * RATE // 1000)]
        else:
            raise InvalidKey(f"{key!r} is not a DTMF key or pause")
    if not parts:
        return np.zeros(0, dtype=np.int16)
    return np.round(np.concatenate(parts)).astype(np.int16)


def tone_ulaw(keys: str, *, tone_ms: int = 100, gap_ms: int = 60) -> bytes:
    """``keys`` (0-9 * # A-D, 'w' 0.5 s and 'W' 1 s pauses) as G.711 mu-law 8 kHz audio."""
    return g711.encode(tone_pcm(keys, tone_ms=tone_ms, gap_ms=gap_ms))


def _tone(row_hz: float, col_hz: float, n: int) -> np.ndarray:
    t = np.arange(n) / RATE
    wave = _LEVEL * (np.sin(2 * np.pi * row_hz * t) + np.sin(2 * np.pi * col_hz * t))
    ramp = min(_RAMP_MS * RATE // 1000, n // 2)
    if ramp:
        fade = np.linspace(0.0, 1.0, ramp, endpoint=False)
        wave[:ramp] *= fade
        wave[n - ramp:] *= fade[::-1]
    return wave


# ---- detecting tones -------------------------------------------------------------------------

BLOCK = 205  # samples per Goertzel block at 8 kHz (25.6 ms): the classic choice, ~39 Hz bins
_FREQS = np.array(ROW_HZ + COL_HZ)
_COEFF = 2 * np.cos(2 * np.pi * _FREQS / RATE)
_MIN_MEAN_SQUARE = 100.0 ** 2  # below about -50 dBFS a block is silence
_MIN_TONE_SHARE = 0.5  # the two tones must carry half the block's energy (speech and noise do not)
_MAX_TWIST = 10.0  # row/column power ratio allowed either way (10 dB)
_MIN_PEAK_RATIO = 4.0  # each tone 6 dB above the next strongest of its group
_MIN_BLOCKS = 2  # a key must last two blocks (~51 ms): tones of 80 ms or more are always heard


def detect_digits(ulaw: bytes) -> str:
    """The DTMF keys in mu-law 8 kHz audio, in order; a key held across blocks counts once.

    Two presses of one key are told apart by the silence between them (at least ~51 ms).
    """
    pcm = g711.decode(ulaw).astype(np.float64)
    n = len(pcm) // BLOCK
    if n == 0:
        return ""
    blocks = pcm[: n * BLOCK].reshape(n, BLOCK)
    power = _goertzel(blocks)
    energy = np.einsum("ij,ij->i", blocks, blocks)
    return _debounce([_classify(power[i], float(energy[i])) for i in range(n)])


def _goertzel(blocks: np.ndarray) -> np.ndarray:
    """Power at each of the 8 DTMF frequencies for each block: shape (blocks, 8)."""
    s1 = np.zeros((blocks.shape[0], len(_FREQS)))
    s2 = np.zeros_like(s1)
    for column in blocks.T:
        s1, s2 = column[:, None] + _COEFF * s1 - s2, s1
    result: np.ndarray = s1 * s1 + s2 * s2 - _COEFF * s1 * s2
    return result


def _classify(power: np.ndarray, energy: float) -> str | None:
    if energy / BLOCK < _MIN_MEAN_SQUARE:
        return None
    rows, cols = power[:4], power[4:]
    r, c = int(np.argmax(rows)), int(np.argmax(cols))
    pr, pc = float(rows[r]), float(cols[c])
    # A pure tone of energy E over N samples has Goertzel power N/2 * E at its frequency.
    if pr + pc < _MIN_TONE_SHARE * BLOCK / 2 * energy:
        return None
    if pr > _MAX_TWIST * pc or pc > _MAX_TWIST * pr:
        return None
    if pr < _MIN_PEAK_RATIO * float(np.sort(rows)[-2]) or pc < _MIN_PEAK_RATIO * float(np.sort(cols)[-2]):
        return None
    return _KEYPAD[r][c]


def _debounce(keys: list[str | None]) -> str:
    out: list[str] = []
    run_key: str | None = None
    run = 0
    for key in keys + [None]:
        if key == run_key:
            run += 1
            continue
        if run_key is not None and run >= _MIN_BLOCKS:
            out.append(run_key)
        run_key, run = key, 1
    return "".join(out)
