"""The ceiling: a bare FastAPI app that reads a decision request and answers a decision-shaped body.

Served by uvicorn exactly like the service (`uvicorn access_policy.bench.bare:app`), it does
everything a decision endpoint must do around the decision (parse the JSON, build a response of
the same shape, serialise it) and nothing else: no token, no store, no engine, no log.
"""

from __future__ import annotations

import uuid

from fastapi import FastAPI, Request

app = FastAPI(title="bare decision-shaped endpoint")

_DECISION = {"decision": "deny", "rule": "default-deny", "legal_basis": [], "reasons": [], "policy_version": "bare"}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Alive."""
    return {"status": "ok"}


@app.post("/v1/decisions")
async def decision(request: Request) -> dict[str, object]:
    """Echo a decision for the one item asked about."""
    body = await request.json()
    return {**_DECISION, "item": body.get("item", {}).get("id"), "decision_id": uuid.uuid4().hex}


@app.post("/v1/decisions/batch")
async def batch(request: Request) -> dict[str, object]:
    """Echo a decision per item, in order."""
    body = await request.json()
    results = [{"item": item.get("id"), **_DECISION} for item in body.get("items", ())]
    return {"results": results, "policy_version": "bare", "decision_id": uuid.uuid4().hex}
