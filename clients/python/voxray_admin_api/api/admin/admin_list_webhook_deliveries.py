from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.delivery_state import DeliveryState
from ...models.event_type import EventType
from ...models.page_webhook_delivery import PageWebhookDelivery
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    tenant_id: str,
    *,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,
    status: DeliveryState | None | Unset = UNSET,
    event_type: EventType | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["offset"] = offset

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, DeliveryState):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_event_type: None | str | Unset
    if isinstance(event_type, Unset):
        json_event_type = UNSET
    elif isinstance(event_type, EventType):
        json_event_type = event_type.value
    else:
        json_event_type = event_type
    params["event_type"] = json_event_type


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/admin/tenants/{tenant_id}/webhook-deliveries".format(tenant_id=quote(str(tenant_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PageWebhookDelivery | Problem | None:
    if response.status_code == 200:
        response_200 = PageWebhookDelivery.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[PageWebhookDelivery | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,
    status: DeliveryState | None | Unset = UNSET,
    event_type: EventType | None | Unset = UNSET,

) -> Response[PageWebhookDelivery | Problem]:
    """ A tenant's webhook deliveries (operators)

    Args:
        tenant_id (str):
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page
        status (DeliveryState | None | Unset): The delivery's current state
        event_type (EventType | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageWebhookDelivery | Problem]
     """


    kwargs = _get_kwargs(
        tenant_id=tenant_id,
limit=limit,
offset=offset,
cursor=cursor,
status=status,
event_type=event_type,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    tenant_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,
    status: DeliveryState | None | Unset = UNSET,
    event_type: EventType | None | Unset = UNSET,

) -> PageWebhookDelivery | Problem | None:
    """ A tenant's webhook deliveries (operators)

    Args:
        tenant_id (str):
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page
        status (DeliveryState | None | Unset): The delivery's current state
        event_type (EventType | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageWebhookDelivery | Problem
     """


    return sync_detailed(
        tenant_id=tenant_id,
client=client,
limit=limit,
offset=offset,
cursor=cursor,
status=status,
event_type=event_type,

    ).parsed

async def asyncio_detailed(
    tenant_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,
    status: DeliveryState | None | Unset = UNSET,
    event_type: EventType | None | Unset = UNSET,

) -> Response[PageWebhookDelivery | Problem]:
    """ A tenant's webhook deliveries (operators)

    Args:
        tenant_id (str):
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page
        status (DeliveryState | None | Unset): The delivery's current state
        event_type (EventType | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageWebhookDelivery | Problem]
     """


    kwargs = _get_kwargs(
        tenant_id=tenant_id,
limit=limit,
offset=offset,
cursor=cursor,
status=status,
event_type=event_type,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    tenant_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,
    status: DeliveryState | None | Unset = UNSET,
    event_type: EventType | None | Unset = UNSET,

) -> PageWebhookDelivery | Problem | None:
    """ A tenant's webhook deliveries (operators)

    Args:
        tenant_id (str):
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page
        status (DeliveryState | None | Unset): The delivery's current state
        event_type (EventType | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageWebhookDelivery | Problem
     """


    return (await asyncio_detailed(
        tenant_id=tenant_id,
client=client,
limit=limit,
offset=offset,
cursor=cursor,
status=status,
event_type=event_type,

    )).parsed
