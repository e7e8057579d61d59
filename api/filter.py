"""The timeline filter route: which of a child's items may a requester see, in one call without any item list."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Security
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response

from access_policy.filter import SQL_COLUMNS, to_fhir, to_sql
from access_policy.service.decisions import FilterOutcome
from access_policy.service.tokens import SCOPE_DECISIONS, Caller
from .deps import DecisionsDep, scoped
from .models import PartyIdField, PersonIdField
from .problems import PROBLEM_MEDIA_TYPE, Problem, problem_body, problem_responses

router = APIRouter(tags=["decisions"])

FilterCaller = Annotated[Caller, Security(scoped(SCOPE_DECISIONS), scopes=[SCOPE_DECISIONS])]


class FilterRequest(BaseModel):
    """Which items of `child`'s record may `requester` see at `at` (default: now)?"""

    model_config = ConfigDict(extra="forbid")

    requester: PartyIdField = Field(description="A representative of the child, the child, or an organisation number.")
    child: PersonIdField
    at: AwareDatetime | None = Field(default=None, description="The decision time, with a UTC offset (default: now).")
    forms: list[Literal["sql", "fhir"]] = Field(
        default_factory=list, max_length=2,
        description="Also render the condition as a parameterised SQL WHERE clause and/or FHIR search parameters.",
    )


class FilterOut(BaseModel):
    """`all`, `none`, or `conditions` with `show`: an item is shown exactly when it matches `show`.

    `show` is a tree of `{"all": [...]}`, `{"any": [...]}` and conditions on one field:
    `{"field": "id"|"pathway"|"referral", "in"|"not_in": [{system, value}]}` (an item without a
    pathway or referral is in no set), `{"field": "kind", "in"|"not_in": [kinds]}`,
    `{"field": "created", "in_windows": [{from, until}], "or_unknown": bool}` (from inclusive,
    until exclusive, null = open; `or_unknown`: an item without `created` matches).
    """

    mode: Literal["all", "none", "conditions"]
    show: dict[str, Any] | None = None


class SqlForm(BaseModel):
    """A WHERE clause over the columns id, system, kind, pathway_system, pathway, referral_system, referral, created."""

    where: str
    params: list[Any] = Field(description="In order, one per `%s` placeholder; times as ISO 8601 with offset.")
    placeholder: Literal["%s"] = "%s"
    columns: list[str] = Field(default_factory=lambda: list(SQL_COLUMNS))


class FhirForm(BaseModel):
    """FHIR search parameters selecting the shown items, or `expressible: false` (use `filter` or SQL)."""

    expressible: bool
    params: list[tuple[str, str]] | None = None


class FilterForms(BaseModel):
    """The condition in the forms the request asked for."""

    sql: SqlForm | None = None
    fhir: FhirForm | None = None


class FilterResponse(BaseModel):
    """The filter, when it stops being valid by time alone (null: no change foreseen), and its log id."""

    filter: FilterOut
    valid_until: datetime.datetime | None = Field(
        description="The first instant at which the answer can change by time alone (exclusive); ask again then, "
                    "or sooner when the child's facts change (change feed). Null: no change by time alone foreseen."
    )
    policy_version: str
    decision_id: str
    forms: FilterForms | None = None


class FilterUnavailable(Problem, FilterResponse):
    """503: the store or the decision log failed; the filter is still an explicit "none"."""


_DETAILS = {
    "store-unavailable": "the child's facts cannot be read now; nothing is shown (fail closed)",
    "decision-log-unavailable": "the filter cannot be written to the decision log; nothing is shown (fail closed)",
}


def _json(value: Any) -> Any:
    return value.astimezone(datetime.timezone.utc).isoformat() if isinstance(value, datetime.datetime) else value


def filter_body(outcome: FilterOutcome, forms: list[str]) -> dict[str, Any]:
    """The response body: the filter without reasons, rules, fact ids or legal bases (nothing beyond the per-item effects)."""
    compiled = outcome.filter
    body: dict[str, Any] = {
        "filter": compiled.as_dict(),
        "valid_until": _json(compiled.valid_until),
        "policy_version": outcome.policy_version,
        "decision_id": outcome.decision_id,
    }
    if forms:
        rendered: dict[str, Any] = {}
        if "sql" in forms:
            where, params = to_sql(compiled)
            rendered["sql"] = {"where": where, "params": [_json(p) for p in params], "placeholder": "%s",
                               "columns": list(SQL_COLUMNS)}
        if "fhir" in forms:
            fhir_params = to_fhir(compiled)
            rendered["fhir"] = {"expressible": fhir_params is not None, "params": None if fhir_params is None else [list(p) for p in fhir_params]}
        body["forms"] = rendered
    return body


@router.post(
    "/v1/decisions/filter",
    response_model=FilterResponse,
    summary="The timeline filter: which items may this requester see",
    responses={**problem_responses(401, 403, 413, 422),
               503: {"model": FilterUnavailable, "description": "Fail closed: nothing shown", "content": {PROBLEM_MEDIA_TYPE: {}}}},
)
async def timeline_filter(body: FilterRequest, caller: FilterCaller, service: DecisionsDep) -> Response:
    """All, none, or the condition an item must meet, with `valid_until`; recorded in the decision log."""
    # Like a single decision: compiled on the event loop, the log entry awaited without a thread.
    outcome = await service.filter_async(caller, body.requester, body.child, body.at)
    content = filter_body(outcome, list(dict.fromkeys(body.forms)))
    headers = {"Cache-Control": "no-store"}
    if outcome.available:
        return JSONResponse(content, headers=headers)
    code = outcome.problem or "store-unavailable"
    merged = problem_body(503, code, _DETAILS.get(code, "nothing is shown (fail closed)")) | content
    response = JSONResponse(merged, status_code=503, headers={**headers, "Retry-After": "5"})
    response.headers["content-type"] = PROBLEM_MEDIA_TYPE
    return response
