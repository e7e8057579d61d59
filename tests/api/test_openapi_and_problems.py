"""OpenAPI documents every endpoint and its problems; FastAPI's own errors are problem+json too."""

from __future__ import annotations

import pytest

CONTRACT = {
    ("post", "/v1/decisions"),
    ("post", "/v1/decisions/batch"),
    *{(m, f"/v1/children/{{child}}/{k}") for m in ("get", "post") for k in ("exemptions", "assessments", "access-profiles", "necessary-information")},
    *{("delete", f"/v1/children/{{child}}/{k}/{{fact_id}}") for k in ("exemptions", "assessments", "access-profiles", "necessary-information")},
    ("put", "/v1/children/{child}/representation"),
    ("get", "/v1/changes"),
    ("get", "/v1/audit"),
    ("get", "/healthz"),
    ("get", "/readyz"),
}


def test_openapi_documents_every_contract_endpoint_with_its_problems(client):
    spec = client.get("/openapi.json").json()
    operations = {(method, path): op for path, item in spec["paths"].items() for method, op in item.items()}
    assert CONTRACT <= set(operations)
    for (method, path), operation in operations.items():
        responses = operation["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert success, (method, path)
        assert "$ref" in str(responses[success[0]]["content"]["application/json"]["schema"]), (method, path)
        if path not in ("/healthz",):
            problems = [code for code in responses if code[0] in "45"]
            assert problems, (method, path)
            for code in problems:
                assert "application/problem+json" in responses[code]["content"], (method, path, code)
        if path.startswith("/v1/"):
            assert operation.get("security"), (method, path)
    decision_503 = operations[("post", "/v1/decisions")]["responses"]["503"]["content"]["application/problem+json"]
    assert decision_503["schema"]["$ref"].endswith("DecisionUnavailable")
    assert spec["components"]["securitySchemes"]


def test_the_interactive_docs_are_served(client):
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "problem"),
    [
        ("get", "/v2/nothing", 404, "not-found"),
        ("delete", "/v1/decisions", 405, "method-not-allowed"),
        ("patch", "/v1/changes", 405, "method-not-allowed"),
    ],
)
def test_fastapi_errors_are_problems(client, method, path, status, problem):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body == {"type": f"urn:access-policy:problem:{problem}", "title": body["title"], "status": status, "detail": body["detail"]}


def test_query_validation_is_a_422_problem_naming_the_parameter(client, token):
    response = client.get("/v1/changes", params={"limit": "0"}, headers=token("facts:read"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_a_body_that_is_not_an_object_is_a_422(client, token):
    for content in (b"[]", b"null", b'"text"', b"\xff\xfe"):
        response = client.post("/v1/decisions", content=content, headers=token("decisions") | {"content-type": "application/json"})
        assert response.status_code == 422, content
        assert response.headers["content-type"] == "application/problem+json"
