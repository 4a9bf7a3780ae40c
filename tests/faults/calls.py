"""Helpers for fault tests on real simulated calls: a tenant with its own model name (so the
local model server's fault knobs hit only its calls), a call placed through make-call and the
carrier simulator, the live state polled while it runs, and what the caller heard."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import httpx

from simulators.carrier import Callee, Say, Silence, WaitForAgent
from simulators.carrier.rest import CallTimeline
from tests.conftest import Live
from tests.integration.api import ADMIN, ApiTenant, create_tenant, new_number
from voxray.records import CallRecord
from voxray.store import Store

CALLER = (WaitForAgent(15), Say("I have a question about my order."), WaitForAgent(15), Silence(2500),
          Say("Are you still there?"), WaitForAgent(15), Silence(400))


@dataclass
class FaultTenant:
    tenant: ApiTenant
    model: str


async def fault_tenant(api: httpx.AsyncClient, live: Live, script: str = "recovery", **config: Any) -> FaultTenant:
    number = new_number()
    model = f"gpt-realtime-fault-{secrets.token_hex(4)}"
    runtime = {"local_model_script": script, "model": model, **config}
    runtime["telephony"] = {"caller_id": number, **runtime.get("telephony", {})}
    t = await create_tenant(api, phone_numbers=[number], runtime_config=runtime)
    assert live.stack.carrier is not None
    live.stack.carrier.add_account(t.account_sid, t.auth_token)
    return FaultTenant(t, model)


async def model_faults(live: Live, **knobs: object) -> dict[str, Any]:
    """Set fault knobs on the local model server (``model=`` scopes them to one tenant's calls)."""
    url = live.model_url.replace("ws://", "http://").removesuffix("/v1") + "/local/faults"
    async with httpx.AsyncClient() as http:
        r = await http.get(url, params={k: str(v) for k, v in knobs.items()})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def model_session_events(live: Live, session_id: str) -> list[dict[str, Any]]:
    base = live.model_url.replace("ws://", "http://").removesuffix("/v1")
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{base}/local/sessions/{session_id}/events")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def live_state(api: httpx.AsyncClient, sid: str) -> dict[str, Any]:
    r = await api.get(f"/api/v1/admin/live-sessions/{sid}", headers=ADMIN)
    return r.json() if r.status_code == 200 else {}  # type: ignore[no-any-return]


async def wait_state(api: httpx.AsyncClient, sid: str, check: Callable[[dict[str, Any]], bool],
                     timeout_s: float = 20.0) -> dict[str, Any]:
    end = time.monotonic() + timeout_s
    while True:
        state = await live_state(api, sid)
        if state and check(state):
            return state
        assert time.monotonic() < end, f"live state never matched: {state}"
        await asyncio.sleep(0.05)


@dataclass
class Placed:
    sid: str
    timeline: CallTimeline
    session: dict[str, Any]  # the voice session (API): call log, transcript, function calls
    record: CallRecord  # the stored call record (what the API does not show: reconnects, latency)


async def place(api: httpx.AsyncClient, live: Live, ft: FaultTenant, script: tuple[Any, ...] = CALLER,
                during: Callable[[str], Awaitable[None]] | None = None, timeout_s: float = 60) -> Placed:
    """Make the call; run ``during(sid)`` while it lasts; wait for it to end and its records.

    A call the platform refuses at admission (``rejected: overloaded`` on a busy test host) is
    not the fault under test: it is placed again, at most twice.
    """
    for attempt in range(3):
        placed = await _place_once(api, live, ft, script, during, timeout_s, last=attempt == 2)
        if placed is not None:
            return placed
        await asyncio.sleep(2.0)
    raise AssertionError("unreachable")


async def _place_once(api: httpx.AsyncClient, live: Live, ft: FaultTenant, script: tuple[Any, ...],
                      during: Callable[[str], Awaitable[None]] | None, timeout_s: float, last: bool) -> Placed | None:
    assert live.stack.carrier is not None
    callee = new_number()
    live.stack.carrier.set_callee(callee, Callee(script=script))
    r = await api.post("/api/v1/make-call", json={"to": callee},
                       headers={**ft.tenant.auth, "Idempotency-Key": secrets.token_hex(8)})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    ended = asyncio.create_task(live.stack.carrier.wait_for_call(sid, timeout_s=timeout_s))
    if during is not None:
        try:
            await during(sid)
        except AssertionError as exc:  # say how the call ended, if it did
            record = await stored_call(live, ft.tenant.id, sid)
            if not last and record is not None and (record.end_reason or "").startswith("rejected:"):
                await ended
                return None
            why = (record.status.value, record.end_reason) if record else None
            raise AssertionError(f"{exc} (call record: {why})") from exc
    timeline = await ended
    session: dict[str, Any] = {}
    for _ in range(200):  # the session writes its records as it ends
        r = await api.get(f"/api/v1/voice-sessions/{sid}", headers=ft.tenant.auth)
        session = r.json() if r.status_code == 200 else {}
        if session and session["call"]["status"] in ("completed", "failed"):
            break
        await asyncio.sleep(0.1)
    record = await stored_call(live, ft.tenant.id, sid)
    assert record is not None
    if not last and (record.end_reason or "").startswith("rejected:"):
        return None
    return Placed(sid, timeline, session, record)


async def stored_call(live: Live, tenant_id: str, sid: str) -> CallRecord | None:
    store = Store.from_url(live.redis_url, live.key_prefix)
    try:
        return await store.get_call(tenant_id, sid)
    finally:
        await store.close()


def agent_lines(session: dict[str, Any]) -> list[str]:
    return [line["text"] or "" for line in session["transcript"] if line["speaker"] == "agent"]


def said(timeline: CallTimeline) -> list[str]:
    """What Twilio itself said to the caller (``<Say>`` verbs it ran), in order."""
    return [v.detail for v in timeline.verbs if v.verb == "Say"]
