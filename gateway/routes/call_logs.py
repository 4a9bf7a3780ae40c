"""``GET /api/v1/call-logs[/{id}]``: a tenant's calls, filtered and paginated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query

from gateway.auth import TenantPrincipal, require_tenant
from gateway.errors import ApiError
from gateway.pagination import Page, PageRequest, decode_cursor, page_params, paginate
from gateway.runtime import Runtime, runtime
from gateway.schemas import CallLog, call_log
from voxray.keys import Scope
from voxray.records import E164, CallRecord, CallStatus

router = APIRouter(prefix="/api/v1", tags=["call-logs"])

PROBLEMS: dict[int | str, dict[str, object]] = {
    400: {"description": "Bad pagination or filter"}, 401: {"description": "No valid credential"},
    403: {"description": "Credential may not do this"}, 404: {"description": "Not found for this tenant"},
    422: {"description": "Invalid parameters"}, 429: {"description": "Rate limited"},
}


@dataclass(frozen=True)
class CallFilters:
    status: CallStatus | None
    direction: Literal["inbound", "outbound"] | None
    escalated: bool | None
    since: datetime | None
    until: datetime | None
    phone_number: str | None

    def keep(self, call: CallRecord) -> bool:
        return ((self.status is None or call.status == self.status)
                and (self.direction is None or call.direction == self.direction)
                and (self.escalated is None or (call.escalation is not None) == self.escalated)
                and (self.phone_number is None or self.phone_number in (call.from_number, call.to_number)))

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if v is not None}


async def call_filters(
    status: CallStatus | None = Query(None),
    direction: Literal["inbound", "outbound"] | None = Query(None),
    escalated: bool | None = Query(None, description="Only calls handed (or not) to a person"),
    since: datetime | None = Query(None, description="Created at or after (RFC 3339)"),
    until: datetime | None = Query(None, description="Created at or before (RFC 3339)"),
    phone_number: str | None = Query(None, pattern=E164, description="Caller or called number"),
) -> CallFilters:
    if since and until and since > until:
        raise ApiError(400, "invalid_time_range", "since must not be after until")
    for value in (since, until):
        if value is not None and value.tzinfo is None:
            raise ApiError(400, "invalid_time_range", "Times must carry a timezone offset (RFC 3339)")
    return CallFilters(status, direction, escalated, since, until, phone_number)


async def page_of_calls(rt: Runtime, tenant_id: str, page: PageRequest,
                        filters: CallFilters) -> tuple[list[CallRecord], Page[None]]:
    """One page of a tenant's calls; shared by call logs and voice sessions."""
    wanted = filters.as_dict()
    before = decode_cursor(page.cursor, wanted) if page.cursor else None
    calls = rt.store.scan_calls(tenant_id, before=before,
                                since=filters.since.timestamp() if filters.since else None,
                                until=filters.until.timestamp() if filters.until else None)
    return await paginate(calls, page, keep=filters.keep, filters=wanted,
                          position=lambda c: (c.created_at.timestamp(), c.call_sid))


async def tenant_call(rt: Runtime, tenant_id: str, call_sid: str) -> CallRecord:
    # Another tenant's call is indistinguishable from no call.
    call = await rt.store.get_call(tenant_id, call_sid) if len(call_sid) <= 64 else None
    if call is None:
        raise ApiError(404, "not_found", "No such call for this tenant")
    return call


@router.get("/call-logs", summary="List call logs", operation_id="list_call_logs", response_model=Page[CallLog],
            responses=PROBLEMS)
async def list_call_logs(page: PageRequest = Depends(page_params), filters: CallFilters = Depends(call_filters),
                         who: TenantPrincipal = Depends(require_tenant(Scope.LOGS_READ)),
                         rt: Runtime = Depends(runtime)) -> Page[CallLog]:
    calls, envelope = await page_of_calls(rt, who.tenant_id, page, filters)
    return Page[CallLog](data=[call_log(c) for c in calls], **envelope.model_dump(exclude={"data"}))


@router.get("/call-logs/{call_id}", summary="Get one call log", operation_id="get_call_log", response_model=CallLog,
            responses=PROBLEMS)
async def get_call_log(call_id: str, who: TenantPrincipal = Depends(require_tenant(Scope.LOGS_READ)),
                       rt: Runtime = Depends(runtime)) -> CallLog:
    call = await tenant_call(rt, who.tenant_id, call_id)
    return call_log(call, await rt.store.transcript(who.tenant_id, call.call_sid))
