"""The ASGI app: Twilio's Calls REST endpoints, plus ``/local/...`` control and inspection.

REST requests are authenticated like Twilio's API: HTTP Basic ``AccountSid:AuthToken``, and
the AccountSid in the path must be the authenticated one. Errors leave here in Twilio's JSON
shape (``TwilioApiError.body``), so the real ``twilio`` library raises ``TwilioRestException``
with the right code. ``/local/...`` is the simulator's own, unauthenticated, for tests.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.carrier.errors import CarrierSimError
from simulators.carrier.rest import errors
from simulators.carrier.rest.callee import callee_from_json, callee_to_json
from simulators.carrier.rest.errors import TwilioApiError
from simulators.carrier.rest.outbound import OutboundCall
from simulators.carrier.rest.params import CreateCall, Form, UpdateCall
from simulators.carrier.rest.registry import RequestSummary, SimState
from simulators.carrier.rest.timeline import RestRequestLog

CALLS_PATH = "/2010-04-01/Accounts/{account_sid}/Calls.json"
CALL_PATH = "/2010-04-01/Accounts/{account_sid}/Calls/{call_sid}.json"


def create_app(state: SimState) -> Starlette:
    """The simulator's ASGI app; its lifespan opens and closes ``state`` (HTTP client, calls)."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await state.open()
        try:
            yield
        finally:
            await state.close()

    async def twilio_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TwilioApiError)
        state.requests.append(RequestSummary(request.method, request.url.path, exc.status, exc.code))
        headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if exc.status == 401 else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return await twilio_error(request, errors.not_found(request.url.path))
        return await twilio_error(request, TwilioApiError(exc.status_code, 20004, "Method not allowed"))

    async def create_call(request: Request) -> Response:
        account_sid = _authorize(request, state)
        form = await _form(request)
        call = state.place(account_sid, CreateCall.from_form(form))
        return _answer(state, request, call, form, 201)

    async def call_resource(request: Request) -> Response:
        account_sid = _authorize(request, state)
        call = state.get(request.path_params["call_sid"])
        if call is None or call.record.account_sid != account_sid:
            raise errors.not_found(request.url.path)
        form: dict[str, list[str]] = {}
        if request.method == "POST":
            form = await _form(request)
            try:
                if state.failing_updates > 0:
                    state.failing_updates -= 1
                    raise TwilioApiError(500, 20500, "Internal Server Error (fault injected)")
                call.update(UpdateCall.from_form(form))
            except TwilioApiError as exc:
                call.timeline.requests.append(
                    RestRequestLog(call.elapsed(), request.method, request.url.path, form, exc.status, exc.code)
                )
                raise
        return _answer(state, request, call, form, 200)

    async def number(request: Request) -> Response:
        number = request.path_params["number"]
        if request.method == "PUT":
            try:
                body = await request.json()
                if not isinstance(body, dict):
                    raise CarrierSimError("body must be a JSON object")
                state.callees.set(number, callee_from_json(body, base=state.callees.default))
            except (CarrierSimError, json.JSONDecodeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        elif request.method == "DELETE":
            state.callees.clear(number)
            return Response(status_code=204)
        return JSONResponse({"number": number, **callee_to_json(state.callees.get(number))})

    async def call_timeline(request: Request) -> Response:
        call = state.get(request.path_params["call_sid"])
        if call is None:
            return JSONResponse({"error": "unknown call (never placed, or dropped as too old)"}, status_code=404)
        return JSONResponse({**call.timeline.to_json(), "resource": call.record.to_json()})

    async def call_list(_: Request) -> Response:
        return JSONResponse({"calls": state.call_sids()})

    async def account(request: Request) -> Response:
        account_sid = request.path_params["account_sid"]
        if request.method == "DELETE":
            state.accounts.pop(account_sid, None)
            return Response(status_code=204)
        body = await request.json()
        token = body.get("auth_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            return JSONResponse({"error": "auth_token (a non-empty string) is required"}, status_code=400)
        state.accounts[account_sid] = token
        return JSONResponse({"account_sid": account_sid})

    return Starlette(
        routes=[
            Route(CALLS_PATH, create_call, methods=["POST"]),
            Route(CALL_PATH, call_resource, methods=["GET", "POST"]),
            Route("/local/numbers/{number}", number, methods=["GET", "PUT", "DELETE"]),
            Route("/local/calls", call_list, methods=["GET"]),
            Route("/local/calls/{call_sid}", call_timeline, methods=["GET"]),
            Route("/local/accounts/{account_sid}", account, methods=["PUT", "DELETE"]),
        ],
        exception_handlers={TwilioApiError: twilio_error, HTTPException: http_error},
        lifespan=lifespan,
    )


def _authorize(request: Request, state: SimState) -> str:
    """The authenticated AccountSid, which must also be the one in the path."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise errors.authenticate() from None
    if scheme.lower() != "basic" or not state.authenticate(username, password):
        raise errors.authenticate()
    if request.path_params["account_sid"] != username:
        # Another account's resources are simply not there for these credentials (⚠ inferred).
        raise errors.not_found(request.url.path)
    return username


async def _form(request: Request) -> dict[str, list[str]]:
    """The form with repeated fields kept (``StatusCallbackEvent`` comes once per event)."""
    form = await request.form()
    return {key: [str(v) for v in form.getlist(key)] for key in form.keys()}


def _answer(state: SimState, request: Request, call: OutboundCall, form: Form, status: int) -> Response:
    call.timeline.requests.append(
        RestRequestLog(call.elapsed(), request.method, request.url.path, {k: list(v) for k, v in form.items()}, status)
    )
    state.requests.append(RequestSummary(request.method, request.url.path, status))
    body: dict[str, Any] = call.record.to_json()
    return JSONResponse(body, status_code=status)
