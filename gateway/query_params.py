"""Unknown query parameters are refused (422 naming each), as unknown body fields are.

A typo'd filter (``?statuss=failed``) silently ignored returns the wrong page; refusing it says so.
"""

from __future__ import annotations

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection

from gateway.errors import ApiError


def _declared(dependant: Dependant) -> set[str]:
    """Query parameters the route and its dependencies (at any depth) declare."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


async def reject_unknown_query(conn: HTTPConnection) -> None:
    route = conn.scope.get("route")
    # Twilio's webhooks are signed over whatever URL the tenant configured: never second-guessed.
    if conn.scope["type"] != "http" or not isinstance(route, APIRoute) or "twilio" in route.tags:
        return
    known = _declared(route.dependant)
    unknown = sorted({k for k in conn.query_params if k not in known})
    if unknown:
        raise ApiError(422, "unknown_query_parameter", "Unknown query parameters",
                       "Not accepted here: " + ", ".join(repr(k) for k in unknown))
