"""Twilio's REST API for outbound calls and mid-call updates, as a local stand-in.

The project's real ``twilio`` library talks to it (``client.api.base_url = sim.base_url``):
``calls.create`` places a simulated call that rings the callee configured for the number,
sends signed status callbacks, fetches and runs TwiML (``<Connect><Stream>`` with a callee
script, ``<Say>``, ``<Dial>``, ``<Hangup>``); ``calls(sid).update`` redirects or hangs up.
Tests inspect each call's ``CallTimeline``.
"""

from simulators.carrier.rest.app import create_app
from simulators.carrier.rest.callee import DEFAULT_SCRIPT, Callee, CalleeBook, callee_from_json
from simulators.carrier.rest.errors import CalleeError, IllegalTransition, TwilioApiError
from simulators.carrier.rest.outbound import RestSimOptions
from simulators.carrier.rest.params import CreateCall, UpdateCall
from simulators.carrier.rest.resource import CallRecord
from simulators.carrier.rest.server import TwilioRestSim
from simulators.carrier.rest.timeline import (
    CallbackLog, CallTimeline, MediaSummary, RestRequestLog, TwimlLog, VerbLog, WebhookLog,
)

__all__ = [
    "DEFAULT_SCRIPT", "CallRecord", "CallTimeline", "CallbackLog", "Callee", "CalleeBook", "CalleeError",
    "CreateCall", "IllegalTransition", "MediaSummary", "RestRequestLog", "RestSimOptions", "TwilioApiError",
    "TwilioRestSim", "TwimlLog", "UpdateCall", "VerbLog", "WebhookLog", "callee_from_json", "create_app",
]
