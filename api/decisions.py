"""Decision routes: one item, or a batch of items for one requester and child."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import to_json
from starlette.responses import Response

from access_policy.facts import Item
from access_policy.items_json import NotFast, WireItem, items_from_wire
from access_policy.service.decisions import DecisionOutcome, DecisionService, batch_json, decision_body
from access_policy.service.settings import MAX_BATCH_ITEMS, Settings
from access_policy.service.tokens import SCOPE_DECISIONS, Caller
from .deps import DecisionsDep, SettingsDep, scoped
from .models import PartyIdField, PersonIdField, PlausibleInstant
from .problems import PROBLEM_MEDIA_TYPE, Problem, problem, problem_body, problem_responses

router = APIRouter(tags=["decisions"])

DecisionCaller = Annotated[Caller, Security(scoped(SCOPE_DECISIONS), scopes=[SCOPE_DECISIONS])]


class FastJSONResponse(Response):
    """JSON rendered by pydantic-core's serializer from plain data (no per-item model overhead)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return to_json(content)


class DecisionRequest(BaseModel):
    """May `requester` see this item of `child`'s record at `at` (default: now)?"""

    model_config = ConfigDict(extra="forbid")

    requester: PartyIdField = Field(description="A representative of the child, the child, or an organisation number.")
    child: PersonIdField = Field(description="The child's 11-digit national id.")
    item: Item = Field(description="The item of the child's record.")
    at: PlausibleInstant | None = Field(None, description="The instant decided for (RFC 3339 with an offset); default now.")


class BatchRequest(BaseModel):
    """Many items for one requester and child; answered in the same order."""

    model_config = ConfigDict(extra="forbid")

    requester: PartyIdField = Field(description="A representative of the child, the child, or an organisation number.")
    child: PersonIdField = Field(description="The child's 11-digit national id.")
    items: list[Item] = Field(
        description=f"Up to the configured limit (at most {MAX_BATCH_ITEMS:,}; more is a 413).",
        json_schema_extra={"maxItems": MAX_BATCH_ITEMS},
    )
    at: PlausibleInstant | None = Field(None, description="The instant decided for (RFC 3339 with an offset); default now.")


class ReasonOut(BaseModel):
    """A fact that applied: a stable code, the fact's id when it has one, a detail."""

    code: str = Field(description="A stable code of what applied (e.g. `parental-responsibility`, `exemption`).")
    fact: str | None = Field(None, description="The id of the clinician's fact that applied, when it has one.")
    detail: str | None = Field(None, description="A detail for people (e.g. the kind of parental responsibility).")


class DecisionResponse(BaseModel):
    """The answer for one item."""

    decision: Literal["permit", "deny"] = Field(description="`permit`: show the item; `deny`: hide it.")
    rule: str = Field(description="The deciding rule's stable id (or a fail-closed code).")
    legal_basis: list[str] = Field(description="The legal basis of the deciding rule.")
    reasons: list[ReasonOut] = Field(description="The facts that applied.")
    policy_version: str = Field(description="The version of the policy that decided.")
    decision_id: str = Field(description="The decision-log entry that records this answer.")
    item: str = Field(description="The item's id, as sent.")


class BatchResult(BaseModel):
    """The answer for one item of a batch."""

    item: str = Field(description="The item's id, as sent.")
    decision: Literal["permit", "deny"] = Field(description="`permit`: show the item; `deny`: hide it.")
    rule: str = Field(description="The deciding rule's stable id (or a fail-closed code).")
    legal_basis: list[str] = Field(description="The legal basis of the deciding rule.")
    reasons: list[ReasonOut] = Field(description="The facts that applied.")


class BatchResponse(BaseModel):
    """The answers of a batch, in the order of the request."""

    results: list[BatchResult] = Field(description="One answer per item, in request order.")
    policy_version: str = Field(description="The version of the policy that decided.")
    decision_id: str = Field(description="The decision-log entry that records the batch.")


class DecisionUnavailable(Problem, DecisionResponse):
    """503: the store or the decision log failed; the decision is still an explicit deny."""


class BatchUnavailable(Problem, BatchResponse):
    """503: the store or the decision log failed; every item is still an explicit deny, in order."""


_DETAILS = {
    "store-unavailable": "the child's facts cannot be read now; denied (fail closed)",
    "decision-log-unavailable": "the decision cannot be written to the decision log; denied (fail closed)",
}


