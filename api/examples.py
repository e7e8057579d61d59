"""Request examples for the API page, made of the demo's synthetic people.

`serve --dev --demo` loads the same families on start, so each example succeeds in "Try it out"
on the day the service started. The people's ids follow their ages, so they are made here from
today's demo set rather than written down.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

Example = tuple[str, dict[str, Any]]  # a summary and a request body


@lru_cache(maxsize=1)
def _cases() -> dict[str, Any]:
    from access_policy.synthetic import demo_families

    demo = demo_families()
    return {case.description: case for case in demo.cases}


def _case(description: str) -> Any:
    return _cases()[description]


def _resource(case: Any, child: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {"child": case.child} if child else {}
    if case.item.pathway:
        properties["pathway"] = case.item.pathway
    if case.item.referral:
        properties["referral"] = case.item.referral
    out = {"type": case.item.kind.value, "id": case.item.id}
    if properties:
        out["properties"] = properties
    return out


def _subject(case: Any) -> dict[str, str]:
    return {"type": "organization" if len(case.requester) == 9 else "person", "id": case.requester}


def _authzen() -> dict[str, dict[str, Example]]:
    mother = _case("the mother sees an appointment")
    father = _case("the father does not see the withheld pathway")
    evaluation = {
        "mother": ("The mother may read an appointment (permit)", {
            "subject": _subject(mother), "action": {"name": "can_read"}, "resource": _resource(mother),
        }),
        "father": ("The father may not read a note of the withheld pathway (deny)", {
            "subject": _subject(father), "action": {"name": "can_read"}, "resource": _resource(father),
        }),
    }
    evaluations = {
        "defaults": ("The father, two items: top-level defaults, stop at the first deny", {
            "subject": _subject(father),
            "action": {"name": "can_read"},
            "options": {"evaluations_semantic": "deny_on_first_deny"},
            "evaluations": [{"resource": _resource(mother)}, {"resource": _resource(father)}],
        }),
    }
    search = {
        "father": ("Which of these items may the father read?", {
            "subject": _subject(father),
            "action": {"name": "can_read"},
            "resource": {"type": "item", "properties": {"child": father.child}},
            "context": {"candidates": [_resource(mother, child=False), _resource(father, child=False)]},
            "page": {"limit": 10},
        }),
    }
    return {"evaluation": evaluation, "evaluations": evaluations, "search": search}


def _item(case: Any) -> dict[str, Any]:
    return case.item.model_dump(mode="json", exclude_none=True, exclude_defaults=True) | {"id": case.item.id, "kind": case.item.kind.value}


def _v1() -> dict[str, dict[str, Example]]:
    mother = _case("the mother sees an appointment")
    father = _case("the father does not see the withheld pathway")
    return {
        "decision": {
            "mother": ("The mother sees an appointment (permit, main rule)",
                       {"requester": mother.requester, "child": mother.child, "item": _item(mother)}),
            "father": ("The father does not see the withheld pathway (deny, exemption)",
                       {"requester": father.requester, "child": father.child, "item": _item(father)}),
        },
        "batch": {
            "father": ("The father's timeline: the appointment is shown, the pathway's note withheld",
                       {"requester": father.requester, "child": father.child, "items": [_item(mother), _item(father)]}),
        },
    }


def _fhir() -> dict[str, dict[str, Example]]:
    from access_policy.fhir import SYSTEM_FNR

    father = _case("the father does not see the withheld pathway")
    bundle = {
        "resourceType": "Bundle", "type": "searchset", "total": 2,
        "entry": [
            {"fullUrl": "https://journal.example.no/fhir/Appointment/apt-1", "resource": {
                "resourceType": "Appointment", "id": "apt-1", "status": "booked", "start": "2026-12-01T10:00:00+01:00",
                "end": "2026-12-01T10:30:00+01:00", "participant": [{"status": "accepted"}]}},
            {"fullUrl": "https://journal.example.no/fhir/DocumentReference/note-psyk", "resource": {
                "resourceType": "DocumentReference", "id": "note-psyk", "status": "current",
                "content": [{"attachment": {"contentType": "text/plain"}}],
                "context": {"encounter": [{"reference": "EpisodeOfCare/pw-psykologi"}]}}},
        ],
    }

    def identifier(value: str) -> dict[str, str]:
        return {"system": SYSTEM_FNR, "value": value}

    return {
        "filter": {
            "father": ("The father's timeline as a Bundle: the withheld pathway's document is removed", {
                "resourceType": "Parameters",
                "parameter": [
                    {"name": "bundle", "resource": bundle},
                    {"name": "requester", "valueIdentifier": identifier(father.requester)},
                    {"name": "child", "valueIdentifier": identifier(father.child)},
                ],
            }),
        },
        "consent-import": {
            "father": ("Withhold the Hansen child's appointment apt-1 from the father until 1 June 2027", {
                "resourceType": "Consent",
                "status": "active",
                "extension": [{"url": "urn:access-policy:fhir:extension:reason", "valueString": "weighty concerns for the child"}],
                "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
                "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
                "patient": {"identifier": identifier(father.child)},
                "policyRule": {"coding": [{"system": "urn:access-policy:legal-basis", "code": "pbrl-3-4-3"}]},
                "provision": {
                    "type": "deny",
                    "period": {"end": "2027-06-01T00:00:00+02:00"},
                    "actor": [{
                        "role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"}]},
                        "reference": {"type": "RelatedPerson", "identifier": identifier(father.requester)},
                    }],
                    "data": [{"meaning": "instance", "reference": {"identifier": {"value": "apt-1"}}}],
                },
            }),
        },
        "consent-search": {
            "child": ("The Hansen child's exemptions as Consents", {
                "resourceType": "Parameters", "parameter": [{"name": "child", "valueIdentifier": identifier(father.child)}],
            }),
        },
    }


def _facts() -> dict[str, dict[str, Example]]:
    """Create and search bodies of the fact routes (`POST /v1/<kind>`, `…/search`), on the demo families."""
    import datetime

    father = _case("the father does not see the withheld pathway")  # the Hansen family, under 12
    grey_zone = _case("the mother does not see the adolescent's own pathway")  # a child of 12–15
    child = {"child": father.child}
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365)).isoformat(timespec="seconds")
    examples: dict[str, dict[str, Example]] = {
        "create-exemptions": {"father": ("Withhold the psychology pathway's notes from the father, for a year", {
            **child, "scope": {"pathway": "pw-psykologi", "kinds": ["note"]}, "applies_to": [father.requester],
            "legal_basis": "pbrl-3-4-3", "reason": "weighty concerns for the child", "valid_until": until,
        })},
        "create-assessments": {"wish": ("The adolescent does not want the parents informed about a referral", {
            "child": grey_zone.child, "scope": {"referral": "ref-ungdom"}, "parents_informed": False,
            "note": "talked with the adolescent alone",
        })},
        "create-access-profiles": {"father": ("The father sees only appointments", {
            **child, "representative": father.requester, "kinds": ["appointment"],
        })},
        "create-necessary-information": {"vaccination": ("A vaccination is necessary for the parents to know", {
            **child, "scope": {"item": "vax-1"}, "applies_to": "all", "reason": "follow-up of the vaccination programme",
        })},
        "create-care-orders": {"service": ("The child welfare service has taken over care", {
            **child, "organisation": "974589001", "reference": "2026/123",
            "valid_from": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        })},
    }
    for kind in ("exemptions", "assessments", "access-profiles", "necessary-information", "care-orders", "sharing-grants"):
        examples[f"search-{kind}"] = {"child": ("Every record of the Hansen child, revoked ones included", dict(child))}
    examples["search-representation"] = {"child": ("The Hansen child's register history", dict(child))}
    from access_policy.synthetic import demo_families

    hansen = next(family for family in demo_families().families if family.child == father.child)
    register = hansen.representation.model_dump(mode="json", exclude={"id", "recorded_at"}, exclude_defaults=True)
    register["retrieved_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    examples["put-representation"] = {"hansen": ("The register's current picture of the Hansen child", {**child, **register})}
    examples["search-audit"] = {"child": ("The decisions about the Hansen child", {**child, "limit": 10})}
    return examples


class _Examples(dict[str, dict[str, Example]]):
    """Built on first use (when the routes are declared), from the demo families of that day."""

    def __missing__(self, key: str) -> dict[str, Example]:
        self.update(_authzen())
        self.update(_v1())
        self.update(_fhir())
        self.update(_facts())
        return dict.__getitem__(self, key)


EXAMPLES: dict[str, dict[str, Example]] = _Examples()


def openapi_examples(name: str) -> dict[str, dict[str, Any]]:
    """The examples of one request body in OpenAPI's `examples` shape."""
    return {key: {"summary": summary, "value": value} for key, (summary, value) in EXAMPLES[name].items()}


def body_examples(name: str) -> dict[str, Any]:
    """`openapi_extra` adding a request body's examples to the schema FastAPI writes for the route."""
    return {"requestBody": {"content": {"application/json": {"examples": openapi_examples(name)}}}}
