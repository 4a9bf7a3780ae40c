"""F12: tool endpoints in agent versions pass the endpoint policy when the version is saved."""

from __future__ import annotations

import httpx
import pytest

from governance.agent_config import check_spec_tools
from tests.integration.api import ADMIN, create_tenant
from tests.integration.governance_helpers import SPEC, problem, versions_url
from voxray.endpoint_urls import UrlRejected

TOOL = {"type": "function", "name": "lookup", "description": "Look up an order",
        "parameters": {"type": "object", "properties": {}}}


async def test_versions_with_forbidden_tool_endpoints_are_refused(api: httpx.AsyncClient) -> None:
    t = await create_tenant(api)
    bad = SPEC | {"tools": [TOOL | {"endpoint": "file:///etc/passwd"}]}
    await problem(await api.post(versions_url(t), json=bad, headers=ADMIN), 422, "tool_endpoint_rejected")
    good = await api.post(versions_url(t), json=SPEC | {"tools": [TOOL | {"endpoint": "https://tools.example.com/x"}]},
                          headers=ADMIN)
    assert good.status_code == 201, good.text
    url = f"{versions_url(t)}/{good.json()['number']}"
    await problem(await api.patch(url, json={"tools": [TOOL | {"endpoint": "gopher://x/"}]}, headers=ADMIN),
                  422, "tool_endpoint_rejected")


@pytest.mark.parametrize("endpoint", ["http://tools.example.com/x", "https://169.254.169.254/latest",
                                      "https://127.0.0.1:8265/api", "https://10.0.0.7/", 42])
def test_policy_refuses_plain_http_and_private_hosts_by_default(endpoint: object) -> None:
    with pytest.raises(UrlRejected):
        check_spec_tools([TOOL | {"endpoint": endpoint}], allow_http=False, allow_private=False)
    check_spec_tools([TOOL], allow_http=False, allow_private=False)  # no endpoint: the tenant's tool
