"""OpenAPI documents every endpoint and its problems; FastAPI's own errors are problem+json too."""

from __future__ import annotations

import re

import pytest

from access_policy.facts import FACT_KINDS

KINDS = [kind.value for kind in FACT_KINDS]

CONTRACT = {
    ("post", "/v1/decisions"),
    ("post", "/v1/decisions/batch"),
    *{("post", f"/v1/{k}") for k in KINDS},
    *{("post", f"/v1/{k}/search") for k in KINDS},
    *{("get", f"/v1/{k}/{{fact_id}}") for k in KINDS},
    *{("post", f"/v1/{k}/{{fact_id}}/revoke") for k in KINDS},
    *{("delete", f"/v1/{k}/{{fact_id}}") for k in KINDS},
    ("put", "/v1/representation"),
    ("post", "/v1/representation/search"),
    ("get", "/v1/changes"),
    ("get", "/v1/audit"),
    ("get", "/v1/audit/export"),
    ("post", "/v1/audit/search"),
    ("get", "/healthz"),
    ("get", "/readyz"),
}


def test_no_path_carries_a_person_id_and_the_old_child_paths_are_gone(client):
    # The only path parameter left is a record's opaque id: persons travel in bodies.
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        assert set(re.findall(r"{(\w+)}", path)) <= {"fact_id"}, path
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                assert parameter["in"] != "query" or parameter["name"] in ("after", "limit", "identities"), (path, parameter["name"])
    assert not [path for path in spec["paths"] if path.startswith("/v1/children")]


def test_openapi_documents_every_contract_endpoint_with_its_problems(client):
    spec = client.get("/openapi.json").json()
    operations = {(method, path): op for path, item in spec["paths"].items() for method, op in item.items()}
    assert CONTRACT <= set(operations)
    for (method, path), operation in operations.items():
        responses = operation["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert success, (method, path)
        content = responses[success[0]]["content"]  # JSON, or JSON lines for the decision-log export
        schema = (content.get("application/json") or content.get("application/x-ndjson"))["schema"]
        assert "$ref" in str(schema), (method, path)
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
