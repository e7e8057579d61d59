"""HTTP edges: the change feed's cursor past its end, and field names in validation errors."""

from __future__ import annotations

from pydantic import ValidationError

from access_policy.facts import Exemption
from api.problems import field_errors


def test_a_cursor_past_the_end_of_the_change_feed_is_a_400(client, token, family):
    reader = token("facts:read")
    head = client.get("/v1/changes", headers=reader).json()["next"]
    assert int(head) >= 1  # the family's representation
    assert client.get("/v1/changes", params={"after": head}, headers=reader).status_code == 200
    assert client.get("/v1/changes", params={"after": "0"}, headers=reader).status_code == 200
    for past in (int(head) + 1, 10**15):
        response = client.get("/v1/changes", params={"after": str(past)}, headers=reader)
        assert response.status_code == 400, response.text
        problem = response.json()
        assert problem["type"] == "urn:access-policy:problem:cursor-past-end"
        assert problem["errors"] == [{"field": "after", "message": problem["errors"][0]["message"]}]
        assert "past the end" in problem["detail"]


def test_validation_errors_name_fields_as_the_caller_wrote_them(client, clinician, family):
    body = {"child": family.child, "scope": {"pathway": "pw-1"}, "applies_to": [family.father, "not-a-person"], "legal_basis": "pbrl-3-4-3", "reason": "r"}
    response = client.post("/v1/exemptions", json=body, headers=clinician)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "applies_to.1", "message": "is not 11 digits"}]  # never echoed
    body["applies_to"] = "some"
    errors = client.post("/v1/exemptions", json=body, headers=clinician).json()["errors"]
    assert errors == [{"field": "applies_to", "message": "Input should be 'all' or Input should be a list"}]


def test_no_library_internals_in_any_field_name():
    bad = {"id": "e", "scope": {"item": "x"}, "applies_to": ["02838400860", 5], "legal_basis": "x", "reason": "r", "valid_from": "x"}
    try:
        Exemption.model_validate(bad)
    except ValidationError as error:
        fields = [entry["field"] for entry in field_errors(error.errors())]
    assert sorted(fields) == ["applies_to.1", "legal_basis", "valid_from"]
    assert not any(mark in field for field in fields for mark in "[(")


def test_the_store_names_fields_the_same_way(store, family):
    import pytest

    from access_policy.errors import InvalidInputError
    from access_policy.facts import Author, FactKind

    draft = {"scope": {"pathway": "pw-1"}, "applies_to": ["not-a-person"], "legal_basis": "pbrl-3-4-3", "reason": "r"}
    with pytest.raises(InvalidInputError) as raised:
        store.create_fact(family.child, FactKind.EXEMPTIONS, draft, Author(hpr="1234567", org="974589095"))
    assert [problem.field for problem in raised.value.problems] == ["applies_to.0"]
