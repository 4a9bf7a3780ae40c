"""Standard Webhooks signatures (https://www.standardwebhooks.com/): pure, no I/O.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}`` with HMAC-SHA256 under the
base64-decoded secret; the header holds one ``v1,<base64>`` per secret, space-separated, which
is how a rotation keeps the old secret valid for a while.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timezone
from typing import Sequence

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec asks for 24 to 64 random bytes


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_hint(secret: str) -> str:
    """Enough of a secret to tell two apart in a UI, far too little to sign with."""
    return secret[:len(SECRET_PREFIX) + 4]


def signature(secrets_: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    at = datetime.fromtimestamp(timestamp, timezone.utc)
    return " ".join(Webhook(s).sign(msg_id, at, body.decode()) for s in secrets_)


def headers(secrets_: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The request headers of one delivery attempt (the timestamp is the attempt's, not the event's)."""
    return {
        "content-type": "application/json",
        "user-agent": "voxray-webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secrets_, msg_id, timestamp, body),
    }
