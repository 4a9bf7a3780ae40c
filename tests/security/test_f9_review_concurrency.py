"""F9: voice-session reviews are compare-and-set: concurrent reviewers never lose each other's edits."""

from __future__ import annotations

import asyncio
import secrets

import httpx

from tests.integration.api import create_tenant
from tests.integration.governance_helpers import problem
from voxray.records import CallRecord
from voxray.store import Store


async def test_review_patches_use_etags_and_never_lose_updates(api: httpx.AsyncClient, store: Store) -> None:
    t = await create_tenant(api, scopes=["sessions:read", "sessions:write"])
    sid = "CA" + secrets.token_hex(16)
    await store.create_call(CallRecord(call_sid=sid, tenant_id=t.id, from_number="+15550001111", to_number=t.number))
    url = f"/api/v1/voice-sessions/{sid}"
    etag = (await api.get(url, headers=t.auth)).headers["etag"]
    r = await api.patch(url, json={"tags": ["a"]}, headers=t.auth | {"If-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    await problem(await api.patch(url, json={"qa": {"state": "failed"}}, headers=t.auth | {"If-Match": etag}),
                  412, "precondition_failed")
    # Two reviewers at once, neither conditional: both edits land.
    tags, qa = await asyncio.gather(api.patch(url, json={"tags": ["a", "b"]}, headers=t.auth),
                                    api.patch(url, json={"qa": {"state": "passed", "notes": "fine"}}, headers=t.auth))
    assert tags.status_code == 200 and qa.status_code == 200
    final = (await api.get(url, headers=t.auth)).json()
    assert final["tags"] == ["a", "b"] and final["qa"]["state"] == "passed" and final["qa"]["notes"] == "fine"
    review, rev = await store.get_review_rev(t.id, sid)
    assert rev == 3 and review.tags == ["a", "b"]
