"""Admin: launch governance of agent versions (lifecycle, two-person approval, launch checklist),
named rollout policies, the audit log and the rollout sweep.

Admins change; operators may only read. The rules are ``governance.policy``'s, held by the
governance actor; their errors become problem+json here (``install``) with the rule's ``code``.
Phone routes, rollouts and kill switches are in ``gateway.routes.phone_routes``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from gateway.auth import AdminPrincipal, require_admin
from gateway.errors import ApiError, problem
from gateway.pagination import Page, PageRequest, decode_cursor, page_params, paginate
from gateway.runtime import Runtime, runtime
from gateway.schemas import Strict
from governance import policy as gp
from governance.agent_config import check_spec_tools
from governance.client import GovernanceClient
from governance.errors import GovernanceUnavailable, InvalidRecord, NotFound
from governance.models import AgentSpec, AgentVersion, LaunchChecklist, RolloutPolicy, SweepReport, VadConfig
from governance.store import AuditEntry
from voxray.endpoint_urls import UrlRejected
from voxray.records import utcnow

router = APIRouter(prefix="/api/v1/admin", tags=["admin-governance"])

PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid credential"}, 403: {"description": "Not an admin, or the two-person rule"},
    404: {"description": "No such tenant, version, route, policy or checklist item"},
    409: {"description": "Not allowed in the current state (the problem's code names the rule)"},
    422: {"description": "Invalid"}, 429: {"description": "Rate limited"},
    503: {"description": "The governance service is unavailable"},
}
NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"
_STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
TenantId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")]
AgentName = Annotated[str, Path(pattern=NAME, description="The agent's name within the tenant")]
VersionNo = Annotated[int, Path(ge=1, le=1_000_000, description="The version number")]
ItemKey = Annotated[str, Path(pattern=NAME, description="The checklist item's key")]
PolicyName = Annotated[str, Path(pattern=NAME, description="The rollout policy's name")]

READ = require_admin("operator")
WRITE = require_admin()

# ---- errors --------------------------------------------------------------------------------

_STATUS: list[tuple[type[gp.GovernanceError], int]] = [
    (NotFound, 404), (gp.UnknownChecklistItem, 404), (gp.SelfApprovalForbidden, 403), (InvalidRecord, 422),
    (GovernanceUnavailable, 503),
]


def status_of(exc: gp.GovernanceError) -> int:
    """404 unknown, 403 the two-person rule, 422 invalid, 503 unavailable; any other rule 409."""
    return next((status for kind, status in _STATUS if isinstance(exc, kind)), 409)


def install(app: FastAPI) -> None:
    """Map every governance error to problem+json carrying its ``code``."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, gp.GovernanceError)
        errors: list[dict[str, object]] | None = None
        if isinstance(exc, gp.ChecklistIncomplete):
            errors = [{"field": key, "message": "required checklist item not done"} for key in exc.missing]
        title = exc.code.replace("_", " ").capitalize()
        return problem(request, status_of(exc), exc.code, title, str(exc), errors)

    app.add_exception_handler(gp.GovernanceError, handler)


# ---- shared dependencies -------------------------------------------------------------------


async def governance(rt: Runtime = Depends(runtime)) -> GovernanceClient:
    if rt.governance is None:
        raise ApiError(503, "governance_unavailable", "Launch governance is not running on this gateway")
    return rt.governance


async def existing_tenant(tenant_id: TenantId, rt: Runtime = Depends(runtime)) -> str:
    if await rt.store.get_tenant(tenant_id) is None:
        raise ApiError(404, "tenant_not_found", "No such tenant")
    return tenant_id


# ---- models --------------------------------------------------------------------------------


class AgentSpecPatch(Strict):
    """Fields of a draft's spec to replace; the rest stay."""

    prompt_key: str | None = Field(default=None, min_length=1, max_length=200)
    prompt_text: str | None = Field(default=None, min_length=1, max_length=100_000)
    model: str | None = Field(default=None, min_length=1, max_length=200)
    voice: str | None = Field(default=None, min_length=1, max_length=100)
    tools: list[dict[str, Any]] | None = None
    audio_mode: Literal["pcmu", "pcm16"] | None = None
    vad: VadConfig | None = None
    local_model_script: str | None = Field(default=None, pattern=r"^[a-z0-9_-]{1,64}$")


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class OptionalReason(Strict):
    reason: str | None = Field(default=None, min_length=1, max_length=2000)


