"""The FastAPI application: routes per area over the services, problem+json at the edge."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from access_policy.policy import Policy, load_policy
from access_policy.service.audit import Checkpointer
from access_policy.service.decisions import DecisionService
from access_policy.service.records import Records
from access_policy.service.settings import ConfigurationError, Settings
from access_policy.service.tokens import make_verifier
from access_policy.store.interface import FactStore
from . import audit, authzen, changes, decisions, docs_page, facts, fhir, guide, health, metrics, problems, representation, ui
from . import filter as timeline_filter
from .descriptions import describe_fields
from .limits import BodySizeLimit, HeaderSizeLimit
from .middleware import ResponseHeaders
from .observe import RequestObserver

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
    signing_key = _checkpoint_key(settings)  # before the store opens: a bad key leaves nothing open
    owns_store = store is None
    store = store if store is not None else _open_store(settings)
    checkpointer = Checkpointer(store, signing_key, file=settings.checkpoint_file) if signing_key is not None else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(checkpointer.run(settings.checkpoint_interval_seconds)) if checkpointer else None
        yield
        if task is not None and checkpointer is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            # On shutdown too, so the last decisions before a stop are anchored.
            await asyncio.to_thread(checkpointer.safe_checkpoint)
        close = getattr(app.state.store, "close", None)
        if owns_store and callable(close):
            close()

    app = FastAPI(
        title=API_TITLE,
        version=API_VERSION,
        summary="May this parent digitally see this item of their child's health record?",
        lifespan=lifespan,
        docs_url=None,  # served from local files by `docs_page`, so the page works without internet
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.policy = policy
    app.state.store = store
    app.state.verifier = verifier
    app.state.checkpointer = checkpointer
    app.state.pseudonymiser = None  # loaded (in development created) by the first export
    app.state.decisions = DecisionService(store, policy)
    app.state.records = Records(store, clock_skew=policy.settings.clock_skew)
    problems.install(app)
    for module in (decisions, timeline_filter, authzen, fhir, facts, representation, changes, audit, health, metrics):
        app.include_router(module.router)
    docs_page.install(app)
    ui.install(app)
    app.include_router(guide.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeaderSizeLimit)
    app.add_middleware(ResponseHeaders, on_error=problems.unexpected)  # its headers are on 413s and 500s too
    # Outermost: chooses the request id (echoed as X-Request-ID; AuthZEN §10.1.4 too), times and logs every answer.
    app.add_middleware(RequestObserver)
    _document_problems(app)
    return app


def _checkpoint_key(settings: Settings) -> Ed25519PrivateKey | None:
    """The key that signs the decision log's head, when one is configured (always in development)."""
    from access_policy.auditlog.checkpoints import CheckpointError, load_or_create_key, load_private_key

    path = settings.audit_key_path()
    if path is None:
        log.warning("no decision-log signing key (ACCESS_POLICY_AUDIT_KEY): the log's head is not anchored")
        return None
    try:
        # Development creates its key; production only reads the configured one.
        return load_or_create_key(path) if settings.dev and settings.audit_key is None else load_private_key(path)
    except CheckpointError as error:
        raise ConfigurationError(str(error)) from None


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
                    if status[:1] not in ("4", "5"):
                        for media in response.get("content", {}).values():
                            if "$ref" in media.get("schema", {}):
                                # A non-JSON response class (the JSON-lines export) adds `type: string` beside its model.
                                media["schema"].pop("type", None)
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
        for model in (*decisions.EXTRA_SCHEMAS, *authzen.EXTRA_SCHEMAS):  # bodies a route parses itself
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        _type_decision_enums(schemas, app.state.policy)
        describe_fields(schemas)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _type_decision_enums(schemas: dict, policy: Policy) -> None:
    """Type the decision schemas' `rule` and `legal_basis` as enums of the loaded policy.

    Rule ids are the policy table's (a deployment may load another table), plus the codes a
    fail-closed denial carries in their place.
    """
    from access_policy.decisions import ENGINE_ERROR
    from access_policy.policy import LEGAL_BASES, NO_RULE_MATCHED, POLICY_ERROR
    from access_policy.service.decisions import DECISION_LOG_UNAVAILABLE, INCONSISTENT_FACTS, STORE_UNAVAILABLE

    rules = [rule.id for rule in policy.rules]
    rules += [code for code in (NO_RULE_MATCHED, POLICY_ERROR, ENGINE_ERROR, STORE_UNAVAILABLE,
                                DECISION_LOG_UNAVAILABLE, INCONSISTENT_FACTS) if code not in rules]
    bases = sorted(LEGAL_BASES)
    for name in ("DecisionResponse", "BatchResult", "DecisionUnavailable", "BatchUnavailable", "DecisionReason"):
        properties = schemas.get(name, {}).get("properties", {})
        if "rule" in properties:
            properties["rule"]["enum"] = rules
        if "legal_basis" in properties:
            properties["legal_basis"]["items"] = {"type": "string", "enum": bases}


def _link_created_records(spec: dict) -> None:
    """OpenAPI links from each create to reading and revoking the record it made (for clients and stateful tests)."""
    from access_policy.facts import FACT_KINDS

    paths = spec.get("paths", {})
    for kind in FACT_KINDS:
        create = paths.get(f"/v1/{kind.value}", {}).get("post")
        if create is None:
            continue
        record = {"fact_id": "$response.body#/id"}
        links = {}
        if read := paths.get(f"/v1/{kind.value}/{{fact_id}}", {}).get("get", {}).get("operationId"):
            links["ReadTheRecord"] = {"operationId": read, "parameters": record}
        if revoke := paths.get(f"/v1/{kind.value}/{{fact_id}}/revoke", {}).get("post", {}).get("operationId"):
            links["RevokeTheRecord"] = {"operationId": revoke, "parameters": record}
        for status in ("201", "200"):
            if status in create.get("responses", {}) and links:
                create["responses"][status]["links"] = links


def app_from_env() -> FastAPI:
    """App factory for `uvicorn --factory` and worker processes: settings from `ACCESS_POLICY_*`, tracing from `OTEL_*`."""
    from access_policy import observe
    from access_policy.service.collector import settle_after_startup

    observe.configure_tracing()
    app = create_app(Settings.from_env())
    settle_after_startup()  # a server process from here on
    return app
