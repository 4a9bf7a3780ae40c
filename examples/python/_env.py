"""Where the examples find the gateway and their keys: environment variables, nothing else."""

from __future__ import annotations

import os
import sys


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if not value:
        sys.exit(f"set {name}")
    return value


def base_url() -> str:
    return env("VOXRAY_URL", "http://127.0.0.1:8000")
