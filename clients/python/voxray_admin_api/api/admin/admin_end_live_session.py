from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.ending_call import EndingCall
from ...models.problem import Problem
from typing import cast



def _get_kwargs(
    call_sid: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/admin/live-sessions/{call_sid}/end".format(call_sid=quote(str(call_sid), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> EndingCall | Problem | None:
    if response.status_code == 202:
        response_202 = EndingCall.from_dict(response.json())



        return response_202

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[EndingCall | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    call_sid: str,
    *,
    client: AuthenticatedClient,

) -> Response[EndingCall | Problem]:
    """ End a live call now

    Args:
        call_sid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndingCall | Problem]
     """


    kwargs = _get_kwargs(
        call_sid=call_sid,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    call_sid: str,
    *,
    client: AuthenticatedClient,

) -> EndingCall | Problem | None:
    """ End a live call now

    Args:
        call_sid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndingCall | Problem
     """


    return sync_detailed(
        call_sid=call_sid,
client=client,

    ).parsed

async def asyncio_detailed(
    call_sid: str,
    *,
    client: AuthenticatedClient,

) -> Response[EndingCall | Problem]:
    """ End a live call now

    Args:
        call_sid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EndingCall | Problem]
     """


    kwargs = _get_kwargs(
        call_sid=call_sid,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    call_sid: str,
    *,
    client: AuthenticatedClient,

) -> EndingCall | Problem | None:
    """ End a live call now

    Args:
        call_sid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EndingCall | Problem
     """


    return (await asyncio_detailed(
        call_sid=call_sid,
client=client,

    )).parsed
