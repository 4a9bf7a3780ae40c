"""Run the client generators: openapi-python-client (PyPI) and openapi-typescript (npm).

Both run from tools installed inside the repository, so nothing is cached outside the checkout:
openapi-python-client in ``clients/.tools/pylib`` (pip ``--no-deps --target``: it pins older typer
and httpx than voxray, and runs fine on voxray's; its other dependencies are in the [test] extras),
openapi-typescript in ``clients/typescript/node_modules`` (``npm ci`` against the committed lockfile).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PY_DIR = ROOT / "python"
TS_DIR = ROOT / "typescript"
PYLIB = ROOT / ".tools" / "pylib"
SCOPES = ("public", "admin")


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def python_generator() -> list[str]:
    """The openapi-python-client command, installed into clients/.tools/pylib if missing."""
    if not (PYLIB / "openapi_python_client").exists():
        _run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
              "--target", str(PYLIB), "-r", str(PY_DIR / "generator-requirements.txt")], cwd=ROOT)
    return [sys.executable, "-c", "from openapi_python_client.cli import app; app()"]


def typescript_generator() -> Path:
    """The openapi-typescript executable, installed by ``npm ci`` from the committed lockfile if missing."""
    exe = TS_DIR / "node_modules" / ".bin" / "openapi-typescript"
    if not exe.exists():
        npm_ci()
    return exe


def npm_ci() -> None:
    _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TS_DIR)


def generate_python(snapshots: Path, out: Path) -> dict[str, Path]:
    """Generate ``voxray_public_api`` and ``voxray_admin_api`` into ``out``; returns each package's directory."""
    command = python_generator()
    # No formatter on PATH, and post_hooks off in the configs: the output depends on the generator alone.
    env = {k: v for k, v in os.environ.items() if k not in ("PATH", "PYTHONPATH")} | {
        "PATH": "/usr/bin:/bin", "PYTHONPATH": str(PYLIB)}
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    for scope in SCOPES:
        target = out / f"voxray_{scope}_api"
        shutil.rmtree(target, ignore_errors=True)
        _run([*command, "generate", "--path", str(snapshots / f"{scope}.json"), "--meta", "none",
              "--config", str(PY_DIR / f"{scope}-config.yaml"), "--output-path", str(target), "--overwrite"],
             cwd=out, env=env)
        made[scope] = target
    return made


def generate_typescript(snapshots: Path, out: Path) -> dict[str, Path]:
    """Generate ``public.ts`` and ``admin.ts`` (types only) into ``out``."""
    exe = typescript_generator()
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    for scope in SCOPES:
        target = out / f"{scope}.ts"
        _run([str(exe), str(snapshots / f"{scope}.json"), "--output", str(target)], cwd=TS_DIR)
        made[scope] = target
    return made


if __name__ == "__main__":
    print(python_generator(), typescript_generator(), file=sys.stderr)
