"""Logs of a full simulated call: every line carries its context and no secret is ever written.

The gateway's lines are read from the root handler (the test process is the gateway process);
the session actor's from its Ray worker's log files, exactly as an operator would find them.
"""

from __future__ import annotations

import io
import json
import logging
import time
from pathlib import Path

import httpx
import pytest
import ray

from tests.integration.api import ADMIN, ADMIN_KEY
from tests.integration.test_tools_and_handoff import agent_tenant, order_tool, place, tool_server  # noqa: F401
from tests.integration.webhook_receiver import Receiver, configure

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _worker_logs(since: float) -> str:
    session_dir = Path(ray._private.worker._global_node.get_session_dir_path())  # type: ignore[attr-defined]
    files = [f for f in (session_dir / "logs").glob("worker-*") if f.stat().st_mtime >= since]
    return "\n".join(f.read_text(errors="replace") for f in files)


def _json_lines(text: str) -> list[dict[str, object]]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


async def test_a_full_call_logs_its_ids_on_every_line_and_never_a_secret(
        api: httpx.AsyncClient, live, tool_server, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    root_handler = next(h for h in logging.getLogger().handlers if getattr(h, "_voxray_handler", False))
    buffer = io.StringIO()
    capture = logging.StreamHandler(buffer)
    capture.setFormatter(root_handler.formatter)  # the same JSON lines the gateway writes
    logging.getLogger().addHandler(capture)
    started = time.time()
    try:
        tenant = await agent_tenant(api, live, "order_lookup", tool_server, tools=[order_tool(tool_server)])
        endpoint = await configure(api, tenant, receiver.url)
        sid, _, session = await place(api, live, tenant)
        assert session["call"]["status"] == "completed", session
        # A refused login and a refused tenant key: credentials in requests that fail.
        await api.post("/api/v1/auth/login", json={"api_key": tenant.key})
        await api.get("/api/v1/call-logs", headers={"Authorization": f"Bearer {tenant.key}x"})
    finally:
        logging.getLogger().removeHandler(capture)
    gateway_text = buffer.getvalue()
    worker_text = _worker_logs(started)

    secrets = {"tenant key": tenant.key, "twilio auth token": tenant.auth_token, "admin key": ADMIN_KEY,
               "webhook secret": endpoint["secret"], "tool signing secret": tool_server.secret,
               "stream token secret": "test-stream-secret"}
    for name, value in secrets.items():
        assert value and value not in gateway_text, f"{name} in the gateway's log"
        assert value not in worker_text, f"{name} in a session actor's log"

    lines = _json_lines(gateway_text)
    requests = [line for line in lines if line.get("event") == "request"]
    assert requests and all(line.get("request_id") and line.get("status") for line in requests)
    assert any(line.get("route") == "/api/v1/make-call" and line.get("status") == 201 for line in requests)
    # Every line a request handler wrote carries that request's id (bound by the access log).
    handled = [line for line in lines if str(line.get("logger", "")).startswith("voxray.gateway")]
    assert all(line.get("request_id") for line in handled), handled

    # In the session actor, every line of the call carries its call id and tenant (contextvars),
    # including lines whose code never named the call.
    of_call = [line for line in _json_lines(worker_text) if line.get("call_sid") == sid]
    assert of_call, "the session actor logged nothing for the call"
    assert all(line.get("tenant_id") == tenant.id for line in of_call), of_call
    assert any(line.get("event") == "call_ended" for line in of_call)
