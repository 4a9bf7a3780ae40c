"""The Twilio REST stand-in's pure parts: request validation, the Call status machine and its
JSON as the ``twilio`` library reads it, status-callback forms, URL routes, callee config."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.base.version import Version
from twilio.http.response import Response
from twilio.rest import Client
from twilio.rest.api.v2010.account.call import CallInstance

from simulators.carrier import StreamUrlError, UrlMap
from simulators.carrier.errors import ScriptError
from simulators.carrier.rest import errors
from simulators.carrier.rest.callbacks import callback_params
from simulators.carrier.rest.callee import Callee, callee_from_json, callee_to_json
from simulators.carrier.rest.errors import CalleeError, IllegalTransition, TwilioApiError
from simulators.carrier.rest.params import CreateCall, UpdateCall
from simulators.carrier.rest.resource import CallRecord
from simulators.carrier.script import Hangup, Say, Silence
from simulators.carrier.urls import Route

T0 = datetime(2026, 11, 24, 10, 0, 0, tzinfo=timezone.utc)
AC, CA = "AC" + "a" * 32, "CA" + "b" * 32


def form(**fields: str | list[str]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in fields.items()}


def record() -> CallRecord:
    return CallRecord(sid=CA, account_sid=AC, to="+15551230003", from_="+15550100000", date_created=T0, date_updated=T0)


# ---- requests ------------------------------------------------------------------------------


def test_create_defaults_follow_twilio_and_url_wins_over_twiml() -> None:
    create = CreateCall.from_form(form(To="+15551230003", From="+15550100000", Url="https://a.test/x",
                                       Twiml="<Response/>"))
    assert (create.method, create.twiml, create.timeout_s, create.status_callback_events) == (
        "POST", None, 60, frozenset({"completed"}))
    events = CreateCall.from_form(form(To="client:bob", From="+15550100000", Twiml="<Response/>",
                                       StatusCallbackEvent=["initiated", "answered"])).status_callback_events
    assert events == {"initiated", "answered"}


@pytest.mark.parametrize(("fields", "code"), [
    (dict(From="+15550100000", Twiml="<Response/>"), 21201),
    (dict(To="+15551230003", Twiml="<Response/>"), 21213),
    (dict(To="15551230003", From="+15550100000", Twiml="<Response/>"), 21211),
    (dict(To="+15551230003", From="bob", Twiml="<Response/>"), 21212),
    (dict(To="+15551230003", From="+15550100000"), 21205),
    (dict(To="+15551230003", From="+15550100000", Url="ftp://a.test/x"), 21205),
    (dict(To="+15551230003", From="+15550100000", Url="https://a.test/x", Method="PUT"), 20001),
    (dict(To="+15551230003", From="+15550100000", Twiml="<Response/>", StatusCallbackEvent="hung-up"), 20001),
    (dict(To="+15551230003", From="+15550100000", Twiml="<Response/>", Timeout="soon"), 20001),
])
def test_invalid_create_requests_are_refused_with_twilio_codes(fields: dict[str, str], code: int) -> None:
    with pytest.raises(TwilioApiError) as exc:
        CreateCall.from_form(form(**fields))
    assert (exc.value.status, exc.value.code) == (400, code)


def test_update_accepts_only_twilio_statuses() -> None:
    assert UpdateCall.from_form(form(Status="completed")).status == "completed"
    assert UpdateCall.from_form(form(Twiml="<Response/>")).twiml == "<Response/>"
    with pytest.raises(TwilioApiError):
        UpdateCall.from_form(form(Status="in-progress"))


def test_error_body_becomes_twilio_rest_exception_with_its_code() -> None:
    for error in (errors.authenticate(), errors.not_found("/x.json"), errors.invalid_to("555")):
        exc = Version.exception("POST", "/x.json", Response(error.status, json.dumps(error.body())), "Unable")
        assert isinstance(exc, TwilioRestException)
        assert (exc.status, exc.code) == (error.status, error.code)


# ---- the Call resource ---------------------------------------------------------------------


def test_answered_call_moves_through_the_table_and_gets_a_rounded_up_duration() -> None:
    call = record()
    call.initiate(T0 + timedelta(seconds=0.1))
    assert call.status == "queued" and call.start_time is not None
    call.move("ringing", T0 + timedelta(seconds=1))
    call.move("in-progress", T0 + timedelta(seconds=2))
    call.move("completed", T0 + timedelta(seconds=4.2))
    assert (call.status, call.duration_s, call.ended) == ("completed", 3, True)


@pytest.mark.parametrize(("path", "illegal"), [
    ([], "in-progress"),
    (["ringing", "in-progress"], "busy"),
    (["busy"], "ringing"),
    (["ringing", "in-progress", "completed"], "completed"),
])
def test_illegal_status_changes_raise(path: list[str], illegal: str) -> None:
    call = record()
    for status in path:
        call.move(status, T0)  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        call.move(illegal, T0)  # type: ignore[arg-type]


def test_unanswered_call_has_no_duration() -> None:
    call = record()
    call.move("no-answer", T0 + timedelta(seconds=30))
    assert call.duration_s is None and call.end_time is not None


def test_resource_json_reads_back_through_the_librarys_call_instance() -> None:
    call = record()
    call.move("ringing", T0)
    version = Client(AC, "token").api.v2010
    instance = CallInstance(version, call.to_json(), account_sid=AC)
    assert (instance.sid, instance.status, instance.to, instance._from, instance.direction) == (
        CA, "ringing", "+15551230003", "+15550100000", "outbound-api")
    assert instance.date_created == T0 and instance.to_formatted == "(555) 123-0003"
    assert instance.uri == f"/2010-04-01/Accounts/{AC}/Calls/{CA}.json"


def test_callback_form_has_progress_fields_and_call_duration_only_once_ended() -> None:
    call = record()
    call.move("ringing", T0)
    ringing = callback_params(call, call_status="ringing", sequence=1, now=T0)
    assert (ringing["CallbackSource"], ringing["SequenceNumber"], ringing["Direction"]) == (
        "call-progress-events", "1", "outbound-api")
    assert ringing["Timestamp"] == "Tue, 24 Nov 2026 10:00:00 +0000" and "CallDuration" not in ringing
    call.move("busy", T0)
    assert callback_params(call, call_status="busy", sequence=2, now=T0)["CallDuration"] == "0"


# ---- URL routes and callees ----------------------------------------------------------------


def test_url_map_sends_public_urls_to_the_real_app_and_leaves_others_alone() -> None:
    urls = UrlMap((Route("https://pub.test/app", "http://127.0.0.1:9000"),), passthrough=True)
    assert urls.http_url("https://pub.test/app/api/v1/status?x=1") == "http://127.0.0.1:9000/api/v1/status?x=1"
    assert urls.http_url("http://127.0.0.1:7000/hook") == "http://127.0.0.1:7000/hook"
    assert urls.stream_url("wss://pub.test/app/media") == "ws://127.0.0.1:9000/media"
    assert urls.stream_url("wss://elsewhere.test/media") == "wss://elsewhere.test/media"
    with pytest.raises(StreamUrlError):
        urls.stream_url("wss://pub.test/app/media?token=1")
    with pytest.raises(StreamUrlError):  # without passthrough only the gateway is reachable
        UrlMap.single("https://pub.test", "http://127.0.0.1:9000").stream_url("wss://elsewhere.test/media")


def test_callee_json_round_trips_and_rejects_what_it_cannot_play() -> None:
    callee = callee_from_json({"answer": "busy", "ring_ms": 10, "script": [
        {"step": "say", "text": "Hello?"}, {"step": "silence", "ms": 200}, {"step": "hangup"}]})
    assert callee == Callee("busy", 10, (Say("Hello?"), Silence(200), Hangup()))
    assert callee_from_json(callee_to_json(callee)) == callee
    assert callee_from_json({"ring_ms": 5}).script == Callee().script
    with pytest.raises(CalleeError):
        callee_from_json({"answer": "voicemail"})
    with pytest.raises(ScriptError):
        callee_from_json({"script": [{"step": "dance"}]})
    with pytest.raises(ScriptError):
        callee_from_json({"script": [{"step": "say", "txt": "typo"}]})
