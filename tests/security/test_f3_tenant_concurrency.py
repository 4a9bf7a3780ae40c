"""F3: tenant writes are compare-and-set on a revision (ETag/If-Match); numbers move only by claim/release."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.integration.api import ADMIN, create_tenant, new_number
from tests.integration.governance_helpers import problem
from voxray.store import NumberTaken, Store

A = "/api/v1/admin/tenants"


async def test_stale_if_match_is_412_and_current_etag_writes(api: httpx.AsyncClient) -> None:
    t = await create_tenant(api)
    r = await api.get(f"{A}/{t.id}", headers=ADMIN)
    etag = r.headers["etag"]
    r = await api.patch(f"{A}/{t.id}", json={"name": "First"}, headers=ADMIN | {"If-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    body = await problem(await api.patch(f"{A}/{t.id}", json={"name": "Lost"}, headers=ADMIN | {"If-Match": etag}),
                         412, "precondition_failed")
    assert r.headers["etag"] in body["detail"]
    await problem(await api.put(f"{A}/{t.id}/runtime-config", json={}, headers=ADMIN | {"If-Match": etag}),
                  412, "precondition_failed")
    await problem(await api.patch(f"{A}/{t.id}", json={"name": "X"}, headers=ADMIN | {"If-Match": "garbage"}),
                  412, "precondition_failed")
    assert (await api.get(f"{A}/{t.id}", headers=ADMIN)).json()["name"] == "First"


async def test_a_stale_save_never_takes_back_a_number(api: httpx.AsyncClient, store: Store) -> None:
    """A saves with an old copy that still lists N after N moved to B: N stays B's."""
    a, b = await create_tenant(api), await create_tenant(api)
    stale_a = await store.get_tenant(a.id)
    assert stale_a is not None
    assert (await api.patch(f"{A}/{a.id}", json={"phone_numbers": []}, headers=ADMIN)).status_code == 200
    assert (await api.patch(f"{A}/{b.id}", json={"phone_numbers": [b.number, a.number]},
                            headers=ADMIN)).status_code == 200
    with pytest.raises(NumberTaken):
        await store.put_tenant(stale_a)
    owner = await store.tenant_for_number(a.number)
    assert owner is not None and owner.id == b.id


async def test_concurrent_edits_lose_nothing_and_deleted_tenants_stay_deleted(api: httpx.AsyncClient,
                                                                             store: Store) -> None:
    t = await create_tenant(api)
    numbers = [new_number() for _ in range(4)]
    rotate = api.post(f"{A}/{t.id}/tool-signing-secret/rotate", headers=ADMIN)
    renames = [api.patch(f"{A}/{t.id}", json={"name": f"Name {i}"}, headers=ADMIN) for i in range(6)]
    renumber = api.patch(f"{A}/{t.id}", json={"phone_numbers": numbers}, headers=ADMIN)
    results = await asyncio.gather(rotate, renumber, *renames)
    assert all(r.status_code == 200 for r in results), [r.text for r in results]
    saved = await store.get_tenant(t.id)
    assert saved is not None
    assert saved.tool_signing_secret.get_secret_value() == results[0].json()["tool_signing_secret"]
    assert saved.phone_numbers == numbers
    etag = (await api.get(f"{A}/{t.id}", headers=ADMIN)).headers["etag"]
    assert (await api.delete(f"{A}/{t.id}", headers=ADMIN)).status_code == 204
    await problem(await api.patch(f"{A}/{t.id}", json={"name": "Back"}, headers=ADMIN | {"If-Match": etag}),
                  404, "tenant_not_found")
    await problem(await api.get(f"{A}/{t.id}", headers=ADMIN), 404, "tenant_not_found")
    for n in numbers:
        assert await store.tenant_for_number(n) is None
