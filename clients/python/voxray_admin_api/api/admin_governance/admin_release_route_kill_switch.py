from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.phone_route import PhoneRoute
from ...models.problem import Problem
from typing import cast



def _get_kwargs(
    number: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v1/admin/phone-routes/{number}/kill-switch".format(number=quote(str(number), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PhoneRoute | Problem | None:
    if response.status_code == 200:
        response_200 = PhoneRoute.from_dict(response.json())



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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[PhoneRoute | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    number: str,
    *,
    client: AuthenticatedClient,

) -> Response[PhoneRoute | Problem]:
    """ Release a route's kill switch

    Args:
        number (str): The phone number (E.164)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PhoneRoute | Problem]
     """


    kwargs = _get_kwargs(
        number=number,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    number: str,
    *,
    client: AuthenticatedClient,

) -> PhoneRoute | Problem | None:
    """ Release a route's kill switch

    Args:
        number (str): The phone number (E.164)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PhoneRoute | Problem
     """


    return sync_detailed(
        number=number,
client=client,

    ).parsed

async def asyncio_detailed(
    number: str,
    *,
    client: AuthenticatedClient,

) -> Response[PhoneRoute | Problem]:
    """ Release a route's kill switch

    Args:
        number (str): The phone number (E.164)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PhoneRoute | Problem]
     """


    kwargs = _get_kwargs(
        number=number,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    number: str,
    *,
    client: AuthenticatedClient,

) -> PhoneRoute | Problem | None:
    """ Release a route's kill switch

    Args:
        number (str): The phone number (E.164)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PhoneRoute | Problem
     """


    return (await asyncio_detailed(
        number=number,
client=client,

    )).parsed
