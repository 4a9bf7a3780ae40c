"""Carrier simulator: plays Twilio's part of an inbound call against a voxray gateway.

Used by the load generator and ``voxray simulate``. ``run_calls`` places concurrent calls;
each follows a caller script (``Say``, ``Silence``, ``WaitForAgent``, ``BargeIn``, ``Dtmf``,
``Hangup``) and returns a ``CallResult`` with latencies, playout gaps and recordings.
"""

from simulators.carrier.call import CallConfig, SimulatedCall, map_stream_url, place_call, webhook_params
from simulators.carrier.errors import CarrierSimError, ScriptError, StreamUrlError, TwimlError
from simulators.carrier.playout import PlayoutBuffer
from simulators.carrier.result import BargeInResult, CallResult, TurnResult
from simulators.carrier.runner import run_calls, summarize
from simulators.carrier.script import BargeIn, Dtmf, Hangup, Say, Silence, Step, WaitForAgent
from simulators.carrier.twiml import TwimlResponse, parse_twiml

__all__ = [
    "BargeIn", "BargeInResult", "CallConfig", "CallResult", "CarrierSimError", "Dtmf", "Hangup",
    "PlayoutBuffer", "Say", "ScriptError", "Silence", "SimulatedCall", "Step", "StreamUrlError",
    "TurnResult", "TwimlError", "TwimlResponse", "WaitForAgent", "map_stream_url", "parse_twiml",
    "place_call", "run_calls", "summarize", "webhook_params",
]
