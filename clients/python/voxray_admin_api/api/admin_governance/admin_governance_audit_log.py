from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.page_audit_entry import PageAuditEntry
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    tenant_id: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_tenant_id: None | str | Unset
    if isinstance(tenant_id, Unset):
        json_tenant_id = UNSET
    else:
        json_tenant_id = tenant_id
    params["tenant_id"] = json_tenant_id

    json_subject: None | str | Unset
    if isinstance(subject, Unset):
        json_subject = UNSET
    else:
        json_subject = subject
    params["subject"] = json_subject

    json_action: None | str | Unset
    if isinstance(action, Unset):
        json_action = UNSET
    else:
        json_action = action
    params["action"] = json_action

    json_actor: None | str | Unset
    if isinstance(actor, Unset):
        json_actor = UNSET
    else:
        json_actor = actor
    params["actor"] = json_actor

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    params["limit"] = limit

    params["offset"] = offset

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/admin/audit-log",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PageAuditEntry | Problem | None:
    if response.status_code == 200:
        response_200 = PageAuditEntry.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[PageAuditEntry | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    tenant_id: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,

) -> Response[PageAuditEntry | Problem]:
    """ The governance audit log, newest first

    Args:
        tenant_id (None | str | Unset):
        subject (None | str | Unset): e.g. `version:{tenant}/{agent}/{n}`, `route:{number}`,
            `policy:{tenant}/{name}`, `tenant:{id}`
        action (None | str | Unset): e.g. `version.approve`, `rollout.rollback`
        actor (None | str | Unset):
        since (datetime.datetime | None | Unset): At or after (RFC 3339)
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageAuditEntry | Problem]
     """


    kwargs = _get_kwargs(
        tenant_id=tenant_id,
subject=subject,
action=action,
actor=actor,
since=since,
limit=limit,
offset=offset,
cursor=cursor,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    tenant_id: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,

) -> PageAuditEntry | Problem | None:
    """ The governance audit log, newest first

    Args:
        tenant_id (None | str | Unset):
        subject (None | str | Unset): e.g. `version:{tenant}/{agent}/{n}`, `route:{number}`,
            `policy:{tenant}/{name}`, `tenant:{id}`
        action (None | str | Unset): e.g. `version.approve`, `rollout.rollback`
        actor (None | str | Unset):
        since (datetime.datetime | None | Unset): At or after (RFC 3339)
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageAuditEntry | Problem
     """


    return sync_detailed(
        client=client,
tenant_id=tenant_id,
subject=subject,
action=action,
actor=actor,
since=since,
limit=limit,
offset=offset,
cursor=cursor,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    tenant_id: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,

) -> Response[PageAuditEntry | Problem]:
    """ The governance audit log, newest first

    Args:
        tenant_id (None | str | Unset):
        subject (None | str | Unset): e.g. `version:{tenant}/{agent}/{n}`, `route:{number}`,
            `policy:{tenant}/{name}`, `tenant:{id}`
        action (None | str | Unset): e.g. `version.approve`, `rollout.rollback`
        actor (None | str | Unset):
        since (datetime.datetime | None | Unset): At or after (RFC 3339)
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageAuditEntry | Problem]
     """


    kwargs = _get_kwargs(
        tenant_id=tenant_id,
subject=subject,
action=action,
actor=actor,
since=since,
limit=limit,
offset=offset,
cursor=cursor,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    tenant_id: None | str | Unset = UNSET,
    subject: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    cursor: None | str | Unset = UNSET,

) -> PageAuditEntry | Problem | None:
    """ The governance audit log, newest first

    Args:
        tenant_id (None | str | Unset):
        subject (None | str | Unset): e.g. `version:{tenant}/{agent}/{n}`, `route:{number}`,
            `policy:{tenant}/{name}`, `tenant:{id}`
        action (None | str | Unset): e.g. `version.approve`, `rollout.rollback`
        actor (None | str | Unset):
        since (datetime.datetime | None | Unset): At or after (RFC 3339)
        limit (int | Unset): Items per page Default: 50.
        offset (int | Unset): Items to skip (offset pagination) Default: 0.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageAuditEntry | Problem
     """


    return (await asyncio_detailed(
        client=client,
tenant_id=tenant_id,
subject=subject,
action=action,
actor=actor,
since=since,
limit=limit,
offset=offset,
cursor=cursor,

    )).parsed
