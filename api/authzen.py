"""AuthZEN Authorization API 1.0: a second front door over the same decisions as `/v1/decisions`.

Subject = the requester (`person`: national id, `organization`: organisation number), resource =
the item (`type` = its kind, `properties` = child, pathway, referral, …), action `can_read`,
context `time` = the instant decided for. Every evaluation goes through `DecisionService`, so it
is decided by the same engine and written to the same decision log. The mapping of every field
is in docs/authzen.md.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal, overload

from fastapi import APIRouter, Request, Security
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import from_json
from starlette.responses import Response

from access_policy.errors import InvalidInputError
from access_policy.facts import Item, ItemKind
from access_policy.filter import restricted_to_kind
from access_policy.identity import parse_organisation_number, parse_person_id
from access_policy.items import build_item
from access_policy.service.decisions import DecisionOutcome, DecisionService
from access_policy.service.tokens import SCOPE_DECISIONS, SCOPE_DECISIONS_EXPLAIN, Caller
from .decisions import FastJSONResponse
from .deps import scoped
from .problems import PROBLEM_MEDIA_TYPE, problem_body, problem_responses

router = APIRouter(tags=["authzen"])

ACTION = "can_read"
SUBJECT_TYPES = ("person", "organization")
SEMANTICS = ("execute_all", "deny_on_first_deny", "permit_on_first_permit")
RESOURCE_PROPERTIES = ("child", "pathway", "referral", "system", "labels", "created", "organisation")
ANY_KIND = "item"  # a resource search over every kind
DEFAULT_PAGE = 100

Caller_ = Annotated[Caller, Security(scoped(SCOPE_DECISIONS), scopes=[SCOPE_DECISIONS])]


# --- The wire format, for the OpenAPI document (the routes parse the raw JSON themselves, so
# that a bad evaluation inside a batch becomes that evaluation's error, as the specification says).

class Subject(BaseModel):
    """Who asks to see the item: a person by national id, or an organisation by organisation number."""

    model_config = ConfigDict(extra="allow")
    type: Literal["person", "organization"] = Field(description="`person` (national id) or `organization` (organisation number).")
    id: str = Field(description="The requester's 11-digit national id, or 9-digit organisation number.")
    properties: dict[str, Any] | None = Field(None, description="Not used: the engine knows the requester from the register.")


class ResourceProperties(BaseModel):
    """The item's place in the child's record; unknown properties are refused (they might be facts the engine cannot honour)."""

    model_config = ConfigDict(extra="forbid")
    child: str = Field(description="The child's 11-digit national id (in the body, never in a URL).")
    pathway: str | None = Field(None, description="The care pathway (forløp) the item belongs to.")
    referral: str | None = Field(None, description="The referral (henvisning) the item belongs to.")
    system: str | None = Field(None, description="The source system of the item's id, pathway and referral: an identifier system URI or an organisation number "
                                                 "(default `local`).")
    labels: list[str] | None = Field(None, description="Sensitivity labels of the item.")
    created: datetime.datetime | None = Field(None, description="When the item was created (RFC 3339).")
    organisation: str | None = Field(None, description="The author organisation's 9-digit organisation number.")


class Resource(BaseModel):
    """The item of the child's record."""

    model_config = ConfigDict(extra="allow")
    type: ItemKind = Field(description="The item's kind.")
    id: str = Field(description="The item's id in its source system.")
    properties: ResourceProperties = Field(description="The child and the item's place in the record.")


class Action(BaseModel):
    """What the subject wants to do: only `can_read` is decided."""

    model_config = ConfigDict(extra="allow")
    name: Literal["can_read"] = Field(description="Only `can_read`; any other action is denied with an error.")
    properties: dict[str, Any] | None = Field(None, description="Not used.")


class Context(BaseModel):
    """The environment: the instant to decide for."""

    model_config = ConfigDict(extra="allow")
    time: datetime.datetime | None = Field(None, description="The instant decided for (RFC 3339 with an offset); default now.")


