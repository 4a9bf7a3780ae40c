"""Scoped OpenAPI documents: the tenant surface, the admin surface, and everything.

Each scope keeps only its operations and the component schemas they reach (following
``$ref``s transitively), so the public document names no admin model and vice versa.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

ADMIN_PREFIXES = ("/api/v1/admin/", "/api/v1/auth/")
# Twilio-facing webhooks and health checks are documented in the full document only.
INTERNAL_TAGS = {"twilio", "health"}

Operation = dict[str, Any]


def is_admin(path: str, op: Operation) -> bool:
    return path.startswith(ADMIN_PREFIXES)


def is_public(path: str, op: Operation) -> bool:
    return not path.startswith(ADMIN_PREFIXES) and not INTERNAL_TAGS & set(op.get("tags", []))


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def scoped(full: dict[str, Any], keep: Callable[[str, Operation], bool], title: str) -> dict[str, Any]:
    doc = copy.deepcopy(full)
    doc["info"]["title"] = title
    paths: dict[str, Any] = {}
    for path, item in full["paths"].items():
        ops = {m: op for m, op in item.items() if keep(path, op)}
        if ops:
            paths[path] = copy.deepcopy(ops)
    doc["paths"] = paths
    schemas = full.get("components", {}).get("schemas", {})
    wanted: set[str] = set()
    _refs(paths, wanted)
    frontier = set(wanted)
    while frontier:
        more: set[str] = set()
        for name in frontier:
            _refs(schemas.get(name, {}), more)
        frontier = more - wanted
        wanted |= more
    components = doc.setdefault("components", {})
    components["schemas"] = {k: v for k, v in schemas.items() if k in wanted}
    used_security = {name for item in paths.values() for op in item.values()
                     for req in op.get("security", []) for name in req}
    if "securitySchemes" in components:
        components["securitySchemes"] = {k: v for k, v in components["securitySchemes"].items()
                                         if k in used_security}
    return doc
