"""`voxray simulate`: calls through the carrier simulator, a progress bar, a table or JSON rows."""

from __future__ import annotations

import json

from launcher.cli import _simulate


async def test_simulate_places_calls_and_prints_json_rows(live, make_tenant, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    tenant = await make_tenant(local_script="two_turns")
    info = {"gateway_url": live.gateway_url, "public_base_url": live.public_base_url,
            "twilio_auth_token": tenant.twilio_auth_token.get_secret_value(), "demo_number": tenant.phone_numbers[0],
            "account_sid": tenant.twilio_account_sid}
    code = await _simulate(info, 2, tmp_path, as_json=True)
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and [r["status"] for r in rows] == ["ok", "ok"]
    assert all(r["call_sid"].startswith("CA") and r["turn_latency_ms"] != "-" for r in rows)
    assert (tmp_path / "call-001" / "agent.wav").stat().st_size > 44


async def test_simulate_without_a_seeded_tenant_says_so_and_exits_2(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert await _simulate({"twilio_auth_token": None}, 1, tmp_path) == 2
    assert "not seeded" in capsys.readouterr().err