class EvaluationRequest(BaseModel):
    """May this subject read this item now?"""

    model_config = ConfigDict(extra="allow")
    subject: Subject = Field(description="Who asks: the requester.")
    action: Action = Field(description="`can_read`.")
    resource: Resource = Field(description="The item asked about, with the child it belongs to.")
    context: Context | None = Field(None, description="The instant to decide for.")


class DecisionReason(BaseModel):
    """Why: given only to callers with the `decisions:explain` scope."""

    rule: str = Field(description="The deciding rule's stable id.")
    legal_basis: list[str] = Field(description="The legal basis of the rule.")
    reasons: list[dict[str, str]] = Field(description="The facts that applied: code, fact id, detail.")
    policy_version: str = Field(description="The version of the policy that decided.")


class DecisionContext(BaseModel):
    """What travels with a decision."""

    model_config = ConfigDict(extra="allow")
    decision_id: str | None = Field(None, description="The decision-log entry's id.")
    reason: DecisionReason | None = Field(None, description="Only for callers entitled to it (`decisions:explain`).")
    error: dict[str, Any] | None = Field(None, description="Why this evaluation could not be decided: `status` and `message`.")


class EvaluationResponse(BaseModel):
    """`true`: the requester may see the item; `false`: hide it."""

    decision: bool = Field(description="true = permit, false = deny.")
    context: DecisionContext | None = Field(None, description="The log id; the reasons for entitled callers; an error.")


class EvaluationsOptions(BaseModel):
    """How the evaluations run."""

    model_config = ConfigDict(extra="allow")
    evaluations_semantic: Literal["execute_all", "deny_on_first_deny", "permit_on_first_permit"] = Field(
        "execute_all", description="Run all, stop at the first deny, or stop at the first permit."
    )


class EvaluationsRequest(BaseModel):
    """Many evaluations; the top-level subject, action, resource and context are defaults for each."""

    model_config = ConfigDict(extra="allow")
    subject: Subject | None = Field(None, description="Default subject of every evaluation.")
    action: Action | None = Field(None, description="Default action of every evaluation.")
    resource: Resource | None = Field(None, description="Default resource of every evaluation.")
    context: Context | None = Field(None, description="Default context of every evaluation.")
    evaluations: list[dict[str, Any]] | None = Field(None, description="Each overrides the defaults it names.")
    options: EvaluationsOptions | None = Field(None, description="How the evaluations run.")


class EvaluationsResponse(BaseModel):
    """One decision per evaluation run, in request order."""

    evaluations: list[EvaluationResponse] = Field(description="One decision per evaluation run, in request order.")


class PageRequest(BaseModel):
    """Which page: the `next_token` of the previous answer, and at most how many results."""

    token: str | None = Field(None, description="The previous answer's `next_token`.")
    limit: int | None = Field(None, ge=0, description="At most this many results.")


class SearchResource(BaseModel):
    """The kind searched for (`item`: every kind) and the child whose record is searched."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="An item kind, or `item` for every kind.")
    properties: dict[str, Any] = Field(description="`child`: the child's national id.")


class SearchContext(Context):
    """The instant, and the candidate items the journal system holds (the engine stores no items)."""

    candidates: list[dict[str, Any]] | None = Field(
        None, description="The items to search among, each a Resource without `properties.child`. Without them "
                          "nothing is listed and `context.filter` gives the condition an item must meet.",
    )


class ResourceSearchRequest(BaseModel):
    """Which of these items of the child's record may this subject read?"""

    model_config = ConfigDict(extra="allow")
    subject: Subject = Field(description="Who asks: the requester.")
    action: Action = Field(description="`can_read`.")
    resource: SearchResource = Field(description="The kind searched for and the child.")
    context: SearchContext | None = Field(None, description="The instant and the candidate items.")
    page: PageRequest | None = Field(None, description="Which page.")


