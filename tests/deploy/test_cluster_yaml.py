"""cluster.yaml: Ray's own config schema accepts it, and its node start commands do what they say
(run here with stand-ins for ray, ip, nproc and sudo)."""

from __future__ import annotations

import copy
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from ray.autoscaler._private.util import prepare_config, validate_config
from ray.scripts.scripts import start as ray_start_command

from tests.deploy.refs import CLUSTER_YAML, ENV_EXAMPLE, GATEWAY_UNIT, ROOT, read_env_file, read_unit

RAY = "/opt/voxray/.venv/bin/ray"


def config() -> dict[str, Any]:
    return yaml.safe_load(CLUSTER_YAML.read_text())  # type: ignore[no-any-return]


def test_ray_schema_accepts_cluster_yaml() -> None:
    prepared = prepare_config(config())
    validate_config(prepared)
    assert prepared["provider"]["type"] == "local"
    assert prepared["available_node_types"][prepared["head_node_type"]]["max_workers"] == len(
        config()["provider"]["worker_ips"])


@pytest.mark.parametrize("break_it", [
    lambda c: c.update(max_wrkers=3),  # a typo
    lambda c: c.update(idle_timeout_minutes="ten"),
    lambda c: c["auth"].update(ssh_usr="voxray"),
    lambda c: c.update(rsync_exclude=".venv"),  # a string, not a list
    lambda c: c.update(worker_start_ray_commands={"ray": "start"}),
], ids=["typo", "type", "nested-typo", "string-not-list", "map-not-list"])
def test_ray_schema_refuses_a_broken_copy(break_it: Any) -> None:
    broken = copy.deepcopy(config())
    break_it(broken)
    with pytest.raises(jsonschema.ValidationError):
        validate_config(prepare_config(broken))


def ray_start_lines(commands: list[str]) -> list[list[str]]:
    lines = [line.strip() for cmd in commands for line in cmd.splitlines()]
    return [shlex.split(line) for line in lines if line.startswith(f"{RAY} start")]


@pytest.mark.parametrize("key", ["head_start_ray_commands", "worker_start_ray_commands"])
def test_ray_start_flags_exist_in_installed_ray(key: str) -> None:
    known = {opt for param in ray_start_command.params for opt in param.opts}
    (argv,) = ray_start_lines(config()[key])
    flags = {arg.split("=", 1)[0] for arg in argv[2:] if arg.startswith("--")}
    assert flags and flags <= known, flags - known


def test_files_the_commands_install_exist() -> None:
    text = CLUSTER_YAML.read_text()
    for rel in ("deploy/systemd/voxray-gateway.service", "docs", "deploy/voxray.env"):
        assert f"~/voxray/{rel}" in text
    assert (ROOT / "deploy/systemd/voxray-gateway.service").is_file() and (ROOT / "docs").is_dir()
    assert ENV_EXAMPLE.is_file()  # deploy/voxray.env is the operator's filled-in copy of it
    # The unit reads exactly the files the commands write.
    unit = read_unit(GATEWAY_UNIT)["Service"]
    assert set(unit["EnvironmentFile"]) == {"/etc/voxray/voxray.env", "/etc/voxray/node.env"}
    assert "/etc/voxray/voxray.env" in text and text.count("/etc/voxray/node.env") == 2


