"""F13: a cursor whose position is not a finite number is a 400 problem, never a 500."""

from __future__ import annotations

import base64

import httpx
import orjson
import pytest

from tests.integration.api import create_tenant
from voxray.records import CallRecord
from voxray.store import Store


def _with_score(cursor: str, score: object) -> str:
    data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    data["s"] = score
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


@pytest.mark.parametrize("score", ["nan", "inf", "-inf", "1e999", True, None, [1]])
async def test_cursor_with_a_non_finite_score_is_400(api: httpx.AsyncClient, store: Store, score: object) -> None:
    t = await create_tenant(api)
    for sid in ("CA" + "1" * 32, "CA" + "2" * 32):
        await store.create_call(CallRecord(call_sid=sid + t.id, tenant_id=t.id, from_number="+15550001111",
                                           to_number=t.number))
    first = (await api.get("/api/v1/call-logs", params={"limit": 1}, headers=t.auth)).json()
    assert first["next_cursor"]
    r = await api.get("/api/v1/call-logs", params={"limit": 1, "cursor": _with_score(first["next_cursor"], score)},
                      headers=t.auth)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "cursor_invalid"
