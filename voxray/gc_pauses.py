"""Keep the garbage collector's full passes off a call's path, and time every pass.

A gateway or session-actor process holds ~213 k objects once Ray, FastAPI, pydantic and the OpenAI
SDK are imported. CPython's full (generation 2) collection walks all of them: 111 ms on the
benchmark host, during which the event loop, and every call on it, stands still. Full passes are
rare (a 50-call benchmark run saw none: ~24 young and 2 middle passes per actor), but a process
that runs for days meets them. ``settle()`` (after start-up) moves what is alive then into the
permanent generation (``gc.freeze``), so later full passes walk only what calls created.

``PauseTally`` times each pass from ``gc.callbacks`` into plain counters: no lock is taken inside a
collection (a metrics library's lock, held by the code the collection interrupted, would deadlock).
Readers take a snapshot when they export.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from typing import Any

# Upper bounds of the pause histogram, in seconds (a young pass is tens of microseconds).
BOUNDS: tuple[float, ...] = (0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25)
GENERATIONS = 3


_frozen = 0


def settle() -> int:
    """Collect what start-up left as garbage, then freeze the rest; return how many objects are frozen.
    Call once a process is ready, before it takes calls (and before ``PauseTally.install``: this
    deliberate pass is not a pause anyone waited for)."""
    global _frozen
    gc.collect()
    gc.freeze()
    _frozen = gc.get_freeze_count()  # it walks the frozen list: counted once, not per scrape
    return _frozen


def frozen() -> int:
    """Objects frozen by the last ``settle()`` in this process."""
    return _frozen


@dataclass
class GenerationPauses:
    """Cumulative pauses of one generation: counts per bucket of ``BOUNDS`` (last: above them)."""

    buckets: list[int] = field(default_factory=lambda: [0] * (len(BOUNDS) + 1))
    count: int = 0
    total_s: float = 0.0
    longest_s: float = 0.0

    def add(self, seconds: float) -> None:
        index = next((i for i, bound in enumerate(BOUNDS) if seconds <= bound), len(BOUNDS))
        self.buckets[index] += 1
        self.count += 1
        self.total_s += seconds
        self.longest_s = max(self.longest_s, seconds)

    def cumulative(self) -> list[tuple[str, int]]:
        """Prometheus-style ``(le, count)`` pairs, ending with ``+Inf``."""
        out, running = [], 0
        for bound, n in zip((*map(str, BOUNDS), "+Inf"), self.buckets):
            running += n
            out.append((bound, running))
        return out


class PauseTally:
    """Times the collector's passes while installed. Only the collecting thread writes, and the
    interpreter runs one collection at a time (callbacks included), so no lock is needed."""

    def __init__(self) -> None:
        self.by_generation = [GenerationPauses() for _ in range(GENERATIONS)]
        self._started = 0.0

    def install(self) -> None:
        if self._on_pass not in gc.callbacks:
            gc.callbacks.append(self._on_pass)

    def uninstall(self) -> None:
        if self._on_pass in gc.callbacks:
            gc.callbacks.remove(self._on_pass)

    def _on_pass(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.by_generation[info["generation"]].add(time.perf_counter() - self._started)

    def snapshot(self) -> list[GenerationPauses]:
        """Copies, so a pass finishing during an export cannot change what is being exported."""
        return [GenerationPauses(list(g.buckets), g.count, g.total_s, g.longest_s) for g in self.by_generation]


# One per process: gc.callbacks is process-wide, and every app or actor in it shares the collector.
PROCESS_PAUSES = PauseTally()
