"""OpenTelemetry spans: off unless configured; when on, one trace per request with its steps."""

from __future__ import annotations

import sys

import pytest

from access_policy import observe
from tests.api.conftest import item

in_memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")


@pytest.fixture
def spans():
    exporter = in_memory.InMemorySpanExporter()
    assert observe.configure_tracing({}, exporter=exporter)
    yield exporter
    observe.stop_tracing()


def test_tracing_is_off_unless_the_environment_configures_an_exporter():
    assert not observe.tracing_enabled()
    assert not observe.configure_tracing({})
    assert not observe.tracing_requested({"OTEL_SERVICE_NAME": "x"})
    assert observe.tracing_requested({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert not observe.tracing_requested({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"})
    assert not observe.tracing_requested({"OTEL_TRACES_EXPORTER": "none"})
    with observe.span("facts.read") as span:  # costs nothing and records nothing
        span.set_attribute("k", "v")


def test_a_decision_request_is_one_trace_with_fact_read_engine_and_log_write(client, token, family, now, spans):
    body = {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}
    response = client.post("/v1/decisions", json=body, headers={**token("decisions"), "X-Request-ID": "trace-me"})
    assert response.status_code == 200
    finished = {span.name: span for span in spans.get_finished_spans()}
    request = finished["POST /v1/decisions"]
    assert request.attributes["http.route"] == "/v1/decisions"
    assert request.attributes["http.response.status_code"] == 200
    assert request.attributes["request.id"] == "trace-me"
    for step in ("facts.read", "engine.decide", "decision_log.write"):
        assert finished[step].parent.span_id == request.context.span_id, step
        assert finished[step].context.trace_id == request.context.trace_id
    assert finished["engine.decide"].attributes["items"] == 1
    assert all(family.child not in str(dict(span.attributes)) for span in finished.values())


def test_asking_for_traces_without_opentelemetry_installed_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # as if the otel extra were not installed
    with pytest.raises(observe.TracingUnavailableError, match=r"access-policy\[otel\]"):
        observe.configure_tracing({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert not observe.tracing_enabled()
