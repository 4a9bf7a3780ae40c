"""GA Realtime audio formats (PROTOCOLS.md §D.1) and decoding caller audio to 8 kHz PCM.

Three formats exist: ``{"type": "audio/pcm", "rate": 24000}`` (PCM16 LE, 24 kHz),
``{"type": "audio/pcmu"}`` and ``{"type": "audio/pcma"}`` (G.711, fixed 8 kHz). The real schema
rejects a ``rate`` key on the G.711 formats as an unknown parameter, and so do we.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import soxr

from pipelines import g711

from .errors import invalid_type, invalid_value, unknown_parameter

PCM = "audio/pcm"
PCMU = "audio/pcmu"
PCMA = "audio/pcma"
TELEPHONY_RATE = 8000
PCM_RATE = 24000


@dataclass(frozen=True)
class AudioFormat:
    type: str

    @property
    def rate(self) -> int:
        return PCM_RATE if self.type == PCM else TELEPHONY_RATE

    @property
    def bytes_per_ms(self) -> int:
        """PCM16 at 24 kHz is 48 bytes per ms; G.711 is one byte per sample, 8 per ms."""
        return PCM_RATE * 2 // 1000 if self.type == PCM else TELEPHONY_RATE // 1000

    def ms(self, nbytes: int) -> float:
        return nbytes / self.bytes_per_ms

    def as_dict(self) -> dict[str, Any]:
        return {"type": PCM, "rate": PCM_RATE} if self.type == PCM else {"type": self.type}


PCM24K = AudioFormat(PCM)
ULAW = AudioFormat(PCMU)
ALAW = AudioFormat(PCMA)
_BY_TYPE = {f.type: f for f in (PCM24K, ULAW, ALAW)}


def parse_format(value: Any, param: str) -> AudioFormat:
    """Validate a ``format`` object as the GA schema does; raise ``ClientError`` if invalid."""
    if not isinstance(value, dict):
        raise invalid_type(param, "an object")
    kind = value.get("type")
    if kind not in _BY_TYPE:
        raise invalid_value(f"{param}.type", f"Invalid value: {kind!r}. Supported values are: "
                            "'audio/pcm', 'audio/pcmu', and 'audio/pcma'.")
    allowed = {"type", "rate"} if kind == PCM else {"type"}
    for key in value:
        if key not in allowed:
            raise unknown_parameter(f"{param}.{key}")
    if kind == PCM and value.get("rate", PCM_RATE) != PCM_RATE:
        raise invalid_value(f"{param}.rate", f"Invalid value: {value['rate']!r}. Supported values are: 24000.")
    return _BY_TYPE[kind]


# ---- G.711 A-law (ITU-T G.711; pipelines.g711 covers mu-law only) -------------------------

_SEG_END = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _alaw_encode_sample(sample: int) -> int:
    value = sample >> 3  # 13-bit magnitude domain
    if value >= 0:
        mask = 0xD5
    else:
        mask, value = 0x55, -value - 1
    seg = next((i for i, end in enumerate(_SEG_END) if value <= end), 8)
    if seg >= 8:
        return 0x7F ^ mask
    mantissa = (value >> 1) & 0x0F if seg < 2 else (value >> seg) & 0x0F
    return ((seg << 4) | mantissa) ^ mask


def _alaw_decode_byte(byte: int) -> int:
    byte ^= 0x55
    value = (byte & 0x0F) << 4
    seg = (byte & 0x70) >> 4
    value += 8 if seg == 0 else 0x108
    if seg > 1:
        value <<= seg - 1
    return value if byte & 0x80 else -value


_ALAW_DECODE = np.array([_alaw_decode_byte(b) for b in range(256)], dtype=np.int16)
_ALAW_ENCODE = np.array(
    [_alaw_encode_sample(int(s)) for s in np.arange(65536, dtype=np.uint16).view(np.int16)],
    dtype=np.uint8,
)


def alaw_decode(data: bytes) -> np.ndarray:
    return _ALAW_DECODE[np.frombuffer(data, dtype=np.uint8)]


def alaw_encode(pcm: np.ndarray) -> bytes:
    return _ALAW_ENCODE[np.ascontiguousarray(pcm, dtype=np.int16).view(np.uint16)].tobytes()


class InputDecoder:
    """Caller audio in the session's input format -> int16 PCM at 8 kHz, for the VAD.

    Stateful: PCM16 at 24 kHz is resampled with one soxr stream per session (no edge clicks
    between appends), and an odd trailing byte waits for its partner.
    """

    def __init__(self, fmt: AudioFormat) -> None:
        self.format = fmt
        self._carry = b""
        self._resampler = soxr.ResampleStream(PCM_RATE, TELEPHONY_RATE, 1, dtype="int16") if fmt.type == PCM else None

    def decode(self, data: bytes) -> np.ndarray:
        if self.format.type == PCMU:
            return g711.decode(data)
        if self.format.type == PCMA:
            return alaw_decode(data)
        data = self._carry + data
        even = len(data) - len(data) % 2
        self._carry = data[even:]
        samples = np.frombuffer(data[:even], dtype="<i2").astype(np.int16)
        assert self._resampler is not None
        return np.asarray(self._resampler.resample_chunk(samples), dtype=np.int16)

