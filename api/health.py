"""Liveness and readiness."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from pydantic import BaseModel

from access_policy import observe
from access_policy.errors import StoreUnavailableError
from api.deps import PolicyDep, StoreDep
from api.problems import problem, problem_responses

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The process is alive."""

    status: str


class Ready(BaseModel):
    """The policy is loaded, the store answers and the decision log can be written."""

    status: str
    policy_version: str


@router.get("/healthz", response_model=Health, summary="Liveness")
def healthz() -> Health:
    """The process is alive (says nothing about the store)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, summary="Readiness", responses=problem_responses(503))
def readyz(store: StoreDep, policy: PolicyDep):  # noqa: ANN201 - a model or a problem response
    """Ready when a decision can be made and logged now: the store reads, and a write to the
    decision log (rolled back) succeeds within a second. Recovers by itself."""
    probe = getattr(store, "probe_write", None)
    for check, what in ((store.ping, "the fact store does not answer now"),
                        (probe, "the decision log cannot be written now")):
        if check is None:
            continue
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure to answer means not ready
            observe.store_error("ping")
            # The store's own message may name hosts or paths: it goes to the log, not to the caller.
            log.warning("not ready: %s", error if isinstance(error, StoreUnavailableError) else type(error).__name__)
            return problem(503, "not-ready", what, headers={"Retry-After": "5"})
    return Ready(status="ready", policy_version=policy.version)
