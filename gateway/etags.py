"""ETag / If-Match for records with a revision (optimistic concurrency, RFC 9110 §13.1.1).

A record's ETag is its revision in quotes. A write that sends ``If-Match`` applies only if the
record is still at one of the named revisions (``*``: any existing one), else 412. A write
without it is applied to the latest state (the server re-reads and retries on a race), so it
can never silently undo another write either. If-Match is optional (no 428).
"""

from __future__ import annotations

import re

from fastapi import Request, Response

from gateway.errors import ApiError

_TAG = re.compile(r'^(?:W/)?"(\d{1,18})"$')
ANY = -1


def etag(rev: int) -> str:
    return f'"{rev}"'


def if_match(request: Request) -> list[int] | None:
    """The revisions ``If-Match`` allows ([ANY] for ``*``), or None when the header is absent.

    A malformed tag matches nothing (so the write gets 412, never a blind overwrite).
    """
    header = request.headers.get("if-match")
    if header is None:
        return None
    if header.strip() == "*":
        return [ANY]
    revs = []
    for part in header.split(","):
        m = _TAG.match(part.strip())
        revs.append(int(m.group(1)) if m else -2)
    return revs


def precondition(wanted: list[int] | None, current: int) -> None:
    """Raise 412 unless ``wanted`` (from if_match) allows the record's ``current`` revision."""
    if wanted is None or ANY in wanted or current in wanted:
        return
    raise ApiError(412, "precondition_failed", "The record changed since you read it",
                   f"Current ETag is {etag(current)}; read it again and reapply your change")


def set_etag(request: Request, response: Response, rev: int) -> None:
    headers = getattr(request.state, "response_headers", None)
    if isinstance(headers, dict):
        headers["ETag"] = etag(rev)  # written by RequestIdMiddleware (with the rate-limit headers)
    else:
        response.headers["ETag"] = etag(rev)


# How often a write without If-Match re-reads and re-applies after losing a race.
RETRIES = 8
