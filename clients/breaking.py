"""Breaking changes between two OpenAPI documents: pure, no I/O.

A client generated from the *old* document must keep working against a server that serves the
*new* one. It stops working when an operation it calls is gone, a field or parameter it reads or
sends is gone, or a value it may send or expect is narrowed (a type dropped from a union, an enum
value removed, an enum imposed where any value was allowed). Additions are never reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["removed_operation", "removed_field", "narrowed_type"]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
Schema = dict[str, Any]


@dataclass(frozen=True, order=True)
class Change:
    kind: Kind
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"


def _types(schema: Schema, schemas: dict[str, Schema]) -> frozenset[str]:
    """The JSON types (and referenced component names) a schema admits; empty means any."""
    if "$ref" in schema:
        return frozenset({"ref:" + str(schema["$ref"]).rsplit("/", 1)[-1]})
    found: set[str] = set()
    kind = schema.get("type")
    if isinstance(kind, str):
        found.add(kind)
    elif isinstance(kind, list):
        found.update(str(k) for k in kind)
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, []):
            branch_types = _types(branch, schemas)
            if not branch_types:
                return frozenset()
            found |= branch_types
    return frozenset(found)


def _admits(old: frozenset[str], new: frozenset[str]) -> frozenset[str]:
    """Old types the new schema no longer admits (an integer still fits a number)."""
    if not new:
        return frozenset()
    lost = old - new
    if "number" in new:
        lost -= {"integer"}
    return lost


def _enum(schema: Schema) -> frozenset[str] | None:
    values = schema.get("enum")
    if values is None and "const" in schema:
        values = [schema["const"]]
    return None if values is None else frozenset(repr(v) for v in values)


def compare_schema(old: Schema, new: Schema, where: str, schemas: tuple[dict[str, Schema], dict[str, Schema]],
                   out: list[Change]) -> None:
    lost = _admits(_types(old, schemas[0]), _types(new, schemas[1]))
    if lost:
        out.append(Change("narrowed_type", where, f"no longer admits {', '.join(sorted(lost))}"))
    old_enum, new_enum = _enum(old), _enum(new)
    if new_enum is not None and old_enum is None and "$ref" not in old:
        out.append(Change("narrowed_type", where, "now limited to an enum"))
    elif new_enum is not None and old_enum is not None and old_enum - new_enum:
        out.append(Change("narrowed_type", where, f"enum values removed: {', '.join(sorted(old_enum - new_enum))}"))
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in sorted(old_props.items()):
        if name not in new_props:
            out.append(Change("removed_field", f"{where}.{name}", "field removed"))
        else:
            compare_schema(old_prop, new_props[name], f"{where}.{name}", schemas, out)
    if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
        compare_schema(old["items"], new["items"], f"{where}[]", schemas, out)
    for key in ("anyOf", "oneOf"):  # object branches of a union (e.g. an optional nested object)
        old_objs = [b for b in old.get(key, []) if "properties" in b]
        new_objs = [b for b in new.get(key, []) if "properties" in b]
        for old_b, new_b in zip(old_objs, new_objs):
            compare_schema(old_b, new_b, where, schemas, out)


def _operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(path, method): op for path, item in doc.get("paths", {}).items()
            for method, op in item.items() if method in METHODS}


def _parameters(op: dict[str, Any]) -> dict[tuple[str, str], Schema]:
    return {(p["in"], p["name"]): p.get("schema", {}) for p in op.get("parameters", []) if "name" in p}


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` that breaks a client built from ``old``, sorted."""
    out: list[Change] = []
    old_schemas: dict[str, Schema] = old.get("components", {}).get("schemas", {})
    new_schemas: dict[str, Schema] = new.get("components", {}).get("schemas", {})
    both = (old_schemas, new_schemas)
    new_ops = _operations(new)
    for (path, method), op in _operations(old).items():
        where = f"{method.upper()} {path}"
        if (path, method) not in new_ops:
            out.append(Change("removed_operation", where, f"operation {op.get('operationId', '?')} removed"))
            continue
        new_params = _parameters(new_ops[(path, method)])
        for key, schema in _parameters(op).items():
            if key not in new_params:
                out.append(Change("removed_field", f"{where} {key[0]} parameter {key[1]}", "parameter removed"))
            else:
                compare_schema(schema, new_params[key], f"{where} {key[0]} parameter {key[1]}", both, out)
    for name, schema in old_schemas.items():
        if name not in new_schemas:
            out.append(Change("removed_field", f"#/components/schemas/{name}", "schema removed"))
        else:
            compare_schema(schema, new_schemas[name], name, both, out)
    return sorted(set(out))