class PageResponse(BaseModel):
    """Where this page stands."""

    next_token: str = Field(description="Empty when there are no more results.")
    count: int = Field(description="Results on this page.")
    total: int = Field(description="Results on all pages.")


class ResourceSearchResponse(BaseModel):
    """The permitted items, a page at a time."""

    page: PageResponse = Field(description="This page: the next token, its count and the total.")
    context: dict[str, Any] | None = Field(
        None, description="`decision_id` (the log entry), `valid_until` (the first instant the answer can change by time "
                          "alone), and without candidates `filter` (as `POST /v1/decisions/filter` gives it) and `limitation`.",
    )
    results: list[dict[str, Any]] = Field(description="The permitted items (AuthZEN resources), in the candidates' order.")


# --- Parsing: one evaluation at a time, each fault an `InvalidInputError` naming its field.

@dataclass(frozen=True)
class Evaluation:
    """One evaluation as the engine sees it."""

    requester: str
    child: str
    item: Item
    at: datetime.datetime | None


@overload
def _object(value: Any, field: str, required: Literal[True] = True) -> dict[str, Any]: ...


@overload
def _object(value: Any, field: str, required: bool) -> dict[str, Any] | None: ...


def _object(value: Any, field: str, required: bool = True) -> dict[str, Any] | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise InvalidInputError.for_field(field, "is required and must be an object" if value is None else "must be an object")
    return value


