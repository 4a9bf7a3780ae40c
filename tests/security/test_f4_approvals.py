"""F4: approvals count authenticated people. Each way around the two-person rule is closed."""

from __future__ import annotations

import secrets

import httpx

from tests.conftest import Live
from tests.integration.api import ADMIN, bearer, create_admin_key, create_tenant
from tests.integration.governance_helpers import SPEC, complete_checklist, ok, problem, versions_url
from voxray.keys import KeyKind, KeyStore
from voxray.store import Store

KEYS = "/api/v1/admin/admin-keys"


def _person() -> str:
    return f"p-{secrets.token_hex(4)}@example.com"


async def _staged_by(api: httpx.AsyncClient, author: dict[str, str]) -> str:
    t = await create_tenant(api)
    v = await ok(await api.post(versions_url(t), json=SPEC, headers=author), 201)
    url = f"{versions_url(t)}/{v['number']}"
    await complete_checklist(api, url)
    await ok(await api.post(f"{url}/stage", headers=author))
    return url


async def test_bootstrap_key_vouches_only_for_the_first_admin(api: httpx.AsyncClient) -> None:
    await create_admin_key(api, "admin")  # the first admin exists
    await problem(await api.post(KEYS, json={"role": "admin", "owner": _person()}, headers=ADMIN),
                  403, "bootstrap_first_admin_only")


async def test_bootstrap_key_authors_but_never_approves(api: httpx.AsyncClient) -> None:
    url = await _staged_by(api, ADMIN)
    await problem(await api.post(f"{url}/approve", headers=ADMIN), 403, "self_approval_forbidden")
    _, other = await create_admin_key(api, "admin")
    assert (await ok(await api.post(f"{url}/approve", headers=bearer(other))))["state"] == "approved"


async def test_a_key_minted_by_the_author_for_a_colleague_cannot_approve(api: httpx.AsyncClient) -> None:
    _, author = await create_admin_key(api, "admin")
    _, colleague = await create_admin_key(api, "admin", owner=_person(), issuer=bearer(author))
    url = await _staged_by(api, bearer(author))
    await problem(await api.post(f"{url}/approve", headers=bearer(colleague)), 403, "self_approval_forbidden")
    # ... nor one minted with that key (the author saw both secrets).
    _, laundered = await create_admin_key(api, "admin", owner=_person(), issuer=bearer(colleague))
    await problem(await api.post(f"{url}/approve", headers=bearer(laundered)), 403, "self_approval_forbidden")
    _, independent = await create_admin_key(api, "admin")
    assert (await ok(await api.post(f"{url}/approve", headers=bearer(independent))))["state"] == "approved"


async def test_a_key_nobody_vouched_for_cannot_approve(api: httpx.AsyncClient, live: Live, store: Store) -> None:
    keys = KeyStore(store.redis, live.key_prefix)
    _, unvouched = await keys.create(KeyKind.ADMIN, role="admin", owner=_person(), created_by="admin-key:bootstrap")
    url = await _staged_by(api, ADMIN)
    await problem(await api.post(f"{url}/approve", headers=bearer(unvouched)), 403, "approver_not_vouched")
    listed = {k["id"]: k for k in (await ok(await api.get(KEYS, headers=ADMIN)))}
    assert not any(k["vouched"] for k in listed.values() if k["created_by"] == "admin-key:bootstrap"
                   and k["owner"] != "root@example.com")
