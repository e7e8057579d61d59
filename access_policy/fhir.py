"""FHIR R4 resources as the engine's items: a pure mapping, no I/O.

Parsing is done by the `fhir.resources` models (its R4B package: R4's resources unchanged for
the types mapped here). A resource that cannot be mapped — an unknown type, no id, two care
pathways or two referrals, an invalid organisation number — is `Unmappable`, and a filter
removes it (fail closed): it is never passed through unseen by the engine.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from access_policy.errors import InvalidInputError
from access_policy.facts import Item
from access_policy.items import build_item

OSLO = ZoneInfo("Europe/Oslo")
SYSTEM_ORGANISATION_NUMBER = "urn:oid:2.16.578.1.12.4.1.4.101"  # Enhetsregisteret (organisation numbers)
SYSTEM_FNR = "urn:oid:2.16.578.1.12.4.1.4.1"  # fødselsnummer
SYSTEM_DNR = "urn:oid:2.16.578.1.12.4.1.4.2"  # D-number
PERSON_SYSTEMS = (SYSTEM_FNR, SYSTEM_DNR)

# The item kind of each resource type decided over. An Encounter (a contact that took place) is
# shown on timelines beside appointments, and is withheld or shown like one.
KINDS = {
    "DocumentReference": "document",
    "Composition": "document",
    "Encounter": "appointment",
    "Appointment": "appointment",
    "Observation": "test_result",
    "DiagnosticReport": "test_result",
    "MedicationRequest": "medication",
    "MedicationStatement": "medication",
    "Immunization": "vaccination",
    "ServiceRequest": "referral",
    "Communication": "message",
}

# Where each type names its creation time, first found wins.
_CREATED = {
    "DocumentReference": ("date",),
    "Composition": ("date",),
    "Encounter": ("period.start",),
    "Appointment": ("created", "start"),
    "Observation": ("effectiveDateTime", "effectivePeriod.start", "issued"),
    "DiagnosticReport": ("effectiveDateTime", "effectivePeriod.start", "issued"),
    "MedicationRequest": ("authoredOn",),
    "MedicationStatement": ("dateAsserted", "effectiveDateTime", "effectivePeriod.start"),
    "Immunization": ("occurrenceDateTime", "recorded"),
    "ServiceRequest": ("authoredOn",),
    "Communication": ("sent",),
}

# Where a care pathway (EpisodeOfCare) or a referral (ServiceRequest) is referenced.
_PATHWAY_FIELDS = ("episodeOfCare", "context", "context.encounter", "encounter")
_REFERRAL_FIELDS = ("basedOn", "context.related", "episodeOfCare")
# Where the organisation responsible for the resource is named.
_ORGANISATION_FIELDS = ("custodian", "serviceProvider", "performer", "requester", "sender", "author")


@dataclass
class Unmappable(InvalidInputError):
    """A resource the engine cannot decide over; it is removed from what a requester sees."""

    code: str = "unmappable-resource"


def _values(node: Any, path: str) -> list[Any]:
    """The values at a dotted path, lists flattened."""
    current = [node]
    for part in path.split("."):
        found: list[Any] = []
        for value in current:
            child = getattr(value, part, None)
            if child is None:
                continue
            found.extend(child if isinstance(child, list) else [child])
        current = found
    return current


def _reference(value: Any, resource_type: str) -> tuple[str | None, str] | None:
    """`(system, id)` when this Reference points to a resource of `resource_type`, else None."""
    reference = getattr(value, "reference", None)
    if isinstance(reference, str):
        parts = reference.split("?")[0].rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == resource_type:
            return None, parts[-1]
        if len(parts) >= 4 and parts[-2] == "_history" and parts[-4] == resource_type:
            return None, parts[-3]
        return None
    identifier = getattr(value, "identifier", None)
    if getattr(value, "type", None) == resource_type and identifier is not None and identifier.value:
        return identifier.system, identifier.value
    return None


def _one(resource: Any, fields: Iterable[str], target: str, what: str) -> str | None:
    found = {ref for field in fields for value in _values(resource, field) if (ref := _reference(value, target))}
    if len(found) > 1:
        raise Unmappable.for_field(what, f"the resource names {len(found)} different {target}s; the engine decides over one")
    return next(iter(found))[1] if found else None


def _created(resource: Any, kind: str) -> datetime.datetime | None:
    for path in _CREATED.get(kind, ()):
        for value in _values(resource, path):
            if isinstance(value, datetime.datetime):
                return value if value.tzinfo is not None else value.replace(tzinfo=OSLO)
            if isinstance(value, datetime.date):
                return datetime.datetime.combine(value, datetime.time(), tzinfo=OSLO)
            if isinstance(value, str) and value:
                try:
                    parsed = datetime.datetime.fromisoformat(value if "T" in value else value[:10])
                except ValueError:
                    continue
                return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=OSLO)
    return None


def _organisation(resource: Any) -> str | None:
    """The responsible organisation's number, when a reference names it by organisation number."""
    for field in _ORGANISATION_FIELDS:
        for value in _values(resource, field):
            identifier = getattr(value, "identifier", None)
            if identifier is not None and identifier.system == SYSTEM_ORGANISATION_NUMBER and identifier.value:
                return identifier.value
    return None


def _system(resource: Any, organisation: str | None) -> str | None:
    """The source system of the resource's ids: its first identifier's system, else its organisation."""
    for identifier in getattr(resource, "identifier", None) or []:
        if getattr(identifier, "system", None):
            return identifier.system
    return f"{SYSTEM_ORGANISATION_NUMBER}|{organisation}" if organisation else None


def item_from_resource(resource: Any) -> Item:
    """The engine's item for a parsed FHIR resource; `Unmappable` when it cannot be one."""
    resource_type = resource.get_resource_type()
    kind = KINDS.get(resource_type)
    if kind is None:
        raise Unmappable.for_field("resourceType", f"`{resource_type}` is not a resource the engine decides over")
    if not resource.id:
        raise Unmappable.for_field("id", f"the {resource_type} has no id")
    pathway = _one(resource, _PATHWAY_FIELDS, "EpisodeOfCare", "pathway")
    referral = resource.id if resource_type == "ServiceRequest" else _one(resource, _REFERRAL_FIELDS, "ServiceRequest", "referral")
    organisation = _organisation(resource)
    labels = [coding.code for coding in (getattr(resource.meta, "security", None) or []) if coding.code] if resource.meta else []
    try:
        return build_item(
            resource.id, kind, pathway=pathway, referral=referral, system=_system(resource, organisation),
            created=_created(resource, resource_type), organisation=organisation, labels=labels, field=resource_type,
        )
    except InvalidInputError as error:
        raise Unmappable(message=error.message, problems=error.problems) from None


def parse_resource(data: dict[str, Any]) -> Any:
    """A FHIR R4 resource model from its JSON; `Unmappable` when it is not a valid resource."""
    from fhir.resources.R4B import get_fhir_model_class

    resource_type = data.get("resourceType") if isinstance(data, dict) else None
    if not isinstance(resource_type, str) or resource_type not in KINDS:
        raise Unmappable.for_field("resourceType", f"`{resource_type}` is not a resource the engine decides over")
    try:
        return get_fhir_model_class(resource_type).model_validate(data)
    except Exception as error:  # noqa: BLE001 - any invalid resource is unmappable
        first: dict[str, Any] = getattr(error, "errors", lambda: [{}])()[0] if hasattr(error, "errors") else {}
        where = ".".join(str(p) for p in first.get("loc", ())) or resource_type
        raise Unmappable.for_field(where, "is not valid FHIR R4") from None
