"""Log lines: request ids taken or made and echoed, the decision id, JSON, no person number."""

from __future__ import annotations

import json
import logging

import pytest

from access_policy.service import logs
from tests.api.conftest import item


class _Capture(logging.Handler):
    """The service's log lines, formatted as `serve` formats them."""

    def __init__(self, formatter: logging.Formatter):
        super().__init__()
        self.setFormatter(formatter)
        self.addFilter(logs.ContextFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(params=["text", "json"])
def captured(request):
    formatter = logs.JsonFormatter() if request.param == "json" else logs.TextFormatter()
    handler = _Capture(formatter)
    logger = logging.getLogger("access_policy")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield request.param, handler.lines
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_a_plain_request_id_is_echoed_and_a_missing_or_unsafe_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123_x.y"}).headers["x-request-id"] == "abc-123_x.y"
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32 and made.isalnum()
    for unsafe in ("a" * 129, "two words", "line\\nbreak", 'quote"', ""):
        echoed = client.get("/healthz", headers={"X-Request-ID": unsafe}).headers["x-request-id"]
        assert echoed != unsafe and len(echoed) == 32


def test_the_access_line_has_the_route_template_status_duration_and_ids(client, token, family, now, captured):
    log_format, lines = captured
    body = {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}
    answer = client.post("/v1/decisions", json=body, headers={**token("decisions"), "X-Request-ID": "req-42"})
    client.get(f"/v1/exemptions/ex-{family.child}?limit=5", headers=token("facts:read"))
    decision_id = answer.json()["decision_id"]
    access = [line for line in lines if "access_policy.access" in line]
    assert len(access) == 2
    if log_format == "json":
        first, second = (json.loads(line) for line in access)
        assert first["route"] == "/v1/decisions" and first["method"] == "POST" and first["status"] == 200
        assert first["request_id"] == "req-42" and first["decision_id"] == decision_id
        assert isinstance(first["duration_ms"], float) and first["level"] == "INFO" and first["time"]
        assert second["route"] == "/v1/exemptions/{fact_id}" and "decision_id" not in second
    else:
        assert access[0].split(" INFO access_policy.access ")[1].startswith("POST /v1/decisions 200 ")
        assert f"[request=req-42 decision={decision_id}]" in access[0]
        assert "GET /v1/exemptions/{fact_id} 404" in access[1]
    assert all(family.child not in line and "limit=5" not in line for line in lines)


def test_a_person_number_in_any_message_is_redacted(captured, family):
    log_format, lines = captured
    logging.getLogger("access_policy.test").warning("child %s, decision 0f3e12345678901a", family.child)
    assert family.child not in lines[-1] and logs.REDACTED in lines[-1]
    assert "0f3e12345678901a" in lines[-1]  # eleven digits inside an id are not a person number
    if log_format == "json":
        assert json.loads(lines[-1])["level"] == "WARNING"
