"""Streaming int16 resampling (soxr) for models or codecs that need a rate other than 8 kHz."""

from __future__ import annotations

import numpy as np
import soxr

_QUALITIES = frozenset({"QQ", "LQ", "MQ", "HQ", "VHQ"})


class StreamResampler:
    """Resample one mono int16 stream chunk by chunk; state carries across calls."""

    def __init__(self, in_rate: int, out_rate: int, quality: str = "HQ") -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {in_rate} -> {out_rate}")
        if quality not in _QUALITIES:
            raise ValueError(f"quality must be one of {sorted(_QUALITIES)}, got {quality!r}")
        self.in_rate = in_rate
        self.out_rate = out_rate
        self._stream = soxr.ResampleStream(in_rate, out_rate, 1, dtype="int16", quality=quality)

    def process(self, pcm: np.ndarray) -> np.ndarray:
        """Feed int16 samples; return the int16 samples ready so far (may be fewer, due to filter delay)."""
        out: np.ndarray = self._stream.resample_chunk(np.ascontiguousarray(pcm, dtype=np.int16))
        return out

    def flush(self) -> np.ndarray:
        """End of stream: return the samples still held by the filter."""
        out: np.ndarray = self._stream.resample_chunk(np.zeros(0, dtype=np.int16), last=True)
        return out


def resample(pcm: np.ndarray, in_rate: int, out_rate: int) -> np.ndarray:
    """One-shot int16 resampling of a whole buffer."""
    if in_rate == out_rate:
        return np.array(pcm, dtype=np.int16)
    out: np.ndarray = soxr.resample(np.ascontiguousarray(pcm, dtype=np.int16), in_rate, out_rate)
    return out.astype(np.int16, copy=False)
