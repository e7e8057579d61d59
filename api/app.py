"""The FastAPI application: routes per area over the services, problem+json at the edge."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI

from access_policy.policy import Policy, load_policy
from access_policy.service.decisions import DecisionService
from access_policy.service.records import Records
from access_policy.service.settings import Settings
from access_policy.service.tokens import make_verifier
from access_policy.store.interface import FactStore
from api import audit, changes, decisions, facts, health, problems, representation
from api.limits import BodySizeLimit, HeaderSizeLimit
from api.middleware import ResponseHeaders

log = logging.getLogger(__name__)

API_TITLE = "access-policy decision service"
API_VERSION = "1"


def _open_store(settings: Settings) -> FactStore:
    from access_policy.store import open_store

    data_dir = None if settings.database_url else settings.data_dir
    return open_store(data_dir=data_dir, database_url=settings.database_url, migrate=True)


def create_app(settings: Settings, store: FactStore | None = None, policy: Policy | None = None) -> FastAPI:
    """The app for these settings; opens the store and loads the policy unless they are given.

    Raises `ConfigurationError` for unsafe settings and `PolicyLoadError` for a policy that does not load.
    """
    settings = settings.checked()
    policy = policy if policy is not None else load_policy(settings.policy_dir)
    verifier = make_verifier(settings)
    owns_store = store is None
    store = store if store is not None else _open_store(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        close = getattr(app.state.store, "close", None)
        if owns_store and callable(close):
            close()

    app = FastAPI(
        title=API_TITLE,
        version=API_VERSION,
        summary="May this parent digitally see this item of their child's health record?",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.policy = policy
    app.state.store = store
    app.state.verifier = verifier
    app.state.decisions = DecisionService(store, policy)
    app.state.records = Records(store, clock_skew=policy.settings.clock_skew)
    problems.install(app)
    for module in (decisions, facts, representation, changes, audit, health):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeaderSizeLimit)
    app.add_middleware(ResponseHeaders, on_error=problems.unexpected)  # outermost of ours: its headers are on 413s too
    _document_problems(app)
    return app


def _document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say what the service sends: errors as `application/problem+json`."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        for path_item in spec.get("paths", {}).values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    if not status[:1] in ("4", "5"):
                        continue
                    content = response.setdefault("content", {})
                    schema = content.pop("application/json", {}).get("schema")
                    if status == "422" or schema is None:
                        schema = problem_ref  # FastAPI's own validation error is sent as a Problem too
                    content[problems.PROBLEM_MEDIA_TYPE] = {"schema": schema}
        _link_created_records(spec)
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        for model in decisions.EXTRA_SCHEMAS:  # bodies a route parses itself
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _link_created_records(spec: dict) -> None:
    """OpenAPI links from each create to reading and revoking the record it made (for clients and stateful tests)."""
    paths = spec.get("paths", {})
    for path, item in paths.items():
        create = item.get("post")
        if not path.startswith("/v1/children/{child}/") or create is None:
            continue
        listing = item.get("get", {}).get("operationId")
        revoke = paths.get(f"{path}/{{fact_id}}", {}).get("delete", {}).get("operationId")
        links = {}
        if listing:
            links["ListTheChildsRecords"] = {"operationId": listing, "parameters": {"child": "$request.path.child"}}
        if revoke:
            links["RevokeTheRecord"] = {
                "operationId": revoke,
                "parameters": {"child": "$request.path.child", "fact_id": "$response.body#/id"},
            }
        for status in ("201", "200"):
            if status in create.get("responses", {}) and links:
                create["responses"][status]["links"] = links


def app_from_env() -> FastAPI:
    """App factory for `uvicorn --factory` and worker processes: settings from `ACCESS_POLICY_*`."""
    return create_app(Settings.from_env())
