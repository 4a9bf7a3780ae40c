"""Exceptions of the carrier simulator, one tree rooted at ``CarrierSimError``."""

from __future__ import annotations


class CarrierSimError(Exception):
    """Base class for every error the carrier simulator raises."""


class TwimlError(CarrierSimError, ValueError):
    """The webhook's answer is not TwiML the simulator (or Twilio) can run."""


class StreamUrlError(CarrierSimError, ValueError):
    """A ``<Stream url>`` Twilio would refuse (error 31922) or the simulator cannot reach."""


class ScriptError(CarrierSimError, ValueError):
    """A caller script step with invalid arguments."""
