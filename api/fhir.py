"""FHIR front door: `POST /fhir/Bundle/$filter` — the Bundle a requester may see, hidden entries gone without trace.

In: a FHIR `Parameters` resource with `bundle` (a searchset or collection Bundle), `requester`
and `child` (Identifiers: national id or organisation number; in the body, never in the URL) and
optionally `time`. Out: the same Bundle with every entry the requester may not see removed, and
every entry that cannot be mapped to an item removed too (fail closed). `total` becomes the
number of entries left; a Bundle with a `next` page loses its `total`, since a count over pages
this service has not seen would tell how many were hidden.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, Security
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import from_json
from starlette.responses import Response

from access_policy.errors import InvalidInputError
from access_policy.facts import FactKind
from access_policy.fhir import PERSON_SYSTEMS, SYSTEM_ORGANISATION_NUMBER, Unmappable, item_from_resource, parse_resource
from access_policy.fhir_consent import consent_to_exemption, exemption_to_consent
from access_policy.identity import parse_organisation_number, parse_person_id
from access_policy.service.decisions import DecisionService
from access_policy.service.tokens import SCOPE_DECISIONS, SCOPE_FACTS_READ, SCOPE_FACTS_WRITE, Caller
from .decisions import FastJSONResponse
from .deps import scoped
from .problems import PROBLEM_MEDIA_TYPE, problem_body, problem_responses

router = APIRouter(tags=["fhir"])


class FhirBundle(BaseModel):
    """A FHIR R4 Bundle (only the fields this service sets are described; the rest is the caller's own)."""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["Bundle"] = Field(description="Always `Bundle`.")
    type: str = Field(description="`searchset` or `collection`, as sent.")
    total: int | None = Field(None, description="Entries left after filtering; absent when the Bundle has a next page.")
    entry: list[dict[str, Any]] | None = Field(None, description="The entries the requester may see, in the order sent.")


class FhirConsent(BaseModel):
    """A FHIR R4 Consent: one exemption (see docs/fhir.md for every field)."""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["Consent"] = Field(description="Always `Consent`.")
    id: str = Field(description="The exemption's id.")
    status: Literal["active", "inactive"] = Field(description="`inactive` once the exemption is revoked.")


def _fhir_ok(model: type[BaseModel], description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description, "content": {FHIR_JSON: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}
FHIR_JSON = "application/fhir+json"
BUNDLE_TYPES = ("searchset", "collection")

FhirCaller = Security(scoped(SCOPE_DECISIONS), scopes=[SCOPE_DECISIONS])


def _identifier(parameter: dict[str, Any], name: str, *, person_only: bool) -> str:
    identifier = parameter.get("valueIdentifier")
    if not isinstance(identifier, dict) or not isinstance(identifier.get("value"), str):
        raise InvalidInputError.for_field(f"parameter.{name}", "needs a valueIdentifier with a system and a value")
    system, value = identifier.get("system"), identifier["value"]
    if system in PERSON_SYSTEMS:
        return parse_person_id(value, f"parameter.{name}").value
    if system == SYSTEM_ORGANISATION_NUMBER and not person_only:
        return parse_organisation_number(value, f"parameter.{name}")
    allowed = ", ".join(PERSON_SYSTEMS + (() if person_only else (SYSTEM_ORGANISATION_NUMBER,)))
    raise InvalidInputError.for_field(f"parameter.{name}", f"the identifier system must be one of {allowed}")


def parse_parameters(body: Any) -> tuple[dict[str, Any], str, str, datetime.datetime | None]:
    """The bundle, requester, child and time of a `$filter` request."""
    from fhir.resources.R4B.parameters import Parameters

    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise InvalidInputError.for_field("resourceType", "the body must be a FHIR Parameters resource")
    parameters = body.get("parameter")
    if not isinstance(parameters, list) or not all(isinstance(p, dict) for p in parameters):
        raise InvalidInputError.for_field("parameter", "must be a list of parameters")
    by_name: dict[str, dict[str, Any]] = {}
    for parameter in parameters:
        name = parameter.get("name")
        if name not in ("bundle", "requester", "child", "time"):
            raise InvalidInputError.for_field(f"parameter.{name}", "is not a parameter of $filter (bundle, requester, child, time)")
        if name in by_name:
            raise InvalidInputError.for_field(f"parameter.{name}", "is given twice")
        by_name[name] = parameter
    # The parameters other than the bundle are checked by the FHIR model; the bundle's entries are
    # parsed one by one below, so that one bad entry is removed rather than failing the request.
    try:
        Parameters.model_validate({"resourceType": "Parameters", "parameter": [p for n, p in by_name.items() if n != "bundle"]})
    except Exception:  # noqa: BLE001
        raise InvalidInputError.for_field("parameter", "is not valid FHIR R4 Parameters") from None
    for name in ("bundle", "requester", "child"):
        if name not in by_name:
            raise InvalidInputError.for_field(f"parameter.{name}", "is required")
    bundle = by_name["bundle"].get("resource")
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise InvalidInputError.for_field("parameter.bundle", "needs a Bundle resource")
    requester = _identifier(by_name["requester"], "requester", person_only=False)
    child = _identifier(by_name["child"], "child", person_only=True)
    at = None
    if "time" in by_name:
        raw = by_name["time"].get("valueDateTime") or by_name["time"].get("valueInstant")
        try:
            at = datetime.datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise InvalidInputError.for_field("parameter.time", "needs a valueDateTime or valueInstant with a time zone")
    return bundle, requester, child, at


def filter_bundle(
    service: DecisionService, caller: Caller, bundle: dict[str, Any], requester: str, child: str, at: datetime.datetime | None,
    max_items: int,
) -> tuple[int, dict[str, Any]]:
    """The status and the Bundle with only what `requester` may see of `child`'s record."""
    from fhir.resources.R4B.bundle import Bundle

    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidInputError.for_field("parameter.bundle.entry", "must be a list of entries")
    if len(entries) > max_items:
        raise InvalidInputError.for_field("parameter.bundle.entry", f"at most {max_items} entries, not {len(entries)}")
    shell = {**bundle, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries]}
    try:
        parsed = Bundle.model_validate(shell)
    except Exception:  # noqa: BLE001
        raise InvalidInputError.for_field("parameter.bundle", "is not a valid FHIR R4 Bundle") from None
    if parsed.type not in BUNDLE_TYPES:
        raise InvalidInputError.for_field("parameter.bundle.type", f"must be one of {', '.join(BUNDLE_TYPES)}")
    mapped: list[tuple[dict[str, Any], Any]] = []
    for entry in entries:
        try:
            mapped.append((entry, item_from_resource(parse_resource(entry.get("resource")))))
        except Unmappable:
            continue  # fail closed: what the engine cannot decide over is not shown
    outcome = service.decide(caller, requester, child, [item for _, item in mapped], at)
    kept = [entry for (entry, _), decision in zip(mapped, outcome.decisions) if decision.permitted and outcome.available]
    out = {key: value for key, value in bundle.items() if key not in ("entry", "total")}
    if kept:
        out["entry"] = kept
    has_next = any(isinstance(link, dict) and link.get("relation") == "next" for link in bundle.get("link") or [])
    if parsed.type == "searchset" and not has_next:
        out["total"] = len(kept)
    if not outcome.available:
        return 503, problem_body(503, outcome.problem or "store-unavailable", "denied (fail closed)")
    return 200, out


def _fhir_body(description: str, example: str | None) -> dict[str, Any]:
    """A FHIR JSON request body as documented (the routes parse FHIR with the FHIR models, not FastAPI's)."""
    from .examples import openapi_examples

    content: dict[str, Any] = {"schema": {"type": "object", "description": description}}
    if example:
        content["examples"] = openapi_examples(example)
    return {"requestBody": {"required": True, "content": {FHIR_JSON: content, "application/json": content}}}


_BODY_DOC = _fhir_body("A FHIR R4 Parameters resource: `bundle`, `requester`, `child` and optionally `time`.", "filter")


@router.post(
    "/fhir/Bundle/$filter",
    summary="FHIR: the Bundle as this requester may see it",
    response_model=FhirBundle,
    responses={**_fhir_ok(FhirBundle, "The filtered Bundle"), **problem_responses(401, 403, 413, 422, 503)},
    openapi_extra=_BODY_DOC,
)
async def bundle_filter(request: Request, caller: Caller = FhirCaller) -> Response:
    """Remove the entries the requester may not see (and any that cannot be mapped); one decision-log entry."""
    raw = await request.body()
    try:
        body = from_json(raw)
    except ValueError:  # not JSON, not UTF-8, or nested too deeply
        raise InvalidInputError.for_field("body", "is not valid JSON") from None
    bundle, requester, child, at = parse_parameters(body)
    status, answer = await run_in_threadpool(
        filter_bundle, request.app.state.decisions, caller, bundle, requester, child, at,
        request.app.state.settings.max_batch_items,
    )
    media = FHIR_JSON if status == 200 else PROBLEM_MEDIA_TYPE
    return FastJSONResponse(answer, status_code=status, media_type=media, headers={"Cache-Control": "no-store"})


# --- Exemptions as Consent resources (search and import; revoking stays `DELETE` of the exemption by id)

ConsentReader = Security(scoped(SCOPE_FACTS_READ), scopes=[SCOPE_FACTS_READ])
ConsentWriter = Security(scoped(SCOPE_FACTS_WRITE), scopes=[SCOPE_FACTS_WRITE])


async def _json_body(request: Request) -> Any:
    try:
        return from_json(await request.body())
    except ValueError:  # not JSON, not UTF-8, or nested too deeply
        raise InvalidInputError.for_field("body", "is not valid JSON") from None


def _fhir(body: dict[str, Any], status: int = 200) -> Response:
    return FastJSONResponse(body, status_code=status, media_type=FHIR_JSON, headers={"Cache-Control": "no-store"})


@router.post(
    "/fhir/Consent/_search",
    summary="FHIR: a child's exemptions as Consent resources",
    response_model=FhirBundle,
    responses={**_fhir_ok(FhirBundle, "A searchset Bundle of Consents"), **problem_responses(401, 403, 422, 503)},
    openapi_extra=_fhir_body("A FHIR Parameters resource with `child` (valueIdentifier: the child's national id).", "consent-search"),
)
async def consent_search(request: Request, caller: Caller = ConsentReader) -> Response:
    """Every exemption of the child as a Consent (`deny`), revoked ones as `inactive`; the child is in the body."""
    body = await _json_body(request)
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters" or not isinstance(body.get("parameter"), list):
        raise InvalidInputError.for_field("resourceType", "the body must be a FHIR Parameters resource with `child`")
    named = [p for p in body["parameter"] if isinstance(p, dict) and p.get("name") == "child"]
    others = [p.get("name") if isinstance(p, dict) else p for p in body["parameter"] if not (isinstance(p, dict) and p.get("name") == "child")]
    if others:
        raise InvalidInputError.for_field(f"parameter.{others[0]}", "is not a search parameter here (only `child`)")
    if len(named) != 1:
        raise InvalidInputError.for_field("parameter.child", "is required, once")
    child = _identifier(named[0], "child", person_only=True)
    records = await run_in_threadpool(request.app.state.records.list, child, FactKind.EXEMPTIONS)
    consents = [exemption_to_consent(child, record) for record in records]
    return _fhir({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(consents),
        "entry": [{"resource": consent, "search": {"mode": "match"}} for consent in consents],
    })


@router.post(
    "/fhir/Consent",
    status_code=201,
    summary="FHIR: import a Consent as an exemption",
    response_model=FhirConsent,
    responses={201: {"description": "The stored exemption as a Consent",
                     "content": {FHIR_JSON: {"schema": {"$ref": "#/components/schemas/FhirConsent"}}}},
               **_fhir_ok(FhirConsent, "A replay of an earlier import with the same Idempotency-Key"),
               **problem_responses(401, 403, 413, 422, 503)},
    openapi_extra=_fhir_body("A FHIR R4 Consent with provision.type `deny` (see docs/fhir.md).", "consent-import"),
)
async def consent_import(
    request: Request,
    caller: Caller = ConsentWriter,
    key: Annotated[str | None, Header(alias="Idempotency-Key", description="Retrying with the same key stores nothing new.")] = None,
) -> Response:
    """Store the exemption a Consent describes; the author is the token's `hpr` and `org`, never the Consent's performer."""
    child, draft = consent_to_exemption(await _json_body(request))
    created = await run_in_threadpool(request.app.state.records.create, caller, child, FactKind.EXEMPTIONS, draft, key)
    return _fhir(exemption_to_consent(child, created.record), 201 if created.created else 200)
