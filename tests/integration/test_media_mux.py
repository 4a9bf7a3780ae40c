"""Calls' media links over one shared connection per gateway and actor (VOXRAY_MEDIA_LINK_MUX).

The live gateway gets a fresh set of shared connections for these tests (read per media stream),
so what they count and break is theirs alone; a connection per call is tested below too.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

import pytest

from actors.link_mux import Links
from simulators.carrier.call import CallConfig, SimulatedCall
from simulators.carrier.result import CallResult
from simulators.carrier.script import Hangup, Say, Silence, WaitForAgent
from tests.conftest import Live
from tests.integration.test_call_path import wait_call_ended

SCRIPT = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Silence(500), Hangup()]


@pytest.fixture
async def muxed(live: Live, request: pytest.FixtureRequest) -> AsyncIterator[Links]:
    rt = live.gateway.server.config.app.state.runtime
    links, before = Links(coalesce_s=getattr(request, "param", 0.0)), rt.links
    rt.links = links
    try:
        yield links
    finally:
        rt.links = before
        muxes = list(links._muxes.values())
        if muxes:  # closed on the gateway's own loop
            asyncio.run_coroutine_threadsafe(links.close(), muxes[0].reading.get_loop()).result(10)


async def place(live: Live, tenant: Any, script: list[Any]) -> CallResult:
    config = CallConfig(gateway_url=live.gateway_url, public_base_url=live.public_base_url,
                        auth_token=tenant.twilio_auth_token.get_secret_value(), to_number=tenant.phone_numbers[0],
                        from_number="+15557654321", script=script, account_sid=tenant.twilio_account_sid)
    return await SimulatedCall(config).run()


# VOXRAY_MEDIA_LINK_COALESCE_MS: the gateway's sends held a few ms change nothing a call hears.
@pytest.mark.parametrize("muxed", [0.0, 0.005], ids=["each-turn", "coalesced"], indirect=True)
async def test_concurrent_calls_share_a_connection_and_are_whole(live, make_tenant, muxed) -> None:  # type: ignore[no-untyped-def]
    tenant = await make_tenant(local_script="two_turns")
    results = await asyncio.gather(*(place(live, tenant, SCRIPT) for _ in range(3)))
    for r in results:
        assert r.ok and r.script_completed and r.turns[0].latency_ms is not None, (r.errors, r.timeouts)
        assert r.agent_audio_ms_received > 500
    muxes = list(muxed._muxes.values())
    assert sum(mux._next - 1 for mux in muxes) == 3 and len(muxes) < 3  # a connection per actor, not per call


async def test_a_lost_shared_connection_ends_its_calls_with_the_apology_and_a_reason(  # type: ignore[no-untyped-def]
        live, make_tenant, store, muxed) -> None:
    tenant = await make_tenant(local_script="two_turns")
    long_script = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Silence(6000),
                   Hangup()]
    call = asyncio.ensure_future(place(live, tenant, long_script))
    for _ in range(200):
        live_muxes = [m for m in list(muxed._muxes.values()) if m.channels]
        if live_muxes:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # mid-call
    [mux] = live_muxes
    mux.reading.get_loop().call_soon_threadsafe(mux._writer.transport.abort)  # type: ignore[attr-defined]
    result = await asyncio.wait_for(call, 30)
    assert (result.close_code, result.close_reason) == (1011, "session lost")  # Twilio then plays the fallback
    record = await wait_call_ended(store, tenant.id, result.call_sid)
    assert record.end_reason == "gateway_lost"
    assert (await place(live, tenant, SCRIPT)).ok  # the next call dials a new connection
    assert mux.closed and all(m is not mux for m in list(muxed._muxes.values()))


async def test_a_gateway_with_a_connection_per_call_still_works(live, make_tenant) -> None:  # type: ignore[no-untyped-def]
    """VOXRAY_MEDIA_LINK_MUX=false (or a gateway of an older version): one connection per call."""
    rt = live.gateway.server.config.app.state.runtime
    tenant = await make_tenant(local_script="two_turns")
    before, rt.links = rt.links, None
    try:
        r = await place(live, tenant, SCRIPT)
    finally:
        rt.links = before
    assert r.ok and r.script_completed and r.turns[0].latency_ms is not None, (r.errors, r.timeouts)
