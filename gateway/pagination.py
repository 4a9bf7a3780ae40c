"""List pagination: ``limit``/``offset`` pages, and opaque cursors for stable exports.

Lists are newest first, ordered by (created_at, id) descending, so the order is total. Offset
pages shift when new items arrive at the head; a cursor is a keyset position (the last item's
sort key), so walking a history with ``next_cursor`` never repeats or skips an item however
many are inserted meanwhile. A cursor is bound to the filters it was made with.
"""

from __future__ import annotations

import base64
import hashlib
import math
from dataclasses import dataclass
from typing import AsyncIterator, Callable, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

from gateway.errors import ApiError

T = TypeVar("T")
S = TypeVar("S")
MAX_LIMIT = 200
MAX_OFFSET = 10_000


class Page(BaseModel, Generic[T]):
    data: list[T]
    has_more: bool
    next_offset: int | None = None
    next_cursor: str | None = None


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int
    cursor: str | None


async def page_params(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="Items per page"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Items to skip (offset pagination)"),
    cursor: str | None = Query(None, max_length=512, description="`next_cursor` of the previous page"),
) -> PageRequest:
    if cursor is not None and offset:
        raise ApiError(400, "pagination_conflict", "Use either offset or cursor, not both")
    return PageRequest(limit, offset, cursor)


def filters_digest(filters: dict[str, object]) -> str:
    return hashlib.sha256(orjson.dumps(filters, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()[:16]


def encode_cursor(position: tuple[float, str], filters: dict[str, object]) -> str:
    raw = orjson.dumps({"s": position[0], "id": position[1], "f": filters_digest(filters)})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, filters: dict[str, object]) -> tuple[float, str]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        score, item_id = data["s"], data["id"]
        # Only what encode_cursor writes: a finite number (a nan or inf score would reach Redis
        # as a range bound and fail there: F13) and a short string id.
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
            raise ValueError("cursor score")
        if not isinstance(item_id, str) or len(item_id) > 128:
            raise ValueError("cursor id")
        position = (float(score), item_id)
        same_filters = data["f"] == filters_digest(filters)
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise ApiError(400, "cursor_invalid", "The cursor is malformed") from None
    if not same_filters:
        raise ApiError(400, "cursor_invalid", "The cursor was made with other filters")
    return position


async def paginate(items: AsyncIterator[S], page: PageRequest, *, keep: Callable[[S], bool],
                   position: Callable[[S], tuple[float, str]], filters: dict[str, object]) -> tuple[list[S], Page[None]]:
    """Take one page of ``items`` (already ordered and started at the cursor) that ``keep`` accepts.

    Returns the items and the page envelope (without data, which the caller shapes).
    """
    taken: list[S] = []
    skipped = 0
    has_more = False
    async for item in items:
        if not keep(item):
            continue
        if page.cursor is None and skipped < page.offset:
            skipped += 1
            continue
        if len(taken) == page.limit:
            has_more = True
            break
        taken.append(item)
    envelope: Page[None] = Page(data=[], has_more=has_more)
    if has_more:
        envelope.next_cursor = encode_cursor(position(taken[-1]), filters)
        if page.cursor is None and page.offset + page.limit <= MAX_OFFSET:
            envelope.next_offset = page.offset + page.limit
    return taken, envelope
