"""structlog set-up: JSON lines, one event per line, secrets never passed to loggers."""

from __future__ import annotations

import logging

import structlog


def configure_logging(level: str = "info") -> None:
    logging.basicConfig(format="%(message)s", level=level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the call log
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
