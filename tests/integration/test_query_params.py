"""Unknown query parameters are refused by name, as unknown body fields are; Twilio's are not judged."""

from __future__ import annotations

import httpx

from tests.integration.api import ADMIN


async def test_an_unknown_or_empty_query_parameter_is_422_naming_it(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/v1/admin/phone-routes", params={"tenant": "x", "": "y"}, headers=ADMIN)
    assert r.status_code == 422 and r.json()["code"] == "unknown_query_parameter"
    assert "'tenant'" in r.json()["detail"] and "''" in r.json()["detail"]
    ok = await api.get("/api/v1/admin/phone-routes", params={"tenant_id": "acme"}, headers=ADMIN)
    assert ok.status_code == 200
    bad = await api.get("/api/v1/admin/phone-routes", params={"tenant_id": "Not A Tenant!"}, headers=ADMIN)
    assert bad.status_code == 422
