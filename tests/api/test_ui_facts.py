"""The clinician's pages and the new fact model: wish and competence apart, care orders, sharing grants, revocation."""

from __future__ import annotations

import pytest

from access_policy.facts import Author, ExemptionDraft, FactKind, Scope
from access_policy.synthetic import CHILD_WELFARE
from api import ui_forms
from tests.api.test_ui import _csrf, _login, _open, fresh_family  # noqa: F401 - the fixture is used by name

FORMS = {form.kind: form for form in ui_forms.kind_forms()}


def test_wish_and_competence_are_tri_state_radios_with_not_assessed_first() -> None:
    fields = {field.name: field for field in FORMS["assessments"].fields}
    for name in ("parents_informed", "adolescent_can_consent"):
        assert fields[name].widget == "tristate"
        assert [value for value, _ in fields[name].options] == ["", "false", "true"] or \
            [value for value, _ in fields[name].options] == ["", "true", "false"]
        assert fields[name].options[0] == ("", "Ikke vurdert")
    # The wish's "yes" answer records parents_informed=false: the label says the wish, not the field.
    assert dict(fields["parents_informed"].options)["false"].startswith("Ja: barnet ønsker")


def test_the_wish_alone_leaves_competence_unassessed() -> None:
    draft = ui_forms.parse_form(FORMS["assessments"], {"scope.type": "pathway", "scope.id": "HS", "parents_informed": "false",
                                                       "adolescent_can_consent": ""})
    assert draft.parents_informed is False and draft.adolescent_can_consent is None


def test_neither_wish_nor_competence_is_refused_in_norwegian() -> None:
    with pytest.raises(ui_forms.FormError) as caught:
        ui_forms.parse_form(FORMS["assessments"], {"scope.type": "pathway", "scope.id": "HS"})
    assert any("minst ett" in message for _, message in caught.value.problems)
    with pytest.raises(ui_forms.FormError):
        ui_forms.parse_form(FORMS["assessments"], {"scope.type": "pathway", "scope.id": "HS", "parents_informed": "kanskje"})


def test_a_scope_takes_kinds_and_a_source_system() -> None:
    from starlette.datastructures import FormData

    values = FormData([("scope.type", "pathway"), ("scope.id", "BUP"), ("scope.system", "urn:oid:2.16.578.1.12.4.1.2"),
                       ("scope.kinds", "note"), ("scope.kinds", "document"), ("applies_to", "all"),
                       ("legal_basis", "pbrl-3-4-3"), ("reason", "Vurdert")])
    draft = ui_forms.parse_form(FORMS["exemptions"], values)
    assert draft.scope.system == "urn:oid:2.16.578.1.12.4.1.2" and draft.scope.pathway.system == "urn:oid:2.16.578.1.12.4.1.2"
    assert [kind.value for kind in draft.scope.kinds] == ["note", "document"]


def test_sharing_grants_are_shown_but_not_offered_and_care_orders_need_a_start(client, settings, fresh_family, store) -> None:
    assert not FORMS["sharing-grants"].writable and FORMS["care-orders"].writable
    csrf = _login(client, settings, "facts:read", "facts:write")
    page = _open(client, csrf, fresh_family.child)
    assert "Deling fra ungdommen" in page and 'id="form-sharing-grants"' not in page and 'id="form-care-orders"' in page
    response = client.post("/ui/facts/care-orders", data={"csrf": _csrf(page), "organisation": CHILD_WELFARE[0]})
    assert response.status_code == 422 and "overtok omsorgen" in response.text
    assert store.list_facts(fresh_family.child, FactKind.CARE_ORDERS) == []
    response = client.post("/ui/facts/care-orders", data={"csrf": _csrf(page), "organisation": CHILD_WELFARE[0],
                                                          "reference": "BV-2026-17", "valid_from": "2026-01-05T08:00"})
    assert response.status_code == 200 and "er lagret" in response.text
    (order,) = store.list_facts(fresh_family.child, FactKind.CARE_ORDERS)
    assert order.organisation == CHILD_WELFARE[0] and order.reference == "BV-2026-17"
    assert "BV-2026-17" in response.text


def test_revoking_another_organisations_fact_is_refused_clearly(client, settings, fresh_family, store) -> None:
    other = Author(hpr="7654321", org=CHILD_WELFARE[0])
    draft = ExemptionDraft(scope=Scope(pathway="BUP"), applies_to="all", legal_basis="pbrl-3-4-3", reason="Vurdert")
    record, _ = store.create_fact(fresh_family.child, FactKind.EXEMPTIONS, draft, other)
    csrf = _login(client, settings, "facts:read", "facts:write")
    page = _open(client, csrf, fresh_family.child)
    response = client.post(f"/ui/facts/exemptions/{record.id}/revoke", data={"csrf": _csrf(page), "reason": "Feil barn"})
    assert response.status_code == 403 and "Kan ikke trekkes tilbake" in response.text and "annen virksomhet" in response.text
    assert store.list_facts(fresh_family.child, FactKind.EXEMPTIONS)[0].revoked_at is None


def test_revoking_an_assessment_keeps_the_reason_and_the_release(client, settings, fresh_family, store) -> None:
    csrf = _login(client, settings, "facts:read", "facts:write")
    page = _open(client, csrf, fresh_family.child)
    response = client.post("/ui/facts/assessments", data={"csrf": _csrf(page), "scope.type": "pathway", "scope.id": "HS",
                                                           "parents_informed": "false"})
    assert response.status_code == 200 and "er lagret" in response.text, response.text
    (record,) = store.list_facts(fresh_family.child, FactKind.ASSESSMENTS)
    assert "Frigi det som ble betrodd" in response.text
    response = client.post(f"/ui/facts/assessments/{record.id}/revoke",
                           data={"csrf": _csrf(response.text), "reason": "Barnet har ombestemt seg", "release_confided": "true"})
    assert response.status_code == 200 and "trukket tilbake" in response.text
    (revoked,) = store.list_facts(fresh_family.child, FactKind.ASSESSMENTS)
    assert revoked.revoked_at is not None and revoked.release_confided and revoked.revocation_reason == "Barnet har ombestemt seg"
    assert "Barnet har ombestemt seg" in response.text


def test_the_child_page_shows_what_the_register_decides_on(client, settings, fresh_family, store) -> None:
    import datetime

    from access_policy.facts import AddressProtection, Holder, Representation, Responsibility
    from access_policy.identity import make_person_id

    now = datetime.datetime.now(datetime.timezone.utc)
    former_child = make_person_id(datetime.date(1990, 1, 1), 60, d_number=True)
    former_mother = make_person_id(datetime.date(1985, 6, 1), 61, d_number=True)
    holders = (
        Holder(id=fresh_family.mother, responsibility=Responsibility.FELLES, former_ids=(former_mother,),
               valid_from=now - datetime.timedelta(days=400)),
        Holder(id=fresh_family.father, responsibility=Responsibility.FELLES, address_protection=AddressProtection.FORTROLIG,
               valid_until=now - datetime.timedelta(days=1)),
    )
    store.put_representation(fresh_family.child, Representation(holders=holders, former_ids=(former_child,), retrieved_at=now),
                             Author(system="test"))
    csrf = _login(client, settings, "facts:read")
    page = _open(client, csrf, fresh_family.child)
    assert "Status: <strong>bosatt</strong>" in page
    assert "Tidligere identitetsnummer: " + former_child in page and former_mother in page
    assert "(avsluttet)" in page and "egen adressebeskyttelse: fortrolig" in page and "kan ikke representere" in page
