"""Problem details (RFC 9457): every error leaves the service as `application/problem+json`.

Handlers raise typed errors; the handlers registered here turn each into a response once, at the
edge. `type` is a stable URN per problem; unexpected exceptions become a 500 without internals.
"""

from __future__ import annotations

import logging
import traceback
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from access_policy.errors import (
    AccessPolicyError,
    FactNotFoundError,
    IdempotencyConflictError,
    InconsistentFactsError,
    InvalidInputError,
    RevocationForbiddenError,
    StoreUnavailableError,
)
from access_policy.service.settings import ConfigurationError
from api.middleware import REQUEST_ID_HEADER, request_id
from access_policy.service.tokens import AuthenticationError, PermissionDeniedError

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:access-policy:problem:"
WWW_AUTHENTICATE = 'Bearer realm="access-policy"'
_NO_TOKEN = "an `Authorization: Bearer <token>` header is required"


class FieldError(BaseModel):
    """One offending field of a request."""

    field: str = Field(examples=["item.kind"])
    message: str


class Problem(BaseModel):
    """An error (RFC 9457): a stable `type`, a short `title`, the HTTP `status` and a `detail` for people."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:access-policy:problem:invalid-input"])
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class ProblemResponse(Response):
    """A JSON response with the problem media type."""

    media_type = PROBLEM_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return to_json(content)


# Titles and stable codes of the problems raised on purpose.
_TITLES = {
    "invalid-input": "Invalid input",
    "invalid-id": "Invalid id",
    "unauthenticated": "Not authenticated",
    "forbidden": "Forbidden",
    "revocation-forbidden": "Not the author's organisation",
    "fact-not-found": "Not found",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "request-too-large": "Request too large",
    "unsupported-media-type": "Unsupported media type",
    "store-unavailable": "Store unavailable",
    "idempotency-conflict": "Idempotency key reused",
    "inconsistent-facts": "Inconsistent facts",
    "decision-log-unavailable": "Decision log unavailable",
    "not-ready": "Not ready",
    "internal-error": "Internal error",
}
_HTTP_CODES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "request-too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    503: "store-unavailable",
}


def problem_body(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """A problem document with a stable type for `code`."""
    title = _TITLES.get(code) or HTTPStatus(status).phrase
    body: dict[str, Any] = {"type": TYPE_PREFIX + code, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return body


def problem(status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> ProblemResponse:
    """A problem response."""
    return ProblemResponse(problem_body(status, code, detail, **extra), status_code=status, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries documenting problem responses for these statuses."""
    return {
        status: {"model": Problem, "description": HTTPStatus(status).phrase, "content": {PROBLEM_MEDIA_TYPE: {}}}
        for status in statuses
    }


def _field(location: tuple[Any, ...] | list[Any]) -> str:
    # "body" and the query/path/header prefix say where, not which field: keep only the path.
    parts = [str(part) for part in location]
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation(request: Request, error: RequestValidationError) -> Response:
    fields = []
    for item in error.errors():
        message = str(item.get("msg", "is not valid"))
        location = item.get("loc", ())
        if item.get("type") == "json_invalid":
            error = (item.get("ctx") or {}).get("error")
            message = f"the body is not valid JSON ({error})" if error else "the body is not valid JSON"
            location = ("body",)
        elif item.get("type") == "missing":
            message = "is required"
        elif item.get("type") == "extra_forbidden":
            message = "is not a known field"
        fields.append({"field": _field(location), "message": message.removeprefix("Value error, ")})
    detail = "; ".join(f"`{f['field']}`: {f['message']}" for f in fields[:5]) or "the request is not valid"
    return problem(422, "invalid-input", detail, errors=fields)


def _access_policy_error(request: Request, error: AccessPolicyError) -> Response:
    if isinstance(error, InvalidInputError):
        fields = [p.as_dict() for p in error.problems]
        return problem(422, error.code, error.message, errors=fields)
    if isinstance(error, AuthenticationError):
        header = f'{WWW_AUTHENTICATE}, error="invalid_token"' if error.message != _NO_TOKEN else WWW_AUTHENTICATE
        return problem(401, error.code, error.message, headers={"WWW-Authenticate": header})
    if isinstance(error, PermissionDeniedError):
        headers = {"WWW-Authenticate": f'{WWW_AUTHENTICATE}, error="insufficient_scope", scope="{error.scope}"'} if error.scope else None
        return problem(403, error.code, error.message, headers=headers)
    if isinstance(error, RevocationForbiddenError):
        return problem(403, error.code, error.message)
    if isinstance(error, FactNotFoundError):
        return problem(404, error.code, error.message)
    if isinstance(error, IdempotencyConflictError):
        return problem(409, error.code, error.message)
    if isinstance(error, InconsistentFactsError):
        log.error("inconsistent facts: %s", error)
        return problem(409, error.code, "the child's stored facts do not agree with each other; a clinician must correct them")
    if isinstance(error, StoreUnavailableError):
        return problem(503, error.code, "the fact store cannot be reached now; try again shortly", headers={"Retry-After": "5"})
    if isinstance(error, ConfigurationError):
        log.error("configuration error: %s", error)
        return problem(500, "internal-error", "the service is not configured correctly")
    return problem(422, error.code, error.message)


def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    if error.status_code == 400:
        # FastAPI's own body parser: JSON nested too deeply, or bytes that are not UTF-8.
        message = "is not valid JSON (not UTF-8, or nested too deeply)"
        return problem(422, "invalid-input", f"`body`: {message}", errors=[{"field": "body", "message": message}])
    code = _HTTP_CODES.get(error.status_code, "http-error")
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    if error.status_code == 404 and detail == "Not Found":
        detail = f"no resource at `{request.url.path}`"
    elif error.status_code == 405:
        detail = f"`{request.method}` is not allowed on `{request.url.path}`"
    return problem(error.status_code, code, detail, headers=getattr(error, "headers", None))


def unexpected(request: Request, error: Exception) -> Response:
    """The 500 problem for an unexpected error, logged with the request id and route, never the URL."""
    # The request id and the route's template, never the URL: a path may carry a person number.
    rid = request_id(request.scope)
    route = getattr(request.scope.get("route"), "path", "-")
    # The frames (code lines, no values) and the type, not the message: it may quote a person number.
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected error on %s %s (request %s): %s\n%s", request.method, route, rid, type(error).__name__, frames)
    headers = {"Cache-Control": "no-store", REQUEST_ID_HEADER: rid}
    return problem(500, "internal-error", f"an unexpected error occurred; it has been logged as request {rid}", headers=headers)


def install(app: FastAPI) -> None:
    """Register the problem handlers on the app."""
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(AccessPolicyError, _access_policy_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unexpected)


def no_token_error() -> AuthenticationError:
    """The error for a request without a bearer token."""
    return AuthenticationError(_NO_TOKEN)
