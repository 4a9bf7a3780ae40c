"""The breaking-change checker: what breaks a client built from the old document, and what does not."""

from __future__ import annotations

import copy
from typing import Any

from clients.breaking import breaking_changes
from clients.documents import RELEASED, SCOPES, SNAPSHOTS, load


def _doc() -> dict[str, Any]:
    return {
        "paths": {"/api/v1/calls": {"get": {"operationId": "list_calls", "parameters": [
            {"in": "query", "name": "limit", "schema": {"type": "integer"}},
            {"in": "query", "name": "status", "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]}}]}},
                  "/api/v1/calls/{id}": {"get": {"operationId": "get_call"}, "delete": {"operationId": "end"}}},
        "components": {"schemas": {
            "Call": {"type": "object", "properties": {
                "id": {"type": "string"}, "duration_s": {"type": ["number", "null"]},
                "status": {"type": "string", "enum": ["queued", "ringing", "completed"]},
                "agent": {"type": "object", "properties": {"name": {"type": "string"}, "version": {"type": "integer"}}},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "string"}}}}}},
            "Extra": {"type": "object", "properties": {"x": {"type": "string"}}}}},
    }


def _kinds(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c.kind, c.where) for c in breaking_changes(old, new)]


def test_an_unchanged_or_only_extended_document_breaks_nothing() -> None:
    old = _doc()
    assert breaking_changes(old, copy.deepcopy(old)) == []
    new = copy.deepcopy(old)
    new["paths"]["/api/v1/new"] = {"post": {"operationId": "new"}}
    new["components"]["schemas"]["Call"]["properties"]["summary"] = {"type": "string"}
    new["components"]["schemas"]["Call"]["properties"]["status"]["enum"].append("failed")
    new["components"]["schemas"]["Call"]["properties"]["agent"]["properties"]["version"] = {"type": "number"}
    new["paths"]["/api/v1/calls"]["get"]["parameters"].append({"in": "query", "name": "q", "schema": {}})
    assert breaking_changes(old, new) == []


def test_a_removed_operation_is_reported() -> None:
    new = _doc()
    del new["paths"]["/api/v1/calls/{id}"]["delete"]
    assert _kinds(_doc(), new) == [("removed_operation", "DELETE /api/v1/calls/{id}")]


def test_removed_fields_nested_fields_parameters_and_schemas_are_reported() -> None:
    new = _doc()
    call = new["components"]["schemas"]["Call"]["properties"]
    del call["duration_s"]
    del call["agent"]["properties"]["version"]
    del call["tags"]["items"]["properties"]["k"]
    del new["components"]["schemas"]["Extra"]
    new["paths"]["/api/v1/calls"]["get"]["parameters"].pop(0)
    assert _kinds(_doc(), new) == [
        ("removed_field", "#/components/schemas/Extra"),
        ("removed_field", "Call.agent.version"),
        ("removed_field", "Call.duration_s"),
        ("removed_field", "Call.tags[].k"),
        ("removed_field", "GET /api/v1/calls query parameter limit"),
    ]


def test_narrowed_types_and_enums_are_reported() -> None:
    new = _doc()
    call = new["components"]["schemas"]["Call"]["properties"]
    call["duration_s"]["type"] = "number"  # null no longer allowed
    call["status"]["enum"].remove("ringing")
    call["id"]["enum"] = ["a"]
    call["agent"]["properties"]["version"] = {"type": "string"}
    new["paths"]["/api/v1/calls"]["get"]["parameters"][1]["schema"] = {"type": "string"}
    changes = {(c.kind, c.where, c.detail) for c in breaking_changes(_doc(), new)}
    assert changes == {
        ("narrowed_type", "Call.duration_s", "no longer admits null"),
        ("narrowed_type", "Call.status", "enum values removed: 'ringing'"),
        ("narrowed_type", "Call.id", "now limited to an enum"),
        ("narrowed_type", "Call.agent.version", "no longer admits integer"),
        ("narrowed_type", "GET /api/v1/calls query parameter status", "no longer admits null"),
    }


def test_the_current_snapshots_break_no_client_of_the_last_release() -> None:
    for scope in SCOPES:
        changes = breaking_changes(load(RELEASED / f"{scope}.json"), load(SNAPSHOTS / f"{scope}.json"))
        assert changes == [], "\n".join(map(str, changes))


def test_removing_a_real_operation_from_the_public_snapshot_is_caught() -> None:
    released = load(RELEASED / "public.json")
    current = copy.deepcopy(released)
    del current["paths"]["/api/v1/make-call"]
    current["components"]["schemas"]["CallLog"]["properties"].pop("status")
    kinds = {c.kind for c in breaking_changes(released, current)}
    assert kinds == {"removed_operation", "removed_field"}
