from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.admin_drain_node_response_admin_drain_node import AdminDrainNodeResponseAdminDrainNode
from ...models.problem import Problem
from typing import cast



def _get_kwargs(
    node_id: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/admin/nodes/{node_id}/drain".format(node_id=quote(str(node_id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AdminDrainNodeResponseAdminDrainNode | Problem | None:
    if response.status_code == 202:
        response_202 = AdminDrainNodeResponseAdminDrainNode.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AdminDrainNodeResponseAdminDrainNode | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    node_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[AdminDrainNodeResponseAdminDrainNode | Problem]:
    """ Drain a Ray node: no new calls there, live ones finish

    Args:
        node_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AdminDrainNodeResponseAdminDrainNode | Problem]
     """


    kwargs = _get_kwargs(
        node_id=node_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    node_id: str,
    *,
    client: AuthenticatedClient,

) -> AdminDrainNodeResponseAdminDrainNode | Problem | None:
    """ Drain a Ray node: no new calls there, live ones finish

    Args:
        node_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AdminDrainNodeResponseAdminDrainNode | Problem
     """


    return sync_detailed(
        node_id=node_id,
client=client,

    ).parsed

async def asyncio_detailed(
    node_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[AdminDrainNodeResponseAdminDrainNode | Problem]:
    """ Drain a Ray node: no new calls there, live ones finish

    Args:
        node_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AdminDrainNodeResponseAdminDrainNode | Problem]
     """


    kwargs = _get_kwargs(
        node_id=node_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    node_id: str,
    *,
    client: AuthenticatedClient,

) -> AdminDrainNodeResponseAdminDrainNode | Problem | None:
    """ Drain a Ray node: no new calls there, live ones finish

    Args:
        node_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AdminDrainNodeResponseAdminDrainNode | Problem
     """


    return (await asyncio_detailed(
        node_id=node_id,
client=client,

    )).parsed