class ChecklistNote(Strict):
    note: str | None = Field(default=None, max_length=2000)


class NamedPolicy(BaseModel):
    name: str
    policy: RolloutPolicy


class SweepRequest(Strict):
    dry_run: bool = Field(default=False, description="Evaluate only: nothing is applied, logged or sent")
    tenant_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")] | None = Field(
        default=None, description="Only this tenant's rollouts (default: every active rollout)")


class SweepResult(BaseModel):
    dry_run: bool
    at: datetime
    reports: list[SweepReport] = Field(description="One per active rollout: the decision (with any breached "
                                                   "guards) and the route after it (as it would be, on a dry run)")


# ---- agent versions ------------------------------------------------------------------------

VERSIONS = "/tenants/{tenant_id}/agents/{agent}/versions"


@router.post(VERSIONS, status_code=201, summary="Create a draft agent version", response_model=AgentVersion,
             operation_id="admin_create_agent_version", responses=PROBLEMS)
async def create_version(agent: AgentName, spec: AgentSpec, tenant_id: str = Depends(existing_tenant),
                         who: AdminPrincipal = Depends(WRITE),
                         gov: GovernanceClient = Depends(governance), rt: Runtime = Depends(runtime)) -> AgentVersion:
    _check_tools(rt, spec)
    return await gov.create_version(tenant_id, agent, spec, actor=who.actor)


def _check_tools(rt: Runtime, spec: AgentSpec) -> None:
    """Tool endpoints pass the endpoint policy when a version is saved (F12)."""
    s = rt.settings
    try:
        check_spec_tools(spec.tools, allow_http=s.webhook_allow_http, allow_private=s.webhook_allow_private_hosts)
    except UrlRejected as exc:
        raise ApiError(422, "tool_endpoint_rejected", "A tool endpoint may not be used", str(exc)) from None


@router.get(VERSIONS, summary="List an agent's versions", response_model=list[AgentVersion],
            operation_id="admin_list_agent_versions", responses=PROBLEMS)
async def list_versions(agent: AgentName, tenant_id: str = Depends(existing_tenant),
                        _: AdminPrincipal = Depends(READ),
                        gov: GovernanceClient = Depends(governance)) -> list[AgentVersion]:
    return await gov.list_versions(tenant_id, agent)


@router.get(VERSIONS + "/{number}", summary="Get an agent version", response_model=AgentVersion,
            operation_id="admin_get_agent_version", responses=PROBLEMS)
async def get_version(agent: AgentName, number: VersionNo, tenant_id: TenantId, _: AdminPrincipal = Depends(READ),
                      gov: GovernanceClient = Depends(governance)) -> AgentVersion:
    return await gov.get_version(tenant_id, agent, number)


@router.patch(VERSIONS + "/{number}", summary="Edit a draft version (frozen once staged: 409)",
              response_model=AgentVersion, operation_id="admin_edit_agent_version", responses=PROBLEMS)
async def edit_version(agent: AgentName, number: VersionNo, patch: AgentSpecPatch, tenant_id: TenantId,
                       who: AdminPrincipal = Depends(WRITE), gov: GovernanceClient = Depends(governance),
                       rt: Runtime = Depends(runtime)) -> AgentVersion:
    current = await gov.get_version(tenant_id, agent, number)
    try:
        spec = AgentSpec.model_validate(current.spec.model_dump() | patch.model_dump(exclude_unset=True))
    except ValidationError as exc:
        raise ApiError(422, "validation_failed", "The edited spec is not valid", str(exc)) from None
    _check_tools(rt, spec)
    return await gov.edit_version(tenant_id, agent, number, spec, actor=who.actor)


@router.post(VERSIONS + "/{number}/stage", summary="Stage a draft for approval (freezes its spec)",
             response_model=AgentVersion, operation_id="admin_stage_agent_version", responses=PROBLEMS)
