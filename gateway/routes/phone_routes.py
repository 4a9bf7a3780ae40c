"""Admin: phone routes (which agent version answers a number), canary rollouts on them, and kill
switches per route and per tenant.

Admins change; operators may only read. Governance errors become problem+json through
``gateway.routes.governance.install``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field

from gateway.auth import AdminPrincipal
from gateway.errors import ApiError
from gateway.routes.governance import (NAME, PROBLEMS, READ, WRITE, OptionalReason, Reason, TenantId, existing_tenant,
                                       governance)
from gateway.runtime import Runtime, runtime
from gateway.schemas import Strict
from governance.client import GovernanceClient
from governance.models import AgentVersion, KillSwitch, PhoneRoute, RouteDecision
from voxray.records import E164

router = APIRouter(prefix="/api/v1/admin", tags=["admin-governance"])

Number = Annotated[str, Path(pattern=E164, description="The phone number (E.164)")]


class RoutePut(Strict):
    tenant_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$", description="Must own the number")
    agent: str = Field(pattern=NAME)
    version: int = Field(ge=1, le=1_000_000, description="An approved version; the route's stable version")


class RolloutStart(Strict):
    version: int = Field(ge=1, le=1_000_000, description="The approved version to canary")
    policy: str | None = Field(default=None, pattern=NAME,
                               description="A rollout policy of the tenant (default: the standard policy)")


class KillSwitchIn(Strict):
    mode: Literal["stable", "fallback"] = Field(description="stable: every call to the stable version; fallback: "
                                                            "every call to the operator or fallback message")
    reason: str = Field(min_length=1, max_length=2000)


class RoutePreview(BaseModel):
    """Where a new call from ``caller`` would go now, as call setup decides it."""

    number: str
    caller: str
    decision: RouteDecision
    version: AgentVersion | None


# ---- routes --------------------------------------------------------------------------------


@router.put("/phone-routes/{number}", summary="Route a number to an approved version (or switch its stable version)",
            response_model=PhoneRoute, operation_id="admin_put_phone_route", responses=PROBLEMS)
async def put_route(number: Number, body: RoutePut, who: AdminPrincipal = Depends(WRITE),
                    rt: Runtime = Depends(runtime), gov: GovernanceClient = Depends(governance)) -> PhoneRoute:
    owner = await rt.store.tenant_for_number(number)
    if owner is None or owner.id != body.tenant_id:
        raise ApiError(422, "number_not_owned", f"{number} is not a phone number of tenant {body.tenant_id}")
    return await gov.put_route(number, body.tenant_id, body.agent, body.version, actor=who.actor)


@router.get("/phone-routes", summary="List phone routes", response_model=list[PhoneRoute],
            operation_id="admin_list_phone_routes", responses=PROBLEMS)
async def list_routes(tenant_id: str | None = Query(None, pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$"), _: AdminPrincipal = Depends(READ),
                      gov: GovernanceClient = Depends(governance)) -> list[PhoneRoute]:
    return await gov.list_routes(tenant_id)


@router.get("/phone-routes/{number}", summary="Get a phone route", response_model=PhoneRoute,
            operation_id="admin_get_phone_route", responses=PROBLEMS)
async def get_route(number: Number, _: AdminPrincipal = Depends(READ),
                    gov: GovernanceClient = Depends(governance)) -> PhoneRoute:
    return await gov.get_route(number)


@router.delete("/phone-routes/{number}", status_code=204, response_class=Response,
               operation_id="admin_delete_phone_route",
               summary="Remove a route (not during a rollout); calls use the tenant's runtime config again",
               responses=PROBLEMS)
async def delete_route(number: Number, who: AdminPrincipal = Depends(WRITE),
                       gov: GovernanceClient = Depends(governance)) -> Response:
    await gov.delete_route(number, actor=who.actor)
    return Response(status_code=204)


@router.get("/phone-routes/{number}/route-decision", summary="Where a new call from a caller would go now",
            response_model=RoutePreview, operation_id="admin_preview_route_decision", responses=PROBLEMS)
async def preview_decision(number: Number, caller: str = Query(pattern=E164), _: AdminPrincipal = Depends(READ),
                           gov: GovernanceClient = Depends(governance)) -> RoutePreview:
    routing = await gov.decide_call(number, caller)
    if routing is None:
        raise ApiError(404, "route_not_found", f"no phone route for {number}")
    return RoutePreview(number=number, caller=caller, decision=routing.decision, version=routing.version)


# ---- rollouts ------------------------------------------------------------------------------


@router.post("/phone-routes/{number}/rollout", summary="Start a canary rollout of an approved version",
             response_model=PhoneRoute, operation_id="admin_start_rollout", responses=PROBLEMS)
async def start_rollout(number: Number, body: RolloutStart, who: AdminPrincipal = Depends(WRITE),
                        gov: GovernanceClient = Depends(governance)) -> PhoneRoute:
    return await gov.start_rollout(number, body.version, body.policy, actor=who.actor)


@router.post("/phone-routes/{number}/rollout/pause", summary="Pause promotions (the canary keeps its weight)",
             response_model=PhoneRoute, operation_id="admin_pause_rollout", responses=PROBLEMS)
async def pause_rollout(number: Number, body: OptionalReason | None = None, who: AdminPrincipal = Depends(WRITE),
                        gov: GovernanceClient = Depends(governance)) -> PhoneRoute:
    return await gov.pause_rollout(number, actor=who.actor, reason=body.reason if body else None)


@router.post("/phone-routes/{number}/rollout/resume", summary="Resume a paused rollout (its step's window restarts)",
             response_model=PhoneRoute, operation_id="admin_resume_rollout", responses=PROBLEMS)
async def resume_rollout(number: Number, who: AdminPrincipal = Depends(WRITE),
                         gov: GovernanceClient = Depends(governance)) -> PhoneRoute:
    return await gov.resume_rollout(number, actor=who.actor)


@router.post("/phone-routes/{number}/rollout/abort", summary="Abort the rollout: all calls back to stable",
             response_model=PhoneRoute, operation_id="admin_abort_rollout", responses=PROBLEMS)
async def abort_rollout(number: Number, body: Reason, who: AdminPrincipal = Depends(WRITE),
                        gov: GovernanceClient = Depends(governance)) -> PhoneRoute:
    return await gov.abort_rollout(number, actor=who.actor, reason=body.reason)


# ---- kill switches -------------------------------------------------------------------------


@router.put("/phone-routes/{number}/kill-switch", summary="Engage a route's kill switch", response_model=PhoneRoute,
            operation_id="admin_engage_route_kill_switch", responses=PROBLEMS)
async def engage_route_kill_switch(number: Number, body: KillSwitchIn, who: AdminPrincipal = Depends(WRITE),
                                   gov: GovernanceClient = Depends(governance)) -> PhoneRoute:
    return await gov.engage_route_kill_switch(number, mode=body.mode, reason=body.reason, actor=who.actor)


@router.delete("/phone-routes/{number}/kill-switch", summary="Release a route's kill switch",
               response_model=PhoneRoute, operation_id="admin_release_route_kill_switch", responses=PROBLEMS)
async def release_route_kill_switch(number: Number, who: AdminPrincipal = Depends(WRITE),
                                    gov: GovernanceClient = Depends(governance)) -> PhoneRoute:
    return await gov.release_route_kill_switch(number, actor=who.actor)


@router.get("/tenants/{tenant_id}/kill-switch", summary="A tenant's kill switch, if engaged",
            response_model=KillSwitch, operation_id="admin_get_tenant_kill_switch", responses=PROBLEMS)
async def get_tenant_kill_switch(tenant_id: TenantId, _: AdminPrincipal = Depends(READ),
                                 gov: GovernanceClient = Depends(governance)) -> KillSwitch:
    switch = await gov.tenant_kill_switch(tenant_id)
    if switch is None:
        raise ApiError(404, "kill_switch_not_engaged", "The tenant's kill switch is not engaged")
    return switch


@router.put("/tenants/{tenant_id}/kill-switch", summary="Engage a tenant's kill switch (every routed number)",
            response_model=KillSwitch, operation_id="admin_engage_tenant_kill_switch", responses=PROBLEMS)
async def engage_tenant_kill_switch(body: KillSwitchIn, tenant_id: str = Depends(existing_tenant),
                                    who: AdminPrincipal = Depends(WRITE),
                                    gov: GovernanceClient = Depends(governance)) -> KillSwitch:
    return await gov.engage_tenant_kill_switch(tenant_id, mode=body.mode, reason=body.reason, actor=who.actor)


@router.delete("/tenants/{tenant_id}/kill-switch", status_code=204, response_class=Response,
               summary="Release a tenant's kill switch", operation_id="admin_release_tenant_kill_switch",
               responses=PROBLEMS)
async def release_tenant_kill_switch(tenant_id: TenantId, who: AdminPrincipal = Depends(WRITE),
                                     gov: GovernanceClient = Depends(governance)) -> Response:
    await gov.release_tenant_kill_switch(tenant_id, actor=who.actor)
    return Response(status_code=204)
