"""What the deployment files name: voxray commands, python modules, VOXRAY_* settings, env files."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CLUSTER_YAML = ROOT / "cluster.yaml"
KUBERAY = DEPLOY / "kuberay"
ENV_EXAMPLE = DEPLOY / "voxray.env.example"
GATEWAY_UNIT = DEPLOY / "systemd" / "voxray-gateway.service"


def deployment_files() -> list[Path]:
    """Every file that describes how voxray is deployed (observability has its own tests)."""
    files = [CLUSTER_YAML, *(p for p in DEPLOY.rglob("*") if p.is_file() and "observability" not in p.parts)]
    return sorted(f for f in files if f.name != ".gitignore")


# `voxray <command>`: an executable position (line start, a path, exec, a JSON list) or backticks.
_COMMAND = re.compile(r'(?<![\w.~-])voxray(?:"\s*,\s*"|[ \t]+)([a-z][a-z0-9-]*)')
_BACKTICKS = re.compile(r"`([^`]+)`")
_MODULE = re.compile(r"\bpython(?:3(?:\.\d+)?)?\s+-m\s+([A-Za-z_][\w.]*)")
_SETTING = re.compile(r"\bVOXRAY_[A-Z0-9_]*[A-Z0-9]\b")


def _code(text: str) -> str:
    """Lines that run (not comments), plus the backtick spans of comments and prose."""
    out: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            out.extend(_BACKTICKS.findall(line))
        else:
            out.append(line)
    return "\n".join(out)


def voxray_commands(text: str) -> set[str]:
    return set(_COMMAND.findall(_code(text)))


def python_modules(text: str) -> set[str]:
    return set(_MODULE.findall(text))


def setting_names(text: str) -> set[str]:
    return set(_SETTING.findall(text))


def read_env_file(path: Path) -> dict[str, str]:
    """A systemd EnvironmentFile / docker env file: KEY=VALUE lines, # comments."""
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def read_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit: section -> key -> every value (keys like EnvironmentFile repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path}: {line!r} outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"{path}: {line!r} is not key=value"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections
