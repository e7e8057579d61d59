"""Exemptions as FHIR R4 `Consent` resources, both ways: a pure mapping, no I/O.

Other health actors read exemptions in the format they already handle. An exemption is a
Consent with `provision.type = deny`: `provision.actor` names the parents it applies to (a
`RelatedPerson` with the parent's national id; no actor = every representative),
`provision.data` the item (`meaning = instance`), the care pathway (`EpisodeOfCare`) or the
referral (`ServiceRequest`, `meaning = related`), `provision.period` the validity,
`policyRule` the legal basis, and an extension the clinician's reason. `permit` is reserved for
sharing grants. Importing refuses whatever the engine would not honour (nested provisions,
purposes, classes, several data references …) with 422 rather than drop it.
"""

from __future__ import annotations

import datetime
from typing import Any

from access_policy.errors import InvalidInputError
from access_policy.facts import EXEMPTION_LEGAL_BASES, LOCAL_SYSTEM, Exemption, ExemptionDraft, Reference, Scope
from access_policy.fhir import PERSON_SYSTEMS, SYSTEM_DNR, SYSTEM_FNR, SYSTEM_ORGANISATION_NUMBER
from access_policy.identity import is_organisation_number, parse_organisation_number, parse_person_id

SYSTEM_HPR = "urn:oid:2.16.578.1.12.4.1.4.4"  # Helsepersonellregisteret (HPR numbers)
SYSTEM_LEGAL_BASIS = "urn:access-policy:legal-basis"
EXTENSION_REASON = "urn:access-policy:fhir:extension:reason"
SYSTEM_CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
SYSTEM_ROLE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
SYSTEM_DATA_MEANING = "http://hl7.org/fhir/consent-data-meaning"
LOINC = "http://loinc.org"
PRIVACY_CONSENT = "59284-0"  # LOINC: Patient Consent


def person_system(person: str) -> str:
    """The identifier system of a national id: D-numbers (day + 40) have their own."""
    return SYSTEM_DNR if person[:1] in "4567" else SYSTEM_FNR


def _party(party: str) -> dict[str, Any]:
    if is_organisation_number(party):
        return {"type": "Organization", "identifier": {"system": SYSTEM_ORGANISATION_NUMBER, "value": party}}
    return {"type": "RelatedPerson", "identifier": {"system": person_system(party), "value": party}}


def _identifier(reference: Reference) -> dict[str, str]:
    """A FHIR Identifier; the deployment's `local` system is left out, as it was before systems."""
    if reference.system == LOCAL_SYSTEM:
        return {"value": reference.value}
    return {"system": reference.system, "value": reference.value}


def _data(scope: Scope) -> dict[str, Any]:
    if scope.item is not None:
        return {"meaning": "instance", "reference": {"identifier": _identifier(scope.item)}}
    resource_type, reference = ("EpisodeOfCare", scope.pathway) if scope.pathway is not None else ("ServiceRequest", scope.referral)
    assert reference is not None  # a scope names exactly one of item, pathway, referral
    if reference.system == LOCAL_SYSTEM:
        return {"meaning": "related", "reference": {"reference": f"{resource_type}/{reference.value}"}}
    # An id of another system cannot be a literal reference: it travels as a typed identifier.
    return {"meaning": "related", "reference": {"type": resource_type, "identifier": _identifier(reference)}}


def _instant(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def exemption_to_consent(child: str, exemption: Exemption) -> dict[str, Any]:
    """The Consent (R4 JSON) that says what this exemption says; validated by the FHIR model."""
    from fhir.resources.R4B.consent import Consent

    period = {k: v for k, v in (("start", _instant(exemption.valid_from)), ("end", _instant(exemption.valid_until))) if v}
    provision: dict[str, Any] = {"type": "deny", "data": [_data(exemption.scope)]}
    if period:
        provision["period"] = period
    if exemption.applies_to != "all":
        provision["actor"] = [
            {"role": {"coding": [{"system": SYSTEM_ROLE, "code": "IRCP", "display": "information recipient"}]},
             "reference": _party(party)}
            for party in exemption.applies_to
        ]
    consent: dict[str, Any] = {
        "resourceType": "Consent",
        "id": exemption.id,
        "extension": [{"url": EXTENSION_REASON, "valueString": exemption.reason}],
        # A revoked exemption no longer applies: an inactive consent, kept for history.
        "status": "inactive" if exemption.revoked_at is not None else "active",
        "scope": {"coding": [{"system": SYSTEM_CONSENT_SCOPE, "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": LOINC, "code": PRIVACY_CONSENT}]}],
        "patient": {"identifier": {"system": person_system(child), "value": child}},
        "policyRule": {"coding": [{"system": SYSTEM_LEGAL_BASIS, "code": exemption.legal_basis}]},
        "provision": provision,
    }
    if exemption.recorded_at is not None:
        consent["dateTime"] = exemption.recorded_at.isoformat()
    author = exemption.author
    if author is not None and author.hpr:
        consent["performer"] = [{"type": "Practitioner", "identifier": {"system": SYSTEM_HPR, "value": author.hpr}}]
    if author is not None and author.org:
        consent["organization"] = [{"identifier": {"system": SYSTEM_ORGANISATION_NUMBER, "value": author.org}}]
    return Consent.model_validate(consent).model_dump(mode="json", exclude_none=True)


