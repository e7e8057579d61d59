"""Fact routes, one set per kind of `FACT_KINDS`: create, search, read one, revoke. No person number in any URL.

The child travels in the body (`POST /v1/<kind>` and `POST /v1/<kind>/search`); a record is read
and revoked by its opaque id (`GET /v1/<kind>/{id}`, `POST /v1/<kind>/{id}/revoke`, or `DELETE`).
"""

# No `from __future__ import annotations`: the routes are built in a loop and FastAPI must see the
# real types of each closure's parameters, not strings.

import types
from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import APIRouter, Body, Header, Path, Security
from pydantic import BaseModel, ConfigDict, Field, create_model
from starlette.responses import Response

from access_policy.facts import FACT_KINDS, IDEMPOTENCY_KEY_MAX, REVOCATION_REASON_MAX, FactKindSpec, PersonNumber
from access_policy.service.tokens import SCOPE_FACTS_READ, SCOPE_FACTS_WRITE, SCOPE_SHARING_WRITE, Caller
from .deps import RecordsDep, scoped, scoped_any
from .examples import body_examples
from .problems import problem_responses

if TYPE_CHECKING:
    from typing_extensions import TypeForm

router = APIRouter(tags=["facts"])

# The store's ids are `ex-…` and the like (at most 64 characters): anything else cannot name a
# fact, and a NUL would reach PostgreSQL as an error (a 503) instead of a 422 here.
FactId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", description="The record's opaque id, as a create returned it."),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_MAX,
        pattern=r"^[\x20-\x7e]+$",
        description="Retrying a create with the same key returns the first record (200) and stores nothing new.",
    ),
]
_WRITE_SCOPES = {"clinician": SCOPE_FACTS_WRITE, "adolescent": SCOPE_SHARING_WRITE}


class ChildQuery(BaseModel):
    """Whose facts: the child (any of its ids; a former id finds the facts recorded under every id)."""

    model_config = ConfigDict(extra="forbid")

    child: PersonNumber = Field(description="The child's person number (fødselsnummer, D-number, …).")


class Revocation(BaseModel):
    """Why a fact is revoked (optional), and for a grey-zone assessment whether what was confided under it is released."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(None, min_length=1, max_length=REVOCATION_REASON_MAX)
    release_confided: bool = Field(
        False,
        description="Grey-zone assessments only: items created while the adolescent's wish applied become visible "
        "to the parents (otherwise they stay hidden after the wish ends).",
    )


def _camel(spec: FactKindSpec) -> str:
    return "".join(part.capitalize() for part in spec.kind.value.split("-"))


def _create_model(spec: FactKindSpec) -> type[BaseModel]:
    """The create body: the child plus the kind's draft fields, side by side."""
    model = create_model(
        f"{_camel(spec)}Create",
        __base__=spec.draft,
        child=(PersonNumber, Field(description="The child the fact is about (any of its ids).")),
    )
    model.__doc__ = f"A new {spec.noun} for a child: `child` and the {spec.noun}'s fields."
    return model


def _list_of(record: type[BaseModel]) -> "TypeForm[Any]":
    """`list[record]` for a record class chosen at run time: a static type expression cannot name it."""
    return cast("TypeForm[Any]", types.GenericAlias(list, (record,)))


def _list_model(spec: FactKindSpec) -> type[BaseModel]:
    model = create_model(f"{_camel(spec)}List", child=(str, ...), records=(_list_of(spec.record), ...))
    model.__doc__ = f"Every {spec.noun} of the child (its current id), revoked ones included, oldest first."
    return model


