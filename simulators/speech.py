"""Real speech audio for the simulators: espeak-ng text-to-speech as 8 kHz mu-law.

Used by the carrier simulator (the caller's voice) and the local realtime server (the agent's
voice). Synthesis runs the ``espeak-ng`` binary once per distinct text and is cached.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import wave

import numpy as np
import soxr

from pipelines import g711

TELEPHONY_RATE = 8000


class SpeechUnavailable(RuntimeError):
    """espeak-ng is not installed (Debian package ``espeak-ng``)."""


def _espeak() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise SpeechUnavailable("espeak-ng not found on PATH; install the Debian package 'espeak-ng'")
    return path


@functools.lru_cache(maxsize=256)
def synthesize_pcm(text: str, rate: int = TELEPHONY_RATE, voice: str = "en-us", wpm: int = 165) -> bytes:
    """Speak ``text``; return int16 mono PCM at ``rate`` Hz (bytes, little endian)."""
    wav = subprocess.run(
        [_espeak(), "--stdout", "-v", voice, "-s", str(wpm), text],
        check=True, capture_output=True, timeout=30,
    ).stdout
    with wave.open(io.BytesIO(wav)) as w:
        native_rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    if native_rate != rate:
        samples = soxr.resample(samples, native_rate, rate).astype(np.int16)
    return samples.tobytes()


@functools.lru_cache(maxsize=256)
def synthesize_ulaw(text: str, voice: str = "en-us", wpm: int = 165) -> bytes:
    """Speak ``text``; return G.711 mu-law at 8 kHz, as Twilio carries it."""
    pcm = np.frombuffer(synthesize_pcm(text, TELEPHONY_RATE, voice, wpm), dtype=np.int16)
    return g711.encode(pcm)


def silence_ulaw(ms: int) -> bytes:
    return bytes([g711.SILENCE_BYTE]) * (ms * TELEPHONY_RATE // 1000)


def write_wav(path: str, ulaw: bytes) -> None:
    """Save mu-law audio as a 16-bit PCM WAV anyone can play."""
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(TELEPHONY_RATE)
        w.writeframes(g711.decode(ulaw).tobytes())