async def stage_version(agent: AgentName, number: VersionNo, tenant_id: TenantId,
                        who: AdminPrincipal = Depends(WRITE),
                        gov: GovernanceClient = Depends(governance)) -> AgentVersion:
    return await gov.stage_version(tenant_id, agent, number, actor=who.actor)


@router.post(VERSIONS + "/{number}/approve", response_model=AgentVersion, operation_id="admin_approve_agent_version",
             summary="Approve a staged version (another admin than its authors; checklist complete)",
             responses=PROBLEMS)
async def approve_version(agent: AgentName, number: VersionNo, tenant_id: TenantId,
                          who: AdminPrincipal = Depends(WRITE),
                          gov: GovernanceClient = Depends(governance)) -> AgentVersion:
    gp.check_approver(await gov.get_version(tenant_id, agent, number), who.approver())  # F4: people, not strings
    return await gov.approve_version(tenant_id, agent, number, actor=who.actor)


@router.post(VERSIONS + "/{number}/reject", summary="Reject a staged version", response_model=AgentVersion,
             operation_id="admin_reject_agent_version", responses=PROBLEMS)
async def reject_version(agent: AgentName, number: VersionNo, body: Reason, tenant_id: TenantId,
                         who: AdminPrincipal = Depends(WRITE),
                         gov: GovernanceClient = Depends(governance)) -> AgentVersion:
    return await gov.reject_version(tenant_id, agent, number, actor=who.actor, reason=body.reason)


@router.post(VERSIONS + "/{number}/retire", summary="Retire an approved version no route uses",
             response_model=AgentVersion, operation_id="admin_retire_agent_version", responses=PROBLEMS)
async def retire_version(agent: AgentName, number: VersionNo, tenant_id: TenantId,
                         body: OptionalReason | None = None,
                         who: AdminPrincipal = Depends(WRITE),
                         gov: GovernanceClient = Depends(governance)) -> AgentVersion:
    return await gov.retire_version(tenant_id, agent, number, actor=who.actor, reason=body.reason if body else None)


# ---- launch checklist ----------------------------------------------------------------------


@router.get(VERSIONS + "/{number}/checklist", summary="A version's launch checklist", response_model=LaunchChecklist,
            operation_id="admin_get_launch_checklist", responses=PROBLEMS)
async def get_checklist(agent: AgentName, number: VersionNo, tenant_id: TenantId, _: AdminPrincipal = Depends(READ),
                        gov: GovernanceClient = Depends(governance)) -> LaunchChecklist:
    return await gov.get_checklist(tenant_id, agent, number)


@router.put(VERSIONS + "/{number}/checklist/{item}", summary="Mark a checklist item done",
            response_model=LaunchChecklist, operation_id="admin_complete_checklist_item", responses=PROBLEMS)
async def complete_item(agent: AgentName, number: VersionNo, item: ItemKey, tenant_id: TenantId,
                        body: ChecklistNote | None = None,
                        who: AdminPrincipal = Depends(WRITE),
                        gov: GovernanceClient = Depends(governance)) -> LaunchChecklist:
    return await gov.complete_checklist_item(tenant_id, agent, number, item, actor=who.actor,
                                             note=body.note if body else None)


@router.delete(VERSIONS + "/{number}/checklist/{item}", summary="Reopen a checklist item",
               response_model=LaunchChecklist, operation_id="admin_reopen_checklist_item", responses=PROBLEMS)
async def reopen_item(agent: AgentName, number: VersionNo, item: ItemKey, tenant_id: TenantId,
                      who: AdminPrincipal = Depends(WRITE),
                      gov: GovernanceClient = Depends(governance)) -> LaunchChecklist:
    return await gov.reopen_checklist_item(tenant_id, agent, number, item, actor=who.actor)


# ---- rollout policies ----------------------------------------------------------------------

POLICIES = "/tenants/{tenant_id}/rollout-policies"


@router.put(POLICIES + "/{name}", summary="Create or replace a named rollout policy", response_model=RolloutPolicy,
            operation_id="admin_put_rollout_policy", responses=PROBLEMS)
