"""Carrier simulator: plays Twilio's part of calls against a voxray gateway.

Inbound: ``run_calls`` places concurrent calls; each follows a caller script (``Say``,
``Silence``, ``WaitForAgent``, ``BargeIn``, ``Dtmf``, ``Hangup``) and returns a ``CallResult``
with latencies, playout gaps and recordings.

Outbound: ``TwilioRestSim`` stands in for Twilio's Calls REST API, so the real ``twilio``
library can place calls (``calls.create``) and update them mid-call; each call rings a
``Callee`` and is inspected through its ``CallTimeline``.
"""

from simulators.carrier.call import CallConfig, SimulatedCall, map_stream_url, place_call, webhook_params
from simulators.carrier.errors import CarrierSimError, ScriptError, StreamUrlError, TwimlError
from simulators.carrier.playout import PlayoutBuffer
from simulators.carrier.rest import Callee, CallTimeline, RestSimOptions, TwilioApiError, TwilioRestSim
from simulators.carrier.result import BargeInResult, CallResult, TurnResult
from simulators.carrier.runner import run_calls, summarize
from simulators.carrier.script import BargeIn, Dtmf, Hangup, Say, Silence, Step, WaitForAgent
from simulators.carrier.twiml import TwimlResponse, parse_twiml
from simulators.carrier.urls import Route, UrlMap
from simulators.carrier.webhook import Webhook

__all__ = [
    "BargeIn", "BargeInResult", "CallConfig", "CallResult", "CallTimeline", "Callee", "CarrierSimError", "Dtmf",
    "Hangup", "PlayoutBuffer", "RestSimOptions", "Route", "Say", "ScriptError", "Silence", "SimulatedCall", "Step",
    "StreamUrlError", "TurnResult", "TwilioApiError", "TwilioRestSim", "TwimlError", "TwimlResponse", "UrlMap",
    "WaitForAgent", "Webhook", "map_stream_url", "parse_twiml", "place_call", "run_calls", "summarize",
    "webhook_params",
]
