"""Prometheus metrics of this instance, for a token with the `metrics` scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Security
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from access_policy import observe
from access_policy.service.tokens import SCOPE_METRICS, Caller
from .deps import scoped

router = APIRouter(tags=["operations"])

MetricsReader = Annotated[Caller, Security(scoped(SCOPE_METRICS), scopes=[SCOPE_METRICS])]


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    include_in_schema=False,  # for operators' scrapers, not part of the decision contract
)
async def metrics(caller: MetricsReader) -> Response:
    """Decisions by rule and effect, request latency by route, decision-log group commits, errors."""
    body, content_type = await run_in_threadpool(observe.exposition)
    return Response(body, media_type=content_type)
