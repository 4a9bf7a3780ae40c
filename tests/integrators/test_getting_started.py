"""Getting started, as a newcomer follows it: a fresh `voxray up` (what `./run up` starts), then
the guide's commands in order: keys, readiness, a first call and its records, a verified webhook
event."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.integrators.runner import ROOT, example_env, free_port, ok

pytestmark = pytest.mark.asyncio(loop_scope="session")

GUIDE = ROOT / "docs" / "GETTING_STARTED.md"


def guide_script() -> str:
    blocks = re.findall(r"```bash getting-started\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 5, "the guide's runnable blocks are fenced as ```bash getting-started"
    return "set -euo pipefail\n" + "\n".join(blocks)


@pytest.fixture(scope="module")
def voxray_up() -> Iterator[Path]:
    """`voxray up` in its own process group, as in Getting started step 1; yields its runtime.json."""
    data = Path(tempfile.mkdtemp(prefix="voxray-up-"))
    env = os.environ | {"VOXRAY_DATA_DIR": str(data), "VOXRAY_PORT": str(free_port()), "VOXRAY_LOCAL_MODEL_PORT": "0",
                        "VOXRAY_WARM_POOL_SIZE": "1", "VOXRAY_WEBHOOK_ALLOW_HTTP": "true",
                        "VOXRAY_WEBHOOK_ALLOW_PRIVATE_HOSTS": "true", "RAY_ADDRESS": "local"}
    env = {k: v for k, v in env.items() if k not in ("VOXRAY_ADMIN_KEY", "VOXRAY_REDIS_URL", "VOXRAY_RAY_ADDRESS")}
    log = (data / "up.log").open("wb")
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "voxray"), "up"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while b"serving; Ctrl-C to stop" not in (data / "up.log").read_bytes():
            assert proc.poll() is None and time.monotonic() < deadline, (data / "up.log").read_text()[-3000:]
            time.sleep(0.2)
        yield data / "runtime.json"
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C, as a person stops it
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


async def test_getting_started_from_voxray_up_to_a_completed_call_and_a_verified_event(voxray_up: Path) -> None:
    env = example_env(VOXRAY_RUNTIME=str(voxray_up), RECEIVER_PORT=str(free_port()))
    # The guide's commands, then (for this test's own checks) the tenant key they exported.
    script = f"cd {ROOT} && {guide_script()}\necho TEST_KEY=$VOXRAY_API_KEY"
    ran = await ok(["bash", "-c", script], env, timeout_s=150)
    ran.line(r"ready: true")
    ran.line(r"  phone_numbers: ok: .*\+15550100000.*")
    sid = ran.line(r"placed call (CA[0-9a-f]{32}) status=queued from=\+15550100000 to=\+15557654321 .*").group(1)
    ran.line(rf"retried with the same key: call {sid} Idempotent-Replayed=true")
    ran.line(rf"  {sid} completed outbound \+15550100000 -> \+15557654321")
    ran.line(rf"session {sid} status=completed")
    ran.line(r"  \[agent\] \S.*")
    event = ran.line(r"sent webhook\.test event (evt_\w+)").group(1)
    ran.line(rf"verified webhook\.test {event}")
    ran.line(rf"delivery {event} webhook\.test delivered attempts=1")
    # The records, read with the demo tenant's key the guide issued.
    key = ran.line(r"TEST_KEY=(vxk_\S+)").group(1)
    gateway = json.loads(voxray_up.read_text())["gateway_url"]
    async with httpx.AsyncClient(base_url=gateway, headers={"Authorization": f"Bearer {key}"}) as http:
        assert (await http.get(f"/api/v1/call-logs/{sid}")).json()["status"] == "completed"
        logs = (await http.get("/api/v1/call-logs")).json()["data"]
        assert [c["id"] for c in logs] == [sid]  # the replayed request placed no second call
        delivery = (await http.get(f"/api/v1/webhook-deliveries/{event}")).json()
        assert [d["state"] for d in delivery["deliveries"]] == ["delivered"]
