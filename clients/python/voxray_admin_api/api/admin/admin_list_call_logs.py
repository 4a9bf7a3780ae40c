from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.admin_list_call_logs_direction_type_0 import AdminListCallLogsDirectionType0
from ...models.call_status import CallStatus
from ...models.page_call_log import PageCallLog
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    tenant_id: str,
    *,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,
    status: CallStatus | None | Unset = UNSET,
    direction: AdminListCallLogsDirectionType0 | None | Unset = UNSET,
    escalated: bool | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,

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
    elif isinstance(status, CallStatus):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_direction: None | str | Unset
    if isinstance(direction, Unset):
        json_direction = UNSET
    elif isinstance(direction, AdminListCallLogsDirectionType0):
        json_direction = direction.value
    else:
        json_direction = direction
    params["direction"] = json_direction

    json_escalated: bool | None | Unset
    if isinstance(escalated, Unset):
        json_escalated = UNSET
    else:
        json_escalated = escalated
    params["escalated"] = json_escalated

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_until: None | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.datetime):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    json_phone_number: None | str | Unset
    if isinstance(phone_number, Unset):
        json_phone_number = UNSET
    else:
        json_phone_number = phone_number
    params["phone_number"] = json_phone_number


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/admin/tenants/{tenant_id}/call-logs".format(tenant_id=quote(str(tenant_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PageCallLog | Problem | None:
    if response.status_code == 200:
        response_200 = PageCallLog.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[PageCallLog | Problem]:
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
    status: CallStatus | None | Unset = UNSET,
    direction: AdminListCallLogsDirectionType0 | None | Unset = UNSET,
    escalated: bool | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,

) -> Response[PageCallLog | Problem]:
    """ A tenant's call logs (operators)

    Args:
        tenant_id (str):
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page
        status (CallStatus | None | Unset):
        direction (AdminListCallLogsDirectionType0 | None | Unset):
        escalated (bool | None | Unset): Only calls handed (or not) to a person
        since (datetime.datetime | None | Unset): Created at or after (RFC 3339)
        until (datetime.datetime | None | Unset): Created at or before (RFC 3339)
        phone_number (None | str | Unset): Caller or called number

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageCallLog | Problem]
     """


    kwargs = _get_kwargs(
        tenant_id=tenant_id,
limit=limit,
offset=offset,
cursor=cursor,
status=status,
direction=direction,
escalated=escalated,
since=since,
until=until,
phone_number=phone_number,

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
    status: CallStatus | None | Unset = UNSET,
    direction: AdminListCallLogsDirectionType0 | None | Unset = UNSET,
    escalated: bool | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,

) -> PageCallLog | Problem | None:
    """ A tenant's call logs (operators)

    Args:
        tenant_id (str):
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page
        status (CallStatus | None | Unset):
        direction (AdminListCallLogsDirectionType0 | None | Unset):
        escalated (bool | None | Unset): Only calls handed (or not) to a person
        since (datetime.datetime | None | Unset): Created at or after (RFC 3339)
        until (datetime.datetime | None | Unset): Created at or before (RFC 3339)
        phone_number (None | str | Unset): Caller or called number

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageCallLog | Problem
     """


    return sync_detailed(
        tenant_id=tenant_id,
client=client,
limit=limit,
offset=offset,
cursor=cursor,
status=status,
direction=direction,
escalated=escalated,
since=since,
until=until,
phone_number=phone_number,

    ).parsed

async def asyncio_detailed(
    tenant_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,
    status: CallStatus | None | Unset = UNSET,
    direction: AdminListCallLogsDirectionType0 | None | Unset = UNSET,
    escalated: bool | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,

) -> Response[PageCallLog | Problem]:
    """ A tenant's call logs (operators)

    Args:
        tenant_id (str):
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page
        status (CallStatus | None | Unset):
        direction (AdminListCallLogsDirectionType0 | None | Unset):
        escalated (bool | None | Unset): Only calls handed (or not) to a person
        since (datetime.datetime | None | Unset): Created at or after (RFC 3339)
        until (datetime.datetime | None | Unset): Created at or before (RFC 3339)
        phone_number (None | str | Unset): Caller or called number

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageCallLog | Problem]
     """


    kwargs = _get_kwargs(
        tenant_id=tenant_id,
limit=limit,
offset=offset,
cursor=cursor,
status=status,
direction=direction,
escalated=escalated,
since=since,
until=until,
phone_number=phone_number,

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
    status: CallStatus | None | Unset = UNSET,
    direction: AdminListCallLogsDirectionType0 | None | Unset = UNSET,
    escalated: bool | None | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,

) -> PageCallLog | Problem | None:
    """ A tenant's call logs (operators)

    Args:
        tenant_id (str):
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page
        status (CallStatus | None | Unset):
        direction (AdminListCallLogsDirectionType0 | None | Unset):
        escalated (bool | None | Unset): Only calls handed (or not) to a person
        since (datetime.datetime | None | Unset): Created at or after (RFC 3339)
        until (datetime.datetime | None | Unset): Created at or before (RFC 3339)
        phone_number (None | str | Unset): Caller or called number

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageCallLog | Problem
     """


    return (await asyncio_detailed(
        tenant_id=tenant_id,
client=client,
limit=limit,
offset=offset,
cursor=cursor,
status=status,
direction=direction,
escalated=escalated,
since=since,
until=until,
phone_number=phone_number,

    )).parsed
