"""The model's function-call ``arguments``: parse the JSON string and check it against the schema.

The result is either the arguments object or an ``InvalidArguments`` the session hands back to the
model as the function output, so the model can correct itself (it sees which field was wrong).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

MAX_ARGUMENTS_BYTES = 64 * 1024
MAX_ISSUES = 10
MAX_MESSAGE_CHARS = 200


@dataclass(frozen=True)
class ArgumentIssue:
    path: str  # JSONPath of the offending value, "$" for the object itself
    message: str


@dataclass(frozen=True)
class InvalidArguments:
    """Why the arguments were refused; ``to_model()`` is the structured error the model reads."""

    message: str
    issues: tuple[ArgumentIssue, ...] = ()

    def to_model(self) -> dict[str, Any]:
        return {"error": "invalid_arguments", "message": self.message,
                "errors": [{"path": i.path, "message": i.message} for i in self.issues]}


def validator_for(schema: Mapping[str, Any]) -> Draft202012Validator:
    """A (cached) draft 2020-12 validator for ``schema``; ``format`` is asserted, not just annotated."""
    return _validator(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))


@functools.lru_cache(maxsize=256)
def _validator(schema_json: bytes) -> Draft202012Validator:
    return Draft202012Validator(orjson.loads(schema_json), format_checker=Draft202012Validator.FORMAT_CHECKER)


def parse_arguments(raw: str, schema: Mapping[str, Any]) -> dict[str, Any] | InvalidArguments:
    """The model's ``arguments`` JSON string -> the checked arguments object, or why not.

    An empty string counts as ``{}`` (a call with no arguments).
    """
    if len(raw.encode()) > MAX_ARGUMENTS_BYTES:
        return InvalidArguments(f"arguments are larger than {MAX_ARGUMENTS_BYTES} bytes")
    if not raw.strip():
        raw = "{}"
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return InvalidArguments(f"arguments are not valid JSON: {_clip(str(exc))}")
    return check_arguments(value, schema)


def check_arguments(value: Any, schema: Mapping[str, Any]) -> dict[str, Any] | InvalidArguments:
    """An already-decoded arguments value -> the arguments object, or why it does not fit the schema."""
    if not isinstance(value, dict):
        return InvalidArguments(f"arguments must be a JSON object, got {type(value).__name__}")
    errors = sorted(validator_for(schema).iter_errors(value), key=lambda e: (len(e.path), e.json_path))
    if not errors:
        return value
    issues = tuple(_issue(e) for e in errors[:MAX_ISSUES])
    more = f" (and {len(errors) - MAX_ISSUES} more)" if len(errors) > MAX_ISSUES else ""
    return InvalidArguments(f"arguments do not match the tool's parameters: {issues[0].message}{more}", issues)


def _issue(error: ValidationError) -> ArgumentIssue:
    return ArgumentIssue(path=error.json_path, message=_clip(error.message))


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"
