from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.session_patch import SessionPatch
from ...models.voice_session import VoiceSession
from typing import cast



def _get_kwargs(
    session_id: str,
    *,
    body: SessionPatch,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/voice-sessions/{session_id}".format(session_id=quote(str(session_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | VoiceSession | None:
    if response.status_code == 200:
        response_200 = VoiceSession.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())



        return response_404

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())



        return response_412

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())



        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | VoiceSession]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    session_id: str,
    *,
    client: AuthenticatedClient,
    body: SessionPatch,

) -> Response[Problem | VoiceSession]:
    """ Edit a voice session's tags and QA state

     Optimistic concurrency (F9): with If-Match the review must still be at that ETag (412);
    without it a lost race re-reads and re-applies the patch, so no reviewer's edit is lost.

    Args:
        session_id (str):
        body (SessionPatch): Fields to change; absent fields stay as they are. ``tags`` replaces
            the whole list.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | VoiceSession]
     """


    kwargs = _get_kwargs(
        session_id=session_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    session_id: str,
    *,
    client: AuthenticatedClient,
    body: SessionPatch,

) -> Problem | VoiceSession | None:
    """ Edit a voice session's tags and QA state

     Optimistic concurrency (F9): with If-Match the review must still be at that ETag (412);
    without it a lost race re-reads and re-applies the patch, so no reviewer's edit is lost.

    Args:
        session_id (str):
        body (SessionPatch): Fields to change; absent fields stay as they are. ``tags`` replaces
            the whole list.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | VoiceSession
     """


    return sync_detailed(
        session_id=session_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    session_id: str,
    *,
    client: AuthenticatedClient,
    body: SessionPatch,

) -> Response[Problem | VoiceSession]:
    """ Edit a voice session's tags and QA state

     Optimistic concurrency (F9): with If-Match the review must still be at that ETag (412);
    without it a lost race re-reads and re-applies the patch, so no reviewer's edit is lost.

    Args:
        session_id (str):
        body (SessionPatch): Fields to change; absent fields stay as they are. ``tags`` replaces
            the whole list.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | VoiceSession]
     """


    kwargs = _get_kwargs(
        session_id=session_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    session_id: str,
    *,
    client: AuthenticatedClient,
    body: SessionPatch,

) -> Problem | VoiceSession | None:
    """ Edit a voice session's tags and QA state

     Optimistic concurrency (F9): with If-Match the review must still be at that ETag (412);
    without it a lost race re-reads and re-applies the patch, so no reviewer's edit is lost.

    Args:
        session_id (str):
        body (SessionPatch): Fields to change; absent fields stay as they are. ``tags`` replaces
            the whole list.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | VoiceSession
     """


    return (await asyncio_detailed(
        session_id=session_id,
client=client,
body=body,

    )).parsed