def _refuse(field: str, message: str) -> InvalidInputError:
    return InvalidInputError.for_field(field, message)


def _reference_id(reference: Any, resource_type: str | None) -> str | dict[str, str] | None:
    if reference is None:
        return None
    if reference.reference:
        parts = reference.reference.split("/")
        if resource_type is None or (len(parts) >= 2 and parts[-2] == resource_type):
            return parts[-1]
        return None
    if reference.identifier is not None and reference.identifier.value and (resource_type is None or reference.type == resource_type):
        if reference.identifier.system:
            # The identifier's system is the id's source system: kept, never dropped.
            return {"system": reference.identifier.system, "value": reference.identifier.value}
        return reference.identifier.value
    return None


def consent_to_exemption(data: Any) -> tuple[str, ExemptionDraft]:
    """The child and the exemption draft a Consent describes; `InvalidInputError` for what cannot be honoured."""
    from fhir.resources.R4B.consent import Consent

    if not isinstance(data, dict) or data.get("resourceType") != "Consent":
        raise _refuse("resourceType", "the body must be a FHIR Consent resource")
    try:
        consent = Consent.model_validate(data)
    except Exception as error:  # noqa: BLE001
        errors = getattr(error, "errors", None)
        first = errors()[0] if callable(errors) else {}
        raise _refuse(".".join(str(p) for p in first.get("loc", ())) or "Consent", "is not valid FHIR R4") from None
    if consent.status != "active":
        raise _refuse("status", "only an `active` Consent can be imported (revoke an exemption by its id)")
    if consent.modifierExtension:
        raise _refuse("modifierExtension", "modifier extensions are not honoured")
    patient = consent.patient.identifier if consent.patient is not None else None
    if patient is None or patient.system not in PERSON_SYSTEMS or not patient.value:
        raise _refuse("patient.identifier", f"the child's national id is required (system {SYSTEM_FNR})")
    child = parse_person_id(patient.value, "patient.identifier.value").value
    codes = [c.code for c in (consent.policyRule.coding if consent.policyRule else []) or [] if c.system == SYSTEM_LEGAL_BASIS]
    if len(codes) != 1 or codes[0] not in EXEMPTION_LEGAL_BASES:
        raise _refuse("policyRule", f"one legal basis ({SYSTEM_LEGAL_BASIS}): {', '.join(EXEMPTION_LEGAL_BASES)}")
    reasons = [e.valueString for e in consent.extension or [] if e.url == EXTENSION_REASON and e.valueString]
    if len(reasons) != 1:
        raise _refuse("extension", f"the clinician's reason is required, once ({EXTENSION_REASON})")
    provision = consent.provision
    if provision is None or provision.type is None:
        raise _refuse("provision.type", "is required: `deny` (an exemption)")
    if provision.type == "permit":
        raise _refuse("provision.type", "`permit` (a sharing grant) cannot be stored yet")
    for name in ("action", "class_fhir", "code", "dataPeriod", "purpose", "securityLabel", "provision", "modifierExtension"):
        if getattr(provision, name):
            raise _refuse(f"provision.{name.removesuffix('_fhir')}", "is not honoured by the engine")
    data_refs = provision.data or []
    if len(data_refs) != 1:
        raise _refuse("provision.data", "exactly one item, care pathway or referral per Consent")
    data_ref = data_refs[0]
    pathway = _reference_id(data_ref.reference, "EpisodeOfCare") if data_ref.meaning == "related" else None
    referral = _reference_id(data_ref.reference, "ServiceRequest") if data_ref.meaning == "related" else None
    item = _reference_id(data_ref.reference, None) if data_ref.meaning == "instance" else None
    if not (pathway or referral or item):
        raise _refuse(
            "provision.data", "an item (`meaning: instance`), an EpisodeOfCare or a ServiceRequest (`meaning: related`)"
        )
    applies_to: Any = "all"
    if provision.actor:
        parties = []
        for index, actor in enumerate(provision.actor):
            identifier = actor.reference.identifier if actor.reference else None
            field = f"provision.actor.{index}.reference.identifier"
            if identifier is None or not identifier.value:
                raise _refuse(field, "a parent's national id or an organisation number is required")
            if identifier.system in PERSON_SYSTEMS:
                parties.append(parse_person_id(identifier.value, field).value)
            elif identifier.system == SYSTEM_ORGANISATION_NUMBER:
                parties.append(parse_organisation_number(identifier.value, field))
            else:
                raise _refuse(f"{field}.system", f"must be {SYSTEM_FNR} or {SYSTEM_ORGANISATION_NUMBER}")
        applies_to = tuple(parties)
    period = provision.period
    try:
        draft = ExemptionDraft(
            scope=Scope(item=item, pathway=pathway, referral=referral),
            applies_to=applies_to,
            legal_basis=codes[0],
            reason=reasons[0],
            valid_from=period.start if period else None,
            valid_until=period.end if period else None,
        )
    except Exception as error:  # noqa: BLE001 - a pydantic error: one message for the field
        errors = getattr(error, "errors", None)
        message = str(errors()[0]["msg"]) if callable(errors) else "is not valid"
        raise _refuse("provision", message) from None
    return child, draft