def _string(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInputError.for_field(field, "is required and must be a non-empty string")
    return value


def parse_subject(subject: Any, field: str = "subject") -> str:
    """The requester's id from an AuthZEN subject."""
    subject = _object(subject, field)
    kind = _string(subject.get("type"), f"{field}.type")
    id = _string(subject.get("id"), f"{field}.id")
    if kind == "person":
        return parse_person_id(id, f"{field}.id").value
    if kind == "organization":
        return parse_organisation_number(id, f"{field}.id")
    raise InvalidInputError.for_field(f"{field}.type", f"must be one of {', '.join(SUBJECT_TYPES)}, not `{kind}`")


def parse_action(action: Any, field: str = "action") -> None:
    """Only `can_read` is decided."""
    action = _object(action, field)
    name = _string(action.get("name"), f"{field}.name")
    if name != ACTION:
        raise InvalidInputError.for_field(f"{field}.name", f"only `{ACTION}` is decided, not `{name}`")


def parse_time(context: Any, field: str = "context") -> datetime.datetime | None:
    """The instant from `context.time`; other context keys describe the environment and are not used."""
    context = _object(context, field, required=False)
    if context is None or context.get("time") is None:
        return None
    raw = context["time"]
    try:
        at = datetime.datetime.fromisoformat(_string(raw, f"{field}.time"))
    except ValueError:
        raise InvalidInputError.for_field(f"{field}.time", "is not an RFC 3339 date-time") from None
    if at.tzinfo is None:
        raise InvalidInputError.for_field(f"{field}.time", "needs an offset (e.g. `Z` or `+01:00`)")
    return at


def parse_resource(resource: Any, field: str = "resource", child: str | None = None) -> tuple[str, Item]:
    """The child and the item from an AuthZEN resource (`child` given: the search's child, not a property)."""
    resource = _object(resource, field)
    kind = _string(resource.get("type"), f"{field}.type")
    id = _string(resource.get("id"), f"{field}.id")
    properties = _object(resource.get("properties"), f"{field}.properties", required=child is None) or {}
    unknown = sorted(set(properties) - set(RESOURCE_PROPERTIES))
    if unknown:
        raise InvalidInputError.for_field(
            f"{field}.properties.{unknown[0]}", f"is not a property the engine honours ({', '.join(RESOURCE_PROPERTIES)})"
        )
    if child is None:
        child = parse_person_id(_string(properties.get("child"), f"{field}.properties.child"), f"{field}.properties.child").value
    elif properties.get("child") not in (None, child):
        raise InvalidInputError.for_field(f"{field}.properties.child", "must be the searched child")
    labels = properties.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise InvalidInputError.for_field(f"{field}.properties.labels", "must be a list of strings")
    item = build_item(
        id, kind, pathway=properties.get("pathway"), referral=properties.get("referral"),
        system=properties.get("system"), created=properties.get("created"),
        organisation=properties.get("organisation"), labels=labels, field=f"{field}.properties",
    )
    return child, item


def parse_evaluation(body: dict[str, Any], field: str = "") -> Evaluation:
    """One evaluation request (the body, or an evaluation merged with the defaults)."""
    prefix = f"{field}." if field else ""
    requester = parse_subject(body.get("subject"), f"{prefix}subject")
    parse_action(body.get("action"), f"{prefix}action")
    child, item = parse_resource(body.get("resource"), f"{prefix}resource")
    return Evaluation(requester, child, item, parse_time(body.get("context"), f"{prefix}context"))


def merged(defaults: dict[str, Any], evaluation: Any, index: int) -> dict[str, Any]:
    """An evaluation with the top-level defaults filled in (the evaluation's own keys win, whole)."""
    evaluation = _object(evaluation, f"evaluations.{index}")
    out: dict[str, Any] = {key: defaults[key] for key in ("subject", "action", "resource", "context") if key in defaults}
    out.update({key: evaluation[key] for key in ("subject", "action", "resource", "context") if key in evaluation})
    return out


# --- Answers

def _decision(outcome: DecisionOutcome, index: int, caller: Caller) -> dict[str, Any]:
    decision = outcome.decisions[index]
    context: dict[str, Any] = {"decision_id": outcome.decision_id}
    # Rule ids and reasons can tell a stranger that a child has a protected address or an
    # exemption: only callers entitled to explanations get them.
    if SCOPE_DECISIONS_EXPLAIN in caller.scopes:
        context["reason"] = {
            "rule": decision.rule,
            "legal_basis": list(decision.legal_basis),
            "reasons": [reason.as_dict() for reason in decision.reasons],
            "policy_version": decision.policy_version,
        }
    if not outcome.available:
        context["error"] = {"status": 503, "message": f"{outcome.problem}: denied (fail closed)"}
    return {"decision": decision.permitted, "context": context}


def _error(error: InvalidInputError) -> dict[str, Any]:
    return {"decision": False, "context": {"error": {"status": 400, "message": error.message}}}


def _bad_request(error: InvalidInputError) -> Response:
    fields = [problem.as_dict() for problem in error.problems]
    return _json(problem_body(400, "invalid-input", error.message, errors=fields), 400, problem=True)


def _json(body: dict[str, Any], status: int = 200, *, problem: bool = False) -> Response:
    headers = {"Cache-Control": "no-store"}
    media = PROBLEM_MEDIA_TYPE if problem else "application/json"
    return FastJSONResponse(body, status_code=status, headers=headers, media_type=media)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = from_json(raw)
    except ValueError:  # not JSON, not UTF-8, or nested too deeply
        raise InvalidInputError.for_field("body", "is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidInputError.for_field("body", "must be a JSON object")
    return body


def _unavailable(body: dict[str, Any], outcome_problem: str) -> dict[str, Any]:
    return problem_body(503, outcome_problem, "the decision could not be made and logged; denied (fail closed)") | body


def _body_doc(schema: str, example: str) -> dict[str, Any]:
    """The request body as documented: the route parses it itself (see the module docstring)."""
    from .examples import openapi_examples

    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{schema}"}, "examples": openapi_examples(example),
            }},
        }
    }