def run_start(command: str, tmp_path: Path, head_ip: str | None) -> tuple[list[str], dict[str, str]]:
    """Run one node's start command with stand-ins; returns ray's argv (and env) and node.env."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_ray = bin_dir / "ray"
    fake_ray.write_text(f'#!{sys.executable}\nimport json, os, sys\n'
                        f'json.dump({{"argv": sys.argv[1:], "env": dict(os.environ)}}, open("{tmp_path}/ray.json", "w"))\n')
    stubs = {"ip": "echo \"$4 via 10.0.0.1 dev eth0 src 10.0.0.12 uid 1000\"", "nproc": "echo 8",
             "hostname": "echo '10.0.0.10 172.17.0.1'", "sudo": 'exec "$@"'}
    for name, body in stubs.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    env_file = tmp_path / "voxray.env"
    env_file.write_text(ENV_EXAMPLE.read_text().replace("RAY_AUTH_TOKEN=", "RAY_AUTH_TOKEN=tok-123"))
    script = (command.replace(RAY, str(fake_ray)).replace("/etc/voxray/node.env", str(tmp_path / "node.env"))
              .replace("/etc/voxray/voxray.env", str(env_file)))
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    if head_ip:
        env["RAY_HEAD_IP"] = head_ip  # what the launcher exports to worker commands
    subprocess.run(["bash", "-c", script], env=env, check=True, timeout=10)
    got = json.loads((tmp_path / "ray.json").read_text())
    return got["argv"], {**got["env"], **read_env_file(tmp_path / "node.env")}


def flag(argv: list[str], name: str) -> str | None:
    return next((a.split("=", 1)[1] for a in argv if a.startswith(f"{name}=")), None)


def test_worker_advertises_call_nodes_and_binds_its_private_address(tmp_path: Path) -> None:
    (command,) = [c for c in config()["worker_start_ray_commands"] if f"{RAY} start" in c]
    argv, env = run_start(command, tmp_path, head_ip="10.0.0.10")
    assert argv[0] == "start" and flag(argv, "--address") == "10.0.0.10:6379"
    assert flag(argv, "--node-ip-address") == "10.0.0.12" and flag(argv, "--num-cpus") == "8"
    resource = read_env_file(ENV_EXAMPLE)["VOXRAY_CALL_NODE_RESOURCE"]
    assert json.loads(flag(argv, "--resources") or "") == {resource: 8}
    # Session actors inherit the raylet's environment: not niced, media bound to the private IP.
    assert env["RAY_worker_niceness"] == "0" and env["VOXRAY_MEDIA_BIND_HOST"] == "10.0.0.12"
    assert env["RAY_AUTH_MODE"] == "token" and env["RAY_AUTH_TOKEN"] == "tok-123"
    # node.env, read by this node's gateway.
    assert env["VOXRAY_RAY_ADDRESS"] == "10.0.0.10:6379"


def test_head_hosts_no_calls(tmp_path: Path) -> None:
    (command,) = [c for c in config()["head_start_ray_commands"] if f"{RAY} start" in c]
    argv, env = run_start(command, tmp_path, head_ip=None)
    # The head advertises the control resource (pool supervisor, governance), never the call one.
    assert "--head" in argv and json.loads(flag(argv, "--resources") or "{}") == {"voxray_control": 1}
    assert flag(argv, "--node-ip-address") == "10.0.0.10" and env["VOXRAY_RAY_ADDRESS"] == "10.0.0.10:6379"
    assert env["VOXRAY_MEDIA_BIND_HOST"] == "10.0.0.10" and env["RAY_worker_niceness"] == "0"
    assert flag(argv, "--autoscaling-config") == "~/ray_bootstrap_config.yaml"


@pytest.mark.parametrize("key", ["head_start_ray_commands", "worker_start_ray_commands"])
def test_gateway_is_stopped_before_ray_and_started_after(key: str) -> None:
    cmds = config()[key]
    assert cmds[0].startswith("sudo systemctl stop voxray-gateway;") and f"{RAY} stop" in cmds[0]
    assert cmds[-1] == "sudo systemctl restart voxray-gateway"
    assert "nohup" not in CLUSTER_YAML.read_text() and "voxray up" not in "\n".join(cmds)


def test_no_simulators_and_a_separate_redis() -> None:
    text = CLUSTER_YAML.read_text()
    assert "redis-server" not in text and "espeak" not in text and "simulators" not in text.split("cluster_name")[1]
    env = read_env_file(ENV_EXAMPLE)
    assert env["VOXRAY_REDIS_URL"].startswith("rediss://:") and "@" in env["VOXRAY_REDIS_URL"]
    assert env["VOXRAY_TWILIO_API_BASE_URL"] == "https://api.twilio.com"
    assert env["VOXRAY_PUBLIC_BASE_URL"].startswith("https://")
    assert "VOXRAY_OPENAI_WEBSOCKET_BASE_URL" not in env  # unset: the OpenAI API itself
