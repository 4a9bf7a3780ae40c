"""Server VAD emulation: webrtcvad over 20 ms frames at 8 kHz, on the session's media clock.

Mirrors the GA ``server_vad`` semantics (PROTOCOLS.md §D.2): speech starts after a few voiced
frames and ``speech_started.audio_start_ms`` includes ``prefix_padding_ms``; speech stops after
``silence_duration_ms`` of unvoiced audio and ``speech_stopped.audio_end_ms`` includes that
silence. Times are milliseconds of audio written since the session began, so the detector needs
no clock. ``threshold`` (0..1) picks webrtcvad's aggressiveness (0.5 -> mode 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import webrtcvad

FRAME_MS = 20
RATE = 8000
FRAME_SAMPLES = RATE * FRAME_MS // 1000
#: Consecutive voiced frames before speech counts as started (60 ms; rejects clicks).
START_FRAMES = 3


@dataclass(frozen=True)
class VadSettings:
    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500

    @property
    def mode(self) -> int:
        return min(3, max(0, int(self.threshold * 4)))


@dataclass(frozen=True)
class SpeechStarted:
    audio_start_ms: int


@dataclass(frozen=True)
class SpeechStopped:
    audio_end_ms: int
    #: From the first to the last voiced frame of the turn.
    speech_ms: int


VadEvent = SpeechStarted | SpeechStopped


class ServerVad:
    """Feed 8 kHz int16 PCM; get turn boundaries. ``settings=None`` measures voice only (manual turns)."""

    def __init__(self, settings: VadSettings | None) -> None:
        self._vad = webrtcvad.Vad()
        self._pending = np.empty(0, dtype=np.int16)
        self._frames = 0
        self._run = 0
        self._silence = 0
        self._onset: int | None = None
        self._last_voiced = 0
        self._voiced_frames = 0
        self.settings: VadSettings | None = None
        self.configure(settings)

    def configure(self, settings: VadSettings | None) -> None:
        self.settings = settings
        self._vad.set_mode((settings or VadSettings()).mode)
        if settings is None:
            self.reset()

    @property
    def media_ms(self) -> int:
        return self._frames * FRAME_MS

    @property
    def speaking(self) -> bool:
        return self._onset is not None

    def feed(self, pcm: np.ndarray) -> list[VadEvent]:
        samples = np.concatenate((self._pending, pcm)) if self._pending.size else pcm
        whole = len(samples) - len(samples) % FRAME_SAMPLES
        self._pending = samples[whole:].copy()
        events: list[VadEvent] = []
        for start in range(0, whole, FRAME_SAMPLES):
            voiced = self._vad.is_speech(samples[start:start + FRAME_SAMPLES].tobytes(), RATE)
            self._frames += 1
            event = self._step(voiced)
            if event is not None:
                events.append(event)
        return events

    def take_voiced_ms(self) -> int:
        """Voiced audio since the last take (the heard length of a manually committed turn)."""
        ms, self._voiced_frames = self._voiced_frames * FRAME_MS, 0
        return ms

    def reset(self) -> None:
        """Forget a turn in progress (``input_audio_buffer.clear``); emits nothing."""
        self._run = self._silence = 0
        self._onset = None

    def _step(self, voiced: bool) -> VadEvent | None:
        self._voiced_frames += voiced
        settings = self.settings
        if settings is None:
            return None
        if self._onset is None:
            self._run = self._run + 1 if voiced else 0
            if self._run < START_FRAMES:
                return None
            self._onset = self._frames - self._run
            self._last_voiced, self._silence = self._frames, 0
            return SpeechStarted(max(0, self._onset * FRAME_MS - settings.prefix_padding_ms))
        if voiced:
            self._last_voiced, self._silence = self._frames, 0
            return None
        self._silence += 1
        if self._silence * FRAME_MS < settings.silence_duration_ms:
            return None
        stopped = SpeechStopped(self.media_ms, (self._last_voiced - self._onset) * FRAME_MS)
        self.reset()
        return stopped