def _register(spec: FactKindSpec) -> None:
    kind = spec.kind
    base = f"/v1/{kind.value}"
    write_scope = _WRITE_SCOPES[spec.writer]
    Writer = Annotated[Caller, Security(scoped(write_scope), scopes=[write_scope])]
    # The adolescent's portal reads the grants it gave; clinicians' systems read everything.
    read_scopes = [SCOPE_FACTS_READ] + ([write_scope] if spec.writer == "adolescent" else [])
    Reader = Annotated[Caller, Security(scoped_any(*read_scopes), scopes=read_scopes)]
    create_type = _create_model(spec)
    list_type = _list_model(spec)
    record_type = spec.record
    draft_type = spec.draft

    # The caller comes first in every route: FastAPI solves dependencies in order, so a request
    # without a valid token is a 401 before its body is validated (a 422).
    def create(
        caller: Writer,
        # FastAPI needs the kind's own create model here; it is built at run time, so no static type names it.
        body: create_type,  # type: ignore[valid-type]
        records: RecordsDep,
        response: Response,
        key: IdempotencyKey = None,
    ) -> Any:
        request: BaseModel = body  # a `create_type`: the draft's fields and `child`
        fields = request.model_dump()
        child: str = fields.pop("child")
        draft = draft_type.model_validate(fields)
        created = records.create(caller, child, kind, draft, key)
        if not created.created:
            response.status_code = 200  # a replay: the first result, nothing new stored
        response.headers["Location"] = f"{base}/{created.record.id}"
        return created.record

    def search(caller: Reader, body: ChildQuery, records: RecordsDep) -> Any:
        child, found = records.search(caller, body.child, kind)
        return {"child": child, "records": found}

    def read_one(caller: Reader, fact_id: FactId, records: RecordsDep) -> Any:
        return records.get(caller, kind, fact_id)

    def revoke(
        caller: Writer, fact_id: FactId, records: RecordsDep, body: Annotated[Revocation | None, Body()] = None
    ) -> Any:
        body = body or Revocation()
        return records.revoke(caller, kind, fact_id, reason=body.reason, release_confided=body.release_confided)

    who = "the token's `pid` (the adolescent, 16–17)" if spec.writer == "adolescent" else "the token's `hpr` and `org`"
    create.__doc__ = f"Create a {spec.noun} for the child named in the body; the author is {who}."
    search.__doc__ = f"Every {spec.noun} of the child named in the body, revoked ones included."
    read_one.__doc__ = f"One {spec.noun} by its opaque id."
    revoke.__doc__ = f"Revoke a {spec.noun} by its opaque id; it stays in history with `revoked_at`. The body is optional."
    slug = kind.value.replace("-", "_")
    # A sharing grant's example would need the adolescent's own token (`pid`): it has none.
    create_examples = body_examples(f"create-{kind.value}") if spec.writer == "clinician" else None
    router.add_api_route(
        base, create, methods=["POST"], status_code=201, response_model=record_type, name=f"create_{slug}",
        summary=f"Create a {spec.noun}",
        responses={200: {"model": record_type, "description": "A replay of an earlier create with the same Idempotency-Key"},
                   **problem_responses(401, 403, 409, 413, 422, 503)},
        openapi_extra=create_examples,
    )
    router.add_api_route(
        f"{base}/search", search, methods=["POST"], response_model=list_type, name=f"search_{slug}",
        summary=f"A child's {kind.value.replace('-', ' ')}", responses=problem_responses(401, 403, 409, 422, 503),
        openapi_extra=body_examples(f"search-{kind.value}"),
    )
    router.add_api_route(
        f"{base}/{{fact_id}}", read_one, methods=["GET"], response_model=record_type, name=f"read_{slug}",
        summary=f"One {spec.noun}", responses=problem_responses(401, 403, 404, 503),
    )
    for method, path, name in (("POST", f"{base}/{{fact_id}}/revoke", f"revoke_{slug}"), ("DELETE", f"{base}/{{fact_id}}", f"delete_{slug}")):
        router.add_api_route(
            path, revoke, methods=[method], response_model=record_type, name=name,
            summary=f"Revoke a {spec.noun}" + (" (the same as `POST …/revoke`)" if method == "DELETE" else ""),
            responses=problem_responses(401, 403, 404, 422, 503),
        )


for _spec in FACT_KINDS.values():
    _register(_spec)
