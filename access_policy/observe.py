"""Operational signals: Prometheus metrics and OpenTelemetry spans, behind tiny hooks.

Call sites (the store, the decision service, the HTTP edge) call one function or open one
`span(...)` here and know nothing of either library, so instrumenting a call site is one line.
The module sits on the ground floor (it imports nothing of this package) so that the store may
call it too. Tracing is off unless the standard `OTEL_*` variables configure an exporter (see
`configure_tracing`); OpenTelemetry is then imported, and only then.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import Counter as _Tally
from typing import Any, ContextManager, Iterator, Sequence

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

log = logging.getLogger(__name__)

_NAMESPACE = "access_policy"
# Latency buckets from 1 ms to 10 s: single decisions take milliseconds, batches up to seconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_GROUP_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)

DECISIONS = Counter(
    "decisions", "Items decided, by deciding rule and effect.", ["rule", "effect"], namespace=_NAMESPACE
)
REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template (never the raw path).",
    ["method", "route"],
    namespace=_NAMESPACE,
    buckets=_LATENCY_BUCKETS,
)
REQUESTS = Counter(
    "http_requests", "HTTP requests answered, by method, route template and status.", ["method", "route", "status"],
    namespace=_NAMESPACE,
)
AUDIT_GROUP_SIZE = Histogram(
    "decision_log_group_commit_size", "Decision-log entries written by one group commit.", namespace=_NAMESPACE,
    buckets=_GROUP_SIZES,
)
AUDIT_GROUP_SECONDS = Histogram(
    "decision_log_group_commit_seconds", "Time to write and commit one group of decision-log entries.",
    namespace=_NAMESPACE, buckets=_LATENCY_BUCKETS,
)
STORE_ERRORS = Counter(
    "store_errors", "Store operations that failed, by operation.", ["operation"], namespace=_NAMESPACE
)
FAIL_CLOSED = Counter(
    "fail_closed_denials",
    "Decision requests denied because they could not be decided or logged, by reason.",
    ["reason"],
    namespace=_NAMESPACE,
)
FACT_CACHE = Counter(
    "fact_cache_lookups", "Reads of a child's facts for a decision, by outcome: `hit` (the cached facts were current) "
    "or `miss` (read from the store).", ["outcome"], namespace=_NAMESPACE,
)
FILTER_CACHE = Counter(
    "filter_cache_lookups", "Timeline filters looked up among those already compiled, by outcome: `hit` (one held at "
    "the instant asked) or `miss` (compiled).", ["outcome"], namespace=_NAMESPACE,
)
TOKEN_CACHE = Counter(
    "token_cache_lookups", "Bearer tokens looked up among those already verified, by outcome: `hit` or `miss`.",
    ["outcome"], namespace=_NAMESPACE,
)
TOKEN_REJECTIONS = Counter(
    "token_rejections", "Requests refused for their token, by reason.", ["reason"], namespace=_NAMESPACE
)


# -- hooks called by the rest of the package

_FACT_CACHE = {outcome: FACT_CACHE.labels(outcome) for outcome in ("hit", "miss")}
_TOKEN_CACHE = {outcome: TOKEN_CACHE.labels(outcome) for outcome in ("hit", "miss")}
_FILTER_CACHE = {outcome: FILTER_CACHE.labels(outcome) for outcome in ("hit", "miss")}


def fact_cache(outcome: str) -> None:
    """Count one lookup of the fact cache: `hit` or `miss`."""
    _FACT_CACHE[outcome].inc()


def filter_cache(outcome: str) -> None:
    """Count one lookup of the compiled-filter cache: `hit` or `miss`."""
    _FILTER_CACHE[outcome].inc()


def token_cache(outcome: str) -> None:
    """Count one lookup of the verified-token cache: `hit` or `miss`."""
    _TOKEN_CACHE[outcome].inc()


def decided(decisions: Sequence[Any]) -> None:
    """Count decided items by rule and effect (a batch's alike decisions are counted together)."""
    # Items that decide alike share one Decision object: tally the objects by identity (no
    # attribute read per item), then label each distinct one once.
    tally = _Tally(map(id, decisions))
    for decision in dict(zip(map(id, decisions), decisions)).values():
        DECISIONS.labels(decision.rule, decision.effect.value).inc(tally[id(decision)])


_request_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def request_done(method: str, route: str, status: int, seconds: float) -> None:
    """One HTTP request answered; `route` is the route template, e.g. `/v1/exemptions/{fact_id}`."""
    series = _request_series.get((method, route, status))
    if series is None:  # routes, methods and statuses are few: look each combination up once
        series = (REQUEST_SECONDS.labels(method, route), REQUESTS.labels(method, route, str(status)))
        _request_series[(method, route, status)] = series
    series[0].observe(seconds)
    series[1].inc()


def audit_group_committed(size: int, seconds: float) -> None:
    """One group commit of the decision log: how many entries, how long writing and committing took."""
    AUDIT_GROUP_SIZE.observe(size)
    AUDIT_GROUP_SECONDS.observe(seconds)


def store_error(operation: str) -> None:
    """A store operation failed (`facts_read`, `decision_log_write`, `ping`, `request`)."""
    STORE_ERRORS.labels(operation).inc()


def fail_closed(reason: str) -> None:
    """A decision request denied because it could not be decided or logged; `reason` is the stable code."""
    FAIL_CLOSED.labels(reason).inc()


def token_rejected(reason: str) -> None:
    """A request refused for its token; `reason` is one of `TOKEN_REJECTION_REASONS`."""
    TOKEN_REJECTIONS.labels(reason).inc()


TOKEN_REJECTION_REASONS = (
    "missing", "malformed", "expired", "audience", "issuer", "signature", "unknown_key", "keys_unavailable",
    "invalid", "scope",
)


def token_rejection_reason(error: BaseException) -> str:
    """The reason label for an authentication error, from the token library's error it replaced."""
    import jwt

    cause = error.__cause__ or error.__context__
    for kind, reason in (
        (jwt.ExpiredSignatureError, "expired"),
        (jwt.InvalidAudienceError, "audience"),
        (jwt.InvalidIssuerError, "issuer"),
        (jwt.InvalidSignatureError, "signature"),
        (jwt.PyJWKClientConnectionError, "keys_unavailable"),
        (jwt.DecodeError, "malformed"),
    ):
        if isinstance(cause, kind):
            return reason
    if cause is None and "kid" in str(error):
        return "unknown_key"
    return "invalid"


def exposition(registry: CollectorRegistry | None = None) -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type (all workers' when multiprocess)."""
    return generate_latest(registry or metrics_registry()), CONTENT_TYPE_LATEST


def metrics_registry() -> CollectorRegistry:
    """The registry to expose: every worker's metrics under `PROMETHEUS_MULTIPROC_DIR`, else this process's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


# -- tracing

class _NoSpan:
    """Stands in for a span while tracing is off: costs one attribute lookup."""

    __slots__ = ()

    def set_attribute(self, key: str, value: Any) -> None:
        """Nothing to record."""

    def update_name(self, name: str) -> None:
        """Nothing to rename."""


_NO_SPAN = _NoSpan()
_tracer: Any = None
_provider: Any = None


@contextlib.contextmanager
def _no_span() -> Iterator[_NoSpan]:
    yield _NO_SPAN


def span(name: str, **attributes: Any) -> ContextManager[Any]:
    """A span around a step (`facts.read`, `engine.decide`, `decision_log.write`); nothing when tracing is off."""
    if _tracer is None:
        return _no_span()
    return _tracer.start_as_current_span(name, attributes=attributes or None)


def tracing_enabled() -> bool:
    """Whether spans are being recorded."""
    return _tracer is not None


_TRACE_VARIABLES = ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def tracing_requested(environ: dict[str, str] | None = None) -> bool:
    """Whether the standard `OTEL_*` variables ask for traces to be exported."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(env.get(name, "").strip() for name in _TRACE_VARIABLES)


class TracingUnavailableError(RuntimeError):
    """Tracing is configured by the environment, but OpenTelemetry is not installed."""


def configure_tracing(environ: dict[str, str] | None = None, *, exporter: Any = None) -> bool:
    """Start recording spans when the `OTEL_*` variables (or a given exporter, in tests) ask for it.

    The exporter comes from `OTEL_TRACES_EXPORTER` (`otlp` by default, `console`), its endpoint and
    headers from the usual `OTEL_EXPORTER_OTLP_*` variables, the service name from `OTEL_SERVICE_NAME`.
    Raises `TracingUnavailableError` when asked for but the `otel` extra is not installed.
    """
    global _tracer, _provider
    if exporter is None and not tracing_requested(environ):
        return False
    env = os.environ if environ is None else environ
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError as error:
        raise TracingUnavailableError(
            "OTEL_* variables ask for traces, but OpenTelemetry is not installed: "
            "install access-policy[otel], or unset them"
        ) from error
    if exporter is not None:
        processor: Any = SimpleSpanProcessor(exporter)
    else:
        processor = BatchSpanProcessor(_exporter_from_env(env))
    service = env.get("OTEL_SERVICE_NAME") or "access-policy"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(processor)
    _provider, _tracer = provider, provider.get_tracer("access_policy")
    return True


def _exporter_from_env(env: Any) -> Any:
    kind = (env.get("OTEL_TRACES_EXPORTER") or "otlp").split(",")[0].strip().lower()
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if kind != "otlp":
        raise TracingUnavailableError(f"OTEL_TRACES_EXPORTER `{kind}` is not supported (use otlp or console)")
    protocol = (env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf")
    try:
        if protocol.strip() == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        else:
            # The same class name from the other transport's module: one of the two is imported.
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # type: ignore[no-redef]
    except ImportError as error:
        raise TracingUnavailableError(
            f"the OTLP exporter for `{protocol}` is not installed: install access-policy[otel]"
        ) from error
    return OTLPSpanExporter()  # reads its endpoint, headers and timeout from OTEL_EXPORTER_OTLP_*


def stop_tracing() -> None:
    """Stop recording spans (tests, shutdown), flushing those already ended to the exporter."""
    global _tracer, _provider
    provider, _provider, _tracer = _provider, None, None
    if provider is not None:
        provider.shutdown()
