"""The clinician's pages without a browser: auth, CSRF, the number kept out of URLs, forms, preview."""

from __future__ import annotations

import datetime
import json
import logging
import re

import pytest
from pydantic import BaseModel

from access_policy.facts import Author, FactKind, PartyNumber, Representation
from access_policy.service.tokens import issue_dev_token
from api import ui_forms
from tests.api.conftest import HPR, ORG, Family


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture
def fresh_family(store, now) -> Family:
    """A family whose register data was read just now (the pages decide at the real time)."""
    family = Family(now)
    current = Representation(holders=family.representation.holders, retrieved_at=datetime.datetime.now(datetime.timezone.utc))
    store.put_representation(family.child, current, Author(system="test"))
    return family


def _login(client, settings, *scopes: str, clinician: bool = True) -> str:
    token = issue_dev_token(settings, scopes, hpr=HPR if clinician else None, org=ORG if clinician else None)
    csrf = _csrf(client.get("/ui/login").text)
    response = client.post("/ui/login", data={"csrf": csrf, "token": token})
    assert response.status_code == 200 and response.url.path == "/ui/"
    return _csrf(response.text)


def _open(client, csrf: str, child: str) -> str:
    response = client.post("/ui/child", data={"csrf": csrf, "child": child})
    assert response.status_code == 200 and response.url.path == "/ui/child"
    assert child not in str(response.url) and all(child not in str(r.url) for r in response.history)
    return response.text


def test_pages_need_a_token(client) -> None:
    response = client.get("/ui/child", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/login"


def test_session_cookie_is_httponly_strict_and_hides_the_number(client, settings, fresh_family) -> None:
    csrf = _login(client, settings, "facts:read")
    client.post("/ui/child", data={"csrf": csrf, "child": fresh_family.child}, follow_redirects=False)
    cookie = client.cookies.get("ap_ui")
    assert cookie and fresh_family.child not in cookie
    response = client.get("/ui/login")
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header


def test_a_post_without_the_csrf_token_is_refused(client, settings, fresh_family) -> None:
    _login(client, settings, "facts:read", "facts:write")
    response = client.post("/ui/child", data={"csrf": "forged", "child": fresh_family.child})
    assert response.status_code == 403


def test_reading_shows_the_child_and_no_create_forms(client, settings, fresh_family) -> None:
    csrf = _login(client, settings, "facts:read")
    page = _open(client, csrf, fresh_family.child)
    assert "Folkeregisteret" in page and "Fyller 16 år" in page and fresh_family.mother in page
    assert 'action="/ui/facts/exemptions"' not in page
    response = client.post("/ui/facts/exemptions", data={"csrf": _csrf(page)})
    assert response.status_code == 403 and "facts:write" in response.text


def test_a_bad_number_is_a_clear_422(client, settings) -> None:
    csrf = _login(client, settings, "facts:read")
    response = client.post("/ui/child", data={"csrf": csrf, "child": "12345678901"})
    assert response.status_code == 422 and "Ugyldig fødselsnummer" in response.text


def test_create_lists_and_revokes_through_the_records_service(client, settings, fresh_family, store) -> None:
    csrf = _login(client, settings, "facts:read", "facts:write")
    page = _open(client, csrf, fresh_family.child)
    form = {"csrf": _csrf(page), "scope.type": "pathway", "scope.id": "BUP", "applies_to": fresh_family.father,
            "legal_basis": "pbrl-3-4-2", "reason": "Barnet ønsker det", "valid_until": "2030-01-01T00:00"}
    response = client.post("/ui/facts/exemptions", data=form)
    assert response.status_code == 200 and "er lagret" in response.text
    (record,) = store.list_facts(fresh_family.child, FactKind.EXEMPTIONS)
    assert record.applies_to == (fresh_family.father,) and record.author.hpr == HPR
    assert record.valid_until == datetime.datetime(2029, 12, 31, 23, 0, tzinfo=datetime.timezone.utc)  # Oslo time
    response = client.post(f"/ui/facts/exemptions/{record.id}/revoke", data={"csrf": _csrf(response.text)})
    assert "trukket tilbake" in response.text
    assert store.list_facts(fresh_family.child, FactKind.EXEMPTIONS)[0].revoked_at is not None
    changes, _ = store.changes()
    assert [(c.fact_id, c.action) for c in changes if c.fact_id == record.id] == [(record.id, "created"), (record.id, "revoked")]


def test_form_errors_name_the_field(client, settings, fresh_family, store) -> None:
    csrf = _login(client, settings, "facts:read", "facts:write")
    page = _open(client, csrf, fresh_family.child)
    response = client.post("/ui/facts/exemptions", data={"csrf": _csrf(page), "scope.type": "item", "scope.id": "D1",
                                                         "applies_to": "all", "legal_basis": "pbrl-3-4-3"})
    assert response.status_code == 422 and "Begrunnelse" in response.text
    assert store.list_facts(fresh_family.child, FactKind.EXEMPTIONS) == []


def test_legal_bases_offered_by_age() -> None:
    (form,) = [f for f in ui_forms.kind_forms() if f.kind == "exemptions"]
    options = next(field.options for field in form.fields if field.name == "legal_basis")
    assert [v for v, _ in ui_forms.legal_bases_for(options, 8)] == ["pbrl-3-4-3", "pbrl-5-1-2"]
    assert "pbrl-3-4-2" in [v for v, _ in ui_forms.legal_bases_for(options, 13)]
    assert [v for v, _ in ui_forms.legal_bases_for(options, 17)] == ["pbrl-5-1-2"]
    (assessment,) = [f for f in ui_forms.kind_forms() if f.kind == "assessments"]
    assert assessment.offered(13) and not assessment.offered(16)


def test_every_draft_kind_has_a_form_and_a_new_kind_is_one_entry(monkeypatch) -> None:
    assert {form.kind for form in ui_forms.kind_forms()} == {kind.value for kind in FactKind}

    class ShareDraft(BaseModel):
        representative: PartyNumber
        valid_until: datetime.datetime | None = None

    monkeypatch.setitem(ui_forms.KIND_TEXT, "sharing", ("Deling", "Ungdommen deler med en forelder."))
    monkeypatch.setattr(ui_forms, "DRAFT_TYPES", {**ui_forms.DRAFT_TYPES, type("K", (), {"value": "sharing"})(): ShareDraft})
    (form,) = [f for f in ui_forms.kind_forms() if f.kind == "sharing"]
    assert form.label == "Deling" and [(f.name, f.widget) for f in form.fields] == [("representative", "party"), ("valid_until", "datetime")]


def test_preview_compares_two_parents_and_writes_no_decision_log(client, settings, fresh_family, store, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    csrf = _login(client, settings, "facts:read", "facts:write")
    page = _open(client, csrf, fresh_family.child)
    client.post("/ui/facts/exemptions", data={"csrf": _csrf(page), "scope.type": "item", "scope.id": "D1",
                                              "applies_to": fresh_family.father, "legal_basis": "pbrl-3-4-3", "reason": "Vurdert"})
    before = store.audit_head()
    items = '[{"id": "D1", "kind": "note"}, {"id": "A1", "kind": "appointment"}]'
    response = client.post("/ui/preview", data={"csrf": _csrf(page), "requester_a": fresh_family.mother,
                                                "requester_b": fresh_family.father, "items": items})
    assert response.status_code == 200
    mother, father = response.text.split('data-requester="')[1:3]
    assert "Ser 2 av 2" in mother and "Ser 1 av 2" in father
    assert "exemption" in father and "Vurdert" in father and f"HPR {HPR}" in father
    assert store.audit_head() == before  # a clinician's preview is not a parent looking
    assert all(fresh_family.child not in record.getMessage() for record in caplog.records)


def test_preview_takes_a_fhir_bundle(client, settings, fresh_family) -> None:
    csrf = _login(client, settings, "facts:read", "facts:write")
    page = _open(client, csrf, fresh_family.child)
    client.post("/ui/facts/exemptions", data={"csrf": _csrf(page), "scope.type": "item", "scope.id": "D1",
                                              "applies_to": fresh_family.father, "legal_basis": "pbrl-3-4-3", "reason": "Vurdert"})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "DocumentReference", "id": "D1", "status": "current",
                      "content": [{"attachment": {"contentType": "text/plain"}}]}},
        {"resource": {"resourceType": "Appointment", "id": "A1", "status": "booked", "participant": [{"status": "accepted"}]}},
    ]}
    response = client.post("/ui/preview", data={"csrf": _csrf(page), "requester_a": fresh_family.mother,
                                                "requester_b": fresh_family.father, "items": json.dumps(bundle)})
    assert response.status_code == 200, response.text
    mother, father = response.text.split('data-requester="')[1:3]
    assert "Ser 2 av 2" in mother and "Ser 1 av 2" in father
    bundle["entry"].append({"resource": {"resourceType": "Patient", "id": "p"}})
    refused = client.post("/ui/preview", data={"csrf": _csrf(page), "requester_a": fresh_family.mother, "items": json.dumps(bundle)})
    assert refused.status_code == 422 and "oppføring 3" in refused.text


