"""Errors of the Twilio REST stand-in, and Twilio's JSON error body they turn into.

Twilio answers REST errors as ``{"code", "message", "more_info", "status"}`` (plus ``detail``
on some); the ``twilio`` library turns that into ``TwilioRestException(status, uri, msg, code)``
(``twilio/base/version.py``, ``Version.exception``). Codes and messages below follow
twilio.com/docs/api/errors; the ones marked ⚠ are inferred, not read.
"""

from __future__ import annotations

from simulators.carrier.errors import CarrierSimError


class CalleeError(CarrierSimError, ValueError):
    """A callee behaviour the simulator cannot play (unknown answer mode, negative ring time)."""


class IllegalTransition(CarrierSimError):
    """A Call status change Twilio never makes (e.g. ``completed`` -> ``ringing``)."""


class TwilioApiError(CarrierSimError):
    """An error the REST API answers with; ``body()`` is Twilio's JSON error shape."""

    def __init__(self, status: int, code: int, message: str, *, detail: str | None = None) -> None:
        super().__init__(f"HTTP {status} / {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }
        if self.detail is not None:
            body["detail"] = self.detail
        return body


def authenticate() -> TwilioApiError:
    """Missing or wrong HTTP Basic credentials: 401 with code 20003 "Authenticate"."""
    return TwilioApiError(401, 20003, "Authenticate", detail="Your AccountSid or AuthToken was incorrect.")


def not_found(path: str) -> TwilioApiError:
    """Unknown resource, including another account's (⚠ 404 rather than 403 is inferred)."""
    return TwilioApiError(404, 20404, f"The requested resource {path} was not found")


def missing_to() -> TwilioApiError:
    return TwilioApiError(400, 21201, "No 'To' number is specified")


def missing_from() -> TwilioApiError:
    return TwilioApiError(400, 21213, "No 'From' number is specified")


def invalid_to(number: str) -> TwilioApiError:
    return TwilioApiError(400, 21211, f"The 'To' number {number} is not a valid phone number.")


def invalid_from(number: str) -> TwilioApiError:
    return TwilioApiError(400, 21212, f"The 'From' number {number} is not a valid phone number.")


def missing_url() -> TwilioApiError:
    """Neither ``Url``, ``Twiml`` nor ``ApplicationSid`` (⚠ code 21205 and wording inferred)."""
    return TwilioApiError(400, 21205, "Url parameter is required.")


def invalid_url(name: str, url: str) -> TwilioApiError:
    """Not an absolute http(s) URL: 21205 "Invalid URL" (⚠ for fields other than ``Url``)."""
    return TwilioApiError(400, 21205, f"{name} is not a valid URL: {url}")


def invalid_parameter(name: str, value: str) -> TwilioApiError:
    """A parameter outside its allowed values (⚠ code 20001 inferred)."""
    return TwilioApiError(400, 20001, f"Invalid value for {name}: {value!r}")


def not_in_progress() -> TwilioApiError:
    """Redirecting a call that has ended (twilio.com/docs/api/errors/21220)."""
    return TwilioApiError(400, 21220, "Call is not in-progress. Cannot redirect.")
