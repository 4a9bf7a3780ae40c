"""Admin: tenants, their versioned runtime config, and their API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Callable, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field, SecretStr, StringConstraints

from gateway.auth import AdminPrincipal, require_admin
from gateway.errors import ApiError
from gateway.etags import RETRIES, if_match, precondition, set_etag
from gateway.runtime import Runtime, runtime
from gateway.schemas import Strict
from voxray.keys import ApiKey, KeyKind, Scope
from actors.tools.catalog import check_agent_tools
from actors.tools.errors import ToolConfigError
from voxray.endpoint_urls import UrlRejected, check_endpoint_url
from voxray.store import RecordGone, StaleRecord
from voxray.records import (DEFAULT_BUILTINS, E164, AgentConfig, BuiltinTool, HandoffRules, RateLimits,
                            TelephonyConfig, Tenant, ToolSpec, VadConfig, new_signing_secret, utcnow)

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid credential"}, 403: {"description": "Not an admin"},
    404: {"description": "No such tenant"}, 409: {"description": "Conflict"},
    412: {"description": "If-Match names a revision the record is no longer at"}, 422: {"description": "Invalid"},
    429: {"description": "Rate limited"},
}
Number = Annotated[str, StringConstraints(pattern=E164)]
TenantId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")]


class RuntimeConfig(Strict):
    """What new calls of a tenant run with. Changes apply to calls set up after them."""

    model: str = Field(default="gpt-realtime", min_length=1, max_length=100)
    voice: str = Field(default="marin", min_length=1, max_length=50)
    prompt_key: str | None = Field(default=None, max_length=100)
    instructions: str = Field(default=AgentConfig().instructions, max_length=20_000)
    audio_mode: Literal["pcmu", "pcm16"] = "pcmu"
    vad: VadConfig = Field(default_factory=VadConfig)
    transcription_model: str | None = Field(default="gpt-transcribe", max_length=100)
    local_model_script: str | None = Field(default=None, pattern=r"^[a-z0-9_-]{1,64}$",
                                           description="Local realtime server only: the scripted conversation")
    telephony: TelephonyConfig = Field(default_factory=TelephonyConfig)
    tools: list[ToolSpec] = Field(default_factory=list, max_length=64,
                                  description="Workflow tools: JSON-schema parameters, an endpoint, timeouts")
    builtin_tools: list[BuiltinTool] = Field(default_factory=lambda: list(DEFAULT_BUILTINS))
    handoff: HandoffRules = Field(default_factory=HandoffRules)


class TenantCreate(Strict):
    id: TenantId
    name: str = Field(min_length=1, max_length=200)
    twilio_account_sid: str = Field(pattern=r"^AC[0-9a-f]{32}$")
    twilio_auth_token: SecretStr = Field(min_length=16, max_length=128)
    phone_numbers: list[Number] = Field(default_factory=list, max_length=100)
    max_concurrent_calls: int = Field(default=50, ge=1, le=10_000)
    isolation: Literal["shared", "dedicated"] = Field(
        default="shared", description="shared: calls share session-actor processes; dedicated: a process of its "
                                      "own per live call, reused for this tenant's next call")
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    runtime_config: RuntimeConfig = Field(default_factory=RuntimeConfig)


class TenantPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    twilio_auth_token: SecretStr | None = Field(default=None, min_length=16, max_length=128)
    phone_numbers: list[Number] | None = Field(default=None, max_length=100)
    max_concurrent_calls: int | None = Field(default=None, ge=1, le=10_000)
    isolation: Literal["shared", "dedicated"] | None = None
    rate_limits: RateLimits | None = None


class TenantOut(BaseModel):
    id: str
    name: str
    twilio_account_sid: str
    phone_numbers: list[str]
    max_concurrent_calls: int
    isolation: str
    rate_limits: RateLimits
    runtime_config: RuntimeConfig
    config_version: int
    created_at: datetime


class ConfigVersion(BaseModel):
    version: int
    config: RuntimeConfig
    changed_by: str
    changed_at: datetime


class ConfigHistory(BaseModel):
    data: list[ConfigVersion]
    total: int


class KeyCreate(Strict):
    name: str = Field(default="", max_length=100)
    scopes: list[Scope] | None = Field(default=None, description="Default: every scope")


class KeyOut(BaseModel):
    id: str
    kind: KeyKind
    name: str
    tenant_id: str | None
    scopes: list[Scope]
    role: Literal["admin", "operator"] | None
    owner: str | None = None
    vouched: bool = Field(default=False, description="Admin keys: whether an admin other than the key's "
                                                     "owner vouched for its person (needed to approve versions)")
    prefix: str = Field(description="The key's first characters, to recognise it without its secret")
    created_at: datetime
    created_by: str | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class NewKey(KeyOut):
    key: str = Field(description="The secret key. Shown once; only its hash is stored")


def key_out(record: ApiKey) -> KeyOut:
    return KeyOut(**record.model_dump(exclude={"hash"}))


def runtime_config_of(tenant: Tenant) -> RuntimeConfig:
    a = tenant.agent
    return RuntimeConfig(model=a.model, voice=a.voice, prompt_key=a.prompt_key, instructions=a.instructions,
                         audio_mode=a.audio_mode, vad=a.vad, transcription_model=a.transcription_model,
                         local_model_script=a.local_script, telephony=tenant.telephony, tools=a.tools,
                         builtin_tools=a.builtin_tools, handoff=a.handoff)


def check_tools(rt: Runtime, config: RuntimeConfig) -> None:
    """Tool schemas must be valid JSON Schema and endpoints allowed, before any call uses them."""
    try:
        check_agent_tools(config.tools, config.builtin_tools)
        for tool in config.tools:
            check_endpoint_url(tool.endpoint, allow_http=rt.settings.webhook_allow_http,
                               allow_private=rt.settings.webhook_allow_private_hosts)
    except ToolConfigError as exc:
        raise ApiError(422, "invalid_tool", "A tool definition is not valid", str(exc)) from None
    except UrlRejected as exc:
        raise ApiError(422, "tool_endpoint_rejected", "A tool endpoint may not be used", str(exc)) from None


def _apply_config(tenant: Tenant, config: RuntimeConfig) -> Tenant:
    agent = tenant.agent.model_copy(update={
        "model": config.model, "voice": config.voice, "prompt_key": config.prompt_key,
        "instructions": config.instructions, "audio_mode": config.audio_mode, "vad": config.vad,
        "transcription_model": config.transcription_model, "local_script": config.local_model_script,
        "tools": config.tools, "builtin_tools": config.builtin_tools, "handoff": config.handoff})
    return tenant.model_copy(update={"agent": agent, "telephony": config.telephony})


def tenant_out(tenant: Tenant) -> TenantOut:
    return TenantOut(id=tenant.id, name=tenant.name, twilio_account_sid=tenant.twilio_account_sid,
                     phone_numbers=tenant.phone_numbers, max_concurrent_calls=tenant.max_concurrent_calls,
                     isolation=tenant.isolation, rate_limits=tenant.rate_limits, runtime_config=runtime_config_of(tenant),
                     config_version=tenant.config_version, created_at=tenant.created_at)


def _check_caller_id(config: RuntimeConfig, numbers: list[str]) -> None:
    caller_id = config.telephony.caller_id
    if caller_id is not None and caller_id not in numbers:
        raise ApiError(422, "caller_id_not_owned", "telephony.caller_id must be one of the tenant's phone numbers")


async def _tenant(rt: Runtime, tenant_id: str) -> Tenant:
    tenant = await rt.store.get_tenant(tenant_id) if len(tenant_id) <= 64 else None
    if tenant is None:
        raise ApiError(404, "tenant_not_found", "No such tenant")
    return tenant


async def _record_config(rt: Runtime, tenant: Tenant, by: str) -> None:
    entry = ConfigVersion(version=tenant.config_version, config=runtime_config_of(tenant), changed_by=by,
                          changed_at=utcnow())
    await rt.store.append_config_history(tenant.id, entry.model_dump_json().encode())


async def _current_config(rt: Runtime, tenant: Tenant) -> ConfigVersion:
    history, _total = await rt.store.config_history(tenant.id, 0, 1)
    if history:
        return ConfigVersion.model_validate_json(history[0])
    # Tenants seeded outside the API (the demo tenant) have no history yet.
    return ConfigVersion(version=tenant.config_version, config=runtime_config_of(tenant), changed_by="seed",
                         changed_at=tenant.created_at)


async def provision_tenant(rt: Runtime, body: TenantCreate, by: str) -> Tenant:
    """Create a tenant (also used when an access request is approved)."""
    _check_caller_id(body.runtime_config, body.phone_numbers)
    check_tools(rt, body.runtime_config)
    if await rt.store.tenant_id_taken(body.id):
        raise ApiError(409, "tenant_exists", "A tenant with that id exists or existed")
    numbers = list(dict.fromkeys(body.phone_numbers))
    claimed, taken = await rt.store.newly_claim_numbers(body.id, numbers)
    if taken is not None:
        raise ApiError(409, "number_taken", f"{taken} belongs to another tenant")
    tenant = _apply_config(Tenant(id=body.id, name=body.name, twilio_account_sid=body.twilio_account_sid,
                                  twilio_auth_token=body.twilio_auth_token, phone_numbers=numbers,
                                  max_concurrent_calls=body.max_concurrent_calls, isolation=body.isolation,
                                  rate_limits=body.rate_limits),
                           body.runtime_config)
    try:
        await rt.store.create_tenant(tenant)
    except StaleRecord:  # created (or retired) concurrently under the same id
        await rt.store.release_numbers(body.id, claimed)
        raise ApiError(409, "tenant_exists", "A tenant with that id exists or existed") from None
    await _record_config(rt, tenant, by)
    return tenant


async def modify_tenant(rt: Runtime, request: Request, tenant_id: str,
                        change: Callable[[Tenant], Tenant]) -> tuple[Tenant, Tenant, int]:
    """Apply ``change`` to the tenant under optimistic concurrency: (before, after, new revision).

    With If-Match, the tenant must still be at that revision (412). Without it, a lost race
    re-reads and re-applies the change, so no write ever undoes another (F3).
    """
    wanted = if_match(request)
    for _ in range(RETRIES):
        found = await rt.store.get_tenant_rev(tenant_id) if len(tenant_id) <= 64 else None
        if found is None:
            raise ApiError(404, "tenant_not_found", "No such tenant")
        before, rev = found
        precondition(wanted, rev)
        after = change(before)
        try:
            return before, after, await rt.store.update_tenant(after, rev)
        except RecordGone:
            raise ApiError(404, "tenant_not_found", "No such tenant") from None
        except StaleRecord as stale:
            if wanted is not None:
                precondition(wanted, stale.current)
    raise ApiError(409, "write_contention", "The tenant is being changed by others; try again", retryable=True)


@router.post("/tenants", status_code=201, summary="Create a tenant", operation_id="admin_create_tenant",
             response_model=TenantOut, responses=PROBLEMS)
async def create_tenant(body: TenantCreate, who: AdminPrincipal = Depends(require_admin()),
                        rt: Runtime = Depends(runtime)) -> TenantOut:
    return tenant_out(await provision_tenant(rt, body, who.actor))


@router.get("/tenants", summary="List tenants", operation_id="admin_list_tenants", response_model=list[TenantOut],
            responses=PROBLEMS)
async def list_tenants(_: AdminPrincipal = Depends(require_admin("operator")),
                       rt: Runtime = Depends(runtime)) -> list[TenantOut]:
    return [tenant_out(t) for t in await rt.store.list_tenants()]


@router.get("/tenants/{tenant_id}", summary="Get a tenant", operation_id="admin_get_tenant", response_model=TenantOut,
            responses=PROBLEMS)
async def get_tenant(tenant_id: str, request: Request, response: Response,
                     _: AdminPrincipal = Depends(require_admin("operator")),
                     rt: Runtime = Depends(runtime)) -> TenantOut:
    found = await rt.store.get_tenant_rev(tenant_id) if len(tenant_id) <= 64 else None
    if found is None:
        raise ApiError(404, "tenant_not_found", "No such tenant")
    set_etag(request, response, found[1])
    return tenant_out(found[0])


@router.patch("/tenants/{tenant_id}", summary="Change a tenant's account settings", operation_id="admin_update_tenant",
              response_model=TenantOut, responses=PROBLEMS)
async def update_tenant(tenant_id: str, patch: TenantPatch, request: Request, response: Response,
                        _: AdminPrincipal = Depends(require_admin()), rt: Runtime = Depends(runtime)) -> TenantOut:
    changes = patch.model_dump(exclude_unset=True, exclude={"twilio_auth_token", "phone_numbers"})
    if patch.twilio_auth_token is not None:
        changes["twilio_auth_token"] = patch.twilio_auth_token
    numbers = list(dict.fromkeys(patch.phone_numbers)) if patch.phone_numbers is not None else None
    claimed: list[str] = []
    if numbers is not None:
        _check_caller_id(runtime_config_of(await _tenant(rt, tenant_id)), numbers)
        claimed, taken = await rt.store.newly_claim_numbers(tenant_id, numbers)
        if taken is not None:
            raise ApiError(409, "number_taken", f"{taken} belongs to another tenant")
        changes["phone_numbers"] = numbers

    def change(tenant: Tenant) -> Tenant:
        if numbers is not None:
            _check_caller_id(runtime_config_of(tenant), numbers)
        return tenant.model_copy(update=changes)

    try:
        before, tenant, rev = await modify_tenant(rt, request, tenant_id, change)
    except ApiError:
        await rt.store.release_numbers(tenant_id, claimed)  # only what this edit newly claimed
        raise
    if numbers is not None:
        await rt.store.release_numbers(tenant.id, [n for n in before.phone_numbers if n not in numbers])
    set_etag(request, response, rev)
    return tenant_out(tenant)


@router.delete("/tenants/{tenant_id}", status_code=204, summary="Delete a tenant (revokes its keys)",
               operation_id="admin_delete_tenant", response_class=Response, responses=PROBLEMS)
async def delete_tenant(tenant_id: str, request: Request, _: AdminPrincipal = Depends(require_admin()),
                        rt: Runtime = Depends(runtime)) -> Response:
    found = await rt.store.get_tenant_rev(tenant_id) if len(tenant_id) <= 64 else None
    if found is None:
        raise ApiError(404, "tenant_not_found", "No such tenant")
    wanted = if_match(request)
    precondition(wanted, found[1])
    try:
        deleted = await rt.store.delete_tenant(tenant_id, found[1] if wanted is not None else None)
    except StaleRecord as stale:
        precondition(wanted, stale.current)
        raise ApiError(409, "write_contention", "The tenant changed while being deleted; try again",
                       retryable=True) from None
    if not deleted:
        raise ApiError(404, "tenant_not_found", "No such tenant")
    for key in await rt.keys.list(KeyKind.TENANT, tenant_id):
        await rt.keys.revoke(key.id)
    return Response(status_code=204)


@router.get("/tenants/{tenant_id}/runtime-config", summary="Current runtime config",
            operation_id="admin_get_runtime_config", response_model=ConfigVersion, responses=PROBLEMS)
async def get_runtime_config(tenant_id: str, request: Request, response: Response,
                             _: AdminPrincipal = Depends(require_admin("operator")),
                             rt: Runtime = Depends(runtime)) -> ConfigVersion:
    found = await rt.store.get_tenant_rev(tenant_id) if len(tenant_id) <= 64 else None
    if found is None:
        raise ApiError(404, "tenant_not_found", "No such tenant")
    set_etag(request, response, found[1])
    return await _current_config(rt, found[0])


@router.put("/tenants/{tenant_id}/runtime-config", summary="Replace the runtime config (new calls only)",
            operation_id="admin_put_runtime_config", response_model=ConfigVersion, responses=PROBLEMS)
async def put_runtime_config(tenant_id: str, config: RuntimeConfig, request: Request, response: Response,
                             who: AdminPrincipal = Depends(require_admin()),
                             rt: Runtime = Depends(runtime)) -> ConfigVersion:
    _check_caller_id(config, (await _tenant(rt, tenant_id)).phone_numbers)
    check_tools(rt, config)

    def change(tenant: Tenant) -> Tenant:
        _check_caller_id(config, tenant.phone_numbers)
        return _apply_config(tenant, config).model_copy(update={"config_version": tenant.config_version + 1})

    _before, tenant, rev = await modify_tenant(rt, request, tenant_id, change)
    await _record_config(rt, tenant, who.actor)
    set_etag(request, response, rev)
    return await _current_config(rt, tenant)


@router.get("/tenants/{tenant_id}/runtime-config/history", summary="Every runtime config version, newest first",
            operation_id="admin_runtime_config_history", response_model=ConfigHistory, responses=PROBLEMS)
async def runtime_config_history(tenant_id: str, offset: int = Query(0, ge=0, le=100_000),
                                 limit: int = Query(20, ge=1, le=200),
                                 _: AdminPrincipal = Depends(require_admin("operator")),
                                 rt: Runtime = Depends(runtime)) -> ConfigHistory:
    rows, total = await rt.store.config_history((await _tenant(rt, tenant_id)).id, offset, limit)
    return ConfigHistory(data=[ConfigVersion.model_validate(orjson.loads(r)) for r in rows], total=total)


@router.post("/tenants/{tenant_id}/api-keys", status_code=201, summary="Issue a tenant API key (shown once)",
             operation_id="admin_create_api_key", response_model=NewKey, responses=PROBLEMS)
async def create_api_key(tenant_id: str, body: KeyCreate, who: AdminPrincipal = Depends(require_admin()),
                         rt: Runtime = Depends(runtime)) -> NewKey:
    tenant = await _tenant(rt, tenant_id)
    record, secret = await rt.keys.create(KeyKind.TENANT, name=body.name, tenant_id=tenant.id, scopes=body.scopes,
                                          created_by=who.actor)
    return NewKey(**key_out(record).model_dump(), key=secret)


@router.get("/tenants/{tenant_id}/api-keys", summary="List a tenant's API keys", operation_id="admin_list_api_keys",
            response_model=list[KeyOut], responses=PROBLEMS)
async def list_api_keys(tenant_id: str, _: AdminPrincipal = Depends(require_admin("operator")),
                        rt: Runtime = Depends(runtime)) -> list[KeyOut]:
    return [key_out(k) for k in await rt.keys.list(KeyKind.TENANT, (await _tenant(rt, tenant_id)).id)]


@router.delete("/tenants/{tenant_id}/api-keys/{key_id}", summary="Revoke a tenant API key",
               operation_id="admin_revoke_api_key", response_model=KeyOut, responses=PROBLEMS)
async def revoke_api_key(tenant_id: str, key_id: str, _: AdminPrincipal = Depends(require_admin()),
                         rt: Runtime = Depends(runtime)) -> KeyOut:
    record = await rt.keys.get(key_id) if len(key_id) <= 64 else None
    if record is None or record.tenant_id != tenant_id:
        raise ApiError(404, "key_not_found", "No such key for this tenant")
    return key_out(await rt.keys.revoke(key_id) or record)


class SigningSecret(BaseModel):
    tool_signing_secret: str = Field(description="Verify tool requests with it (Standard Webhooks). Shown once")


@router.post("/tenants/{tenant_id}/tool-signing-secret/rotate", summary="Issue a new tool signing secret (shown once)",
             operation_id="admin_rotate_tool_signing_secret", response_model=SigningSecret, responses=PROBLEMS)
async def rotate_tool_signing_secret(tenant_id: str, request: Request, response: Response,
                                     _: AdminPrincipal = Depends(require_admin()),
                                     rt: Runtime = Depends(runtime)) -> SigningSecret:
    secret = new_signing_secret()
    _before, _after, rev = await modify_tenant(
        rt, request, tenant_id, lambda t: t.model_copy(update={"tool_signing_secret": SecretStr(secret)}))
    set_etag(request, response, rev)
    return SigningSecret(tool_signing_secret=secret)
