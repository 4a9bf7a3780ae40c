"""Twilio webhook signatures (PROTOCOLS §B), checked against the configured public URL."""

from __future__ import annotations

from starlette.datastructures import FormData
from twilio.request_validator import SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm

from gateway.errors import ApiError


def public_url(public_base_url: str, path: str, query: str) -> str:
    """The URL Twilio signed: the public base + path + the raw query, untouched (§B.3)."""
    return public_base_url + path + (f"?{query}" if query else "")


def check(auth_token: str, url: str, form: FormData, headers: dict[str, str]) -> None:
    signature = headers.get(SIGNATURE_HEADER.lower())
    if not signature:
        raise ApiError(403, "signature_missing", "X-Twilio-Signature header is required")
    algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER.lower()))
    # FormData has getlist(), so every value of a repeated field is signed (§B.2).
    if not RequestValidator(auth_token).validate(url, form, signature, algorithm=algorithm):
        raise ApiError(403, "signature_invalid", "X-Twilio-Signature does not match this request")
