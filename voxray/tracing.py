"""OpenTelemetry traces, off unless the standard ``OTEL_*`` settings turn them on.

On when ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp`` or ``console``) or an OTLP endpoint
is set (``OTEL_EXPORTER_OTLP_ENDPOINT``/``..._TRACES_ENDPOINT``), unless ``OTEL_SDK_DISABLED``
is true. Off, every call here costs one no-op span from the API. One trace follows a call across
processes: the gateway ``inject``s its context into what it hands the session actor, and the
actor ``extract``s it as the parent of its spans (model connect, first audio, tool calls).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Iterator, Mapping

import structlog
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter

log = structlog.get_logger("voxray.tracing")
_configured = False


def wanted(env: Mapping[str, str] = os.environ) -> str | None:
    """The exporter the environment asks for, or None when tracing is off."""
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return None
    if exporter:
        return exporter.split(",")[0]
    if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        return "otlp"
    return None


def _exporter(name: str) -> SpanExporter | None:
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if name == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            log.warning("tracing_exporter_missing", exporter=name,
                        hint="pip install opentelemetry-exporter-otlp-proto-http")
            return None
        return OTLPSpanExporter()  # type: ignore[no-any-return]
    log.warning("tracing_exporter_unknown", exporter=name)
    return None


def configure(service: str, exporter: SpanExporter | None = None) -> bool:
    """Install the tracer provider once per process; ``exporter`` (tests) exports synchronously."""
    global _configured
    if _configured:
        return True
    if exporter is None:
        name = wanted()
        exporter = _exporter(name) if name else None
        processor: Any = BatchSpanProcessor(exporter) if exporter else None
    else:
        processor = SimpleSpanProcessor(exporter)
    if processor is None:
        return False
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service)})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    _configured = True
    return True


def tracer() -> trace.Tracer:
    return trace.get_tracer("voxray")


@contextmanager
def span(name: str, parent: Mapping[str, str] | None = None, **attributes: Any) -> Iterator[trace.Span]:
    """A span, child of the current one or of a propagated ``parent`` carrier (another process)."""
    ctx = propagate.extract(dict(parent)) if parent is not None else None
    with tracer().start_as_current_span(name, context=ctx,
                                        attributes={k: v for k, v in attributes.items() if v is not None}) as s:
        yield s


def inject() -> dict[str, str]:
    """The current trace context as W3C headers, to hand to another process (e.g. in CallSetup)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=otel_context.get_current())
    return carrier
