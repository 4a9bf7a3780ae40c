"""The agent's voice: espeak-ng speech in the session's output format, cut into 100 ms chunks.

API voice names (``marin``, ``cedar``...) map to an espeak-ng variant so two voices sound
different; a custom ``{"id": ...}`` voice or an unknown name falls back to the default.
"""

from __future__ import annotations

import re

import numpy as np

from pipelines import g711
from simulators.speech import synthesize_pcm

from .formats import PCM, PCMA, AudioFormat, alaw_encode

CHUNK_MS = 100
_FEMALE = {"alloy", "coral", "marin", "sage", "shimmer"}
_MALE = {"ash", "ballad", "cedar", "echo", "verse"}
VOICES = frozenset(_FEMALE | _MALE)


def espeak_voice(api_voice: object) -> str:
    if api_voice in _MALE:
        return "en-us+m3"
    return "en-us+f3"


def render(text: str, fmt: AudioFormat, api_voice: object) -> bytes:
    """Speak ``text`` in ``fmt`` (blocking: runs espeak-ng; cached per text and voice)."""
    pcm = synthesize_pcm(text, fmt.rate, espeak_voice(api_voice))
    if fmt.type == PCM:
        return pcm
    samples = np.frombuffer(pcm, dtype=np.int16)
    return alaw_encode(samples) if fmt.type == PCMA else g711.encode(samples)


def chunk(audio: bytes, fmt: AudioFormat, chunk_ms: int = CHUNK_MS) -> list[bytes]:
    size = fmt.bytes_per_ms * chunk_ms
    return [audio[i:i + size] for i in range(0, len(audio), size)]


def split_text(text: str, parts: int) -> list[str]:
    """Spread ``text`` over ``parts`` pieces, word by word; ``"".join`` gives ``text`` back."""
    words = re.findall(r"\s*\S+\s*", text) or [text]
    pieces = [""] * max(parts, 1)
    for i, word in enumerate(words):
        pieces[i * len(pieces) // len(words)] += word
    return pieces


def cut_transcript(transcript: str, keep_ms: float, total_ms: float) -> str:
    """The part of ``transcript`` heard in the first ``keep_ms`` of ``total_ms`` (word boundary)."""
    if total_ms <= 0 or keep_ms >= total_ms:
        return transcript
    limit = int(len(transcript) * keep_ms / total_ms)
    head = transcript[:limit]
    if limit < len(transcript) and not transcript[limit].isspace():
        head = head[: head.rfind(" ") + 1] if " " in head else ""
    return head.rstrip()
