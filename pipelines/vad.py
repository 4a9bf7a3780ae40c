"""Caller speech detection: webrtcvad per frame, plus hysteresis into speech start/stop events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import webrtcvad

_RATES = (8000, 16000, 32000, 48000)
_FRAME_MS = (10, 20, 30)


@dataclass(frozen=True)
class SpeechStart:
    """Speech began at media time ``at_ms`` (the first of the voiced frames that confirmed it)."""

    at_ms: int


@dataclass(frozen=True)
class SpeechStop:
    """Speech ended at media time ``at_ms`` (the first of the unvoiced frames that confirmed it)."""

    at_ms: int


class SpeechDetector:
    """Feed one PCM frame at a time with its media time; get SpeechStart/SpeechStop on transitions."""

    def __init__(
        self,
        sample_rate: int = 8000,
        frame_ms: int = 20,
        aggressiveness: int = 2,
        start_frames: int = 3,
        hangover_frames: int = 15,
    ) -> None:
        if sample_rate not in _RATES:
            raise ValueError(f"sample_rate must be one of {_RATES}, got {sample_rate}")
        if frame_ms not in _FRAME_MS:
            raise ValueError(f"frame_ms must be one of {_FRAME_MS}, got {frame_ms}")
        if aggressiveness not in range(4):
            raise ValueError(f"aggressiveness must be 0..3, got {aggressiveness}")
        if start_frames < 1 or hangover_frames < 1:
            raise ValueError(f"start_frames and hangover_frames must be >= 1, got {start_frames}, {hangover_frames}")
        self.sample_rate = sample_rate
        self.frame_ms = frame_ms
        self.frame_samples = sample_rate * frame_ms // 1000
        self.start_frames = start_frames
        self.hangover_frames = hangover_frames
        self._vad = webrtcvad.Vad(aggressiveness)
        self._speaking = False
        self._run = 0  # consecutive frames disagreeing with the current state
        self._run_start_ms = 0

    @property
    def speaking(self) -> bool:
        return self._speaking

    def process(self, pcm: np.ndarray, now_ms: int) -> SpeechStart | SpeechStop | None:
        """Classify one frame of int16 samples starting at media time ``now_ms``."""
        if not isinstance(pcm, np.ndarray) or pcm.dtype != np.int16 or pcm.shape != (self.frame_samples,):
            got = f"shape {pcm.shape} dtype {pcm.dtype}" if isinstance(pcm, np.ndarray) else type(pcm).__name__
            raise ValueError(
                f"expected {self.frame_samples} int16 samples ({self.frame_ms} ms at {self.sample_rate} Hz), got {got}"
            )
        return self.process_pcm16(pcm.tobytes(), now_ms)

    def process_pcm16(self, pcm: bytes, now_ms: int) -> SpeechStart | SpeechStop | None:
        """``process`` for one frame of little-endian int16 PCM bytes (the hot path: no array)."""
        if len(pcm) != 2 * self.frame_samples:
            raise ValueError(f"expected {2 * self.frame_samples} bytes ({self.frame_ms} ms of int16 at "
                             f"{self.sample_rate} Hz), got {len(pcm)}")
        voiced = self._vad.is_speech(pcm, self.sample_rate)
        if voiced == self._speaking:
            self._run = 0
            return None
        if self._run == 0:
            self._run_start_ms = now_ms
        self._run += 1
        if self._speaking and self._run >= self.hangover_frames:
            self._speaking, self._run = False, 0
            return SpeechStop(self._run_start_ms)
        if not self._speaking and self._run >= self.start_frames:
            self._speaking, self._run = True, 0
            return SpeechStart(self._run_start_ms)
        return None
