"""What the deployment files name exists: voxray commands, python modules, VOXRAY_* settings, the
Dockerfile's COPY sources; the gateway's systemd unit restarts it and outlives its drain."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from launcher.cli import app
from launcher.stack import Stack
from tests.deploy.refs import (DEPLOY, ENV_EXAMPLE, GATEWAY_UNIT, ROOT, deployment_files, python_modules,
                               read_env_file, read_unit, setting_names, voxray_commands)
from voxray.settings import Settings, load_settings
from voxray.start_checks import secure_start

DOCKERFILE = DEPLOY / "Dockerfile"
VOXRAY = Path(sys.executable).with_name("voxray")


def all_text() -> str:
    return "\n".join(f.read_text() for f in deployment_files())


def test_every_voxray_command_named_exists() -> None:
    commands = set().union(*(voxray_commands(f.read_text()) for f in deployment_files()))
    assert {"gateway", "keygen"} <= commands
    runner = CliRunner()
    for cmd in sorted(commands):
        result = runner.invoke(app, [cmd, "--help"])
        assert result.exit_code == 0, f"`voxray {cmd}` does not exist: {result.output}"
    # The console script the image and the systemd unit run.
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["voxray"] == "launcher.cli:app"
    out = subprocess.run([str(VOXRAY), "gateway", "--help"], capture_output=True, text=True, timeout=60, check=True)
    assert "Usage: voxray gateway" in out.stdout


def test_a_made_up_command_would_be_caught() -> None:
    assert voxray_commands('CMD ["voxray", "serve"]\nexec voxray gatewy\n# run `voxray deploy`') == {
        "serve", "gatewy", "deploy"}
    assert CliRunner().invoke(app, ["serve", "--help"]).exit_code != 0


def test_every_python_module_named_exists() -> None:
    modules = set().union(*(python_modules(f.read_text()) for f in deployment_files()))
    assert "venv" in modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module


def test_every_voxray_setting_named_is_a_settings_field() -> None:
    names = setting_names(all_text())
    assert len(names) > 15
    unknown = {n for n in names if n.removeprefix("VOXRAY_").lower() not in Settings.model_fields}
    assert not unknown


def test_dockerfile() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    sources = [src for line in re.findall(r"^COPY (.+)$", text, re.M) for src in line.split()[:-1]]
    assert "pyproject.toml" in sources and "voxray" in sources
    for src in sources:
        assert (ROOT / src).exists(), src
    # Every package pip installs is copied in.
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {p.rstrip("*") for p in packages} <= set(sources)
    install = re.search(r"^RUN pip install (.+)$", text, re.M)
    assert install and " . " in f" {install.group(1)} "
    # espeak-ng only for the local stand-ins.
    (apt,) = [line for line in text.splitlines() if "apt-get install" in line]
    assert '$( [ "$WITH_LOCAL_MODEL" = "1" ] && echo espeak-ng )' in apt and "ARG WITH_LOCAL_MODEL=0" in text
    assert re.search(r'^CMD \["voxray", "gateway"\]$', text, re.M) and "USER voxray" in text


def test_gateway_unit_restarts_and_drains() -> None:
    unit = read_unit(GATEWAY_UNIT)
    service = unit["Service"]
    (exec_start,) = service["ExecStart"]
    assert exec_start == "/opt/voxray/.venv/bin/voxray gateway"
    assert service["Restart"] == ["always"] and service["KillSignal"] == ["SIGTERM"]
    assert service["KillMode"] == ["mixed"]  # SIGTERM to the gateway alone; SIGKILL to all at the timeout
    drain_s = float(read_env_file(ENV_EXAMPLE)["VOXRAY_DRAIN_TIMEOUT_S"])
    assert float(service["TimeoutStopSec"][0]) >= drain_s + 10
    assert unit["Install"]["WantedBy"] == ["multi-user.target"] and unit["Unit"]["StartLimitIntervalSec"] == ["0"]


def example_settings(*drop: str, **fill: str) -> Settings:
    env = {k: v for k, v in read_env_file(ENV_EXAMPLE).items() if k not in drop}
    env.update(fill)
    return load_settings(**{k.removeprefix("VOXRAY_").lower(): v for k, v in env.items() if k.startswith("VOXRAY_")})


def test_env_example_commits_no_secret_and_is_refused_until_filled() -> None:
    env = read_env_file(ENV_EXAMPLE)
    for key in ("VOXRAY_STREAM_TOKEN_SECRET", "VOXRAY_SECRETS_KEY", "VOXRAY_ADMIN_KEY", "VOXRAY_OPENAI_API_KEY",
                "VOXRAY_MEDIA_LINK_KEY", "RAY_AUTH_TOKEN"):
        assert env[key] == "", key
    with pytest.raises(ValueError, match="admin_key"):
        example_settings()
    filled = dict(VOXRAY_ADMIN_KEY="Zx8-Qw3_Lp9aB7cD2eF4", VOXRAY_SECRETS_KEY=Fernet.generate_key().decode(),
                  VOXRAY_OPENAI_API_KEY="sk-test", VOXRAY_MEDIA_LINK_KEY="m" * 16 + "Qk7-x2Lp9aB7cD2e")
    # On a node, node.env adds its private address: the media link must then be TLS (its key set).
    secure_start(example_settings(**filled, VOXRAY_MEDIA_BIND_HOST="10.0.0.12"))
    with pytest.raises(ValueError, match="VOXRAY_MEDIA_LINK_KEY"):
        secure_start(example_settings("VOXRAY_MEDIA_LINK_KEY", **{k: v for k, v in filled.items() if "LINK" not in k},
                                      VOXRAY_MEDIA_BIND_HOST="10.0.0.12"))
    # Filled in but for the stream token secret: `voxray gateway` refuses before touching Ray.
    settings = example_settings(**filled)
    with pytest.raises(ValueError, match="VOXRAY_STREAM_TOKEN_SECRET"):
        Stack(settings).attach()


def test_env_example_settings() -> None:
    settings = example_settings(VOXRAY_ADMIN_KEY="Zx8-Qw3_Lp9aB7cD2eF4", VOXRAY_STREAM_TOKEN_SECRET="x" * 32,
                                VOXRAY_MEDIA_LINK_KEY="m" * 16 + "Qk7-x2Lp9aB7cD2e")
    # TLS to the separate Redis: the CA file rides in the URL every client is built from.
    assert settings.redis_url and settings.redis_url.startswith("rediss://:")
    assert "ssl_ca_certs=%2Fetc%2Fvoxray%2Fredis-ca.pem" in settings.redis_url
    assert settings.call_node_resource == "voxray_call_node" and settings.host == "0.0.0.0"
    assert settings.effective_public_base_url.startswith("https://")
