"""Admin: admin and operator keys (a key space apart from tenant keys)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import EmailStr, Field

from gateway.auth import AdminPrincipal, require_admin
from gateway.errors import ApiError
from gateway.routes.admin_tenants import PROBLEMS, KeyOut, NewKey, key_out
from gateway.runtime import Runtime, runtime
from gateway.schemas import Strict
from voxray.keys import KeyKind

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class AdminKeyCreate(Strict):
    name: str = Field(default="", max_length=100)
    role: Literal["admin", "operator"] = "operator"
    owner: EmailStr = Field(description="The person the key belongs to; approvals are counted per person")


@router.post("/admin-keys", status_code=201, summary="Issue an admin or operator key (shown once)",
             operation_id="admin_create_admin_key", response_model=NewKey, responses=PROBLEMS)
async def create_admin_key(body: AdminKeyCreate, who: AdminPrincipal = Depends(require_admin()),
                           rt: Runtime = Depends(runtime)) -> NewKey:
    """Who may vouch for whom (F4): a vouched admin vouches for the owner of every key it issues;
    the bootstrap key issues admin keys only for the first admin (the first owner it names)."""
    owner = str(body.owner).lower()
    if who.is_bootstrap:
        vouched = body.role == "admin" and await rt.keys.claim_first_admin(owner)
        if body.role == "admin" and not vouched:
            raise ApiError(403, "bootstrap_first_admin_only",
                           "The bootstrap key issues admin keys only for the first admin",
                           "Ask an admin to issue this key: the issuer vouches for its owner")
        chain: list[str] = []
    else:
        vouched = who.vouched
        chain = sorted(who.issuer_chain | {who.actor})
    record, secret = await rt.keys.create(KeyKind.ADMIN, name=body.name, role=body.role, owner=owner,
                                          created_by=who.actor, vouched=vouched, issued_by_key=who.key_id,
                                          issuer_chain=chain)
    return NewKey(**key_out(record).model_dump(), key=secret)


@router.get("/admin-keys", summary="List admin and operator keys", operation_id="admin_list_admin_keys",
            response_model=list[KeyOut], responses=PROBLEMS)
async def list_admin_keys(_: AdminPrincipal = Depends(require_admin()), rt: Runtime = Depends(runtime)) -> list[KeyOut]:
    return [key_out(k) for k in await rt.keys.list(KeyKind.ADMIN)]


@router.delete("/admin-keys/{key_id}", summary="Revoke an admin or operator key (ends its sessions)",
               operation_id="admin_revoke_admin_key", response_model=KeyOut, responses=PROBLEMS)
async def revoke_admin_key(key_id: str, _: AdminPrincipal = Depends(require_admin()),
                           rt: Runtime = Depends(runtime)) -> KeyOut:
    record = await rt.keys.get(key_id) if len(key_id) <= 64 else None
    if record is None or record.kind is not KeyKind.ADMIN:
        raise ApiError(404, "key_not_found", "No such admin key")
    return key_out(await rt.keys.revoke(key_id) or record)
