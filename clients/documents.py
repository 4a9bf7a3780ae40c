"""The scoped OpenAPI documents as the gateway serves them, built without starting anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.openapi_scopes import is_admin, is_public, scoped

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
RELEASED = SNAPSHOTS / "released"
SCOPES = ("public", "admin")


def current_documents() -> dict[str, dict[str, Any]]:
    """``{"public": ..., "admin": ...}`` exactly as ``/api-docs/{scope}.json`` answers."""
    from gateway.app import create_app  # the app only builds its routes here; the lifespan never runs
    from voxray.settings import load_settings

    app = create_app(load_settings(), redis_url="redis://127.0.0.1:1", model_websocket_base_url=None)
    full = app.openapi()
    return {"public": scoped(full, is_public, "voxray tenant API"), "admin": scoped(full, is_admin, "voxray admin API")}


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
