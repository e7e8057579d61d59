"""Descriptions of the fields the OpenAPI document shows, by field name: one table for every schema.

Models that describe a field themselves (`Field(description=…)`) keep their own words; a field
without one gets its description here, so the fact models, the generated create bodies and the
filter's forms are all documented from one place.
"""

from __future__ import annotations

from typing import Any

FIELD_DESCRIPTIONS: dict[str, str] = {
    "adolescent_can_consent": "The adolescent's competence to consent to this care themselves (pbrl §4-3 b): `true` gives "
    "them their own access to the scope. Leave out when not assessed.",
    "applies_to": "`\"all\"` (every representative) or the national ids of named representatives; the child's own id "
    "withholds from the patient (legal basis `pbrl-5-1-2` only).",
    "author": "Who recorded the fact: a clinician (`hpr`, `org`), the adolescent (`person`) or a system.",
    "child": "The child's national id (any of its ids; answers name the current one).",
    "columns": "The column names the SQL form expects in the journal system's table.",
    "decision_id": "The id of this decision in the decision log.",
    "expressible": "Whether the filter can be written in this form.",
    "fhir": "FHIR search parameters that apply the filter, when it can be written so.",
    "filter": "`all`, `none`, or the condition an item must meet to be shown.",
    "forms": "The filter in the forms asked for (`sql`, `fhir`).",
    "grantee": "The parent the adolescent shares with (a current holder of parental responsibility).",
    "id": "The record's opaque id.",
    "kinds": "Item kinds (`appointment`, `test_result`, `document`, `note`, `referral`, `medication`, `vaccination`, "
    "`message`).",
    "legal_basis": "The legal basis, as an id of docs/policy.md (e.g. `pbrl-3-4-3`).",
    "limit": "At most this many entries.",
    "mode": "`all` (show every item), `none` (show nothing) or `conditions` (see `show`).",
    "note": "Free text for the record (shown to clinicians, never to parents).",
    "organisation": "A 9-digit organisation number (for a care order: the child welfare service).",
    "params": "The SQL parameters, in order, for the placeholders in `where`.",
    "parents_informed": "`false` records the adolescent's wish, for reasons that should be respected, that the parents "
    "are not informed (pbrl §3-4 second paragraph): they then see nothing of the scope. Leave out when not assessed.",
    "placeholder": "The parameter placeholder the SQL uses.",
    "policy_version": "The version (hash) of the policy that decided.",
    "reason": "Why, in words a clinician reads (never shown to the parents).",
    "recorded_at": "When the service recorded it.",
    "records": "The records, revoked ones included, oldest first.",
    "reference": "The child welfare service's case reference.",
    "release_confided": "Grey-zone assessments only: revoking releases what was confided while the adolescent's wish "
    "applied (otherwise it stays hidden from the parents).",
    "representative": "The representative this access profile is for (national id or organisation number).",
    "revocation_reason": "Why the fact was revoked.",
    "revoked_at": "When the fact was revoked (absent while it stands).",
    "revoked_by": "Who revoked it.",
    "scope": "What the fact covers: one `item`, `pathway` or `referral` (bare ids or `{system, value}`; `all` for "
    "sharing grants), optionally only some `kinds`.",
    "show": "The condition an item must meet to be shown (a tree of `all`/`any` over ids, pathways, referrals, kinds and "
    "creation times).",
    "sql": "A parameterised SQL WHERE clause that applies the filter.",
    "system": "The source system of the id: `local`, an identifier system URI, or a 9-digit organisation number.",
    "valid_from": "From when it applies (RFC 3339 with an offset; absent: from always).",
    "valid_until": "Until when it applies, exclusive (absent: until revoked).",
    "value": "The id within its source system.",
    "where": "The WHERE clause, with placeholders for `params`.",
}


def describe_fields(schemas: dict[str, Any]) -> None:
    """Give every property of the OpenAPI component schemas that has no description the table's one."""
    for schema in schemas.values():
        for name, prop in (schema.get("properties") or {}).items():
            if "description" not in prop and name in FIELD_DESCRIPTIONS:
                prop["description"] = FIELD_DESCRIPTIONS[name]