async def put_policy(name: PolicyName, policy: RolloutPolicy, tenant_id: str = Depends(existing_tenant),
                     who: AdminPrincipal = Depends(WRITE),
                     gov: GovernanceClient = Depends(governance)) -> RolloutPolicy:
    return await gov.put_policy(tenant_id, name, policy, actor=who.actor)


@router.get(POLICIES, summary="List a tenant's rollout policies", response_model=list[NamedPolicy],
            operation_id="admin_list_rollout_policies", responses=PROBLEMS)
async def list_policies(tenant_id: str = Depends(existing_tenant), _: AdminPrincipal = Depends(READ),
                        gov: GovernanceClient = Depends(governance)) -> list[NamedPolicy]:
    return [NamedPolicy(name=n, policy=p) for n, p in await gov.list_policies(tenant_id)]


@router.get(POLICIES + "/{name}", summary="Get a rollout policy", response_model=RolloutPolicy,
            operation_id="admin_get_rollout_policy", responses=PROBLEMS)
async def get_policy(name: PolicyName, tenant_id: TenantId, _: AdminPrincipal = Depends(READ),
                     gov: GovernanceClient = Depends(governance)) -> RolloutPolicy:
    return await gov.get_policy(tenant_id, name)


@router.delete(POLICIES + "/{name}", status_code=204, response_class=Response,
               operation_id="admin_delete_rollout_policy",
               summary="Delete a rollout policy (running rollouts keep their copy)", responses=PROBLEMS)
async def delete_policy(name: PolicyName, tenant_id: TenantId, who: AdminPrincipal = Depends(WRITE),
                        gov: GovernanceClient = Depends(governance)) -> Response:
    await gov.delete_policy(tenant_id, name, actor=who.actor)
    return Response(status_code=204)


# ---- audit log and sweep -------------------------------------------------------------------


@router.get("/audit-log", summary="The governance audit log, newest first", response_model=Page[AuditEntry],
            operation_id="admin_governance_audit_log", responses=PROBLEMS)
async def audit_log(
    tenant_id: str | None = Query(None, pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$"), subject: str | None = Query(None, max_length=200,
        description="e.g. `version:{tenant}/{agent}/{n}`, `route:{number}`, `policy:{tenant}/{name}`, `tenant:{id}`"),
    action: str | None = Query(None, max_length=64, description="e.g. `version.approve`, `rollout.rollback`"),
    actor: str | None = Query(None, max_length=200),
    since: datetime | None = Query(None, description="At or after (RFC 3339)"),
    page: PageRequest = Depends(page_params), _: AdminPrincipal = Depends(READ),
    gov: GovernanceClient = Depends(governance),
) -> Page[AuditEntry]:
    if since is not None and since.tzinfo is None:
        raise ApiError(400, "invalid_time_range", "Times must carry a timezone offset (RFC 3339)")
    wanted: dict[str, object] = {k: v for k, v in dict(tenant_id=tenant_id, subject=subject, action=action, actor=actor,
                                      since=since).items() if v is not None}
    before = decode_cursor(page.cursor, wanted)[1] if page.cursor else None
    if before is not None and not _STREAM_ID.match(before):
        raise ApiError(400, "cursor_invalid", "The cursor is malformed")

    def keep(e: AuditEntry) -> bool:
        return all(want is None or got == want for got, want in
                   ((e.tenant_id, tenant_id), (e.subject, subject), (e.action, action), (e.actor, actor)))

    entries, envelope = await paginate(gov.audit_log(before=before, since=since), page, keep=keep, filters=wanted,
                                       position=lambda e: (e.at.timestamp(), e.id))
    return Page[AuditEntry](data=entries, **envelope.model_dump(exclude={"data"}))


@router.post("/rollout-governance/sweep", summary="Evaluate every active rollout: promote, hold or roll back",
             response_model=SweepResult, operation_id="admin_rollout_sweep", responses=PROBLEMS)
async def sweep(body: SweepRequest | None = None, _: AdminPrincipal = Depends(WRITE),
                gov: GovernanceClient = Depends(governance)) -> SweepResult:
    body = body or SweepRequest()
    now = utcnow()
    reports = await gov.sweep(dry_run=body.dry_run, now=now, tenant_id=body.tenant_id)
    return SweepResult(dry_run=body.dry_run, at=now, reports=reports)
