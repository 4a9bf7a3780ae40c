"""The model's tool catalog: GA function definitions, built-in schemas, and the tenant-schema check."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from actors.tools.catalog import (
    BUILTIN_NAMES,
    BUILTIN_SCHEMAS,
    ToolCatalog,
    check_agent_tools,
    check_parameters_schema,
)
from actors.tools.errors import ToolConfigError
from voxray.records import AgentConfig, ToolSpec

BOOK = ToolSpec(name="book_table", description="Book a table.", endpoint="https://tenant.example/tools/book",
                parameters={"type": "object", "properties": {"party": {"type": "integer", "minimum": 1}},
                            "required": ["party"]})


def test_definitions_are_ga_function_tools_for_builtins_then_tenant_tools() -> None:
    agent = AgentConfig(tools=[BOOK], builtin_tools=["transfer_to_operator", "collect_dtmf"])
    defs = ToolCatalog.for_agent(agent).definitions()
    assert [d["name"] for d in defs] == ["transfer_to_operator", "collect_dtmf", "book_table"]
    for d in defs:
        assert set(d) == {"type", "name", "description", "parameters"}
        assert d["type"] == "function" and d["description"]
    assert defs[2]["parameters"] == BOOK.parameters


def test_default_agent_offers_transfer_and_end_call() -> None:
    names = [d["name"] for d in ToolCatalog.for_agent(AgentConfig()).definitions()]
    assert names == ["transfer_to_operator", "end_call"]


def test_lookup_finds_builtins_tenant_tools_and_nothing_else() -> None:
    catalog = ToolCatalog.for_agent(AgentConfig(tools=[BOOK], builtin_tools=["end_call"]))
    assert catalog.lookup("end_call") == "end_call"
    assert catalog.lookup("book_table") == BOOK
    assert catalog.lookup("send_dtmf") is None  # a built-in this agent did not enable
    assert catalog.lookup("nope") is None


def test_an_enabled_builtin_cannot_be_shadowed_by_a_tenant_tool_at_runtime() -> None:
    shadow = BOOK.model_copy(update={"name": "end_call"})
    catalog = ToolCatalog.for_agent(AgentConfig(tools=[shadow], builtin_tools=["end_call"]))
    assert catalog.lookup("end_call") == "end_call"
    assert [d["name"] for d in catalog.definitions()] == ["end_call"]


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_schemas_are_valid_object_schemas(name: str) -> None:
    check_parameters_schema(name, BUILTIN_SCHEMAS[name])  # type: ignore[index]


@pytest.mark.parametrize("digits, ok", [("123#", True), ("9w1W*", True), ("", False), ("12a", False), ("1" * 33, False)])
def test_send_dtmf_schema_accepts_keypad_keys_and_pauses_only(digits: str, ok: bool) -> None:
    assert Draft202012Validator(BUILTIN_SCHEMAS["send_dtmf"]).is_valid({"digits": digits}) is ok


@pytest.mark.parametrize("args, ok", [
    ({"max_digits": 4}, True),
    ({"max_digits": 32, "finish_on_key": "none", "timeout_s": 30, "prompt": "Your PIN"}, True),
    ({"max_digits": 0}, False),
    ({"max_digits": 33}, False),
    ({"max_digits": 4, "finish_on_key": "0"}, False),
    ({"max_digits": 4, "timeout_s": 0.5}, False),
    ({}, False),
])
def test_collect_dtmf_schema_bounds(args: dict[str, Any], ok: bool) -> None:
    assert Draft202012Validator(BUILTIN_SCHEMAS["collect_dtmf"]).is_valid(args) is ok


@pytest.mark.parametrize("schema, words", [
    ({"type": "object", "properties": {"n": {"type": "integr"}}}, "not a valid JSON Schema"),
    ({"type": "object", "properties": {"s": {"type": "string", "pattern": "("}}}, "not a valid JSON Schema"),
    ({"type": "array"}, '"type": "object"'),
    ({"properties": {}}, '"type": "object"'),
    ({"type": "object", "properties": {"a": {"$ref": "https://evil.example/s.json"}}}, "only local references"),
    ({"type": "object", "description": "x" * 40_000}, "larger than"),
])
def test_bad_tenant_schemas_are_refused_with_a_clear_reason(schema: dict[str, Any], words: str) -> None:
    with pytest.raises(ToolConfigError) as info:
        check_parameters_schema("lookup", schema)
    assert words in str(info.value) and "lookup" in str(info.value)


def test_a_schema_error_says_where_it_is() -> None:
    with pytest.raises(ToolConfigError) as info:
        check_parameters_schema("t", {"type": "object", "properties": {"n": {"minimum": "one"}}})
    assert info.value.path != "$" and "properties" in info.value.path


def test_local_refs_are_allowed() -> None:
    check_parameters_schema("t", {"type": "object", "$defs": {"d": {"type": "string"}},
                                  "properties": {"a": {"$ref": "#/$defs/d"}}})


def test_agent_tools_check_refuses_duplicates_and_reserved_names() -> None:
    check_agent_tools([BOOK], ["end_call"])
    with pytest.raises(ToolConfigError, match="two tools"):
        check_agent_tools([BOOK, BOOK])
    with pytest.raises(ToolConfigError, match="reserved"):
        check_agent_tools([BOOK.model_copy(update={"name": "transfer_to_operator"})])
    with pytest.raises(ToolConfigError, match="not a valid JSON Schema"):
        check_agent_tools([BOOK.model_copy(update={"parameters": {"type": "object", "required": "x"}})])
