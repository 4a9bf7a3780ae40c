"""The Call resource: its status machine and its JSON (pure; time is an argument).

Statuses are the library's ``CallInstance.Status`` values (PROTOCOLS §C.4). ``initiated`` is
not one of them: it is only a status-callback event, sent while the resource still says
``queued``. Every terminal status is reported under the ``completed`` callback event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Literal, get_args

from simulators.carrier.rest.errors import IllegalTransition
from simulators.carrier.webhook import API_VERSION

CallStatus = Literal["queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"]
CALL_STATUSES: tuple[CallStatus, ...] = get_args(CallStatus)
TERMINAL: frozenset[CallStatus] = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})

#: (status) -> statuses it may move to. Anything else raises ``IllegalTransition``.
TRANSITIONS: dict[CallStatus, frozenset[CallStatus]] = {
    "queued": frozenset({"ringing", "busy", "failed", "no-answer", "canceled"}),
    "ringing": frozenset({"in-progress", "busy", "failed", "no-answer", "canceled"}),
    "in-progress": frozenset({"completed", "failed"}),
}

#: The status-callback event a status change is reported under (``StatusCallbackEvent``).
CALLBACK_EVENT: dict[CallStatus, str] = {
    "ringing": "ringing",
    "in-progress": "answered",
    **{status: "completed" for status in TERMINAL},
}

_SUBRESOURCES = (
    "user_defined_messages", "events", "siprec", "notifications", "recordings", "payments",
    "streams", "transcriptions", "user_defined_message_subscriptions",
)


def _camel(name: str) -> str:
    """``user_defined_messages`` -> ``UserDefinedMessages`` (how Twilio spells subresource paths)."""
    return "".join(part.capitalize() for part in name.split("_"))


def rfc2822(moment: datetime) -> str:
    """Twilio's date format, e.g. ``Tue, 24 Nov 2026 10:00:00 +0000``."""
    return format_datetime(moment)


def formatted_number(number: str) -> str:
    """Display form: ``(555) 123-0003`` for NANP numbers, E.164 otherwise."""
    digits = number[2:]
    if number.startswith("+1") and len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number


@dataclass
class CallRecord:
    """One Call resource as the REST API shows it."""

    sid: str
    account_sid: str
    to: str
    from_: str
    date_created: datetime
    date_updated: datetime
    direction: str = "outbound-api"
    api_version: str = API_VERSION
    status: CallStatus = "queued"
    start_time: datetime | None = None
    answered_at: datetime | None = None
    end_time: datetime | None = None
    duration_s: int | None = None

    @property
    def uri(self) -> str:
        return f"/{self.api_version}/Accounts/{self.account_sid}/Calls/{self.sid}.json"

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    def initiate(self, now: datetime) -> None:
        """Twilio starts dialing: the call gets a start time, its status stays ``queued``."""
        self.start_time = now
        self.date_updated = now

    def move(self, status: CallStatus, now: datetime) -> None:
        """Change status as Twilio would, or raise ``IllegalTransition``."""
        if status not in TRANSITIONS.get(self.status, frozenset()):
            raise IllegalTransition(f"call {self.sid}: {self.status} -> {status}")
        self.status = status
        self.date_updated = now
        if status == "in-progress":
            self.answered_at = now
        elif status in TERMINAL:
            self.end_time = now
            # Only an answered call has a duration; whole seconds, rounded up (⚠ inferred).
            if self.answered_at is not None:
                self.duration_s = math.ceil((now - self.answered_at).total_seconds())

    def to_json(self) -> dict[str, object]:
        """The resource as ``GET .../Calls/{sid}.json`` returns it (fields ``CallInstance`` reads)."""
        base = f"/{self.api_version}/Accounts/{self.account_sid}/Calls/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": self.api_version,
            "caller_name": None,
            "date_created": rfc2822(self.date_created),
            "date_updated": rfc2822(self.date_updated),
            "direction": self.direction,
            "duration": None if self.duration_s is None else str(self.duration_s),
            "end_time": None if self.end_time is None else rfc2822(self.end_time),
            "forwarded_from": None,
            "from": self.from_,
            "from_formatted": formatted_number(self.from_),
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": self.sid,
            "start_time": None if self.start_time is None else rfc2822(self.start_time),
            "status": self.status,
            "subresource_uris": {name: f"{base}/{_camel(name)}.json" for name in _SUBRESOURCES},
            "to": self.to,
            "to_formatted": formatted_number(self.to),
            "trunk_sid": None,
            "uri": self.uri,
        }
