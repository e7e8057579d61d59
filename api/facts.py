"""Clinicians' fact routes: create (201, idempotent with `Idempotency-Key`), list with history, revoke."""

# No `from __future__ import annotations`: the routes are built in a loop and FastAPI must see the
# real types of each closure's parameters, not strings.

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Security
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from access_policy.facts import (
    AccessProfile,
    AccessProfileDraft,
    Assessment,
    AssessmentDraft,
    ClinicalFact,
    Exemption,
    ExemptionDraft,
    FactKind,
    NecessaryInformation,
    NecessaryInformationDraft,
)
from access_policy.service.records import REVOCATION_REASON_MAX
from access_policy.service.tokens import SCOPE_FACTS_READ, SCOPE_FACTS_WRITE, Caller
from api.deps import ChildDep, RecordsDep, scoped
from api.problems import problem_responses

router = APIRouter(tags=["facts"])

Writer = Annotated[Caller, Security(scoped(SCOPE_FACTS_WRITE), scopes=[SCOPE_FACTS_WRITE])]
Reader = Annotated[Caller, Security(scoped(SCOPE_FACTS_READ), scopes=[SCOPE_FACTS_READ])]
# The store's ids are `ex-…` and the like (at most 64 characters): anything else cannot name a
# fact, and a NUL would reach PostgreSQL as an error (a 503) instead of a 422 here.
FactId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x20-\x7e]+$",
        description="Retrying a create with the same key returns the first record (200) and stores nothing new.",
    ),
]


class RevocationBody(BaseModel):
    """Why a fact is revoked; required when revoking another organisation's fact (`facts:override`)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(None, min_length=1, max_length=REVOCATION_REASON_MAX)


_KINDS: list[tuple[FactKind, type[BaseModel], type[ClinicalFact], str]] = [
    (FactKind.EXEMPTIONS, ExemptionDraft, Exemption, "exemption"),
    (FactKind.ASSESSMENTS, AssessmentDraft, Assessment, "grey-zone assessment"),
    (FactKind.ACCESS_PROFILES, AccessProfileDraft, AccessProfile, "access profile"),
    (FactKind.NECESSARY_INFORMATION, NecessaryInformationDraft, NecessaryInformation, "necessary-information mark"),
]


def _list_model(record: type[ClinicalFact], kind: FactKind) -> type[BaseModel]:
    name = "".join(part.capitalize() for part in kind.value.split("-")) + "List"
    doc = f"Every {kind.value.replace('-', ' ')} record of the child, revoked ones included, oldest first."
    return type(name, (BaseModel,), {"__annotations__": {"child": str, "records": list[record]}, "__doc__": doc})


def _register(kind: FactKind, draft_type: type[BaseModel], record_type: type[ClinicalFact], noun: str) -> None:
    base = f"/v1/children/{{child}}/{kind.value}"
    list_type = _list_model(record_type, kind)

    # The caller comes first in every route: FastAPI solves dependencies in order, so a request
    # without a valid token is a 401 before its path is validated (a 422).
    def create(
        caller: Writer,
        child: ChildDep,
        body: draft_type,  # type: ignore[valid-type]
        records: RecordsDep,
        response: Response,
        key: IdempotencyKey = None,
    ) -> Any:
        created = records.create(caller, child, kind, body, key)
        if not created.created:
            response.status_code = 200  # a replay: the first result, nothing new stored
        response.headers["Location"] = f"{base.format(child=child)}/{created.record.id}"
        return created.record

    def list_all(caller: Reader, child: ChildDep, records: RecordsDep) -> Any:
        return {"child": child, "records": records.list(child, kind)}

    def revoke(caller: Writer, child: ChildDep, fact_id: FactId, records: RecordsDep, body: RevocationBody | None = None) -> Any:
        return records.revoke(caller, child, kind, fact_id, body.reason if body is not None else None)

    create.__doc__ = f"Create a {noun}; the author is the token's `hpr` and `org`."
    list_all.__doc__ = f"Every {noun} of the child, revoked ones included."
    revoke.__doc__ = f"Revoke a {noun}; it stays in history with `revoked_at`."
    slug = kind.value.replace("-", "_")
    router.add_api_route(
        base, create, methods=["POST"], status_code=201, response_model=record_type, name=f"create_{slug}",
        summary=f"Create a {noun}",
        responses={200: {"model": record_type, "description": "A replay of an earlier create with the same Idempotency-Key"},
                   **problem_responses(401, 403, 409, 413, 422, 503)},
    )
    router.add_api_route(
        base, list_all, methods=["GET"], response_model=list_type, name=f"list_{slug}",
        summary=f"List {kind.value.replace('-', ' ')}", responses=problem_responses(401, 403, 422, 503),
    )
    router.add_api_route(
        f"{base}/{{fact_id}}", revoke, methods=["DELETE"], response_model=record_type, name=f"revoke_{slug}",
        summary=f"Revoke a {noun}", responses=problem_responses(401, 403, 404, 422, 503),
        description="Only the author's organisation may revoke; another organisation needs the `facts:override` scope "
        "and a `reason`, both kept with the revocation.",
    )


for _kind, _draft, _record, _noun in _KINDS:
    _register(_kind, _draft, _record, _noun)
