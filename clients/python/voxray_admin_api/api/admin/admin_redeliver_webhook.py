from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.webhook_event_log import WebhookEventLog
from typing import cast



def _get_kwargs(
    tenant_id: str,
    event_id: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/admin/tenants/{tenant_id}/webhook-deliveries/{event_id}/redeliver".format(tenant_id=quote(str(tenant_id), safe=""),event_id=quote(str(event_id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | WebhookEventLog | None:
    if response.status_code == 202:
        response_202 = WebhookEventLog.from_dict(response.json())



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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | WebhookEventLog]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant_id: str,
    event_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[Problem | WebhookEventLog]:
    """ Deliver a tenant's failed or dead event again (operators)

    Args:
        tenant_id (str):
        event_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookEventLog]
     """


    kwargs = _get_kwargs(
        tenant_id=tenant_id,
event_id=event_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    tenant_id: str,
    event_id: str,
    *,
    client: AuthenticatedClient,

) -> Problem | WebhookEventLog | None:
    """ Deliver a tenant's failed or dead event again (operators)

    Args:
        tenant_id (str):
        event_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookEventLog
     """


    return sync_detailed(
        tenant_id=tenant_id,
event_id=event_id,
client=client,

    ).parsed

async def asyncio_detailed(
    tenant_id: str,
    event_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[Problem | WebhookEventLog]:
    """ Deliver a tenant's failed or dead event again (operators)

    Args:
        tenant_id (str):
        event_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookEventLog]
     """


    kwargs = _get_kwargs(
        tenant_id=tenant_id,
event_id=event_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    tenant_id: str,
    event_id: str,
    *,
    client: AuthenticatedClient,

) -> Problem | WebhookEventLog | None:
    """ Deliver a tenant's failed or dead event again (operators)

    Args:
        tenant_id (str):
        event_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookEventLog
     """


    return (await asyncio_detailed(
        tenant_id=tenant_id,
event_id=event_id,
client=client,

    )).parsed
