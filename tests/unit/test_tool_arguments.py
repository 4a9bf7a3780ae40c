"""The model's function-call arguments: parsed, checked against the schema, refused with a usable error."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from actors.tools.arguments import MAX_ISSUES, InvalidArguments, parse_arguments
from actors.tools.builtins import (
    CollectDtmf,
    EndCall,
    SendDtmf,
    Transfer,
    acknowledgement,
    parse_builtin,
)

SCHEMA = {
    "type": "object",
    "properties": {
        "date": {"type": "string", "format": "date"},
        "party": {"type": "integer", "minimum": 1, "maximum": 12},
        "notes": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["date", "party"],
    "additionalProperties": False,
}


def test_valid_arguments_come_back_as_a_dict() -> None:
    assert parse_arguments('{"date": "2026-05-01", "party": 2}', SCHEMA) == {"date": "2026-05-01", "party": 2}


def test_empty_arguments_mean_an_empty_object() -> None:
    assert parse_arguments("", {"type": "object"}) == {}


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "null"])
def test_non_object_or_broken_json_is_invalid(raw: str) -> None:
    out = parse_arguments(raw, SCHEMA)
    assert isinstance(out, InvalidArguments)
    assert out.to_model()["error"] == "invalid_arguments"


def test_schema_errors_name_the_path_of_each_bad_field() -> None:
    out = parse_arguments('{"date": "tomorrow", "party": 40, "notes": ["ok", 3]}', SCHEMA)
    assert isinstance(out, InvalidArguments)
    model = out.to_model()
    assert set(model) == {"error", "message", "errors"}
    paths = {e["path"] for e in model["errors"]}
    assert paths == {"$.date", "$.party", "$.notes[1]"}
    assert all(isinstance(e["message"], str) and e["message"] for e in model["errors"])


def test_missing_required_field_is_reported_at_the_object() -> None:
    out = parse_arguments('{"date": "2026-05-01"}', SCHEMA)
    assert isinstance(out, InvalidArguments)
    assert out.issues[0].path == "$" and "party" in out.issues[0].message


def test_error_list_and_messages_are_bounded() -> None:
    schema = {"type": "object", "additionalProperties": {"type": "integer"}}
    args = {f"k{i}": "x" * 1000 for i in range(50)}
    out = parse_arguments(orjson.dumps(args).decode(), schema)
    assert isinstance(out, InvalidArguments)
    assert len(out.issues) == MAX_ISSUES
    assert all(len(i.message) <= 200 for i in out.issues)
    assert "more" in out.message


def test_oversized_arguments_are_refused_before_parsing() -> None:
    out = parse_arguments(orjson.dumps({"x": "a" * 70_000}).decode(), {"type": "object"})
    assert isinstance(out, InvalidArguments) and "larger" in out.message


@given(st.text(max_size=200))
def test_any_string_gives_a_dict_or_a_structured_error(raw: str) -> None:
    out = parse_arguments(raw, SCHEMA)
    if isinstance(out, InvalidArguments):
        orjson.dumps(out.to_model())
    else:
        assert isinstance(out, dict)


# ---- built-ins -----------------------------------------------------------------------------------


def test_builtin_calls_become_typed_actions() -> None:
    assert parse_builtin("transfer_to_operator", '{"reason": "billing dispute"}') == Transfer("billing dispute", "normal")
    assert parse_builtin("transfer_to_operator", '{"reason": "r", "urgency": "high"}') == Transfer("r", "high")
    assert parse_builtin("end_call", '{"reason": "done"}') == EndCall("done")
    assert parse_builtin("send_dtmf", '{"digits": "1w2#"}') == SendDtmf("1w2#")
    assert parse_builtin("collect_dtmf", '{"max_digits": 4}') == CollectDtmf(None, 4, "#", 5.0)
    assert parse_builtin("collect_dtmf", '{"max_digits": 6, "finish_on_key": "none", "timeout_s": 8, '
                                         '"prompt": "Enter your PIN"}') == CollectDtmf("Enter your PIN", 6, None, 8.0)


@pytest.mark.parametrize("name, raw", [
    ("transfer_to_operator", "{}"),
    ("transfer_to_operator", '{"reason": "x", "urgency": "asap"}'),
    ("end_call", '{"reason": "x", "extra": 1}'),
    ("send_dtmf", '{"digits": "12x"}'),
    ("collect_dtmf", '{"max_digits": 40}'),
])
def test_bad_builtin_arguments_are_refused(name: str, raw: str) -> None:
    assert isinstance(parse_builtin(name, raw), InvalidArguments)  # type: ignore[arg-type]


def test_acknowledgement_is_json_for_the_model() -> None:
    out = orjson.loads(acknowledgement(CollectDtmf(None, 4, "#", 5.0), digits="1234", reason="finish_key"))
    assert out == {"ok": True, "action": "collect_dtmf", "digits": "1234", "reason": "finish_key"}
