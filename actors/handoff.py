"""Operator handoff: the TwiML that moves a call to a person, and what the caller hears if none
can take it.

A transfer replaces the call's running TwiML through the Twilio REST API (PROTOCOLS C.2): the
media stream stops and Twilio runs ``<Dial>``. The dial's ``action`` URL reports how the dial
ended; when the operator is busy or does not answer, the caller gets the fallback (a message
and a voicemail-style recording), never dead air.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from twilio.twiml.voice_response import Dial, VoiceResponse

from voxray.records import TelephonyConfig

DIAL_TIMEOUT_S = 20
RECORDING_MAX_S = 120
# Twilio's DialCallStatus values after which the caller still needs someone (the dial failed).
UNANSWERED = {"busy", "no-answer", "failed", "canceled"}

Mode = Literal["cold", "warm"]
By = Literal["tool", "rule", "operator"]


@dataclass(frozen=True)
class HandoffRequest:
    reason: str
    by: By
    mode: Mode
    urgency: str = "normal"
    rule: str | None = None


def announcement(urgency: str) -> str:
    """What the agent says before a warm transfer."""
    if urgency == "high":
        return "I'm connecting you to a colleague right away. Please stay on the line."
    return "I'm going to connect you with a colleague who can help. Please hold for a moment."


def dial_result_url(public_base_url: str, tenant_id: str) -> str:
    return f"{public_base_url}/api/v1/dial-result?{urlencode({'tenant': tenant_id})}"


def fallback_twiml(telephony: TelephonyConfig) -> str:
    """No operator to reach: say so, record a message, and hang up politely."""
    response = VoiceResponse()
    response.say(telephony.fallback_message)
    response.record(max_length=RECORDING_MAX_S, play_beep=True, timeout=5)
    response.say("Thank you. We will call you back. Goodbye.")
    response.hangup()
    return str(response)


def transfer_twiml(telephony: TelephonyConfig, action_url: str) -> tuple[str, str | None]:
    """The TwiML for a transfer and who it dials (None: nobody configured, the fallback runs)."""
    target = telephony.operator_number
    if target is None:
        return fallback_twiml(telephony), None
    response = VoiceResponse()
    dial = Dial(timeout=DIAL_TIMEOUT_S, action=action_url, method="POST", caller_id=telephony.caller_id)
    dial.number(target)
    response.append(dial)
    return str(response), target


def after_dial_twiml(dial_status: str, telephony: TelephonyConfig) -> str:
    """Answer to the ``<Dial action>`` request: the fallback if the operator was not reached."""
    if dial_status in UNANSWERED:
        return fallback_twiml(telephony)
    response = VoiceResponse()
    response.hangup()
    return str(response)
