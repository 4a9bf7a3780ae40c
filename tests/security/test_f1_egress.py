"""F1: egress to private hosts or plain http only by its own settings; never on a shared host silently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import launcher.cli as cli
from voxray import sealing
from voxray.egress_policy import UnsafeEgress, check_egress
from voxray.settings import Settings, load_settings


class _Stop(Exception):
    pass


def test_up_without_a_public_url_keeps_egress_public_https_only(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    seen: list[Settings] = []

    class FakeStack:
        def __init__(self, settings: Settings) -> None:
            seen.append(settings)
            raise _Stop()

    monkeypatch.setattr(cli, "Stack", FakeStack)
    monkeypatch.setattr(sealing, "_current", sealing._current)  # `up` installs its own key: undo it after
    monkeypatch.setenv("VOXRAY_DATA_DIR", str(tmp_path))
    for name in ("VOXRAY_PUBLIC_BASE_URL", "VOXRAY_WEBHOOK_ALLOW_HTTP", "VOXRAY_WEBHOOK_ALLOW_PRIVATE_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli.app, ["up"])
    assert isinstance(result.exception, _Stop), result.output
    assert not seen[0].webhook_allow_http and not seen[0].webhook_allow_private_hosts


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5", "::", "voice.internal"])
def test_private_egress_on_a_shared_host_refuses_to_start(host: str) -> None:
    with pytest.raises(UnsafeEgress):
        check_egress(load_settings(host=host, webhook_allow_private_hosts=True))
    acknowledged = load_settings(host=host, webhook_allow_private_hosts=True,
                                 i_understand_tenants_can_reach_private_networks=True)
    assert check_egress(acknowledged) == ["webhook_allow_private_hosts"]


@pytest.mark.parametrize("overrides, relaxed", [
    ({}, []),
    ({"host": "127.0.0.1", "webhook_allow_private_hosts": True}, ["webhook_allow_private_hosts"]),
    ({"host": "0.0.0.0", "webhook_allow_http": True}, ["webhook_allow_http"]),
])
def test_allowed_egress_settings_are_reported(overrides: dict[str, Any], relaxed: list[str]) -> None:
    assert check_egress(load_settings(**overrides)) == relaxed