def evaluate_one(service: DecisionService, caller: Caller, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The status and body for one Access Evaluation request."""
    evaluation = parse_evaluation(body)
    outcome = service.decide(caller, evaluation.requester, evaluation.child, [evaluation.item], evaluation.at)
    answer = _decision(outcome, 0, caller)
    if not outcome.available:
        return 503, _unavailable(answer, outcome.problem or "store-unavailable")
    return 200, answer


async def evaluate_one_async(service: DecisionService, caller: Caller, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """As `evaluate_one`, on the event loop: one decision is short work, its log entry awaited without a thread."""
    evaluation = parse_evaluation(body)
    outcome = await service.decide_async(caller, evaluation.requester, evaluation.child, [evaluation.item], evaluation.at)
    answer = _decision(outcome, 0, caller)
    if not outcome.available:
        return 503, _unavailable(answer, outcome.problem or "store-unavailable")
    return 200, answer


def evaluate_many(service: DecisionService, caller: Caller, body: dict[str, Any], max_items: int) -> tuple[int, dict[str, Any]]:
    """The status and body for an Access Evaluations request, with the chosen semantic."""
    evaluations = body.get("evaluations")
    if evaluations is None or evaluations == []:
        # No evaluations: the request behaves as a single Access Evaluation (the spec's backwards compatibility).
        return evaluate_one(service, caller, body)
    if not isinstance(evaluations, list):
        raise InvalidInputError.for_field("evaluations", "must be an array")
    if len(evaluations) > max_items:
        raise InvalidInputError.for_field("evaluations", f"at most {max_items} evaluations, not {len(evaluations)}")
    options = _object(body.get("options"), "options", required=False) or {}
    semantic = options.get("evaluations_semantic", "execute_all")
    if semantic not in SEMANTICS:
        raise InvalidInputError.for_field("options.evaluations_semantic", f"must be one of {', '.join(SEMANTICS)}")
    results: list[dict[str, Any]] = []
    unavailable: str | None = None
    if semantic == "execute_all":
        # Consecutive evaluations for the same requester, child and instant share one read of the
        # child's facts and one decision-log entry, as a /v1/decisions/batch does.
        parsed: list[Evaluation | InvalidInputError] = []
        for index, evaluation in enumerate(evaluations):
            try:
                parsed.append(parse_evaluation(merged(body, evaluation, index), f"evaluations.{index}"))
            except InvalidInputError as error:
                parsed.append(error)
        index = 0
        while index < len(parsed):
            current = parsed[index]
            if isinstance(current, InvalidInputError):
                results.append(_error(current))
                index += 1
                continue
            group = [current]
            while index + len(group) < len(parsed):
                following = parsed[index + len(group)]
                if isinstance(following, InvalidInputError) or (following.requester, following.child, following.at) != (
                    current.requester, current.child, current.at
                ):
                    break
                group.append(following)
            outcome = service.decide(caller, current.requester, current.child, [g.item for g in group], current.at)
            unavailable = unavailable or (None if outcome.available else outcome.problem)
            results.extend(_decision(outcome, n, caller) for n in range(len(group)))
            index += len(group)
    else:
        stop_on = semantic == "permit_on_first_permit"
        for index, evaluation in enumerate(evaluations):
            try:
                parsed_one = parse_evaluation(merged(body, evaluation, index), f"evaluations.{index}")
            except InvalidInputError as error:
                results.append(_error(error))  # an error is a deny: it ends a deny_on_first_deny run
                if not stop_on:
                    break
                continue
            outcome = service.decide(caller, parsed_one.requester, parsed_one.child, [parsed_one.item], parsed_one.at)
            unavailable = unavailable or (None if outcome.available else outcome.problem)
            answer = _decision(outcome, 0, caller)
            results.append(answer)
            if answer["decision"] is stop_on:
                break
    answer_body = {"evaluations": results}
    if unavailable:
        return 503, _unavailable(answer_body, unavailable)
    return 200, answer_body


class _Page:
    """Opaque page tokens: the offset, bound to a digest of the request without its token."""

    @staticmethod
    def digest(body: dict[str, Any]) -> str:
        page = dict(body.get("page") or {})
        page.pop("token", None)
        canonical = json.dumps({**body, "page": page}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    @staticmethod
    def make(offset: int, digest: str) -> str:
        return base64.urlsafe_b64encode(f"{offset}:{digest}".encode()).decode().rstrip("=")

    @staticmethod
    def read(token: str, digest: str) -> int:
        try:
            offset, _, bound = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii").partition(":")
            if not offset.isascii() or not offset.isdigit() or len(offset) > 9:
                raise ValueError
        except ValueError:
            raise InvalidInputError.for_field("page.token", "is not a token from this service") from None
        if bound != digest:
            raise InvalidInputError.for_field("page.token", "belongs to another request: all but the token must stay the same")
        return int(offset)


def search_resources(
    service: DecisionService, caller: Caller, body: dict[str, Any], max_items: int
) -> tuple[int, dict[str, Any]]:
    """Resource Search, answered from the timeline filter (one read of the facts, one log entry).

    With `context.candidates` the answer is the candidates the filter shows, in their order, a page
    at a time. The engine stores no items, so without candidates it cannot list them: the result
    set is empty (fail closed) and `context.filter` carries the condition an item must meet, with
    `valid_until`, for the journal system to apply in its own query.
    """
    requester = parse_subject(body.get("subject"))
    parse_action(body.get("action"))
    resource = _object(body.get("resource"), "resource")
    kind = _string(resource.get("type"), "resource.type")
    if kind != ANY_KIND and kind not in {k.value for k in ItemKind}:
        raise InvalidInputError.for_field("resource.type", f"must be an item kind or `{ANY_KIND}`, not `{kind}`")
    properties = _object(resource.get("properties"), "resource.properties")
    child_field = "resource.properties.child"
    child = parse_person_id(_string(properties.get("child"), child_field), child_field).value
    context = _object(body.get("context"), "context", required=False) or {}
    at = parse_time(context)
    page = _object(body.get("page"), "page", required=False) or {}
    limit = page.get("limit", DEFAULT_PAGE)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise InvalidInputError.for_field("page.limit", "must be a whole number ≥ 0")
    limit = min(limit, max_items)
    digest = _Page.digest(body)
    offset = _Page.read(page["token"], digest) if page.get("token") else 0
    candidates = context.get("candidates")
    items: list[Item] = []
    if candidates is not None:
        if not isinstance(candidates, list):
            raise InvalidInputError.for_field("context.candidates", "must be an array of resources")
        if len(candidates) > max_items:
            raise InvalidInputError.for_field("context.candidates", f"at most {max_items} candidates, not {len(candidates)}")
        items = [parse_resource(c, f"context.candidates.{n}", child=child)[1] for n, c in enumerate(candidates)]
    outcome = service.filter(caller, requester, child, at)
    nothing = {"page": {"next_token": "", "count": 0, "total": 0}, "results": []}
    if not outcome.available:
        return 503, _unavailable(nothing, outcome.problem or "store-unavailable")
    compiled = outcome.filter if kind == ANY_KIND else restricted_to_kind(outcome.filter, ItemKind(kind))
    if candidates is None:
        answer = {"decision_id": outcome.decision_id, "filter": compiled.as_dict(), "valid_until": _instant(compiled.valid_until)}
        if compiled.mode != "none":
            answer["limitation"] = (
                "the engine stores no items: apply `context.filter` in your own query, "
                "or name the items in `context.candidates` to have them listed"
            )
        return 200, {**nothing, "context": answer}
    permitted = [candidates[n] for n, item in enumerate(items) if compiled.matches(item)]
    shown = permitted[offset:offset + limit]
    more = offset + len(shown) < len(permitted)
    results = [{"type": c["type"], "id": c["id"], **({"properties": c["properties"]} if c.get("properties") else {})} for c in shown]
    return 200, {
        "page": {"next_token": _Page.make(offset + len(shown), digest) if more else "", "count": len(shown), "total": len(permitted)},
        "context": {"decision_id": outcome.decision_id, "valid_until": _instant(compiled.valid_until)},
        "results": results,
    }


def _instant(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.astimezone(datetime.timezone.utc).isoformat()


async def _run(request: Request, caller: Caller, work: Any, *args: Any) -> Response:
    try:
        body = await _body(request)
        status, answer = await run_in_threadpool(work, request.app.state.decisions, caller, body, *args)
    except InvalidInputError as error:
        return _bad_request(error)
    return _json(answer, status, problem=status != 200)


_RESPONSES = {**problem_responses(400, 401, 403, 413), 503: {"description": "Fail closed: denied", "content": {PROBLEM_MEDIA_TYPE: {}}}}


@router.post(
    "/access/v1/evaluation",
    response_model=EvaluationResponse,
    summary="AuthZEN: may this subject read this item?",
    responses=_RESPONSES,
    openapi_extra=_body_doc("EvaluationRequest", "evaluation"),
)
async def evaluation(
    request: Request,
    caller: Caller_,
) -> Response:
    """Access Evaluation (AuthZEN 1.0 §6): one decision, logged like `/v1/decisions`. Bad input: 400."""
    try:
        body = await _body(request)
        status, answer = await evaluate_one_async(request.app.state.decisions, caller, body)
    except InvalidInputError as error:
        return _bad_request(error)
    return _json(answer, status, problem=status != 200)


@router.post(
    "/access/v1/evaluations",
    response_model=EvaluationsResponse,
    summary="AuthZEN: many evaluations, with defaults and a semantic",
    responses=_RESPONSES,
    openapi_extra=_body_doc("EvaluationsRequest", "evaluations"),
)
async def evaluations(
    request: Request,
    caller: Caller_,
) -> Response:
    """Access Evaluations (AuthZEN 1.0 §7): top-level defaults, `execute_all`, `deny_on_first_deny`, `permit_on_first_permit`."""
    return await _run(request, caller, evaluate_many, request.app.state.settings.max_batch_items)


@router.post(
    "/access/v1/search/resource",
    response_model=ResourceSearchResponse,
    summary="AuthZEN: which of these items may this subject read?",
    responses=_RESPONSES,
    openapi_extra=_body_doc("ResourceSearchRequest", "search"),
)
async def search_resource(
    request: Request,
    caller: Caller_,
) -> Response:
    """Resource Search (AuthZEN 1.0 §8.5) among the candidates the caller names, paginated."""
    return await _run(request, caller, search_resources, request.app.state.settings.max_batch_items)


class PdpMetadata(BaseModel):
    """AuthZEN Policy Decision Point metadata (§9)."""

    policy_decision_point: str = Field(description="The PDP's identifier: its base URL.")
    access_evaluation_endpoint: str = Field(description="URL of the Access Evaluation API.")
    access_evaluations_endpoint: str = Field(description="URL of the Access Evaluations API.")
    search_resource_endpoint: str = Field(description="URL of the Resource Search API.")


@router.get(
    "/.well-known/authzen-configuration", response_model=PdpMetadata, summary="AuthZEN: discovery", responses=problem_responses(405)
)
def configuration(request: Request) -> dict[str, str]:
    """The PDP metadata document; subject and action search are not offered."""
    settings = request.app.state.settings
    base = settings.public_url.rstrip("/") if settings.public_url else f"{request.url.scheme}://{request.url.netloc}"
    return {
        "policy_decision_point": base,
        "access_evaluation_endpoint": f"{base}/access/v1/evaluation",
        "access_evaluations_endpoint": f"{base}/access/v1/evaluations",
        "search_resource_endpoint": f"{base}/access/v1/search/resource",
    }


EXTRA_SCHEMAS: tuple[type[BaseModel], ...] = (EvaluationRequest, EvaluationsRequest, ResourceSearchRequest)
