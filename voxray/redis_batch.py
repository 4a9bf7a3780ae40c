"""Independent Redis steps of several owners in one pipeline: one round trip, one await.

Call setup runs on an event loop that also relays every live call's audio. Under a burst each
``await`` waits its turn behind that work, and ``asyncio.gather`` of N commands costs several
turns more than one await (its tasks start, finish and wake the caller on later turns). So the
webhook queues its steps here (the limiter's bucket, the tenant lookup, the record, admission,
the stream token) and sends them together.

Each owner queues its commands on ``batch.pipe`` and then calls ``batch.mark(parse)``, which
returns a ``Reply`` filled by ``run``. Scripts are queued with EVAL (Redis caches the compiled
body), so a pipeline never meets NOSCRIPT and never needs redis-py's extra SCRIPT EXISTS trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

import redis.asyncio as aioredis

T = TypeVar("T")


@dataclass
class Reply(Generic[T]):
    """One owner's share of a batch: its parsed value, or the error its commands met."""

    _value: Any = None
    _error: BaseException | None = None
    _done: bool = field(default=False)

    def get(self) -> T:
        if not self._done:
            raise RuntimeError("the batch has not run")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[no-any-return]

    @property
    def error(self) -> BaseException | None:
        return self._error


class Batch:
    def __init__(self, redis: aioredis.Redis, *, atomic: bool = False) -> None:
        """``atomic``: run the batch as one MULTI/EXEC (no other client's command between its
        steps: a claim and the admission that depends on it); same round trip."""
        self.pipe: Any = redis.pipeline(transaction=atomic)
        self._parts: list[tuple[int, int, Callable[[list[Any]], Any], Reply[Any]]] = []
        self._queued = 0
        self._ran = False

    def mark(self, parse: Callable[[list[Any]], T]) -> Reply[T]:
        """Close the commands queued since the last mark into one part, parsed by ``parse``."""
        end = len(self.pipe.command_stack)
        reply: Reply[T] = Reply()
        self._parts.append((self._queued, end, parse, reply))
        self._queued = end
        return reply

    async def run(self) -> None:
        """Send everything; a connection failure raises, a command's error goes to its part."""
        if self._ran:
            raise RuntimeError("a batch runs once")
        if self._queued != len(self.pipe.command_stack):
            raise RuntimeError("commands queued without a mark")
        self._ran = True
        try:
            results = await self.pipe.execute(raise_on_error=False) if self._queued else []
        except BaseException as exc:  # the round trip itself failed: every part shares the error
            for *_, reply in self._parts:
                reply._done, reply._error = True, exc
            raise
        for start, end, parse, reply in self._parts:
            chunk = results[start:end]
            reply._done = True
            failed = next((r for r in chunk if isinstance(r, BaseException)), None)
            if failed is not None:
                reply._error = failed
                continue
            try:
                reply._value = parse(chunk)
            except Exception as exc:  # noqa: BLE001 - the owner's parse failing is that owner's error
                reply._error = exc


async def run_one(redis: aioredis.Redis, queue: Callable[[Batch], Reply[T]]) -> T:
    """One owner's step on its own: the same commands and parse as in a batch (one code path)."""
    batch = Batch(redis)
    reply = queue(batch)
    await batch.run()
    return reply.get()


def script(pipe: Any, body: str, keys: list[str], args: list[Any]) -> None:
    """Queue a Lua script by its body (EVAL): no NOSCRIPT in a pipeline, no SCRIPT EXISTS trip."""
    pipe.eval(body, len(keys), *keys, *args)
