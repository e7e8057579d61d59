"""Prometheus metrics: who may read them, and that each counts what it says."""

from __future__ import annotations

import threading

import jwt
import pytest
from prometheus_client.parser import text_string_to_metric_families

from access_policy import observe
from api.app import create_app
from tests.api.conftest import TestClient, item
from tests.api.test_fail_closed import FlakyStore


def _samples(client, headers) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_need_a_token_with_the_metrics_scope(client, token):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=token("decisions")).status_code == 403
    assert client.get("/metrics", headers=token("metrics")).status_code == 200


def test_decisions_are_counted_by_rule_and_effect(client, token, family, now):
    reader = token("metrics")
    before = _samples(client, reader)
    body = {"requester": family.mother, "child": family.child, "items": [item(f"d{n}") for n in range(3)], "at": now.isoformat()}
    assert client.post("/v1/decisions/batch", json=body, headers=token("decisions")).status_code == 200
    stranger = {"requester": family.stranger, "child": family.child, "item": item(), "at": now.isoformat()}
    answer = client.post("/v1/decisions", json=stranger, headers=token("decisions")).json()
    after = _samples(client, reader)
    assert _value(after, "access_policy_decisions_total", rule="main-rule", effect="permit") - _value(
        before, "access_policy_decisions_total", rule="main-rule", effect="permit"
    ) == 3
    rule = answer["rule"]
    assert answer["decision"] == "deny"
    assert _value(after, "access_policy_decisions_total", rule=rule, effect="deny") - _value(
        before, "access_policy_decisions_total", rule=rule, effect="deny"
    ) == 1


def test_latency_is_labelled_by_route_template_never_the_raw_path(client, token, family):
    reader = token("metrics")
    client.get(f"/v1/exemptions/ex-{family.child}", headers=token("facts:read"))
    client.get(f"/v1/children/{family.child}/exemptions", headers=token("facts:read"))  # removed: unmatched
    client.get(f"/nothing/{family.child}")
    response = client.get("/metrics", headers=reader)
    assert family.child not in response.text
    samples = _samples(client, reader)
    assert _value(samples, "access_policy_http_request_duration_seconds_count", method="GET", route="/v1/exemptions/{fact_id}") >= 1
    assert _value(samples, "access_policy_http_requests_total", method="GET", route="unmatched", status="404") >= 1


def test_a_method_a_client_makes_up_is_not_a_new_label(client, token):
    client.request("BREW", "/healthz")
    text = client.get("/metrics", headers=token("metrics")).text
    assert "BREW" not in text and 'method="OTHER",route="/healthz"' in text


def test_token_rejections_are_counted_by_reason(client, token, settings):
    reader = token("metrics")
    before = _samples(client, reader)
    expired = token("decisions", ttl_seconds=-3600)
    garbage = {"Authorization": "Bearer not-a-token"}
    client.post("/v1/decisions", json={})
    client.post("/v1/decisions", json={}, headers=expired)
    client.post("/v1/decisions", json={}, headers=garbage)
    client.post("/v1/decisions", json={}, headers=token("facts:read"))
    after = _samples(client, reader)
    for reason in ("missing", "expired", "malformed", "scope"):
        assert reason in observe.TOKEN_REJECTION_REASONS
        assert _value(after, "access_policy_token_rejections_total", reason=reason) - _value(
            before, "access_policy_token_rejections_total", reason=reason
        ) == 1, reason


def test_fail_closed_denials_and_store_errors_are_counted(settings, store, national_policy, token, family, now):
    flaky = FlakyStore(store)
    with TestClient(create_app(settings, store=flaky, policy=national_policy), raise_server_exceptions=False) as client:
        reader = token("metrics")
        before = _samples(client, reader)
        body = {"requester": family.mother, "child": family.child, "item": item(), "at": now.isoformat()}
        flaky.fail_reads = True
        assert client.post("/v1/decisions", json=body, headers=token("decisions")).status_code == 503
        assert client.get("/readyz").status_code == 503
        flaky.fail_reads, flaky.fail_audit = False, True
        assert client.post("/v1/decisions", json=body, headers=token("decisions")).status_code == 503
        flaky.fail_audit = False
        after = _samples(client, reader)

    def delta(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("access_policy_fail_closed_denials_total", reason="store-unavailable") == 1
    assert delta("access_policy_fail_closed_denials_total", reason="decision-log-unavailable") == 1
    assert delta("access_policy_store_errors_total", operation="facts_read") == 1
    assert delta("access_policy_store_errors_total", operation="decision_log_write") == 1
    assert delta("access_policy_store_errors_total", operation="ping") == 1


def test_group_commits_of_the_decision_log_are_measured(store, family):
    count = observe.AUDIT_GROUP_SIZE.collect()[0]
    before = {s.name: s.value for s in count.samples if not s.labels.get("le")}
    threads = [
        threading.Thread(target=store.append_audit, args=(f"d-{n}", family.child, {"n": n})) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = {s.name: s.value for s in observe.AUDIT_GROUP_SIZE.collect()[0].samples if not s.labels.get("le")}
    commits = after["access_policy_decision_log_group_commit_size_count"] - before["access_policy_decision_log_group_commit_size_count"]
    entries = after["access_policy_decision_log_group_commit_size_sum"] - before["access_policy_decision_log_group_commit_size_sum"]
    assert entries == 8 and 1 <= commits <= 8
    seconds = {s.name: s.value for s in observe.AUDIT_GROUP_SECONDS.collect()[0].samples if not s.labels.get("le")}
    assert seconds["access_policy_decision_log_group_commit_seconds_count"] >= commits


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (jwt.ExpiredSignatureError("x"), "expired"),
        (jwt.InvalidAudienceError("x"), "audience"),
        (jwt.InvalidIssuerError("x"), "issuer"),
        (jwt.InvalidSignatureError("x"), "signature"),
        (jwt.DecodeError("x"), "malformed"),
        (jwt.PyJWKClientConnectionError("x"), "keys_unavailable"),
        (jwt.MissingRequiredClaimError("sub"), "invalid"),
    ],
)
def test_a_rejected_token_is_classified_by_the_error_behind_it(error, reason):
    from access_policy.service.tokens import AuthenticationError

    try:
        try:
            raise error
        except Exception:
            raise AuthenticationError("the token is not valid") from None
    except AuthenticationError as rejected:
        assert observe.token_rejection_reason(rejected) == reason
