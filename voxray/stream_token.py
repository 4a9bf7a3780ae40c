"""Stream tokens: HMAC-signed, call-bound, expiring credentials for the media websocket.

Twilio does not reliably sign the Media Streams upgrade (PROTOCOLS §A.5), so the webhook mints a
token, puts it in ``<Parameter name="token">``, and the gateway checks it on ``start``. Single
use is enforced by the store (the nonce is consumed atomically); this module is pure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass


class StreamTokenError(Exception):
    """Why a token was refused: malformed, bad_signature, expired, wrong_call, replayed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StreamClaims:
    call_sid: str
    expires_at: int
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())


def mint(secret: bytes, call_sid: str, now: float, ttl_s: int) -> tuple[str, StreamClaims]:
    claims = StreamClaims(call_sid=call_sid, expires_at=int(now) + ttl_s, nonce=secrets.token_urlsafe(12))
    body = f"{claims.call_sid}.{claims.expires_at}.{claims.nonce}"
    return f"{body}.{_sign(secret, body)}", claims


def verify(secret: bytes, token: str, call_sid: str, now: float) -> StreamClaims:
    """Check signature, expiry and call binding (not single use; see Store.consume_stream_nonce)."""
    parts = token.split(".")
    if len(parts) != 4 or not all(parts):
        raise StreamTokenError("malformed")
    sid, expires, nonce, signature = parts
    if not hmac.compare_digest(_sign(secret, f"{sid}.{expires}.{nonce}").encode(), signature.encode()):
        raise StreamTokenError("bad_signature")
    if not expires.isdigit() or int(expires) < now:
        raise StreamTokenError("expired")
    if not hmac.compare_digest(sid.encode(), call_sid.encode()):
        raise StreamTokenError("wrong_call")
    return StreamClaims(call_sid=sid, expires_at=int(expires), nonce=nonce)
