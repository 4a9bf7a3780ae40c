"""Which tools the model may call: GA ``session.update`` tool definitions for an agent.

A definition is ``{"type": "function", "name", "description", "parameters"}`` (PROTOCOLS §D.2).
Tenant tools come from ``AgentConfig.tools``; built-ins from ``AgentConfig.builtin_tools``.
``check_agent_tools`` is what the admin API runs when an agent config is saved.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from actors.tools.errors import ToolConfigError
from voxray.records import AgentConfig, BuiltinTool, ToolSpec

MAX_SCHEMA_BYTES = 32 * 1024
BUILTIN_NAMES: tuple[BuiltinTool, ...] = get_args(BuiltinTool)

BUILTIN_SCHEMAS: dict[BuiltinTool, dict[str, Any]] = {
    "transfer_to_operator": {
        "type": "object",
        "properties": {
            "reason": {"type": "string", "minLength": 1, "maxLength": 500,
                       "description": "Why the caller needs a person, in one sentence for the operator."},
            "urgency": {"type": "string", "enum": ["low", "normal", "high"], "default": "normal"},
        },
        "required": ["reason"],
        "additionalProperties": False,
    },
    "end_call": {
        "type": "object",
        "properties": {
            "reason": {"type": "string", "minLength": 1, "maxLength": 500,
                       "description": "Why the call is over (e.g. 'caller's question answered')."},
        },
        "required": ["reason"],
        "additionalProperties": False,
    },
    "send_dtmf": {
        "type": "object",
        "properties": {
            "digits": {"type": "string", "pattern": "^[0-9*#wW]{1,32}$",
                       "description": "Keys to press: 0-9, * and #; 'w' pauses 0.5 s, 'W' pauses 1 s."},
        },
        "required": ["digits"],
        "additionalProperties": False,
    },
    "collect_dtmf": {
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "maxLength": 300,
                       "description": "What to ask the caller to key in, if not said already."},
            "max_digits": {"type": "integer", "minimum": 1, "maximum": 32},
            "finish_on_key": {"type": "string", "enum": ["#", "*", "none"], "default": "#",
                              "description": "Key that ends the entry early; 'none' for no such key."},
            "timeout_s": {"type": "number", "minimum": 1, "maximum": 30, "default": 5,
                          "description": "Seconds to wait for each next key before giving up."},
        },
        "required": ["max_digits"],
        "additionalProperties": False,
    },
}

BUILTIN_DESCRIPTIONS: dict[BuiltinTool, str] = {
    "transfer_to_operator": "Hand the call to a human operator. Use when the caller asks for a person, "
                            "or when you cannot help them.",
    "end_call": "Hang up. Say goodbye first; use only when the conversation is clearly finished.",
    "send_dtmf": "Press keys on the phone keypad (touch tones), e.g. to navigate a phone menu.",
    "collect_dtmf": "Let the caller type digits on their keypad (e.g. an account number or PIN) and "
                    "return what they typed. Prefer this over asking them to say a PIN aloud.",
}


def function_definition(name: str, description: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "function", "name": name, "description": description, "parameters": dict(parameters)}


@dataclass(frozen=True)
class ToolCatalog:
    """An agent's callable tools by name; enabled built-ins win over a tenant tool of the same name."""

    tenant: Mapping[str, ToolSpec]
    builtins: tuple[BuiltinTool, ...]

    @classmethod
    def for_agent(cls, agent: AgentConfig) -> ToolCatalog:
        builtins = tuple(dict.fromkeys(agent.builtin_tools))
        tenant: dict[str, ToolSpec] = {}
        for spec in agent.tools:  # first of a duplicated name wins (check_agent_tools refuses duplicates)
            if spec.name not in builtins:
                tenant.setdefault(spec.name, spec)
        return cls(tenant=tenant, builtins=builtins)

    def definitions(self) -> list[dict[str, Any]]:
        """The ``session.tools`` list: built-ins first, then the tenant's tools in configured order."""
        out = [function_definition(b, BUILTIN_DESCRIPTIONS[b], BUILTIN_SCHEMAS[b]) for b in self.builtins]
        out += [function_definition(s.name, s.description, s.parameters) for s in self.tenant.values()]
        return out

    def lookup(self, name: str) -> ToolSpec | BuiltinTool | None:
        """What a function call named ``name`` runs: a tenant tool, a built-in name, or None (unknown)."""
        for builtin in self.builtins:
            if builtin == name:
                return builtin
        return self.tenant.get(name)


def check_parameters_schema(tool: str, schema: Mapping[str, Any]) -> None:
    """Raise ToolConfigError unless ``schema`` is a usable draft 2020-12 schema of an arguments object.

    Usable: valid against the metaschema (patterns must compile), ``type: object`` at the top (the
    model only produces objects), only local ``$ref`` (no fetching), and at most MAX_SCHEMA_BYTES.
    """
    try:
        size = len(orjson.dumps(schema))
    except TypeError as exc:
        raise ToolConfigError(tool, f"parameters are not JSON: {exc}") from None
    if size > MAX_SCHEMA_BYTES:
        raise ToolConfigError(tool, f"parameters schema is larger than {MAX_SCHEMA_BYTES} bytes")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise ToolConfigError(tool, f"parameters are not a valid JSON Schema: {exc.message}",
                              path=exc.json_path) from None
    if schema.get("type") != "object":
        raise ToolConfigError(tool, 'parameters must be a schema with "type": "object" at the top')
    for path, ref in _refs(schema, "$"):
        if not ref.startswith("#"):
            raise ToolConfigError(tool, f"only local references are allowed, not {ref!r}", path=path)


def check_agent_tools(tools: Sequence[ToolSpec], builtins: Sequence[BuiltinTool] = ()) -> None:
    """Raise ToolConfigError for the first problem in an agent's tools: schema, duplicate or reserved name."""
    seen: set[str] = set()
    for spec in tools:
        if spec.name in BUILTIN_NAMES:
            raise ToolConfigError(spec.name, "the name is reserved for a built-in tool")
        if spec.name in seen:
            raise ToolConfigError(spec.name, "two tools have this name")
        seen.add(spec.name)
        check_parameters_schema(spec.name, spec.parameters)
    unknown = [b for b in builtins if b not in BUILTIN_NAMES]
    if unknown:
        raise ToolConfigError(str(unknown[0]), "no such built-in tool")


def _refs(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                yield f"{path}.{key}", value
            else:
                yield from _refs(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, f"{path}[{i}]")
