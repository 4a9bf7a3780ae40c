"""The create and update requests of the Calls resource, parsed and validated (pure).

The ``twilio`` library sends form fields named as in the REST reference (``To``, ``From``,
``Url``, ``Twiml``, ``StatusCallback``, repeated ``StatusCallbackEvent``...; PROTOCOLS §C.1,
§C.2). A form arrives here as ``{name: [values...]}`` so repeated fields survive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from simulators.carrier.rest import errors

Form = Mapping[str, Sequence[str]]
STATUS_EVENTS: frozenset[str] = frozenset({"initiated", "ringing", "answered", "completed"})

_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
#: Twilio's default ``Timeout`` (seconds it lets the phone ring) and its maximum.
DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S = 60, 600
#: Twilio's default ``TimeLimit``: four hours.
DEFAULT_TIME_LIMIT_S = 14400


def is_e164(number: str) -> bool:
    return bool(_E164.match(number))


def _reachable(address: str) -> bool:
    """A phone number, or a Client identity / SIP address Twilio can also call."""
    return is_e164(address) or address.startswith(("client:", "sip:"))


def _one(form: Form, name: str) -> str | None:
    values = form.get(name)
    return values[-1] if values else None


def _url(form: Form, name: str) -> str | None:
    url = _one(form, name)
    if url is None or url == "":
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.invalid_url(name, url)
    return url


def _method(form: Form, name: str) -> str:
    method = (_one(form, name) or "POST").upper()
    if method not in ("GET", "POST"):
        raise errors.invalid_parameter(name, method)
    return method


def _seconds(form: Form, name: str, default: int, maximum: int) -> int:
    raw = _one(form, name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise errors.invalid_parameter(name, raw) from None
    if value <= 0:
        raise errors.invalid_parameter(name, raw)
    return min(value, maximum)


@dataclass(frozen=True)
class CreateCall:
    """``POST /Accounts/{AC}/Calls.json``."""

    to: str
    from_: str
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    #: Only ``completed`` unless the request names others (PROTOCOLS §C.1).
    status_callback_events: frozenset[str] = frozenset({"completed"})
    timeout_s: int = DEFAULT_TIMEOUT_S
    time_limit_s: int = DEFAULT_TIME_LIMIT_S
    machine_detection: str | None = None

    @classmethod
    def from_form(cls, form: Form) -> "CreateCall":
        """Validate as Twilio does; raises ``TwilioApiError`` (21201, 21213, 21211, 21212, 21205)."""
        to, from_ = _one(form, "To"), _one(form, "From")
        if not to:
            raise errors.missing_to()
        if not from_:
            raise errors.missing_from()
        if not _reachable(to):
            raise errors.invalid_to(to)
        if not (is_e164(from_) or from_.startswith("client:")):
            raise errors.invalid_from(from_)
        url, twiml = _url(form, "Url"), _one(form, "Twiml") or None
        if url is None and twiml is None:
            raise errors.missing_url()
        events = frozenset(form.get("StatusCallbackEvent") or ()) or frozenset({"completed"})
        unknown = sorted(events - STATUS_EVENTS)
        if unknown:
            raise errors.invalid_parameter("StatusCallbackEvent", ", ".join(unknown))
        return cls(
            to=to, from_=from_, url=url, method=_method(form, "Method"),
            # If both are given, Twilio runs Url and ignores Twiml (PROTOCOLS §C.1).
            twiml=None if url is not None else twiml,
            status_callback=_url(form, "StatusCallback"),
            status_callback_method=_method(form, "StatusCallbackMethod"),
            status_callback_events=events,
            timeout_s=_seconds(form, "Timeout", DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S),
            time_limit_s=_seconds(form, "TimeLimit", DEFAULT_TIME_LIMIT_S, DEFAULT_TIME_LIMIT_S),
            machine_detection=_one(form, "MachineDetection") or None,
        )


@dataclass(frozen=True)
class UpdateCall:
    """``POST /Accounts/{AC}/Calls/{CA}.json``: redirect (``Twiml``/``Url``) or hang up (``Status``)."""

    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    status: Literal["completed", "canceled"] | None = None
    status_callback: str | None = None
    status_callback_method: str | None = None

    @classmethod
    def from_form(cls, form: Form) -> "UpdateCall":
        status = _one(form, "Status") or None
        if status is not None and status not in ("completed", "canceled"):
            raise errors.invalid_parameter("Status", status)
        url = _url(form, "Url")
        return cls(
            url=url, method=_method(form, "Method"),
            twiml=None if url is not None else (_one(form, "Twiml") or None),
            status=status,  # type: ignore[arg-type]  # narrowed to the two literals above
            status_callback=_url(form, "StatusCallback"),
            status_callback_method=_method(form, "StatusCallbackMethod") if _one(form, "StatusCallbackMethod") else None,
        )