def test_preview_refuses_bad_items(client, settings, fresh_family) -> None:
    csrf = _login(client, settings, "facts:read")
    page = _open(client, csrf, fresh_family.child)
    response = client.post("/ui/preview", data={"csrf": _csrf(page), "requester_a": fresh_family.mother, "items": "[{"})
    assert response.status_code == 422 and "ikke gyldig JSON" in response.text


def test_restrict_to_a_period_replaces_the_fact(client, settings, fresh_family, store) -> None:
    csrf = _login(client, settings, "facts:read", "facts:write")
    page = _open(client, csrf, fresh_family.child)
    response = client.post("/ui/facts/exemptions", data={"csrf": _csrf(page), "scope.type": "item", "scope.id": "D1",
                                                         "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": "Vurdert"})
    (first,) = store.list_facts(fresh_family.child, FactKind.EXEMPTIONS)
    response = client.post(f"/ui/facts/exemptions/{first.id}/restrict", data={"csrf": _csrf(response.text), "valid_until": "2031-06-01T00:00"})
    assert response.status_code == 200 and "er erstattet av" in response.text
    old, new = store.list_facts(fresh_family.child, FactKind.EXEMPTIONS)
    assert old.id == first.id and old.revoked_at is not None
    assert new.revoked_at is None and new.scope == first.scope and new.reason == "Vurdert"
    assert new.valid_until == datetime.datetime(2031, 5, 31, 22, 0, tzinfo=datetime.timezone.utc)
    again = client.post(f"/ui/facts/exemptions/{first.id}/restrict", data={"csrf": _csrf(response.text), "valid_until": "2031-06-01T00:00"})
    assert again.status_code == 422 and "revoked" in again.text


def test_guide_serves_the_built_site_and_nothing_else(client) -> None:
    index = client.get("/guide/")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    assert 'id="rule-main-rule"' in index.text
    assert client.get("/guide/matrix.svg").headers["content-type"].startswith("image/svg+xml")
    assert client.get("/guide/diff.html").status_code == 200
    assert client.get("/guide/rules.csv").status_code == 404
    assert client.get("/guide/..%2Fui.py").status_code == 404
