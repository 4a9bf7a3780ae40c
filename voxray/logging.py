"""Logging for every process: structlog and the standard library through one formatter.

Every logger (the project's, uvicorn's, Ray's, twilio's, httpx's) ends in one root handler
whose ``structlog.stdlib.ProcessorFormatter`` renders JSON lines when the stream is not a
terminal and readable console lines when it is. ``request_id``, ``call_sid`` and ``tenant_id``
live in contextvars (bound per request by the access log, per call by the session), so every
line logged while handling them carries them. Secrets are never passed to loggers; as a
second line of defence, values under secret-like keys and credential-shaped strings are masked.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor

# Library loggers routed through the root handler (their own handlers removed).
FOREIGN = ("uvicorn", "uvicorn.error", "uvicorn.access", "ray", "ray.serve", "twilio", "twilio.http_client",
           "httpx", "httpcore", "websockets", "openai")
# Chatty below WARNING, and twilio's client logs request headers at INFO.
QUIET = ("httpx", "httpcore", "twilio", "twilio.http_client", "websockets", "openai")
_SECRET_KEY = re.compile(r"(secret|token|password|api_key|apikey|authorization|auth_token|cookie|link_key)",
                         re.IGNORECASE)
# Keys we mint (vxk_/vxa_), webhook secrets (whsec_), bearer credentials and OpenAI-style keys.
_SECRET_VALUE = re.compile(r"\b(vx[ka]_[A-Za-z0-9_\-]{8,}|whsec_[A-Za-z0-9+/=_\-]{8,}|sk-[A-Za-z0-9_\-]{16,})|"
                           r"(?i:bearer\s+)[A-Za-z0-9._~+/=\-]{8,}")
_SAFE_KEYS = frozenset({"token_kind", "csrf_ok", "key_id"})
_HANDLER_MARK = "_voxray_handler"
REDACTED = "[redacted]"


def redact(_: Any, __: str, event: EventDict) -> EventDict:
    """Mask values under secret-like keys and credential-shaped substrings anywhere in a line."""
    for key, value in list(event.items()):
        if key in _SAFE_KEYS or value is None:
            continue
        if _SECRET_KEY.search(key) and not isinstance(value, bool):
            event[key] = REDACTED
        elif isinstance(value, str):
            event[key] = _SECRET_VALUE.sub(REDACTED, value)
    return event


def _shared() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
    ]


def configure_logging(level: str = "info", *, json: bool | None = None, stream: TextIO | None = None) -> None:
    """Route every logger through one handler on ``stream`` (stderr); JSON unless it is a terminal."""
    stream = stream or sys.stderr
    as_json = not stream.isatty() if json is None else json
    numeric = logging.getLevelName(level.upper())
    renderer: Processor = structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=True)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, renderer],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _HANDLER_MARK, False) or type(old) is logging.StreamHandler:  # basicConfig's
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in FOREIGN:
        foreign = logging.getLogger(name)
        foreign.handlers.clear()
        foreign.propagate = True
        foreign.setLevel(logging.NOTSET)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, numeric))
    structlog.configure(
        processors=[*_shared(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        cache_logger_on_first_use=True,
    )


def bind_call(call_sid: str, tenant_id: str | None = None) -> None:
    """Tag every later line of this task (and tasks it starts) with the call."""
    values = {"call_sid": call_sid}
    if tenant_id:
        values["tenant_id"] = tenant_id
    structlog.contextvars.bind_contextvars(**values)


def bind_request(request_id: str) -> None:
    """Start a request's context afresh: only its id, nothing left from an earlier request."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
