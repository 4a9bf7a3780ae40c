"""OpenAPI documents: every error documented in one shape, and scoped views of the whole.

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
    if path in TWILIO_CONTRACT:
        return True
    return not path.startswith(ADMIN_PREFIXES) and not INTERNAL_TAGS & set(op.get("tags", []))


# The Twilio webhook tenants configure themselves (their number's Voice URL): in the public
# document too, marked as called by Twilio, never by a tenant's own code.
TWILIO_CONTRACT = {"/api/v1/incoming-call"}
TWILIO_VOICE_REQUEST: dict[str, Any] = {
    "title": "TwilioVoiceRequest", "type": "object", "required": ["CallSid", "AccountSid", "From", "To"],
    "description": "Twilio's voice webhook parameters (form-encoded); every parameter Twilio sends is signed",
    "additionalProperties": {"type": "string"},
    "properties": {
        "CallSid": {"type": "string", "pattern": "^CA[0-9a-f]{32}$"},
        "AccountSid": {"type": "string", "pattern": "^AC[0-9a-f]{32}$",
                       "description": "Must be the tenant's Twilio account"},
        "From": {"type": "string", "description": "The caller (E.164)"},
        "To": {"type": "string", "description": "The tenant's number that was called (E.164)"},
        "CallStatus": {"type": "string"}, "Direction": {"type": "string"}, "ApiVersion": {"type": "string"},
    },
}
TWILIO_CONTRACT_DESCRIPTION = (
    "**Called by Twilio, not by your code.** Configure it as the Voice URL (HTTP POST) of each of the "
    "tenant's numbers: `{public base URL}/api/v1/incoming-call`. Twilio signs the full URL and every form "
    "parameter with the account's auth token (HMAC-SHA1, `X-Twilio-Signature`); the request is refused "
    "(403) unless the signature verifies against the configured public URL. The answer is TwiML that "
    "connects the call to a Media Streams websocket (`<Connect><Stream>`) served by this gateway. "
    "See /docs/webhooks for the exact URL reconstruction.")


def describe_twilio_contract(doc: dict[str, Any]) -> None:
    """Document the request Twilio sends to each contract webhook, and who calls it."""
    doc.setdefault("components", {}).setdefault("schemas", {})["TwilioVoiceRequest"] = TWILIO_VOICE_REQUEST
    for path in TWILIO_CONTRACT:
        op = doc["paths"].get(path, {}).get("post")
        if op is None:
            continue
        op["x-called-by"] = "twilio"
        op["security"] = []
        op["description"] = TWILIO_CONTRACT_DESCRIPTION
        op["parameters"] = [{"name": "X-Twilio-Signature", "in": "header", "required": True,
                             "schema": {"type": "string"},
                             "description": "Base64 HMAC-SHA1 of the URL and the sorted form parameters"}]
        op["requestBody"] = {"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": {"$ref": "#/components/schemas/TwilioVoiceRequest"}}}}


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem", "type": "object", "required": ["type", "title", "status", "code"],
    "description": "RFC 9457 problem details with a stable machine-readable code",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable across versions; switch on this"},
        "detail": {"type": "string"}, "request_id": {"type": ["string", "null"]},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}
_REASONS = {400: "Malformed request", 401: "No valid credential", 403: "The credential may not do this",
            404: "Not found (for this tenant)", 413: "Body too large", 415: "Body is not JSON",
            422: "Validation failed; `errors` lists each field", 429: "Rate limited; see Retry-After"}
_BODY_METHODS = {"post", "put", "patch"}


def with_problem_responses(doc: dict[str, Any]) -> dict[str, Any]:
    """Document the errors every API operation can give, all as ``application/problem+json``."""
    doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    doc["components"]["schemas"].pop("HTTPValidationError", None)
    doc["components"]["schemas"].pop("ValidationError", None)
    describe_twilio_contract(doc)
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if INTERNAL_TAGS & set(op.get("tags", [])):
                continue
            codes = {400, 422, 429}
            if op.get("security"):
                codes |= {401, 403}
            if "{" in path:
                codes.add(404)
            if method in _BODY_METHODS:
                codes |= {413, 415}
            responses = op.setdefault("responses", {})
            for code in sorted(codes | {int(c) for c in responses if c.isdigit() and int(c) >= 400}):
                entry = responses.setdefault(str(code), {"description": _REASONS.get(code, "Error")})
                entry["content"] = problem
    return doc


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
