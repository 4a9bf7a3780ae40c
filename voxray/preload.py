"""Import at start what libraries would otherwise import on first use, on a call's path.

A burst's first calls found the session actor's event loop blocked ~27 ms in imports (anyio's
asyncio backend, pulled in by the first ``sniffio``/``anyio`` lookup in the OpenAI SDK and in
Starlette; the SDK's websocket module, imported inside its ``connect``) while every call on it
waited: the setup profile of a 100-call burst (benchmarks/README.md) showed them.
"""

from __future__ import annotations

import importlib

import structlog

log = structlog.get_logger("voxray.preload")

# Imported lazily by the libraries themselves (inside a function, on first use).
ON_FIRST_USE = ("anyio._backends._asyncio", "openai.lib._websocket")


def preload(modules: tuple[str, ...] = ON_FIRST_USE) -> list[str]:
    """Import ``modules``; return (and log) those that failed. Never raises: a module that cannot
    be imported now fails where it is used, as it would have without this."""
    failed: list[str] = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - an optional extra, or a broken install: said, not fatal
            failed.append(name)
            log.warning("preload_failed", module=name, error=f"{type(exc).__name__}: {exc}")
    return failed