def _answer(outcome: DecisionOutcome, body: dict[str, Any]) -> Response:
    if outcome.available:
        return FastJSONResponse(body)
    code = outcome.problem or "store-unavailable"
    merged = problem_body(503, code, _DETAILS.get(code, "denied (fail closed)")) | body
    response = FastJSONResponse(merged, status_code=503, headers={"Retry-After": "5"})
    response.headers["content-type"] = PROBLEM_MEDIA_TYPE
    return response


def _batch_answer(outcome: DecisionOutcome) -> Response:
    """A batch's answer, rendered without a mapping per item (`batch_json`); a 503 problem when not available."""
    if outcome.available:
        return Response(batch_json(outcome), media_type="application/json")
    code = outcome.problem or "store-unavailable"
    problem_fields = problem_body(503, code, _DETAILS.get(code, "denied (fail closed)"))
    return Response(
        batch_json(outcome, problem_fields), status_code=503, headers={"Retry-After": "5"}, media_type=PROBLEM_MEDIA_TYPE
    )


def _examples(name: str) -> dict[str, dict[str, Any]]:
    from .examples import openapi_examples

    return openapi_examples(name)


def _unavailable(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {503: {"model": model, "description": "Fail closed: denied", "content": {PROBLEM_MEDIA_TYPE: {}}}}


@router.post(
    "/v1/decisions",
    response_model=DecisionResponse,
    summary="Decide one item",
    responses={**problem_responses(401, 403, 413, 422), **_unavailable(DecisionUnavailable)},
    openapi_extra={"requestBody": {"content": {"application/json": {"examples": _examples("decision")}}}},
)
async def decide(body: DecisionRequest, caller: DecisionCaller, service: DecisionsDep) -> Response:
    """May the requester see this item now? Recorded in the decision log."""
    # Short work: decided on the event loop, the log entry awaited without holding a thread.
    outcome = await service.decide_async(caller, body.requester, body.child, [body.item], body.at)
    return _answer(outcome, decision_body(outcome))


_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}, "examples": _examples("batch")}},
    }
}


class _WireBatch(msgspec.Struct, forbid_unknown_fields=True):
    """A batch as sent: the items read in bulk, the other fields kept as their JSON text for the model."""

    requester: msgspec.Raw
    child: msgspec.Raw
    items: list[WireItem]
    at: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET


_read_batch = msgspec.json.Decoder(_WireBatch).decode


def parse_batch(raw: bytes) -> BatchRequest:
    """The batch request in `raw`, as `BatchRequest.model_validate_json` gives it; raises its `ValidationError`.

    The items are read in bulk (`items_json`); anything that path does not accept is validated
    by the model, whose answer and errors are the ones of record.
    """
    try:
        wire = _read_batch(raw)
        items = items_from_wire(wire.items)
    except (msgspec.ValidationError, msgspec.DecodeError, NotFast):
        return BatchRequest.model_validate_json(raw)
    # The fields besides the items are few: the model checks them from their own JSON text.
    at = (b',"at":', wire.at) if isinstance(wire.at, msgspec.Raw) else ()
    head = b"".join((b'{"requester":', wire.requester, b',"child":', wire.child, b',"items":[]', *at, b"}"))
    try:
        body = BatchRequest.model_validate_json(head)
    except ValidationError:
        return BatchRequest.model_validate_json(raw)
    return body.model_copy(update={"items": items})


def _batch(raw: bytes, caller: Caller, service: DecisionService, settings: Settings) -> Response:
    # The raw body is parsed and validated off the event loop, and only after the token has
    # been checked.
    try:
        body = parse_batch(raw)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None
    if len(body.items) > settings.max_batch_items:
        return problem(
            413,
            "request-too-large",
            f"a batch holds at most {settings.max_batch_items} items, not {len(body.items)}",
            errors=[{"field": "items", "message": f"at most {settings.max_batch_items} items"}],
        )
    outcome = service.decide(caller, body.requester, body.child, body.items, body.at)
    return _batch_answer(outcome)


@router.post(
    "/v1/decisions/batch",
    response_model=BatchResponse,
    summary="Decide many items",
    responses={**problem_responses(401, 403, 413, 422), **_unavailable(BatchUnavailable)},
    openapi_extra=_BATCH_BODY,
)
async def decide_batch(request: Request, caller: DecisionCaller, service: DecisionsDep, settings: SettingsDep) -> Response:
    """Decide every item for one requester and child: one read of the facts, one log entry, request order."""
    raw = await request.body()
    return await run_in_threadpool(_batch, raw, caller, service, settings)


EXTRA_SCHEMAS: tuple[type[BaseModel], ...] = (BatchRequest,)
