"""The tutorial's commands, in order, in one shell, against the running stack, as a reader runs
them: what they print, and what they changed in the records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import Live
from tests.integration.api import ADMIN, root_admin
from tests.integrators.runner import ROOT, example_env, free_port, ok

pytestmark = pytest.mark.asyncio(loop_scope="session")

TUTORIAL = ROOT / "docs" / "TUTORIAL.md"


def tutorial_script() -> str:
    blocks = re.findall(r"```bash tutorial\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 10, "the tutorial's runnable blocks are fenced as ```bash tutorial"
    return "\n".join(blocks)


async def test_the_tutorial_runs_from_nothing_to_a_governed_launch(live: Live, api: httpx.AsyncClient,
                                                                   tmp_path: Path) -> None:
    assert live.stack.carrier is not None
    sid, token = "AC" + "7" * 32, "7" * 32  # what ./run up writes for its demo tenant
    live.stack.carrier.add_account(sid, token)
    runtime = tmp_path / "runtime.json"
    runtime.write_text(json.dumps({"gateway_url": live.gateway_url, "account_sid": sid, "twilio_auth_token": token}))
    first_admin = (await root_admin(api))["Authorization"].removeprefix("Bearer ")
    env = example_env(VOXRAY_URL=live.gateway_url, VOXRAY_ADMIN_KEY=first_admin, VOXRAY_RUNTIME=str(runtime),
                      TOOL_PORT=str(free_port()))
    ran = await ok(["bash", "-c", f"cd {ROOT} && {tutorial_script()}"], env, timeout_s=120)
    tenant = ran.line(r"tenant (acme-[0-9a-f]{6}) with \+1555\d{7}").group(1)
    number = ran.line(rf"tenant {tenant} with (\+1555\d{{7}})").group(1)
    for line in (r"author and approver keys issued", r"runtime config version 2", r"version 1 draft",
                 r"version 1 staged", r"author approving: self_approval_forbidden", r"version 1 approved",
                 rf"route \{number} -> v1", r"a call now goes to: stable v1", r"ready: true",
                 r"call CA[0-9a-f]{32} completed", r'  lookup_order \{"order_id":"A-42"\} -> completed .*shipped.*',
                 r"sweep \(dry run\): \d+ rollout\(s\) to decide", r"tool lookup_order order_id=A-42 for call CA\w+"):
        ran.line(line)
    # The records: the approved version went live as the number's stable version.
    versions = (await api.get(f"/api/v1/admin/tenants/{tenant}/agents/support/versions", headers=ADMIN)).json()
    assert [(v["number"], v["state"]) for v in versions] == [(1, "live")]
    route = (await api.get(f"/api/v1/admin/phone-routes/{number}", headers=ADMIN)).json()
    assert route["tenant_id"] == tenant and route["stable_version"] == 1
