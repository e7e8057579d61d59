"""Problem details (RFC 9457): every error leaves the service as `application/problem+json`.

Handlers raise typed errors; the handlers registered here turn each into a response once, at the
edge. `type` is a stable URN per problem; unexpected exceptions become a 500 without internals.
"""

from __future__ import annotations

import logging
import traceback
from http import HTTPStatus
from typing import Any, Iterable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from access_policy import observe
from access_policy.errors import (
    AccessPolicyError,
    CursorPastEndError,
    FactNotFoundError,
    IdempotencyConflictError,
    InconsistentFactsError,
    InvalidInputError,
    RevocationForbiddenError,
    StoreUnavailableError,
    field_problems,
)
from access_policy.service.settings import ConfigurationError
from access_policy.service.tokens import ACCEPTED_ALGORITHMS, AuthenticationError, PermissionDeniedError
from .middleware import REQUEST_ID_HEADER, request_id

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:access-policy:problem:"
WWW_AUTHENTICATE = 'Bearer realm="access-policy"'
_NO_TOKEN = "an `Authorization: Bearer <token>` header is required"


class FieldError(BaseModel):
    """One offending field of a request."""

    field: str = Field(examples=["item.kind"], description="Where in the request: a dotted path, or a header's name.")
    message: str = Field(description="What is wrong with it.")


class Problem(BaseModel):
    """An error (RFC 9457): a stable `type`, a short `title`, the HTTP `status` and a `detail` for people."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:access-policy:problem:invalid-input"], description="A stable URN per kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request, for people.")
    errors: list[FieldError] | None = Field(None, description="The offending fields, for invalid input.")


class ProblemResponse(Response):
    """A JSON response with the problem media type."""

    media_type = PROBLEM_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return to_json(content)


# Titles and stable codes of the problems raised on purpose.
_TITLES = {
    "invalid-input": "Invalid input",
    "invalid-id": "Invalid id",
    "cursor-past-end": "Cursor past the end",
    "fact-refused": "Fact refused",
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


def field_errors(errors: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's errors as `{field, message}`, fields named as the caller wrote them (`applies_to.0`)."""
    return [problem.as_dict() for problem in field_problems(errors)]


def _validation(request: Request, error: RequestValidationError) -> Response:
    fields = field_errors(error.errors())
    detail = "; ".join(f"`{f['field']}`: {f['message']}" for f in fields[:5]) or "the request is not valid"
    return problem(422, "invalid-input", detail, errors=fields)


def _access_policy_error(request: Request, error: AccessPolicyError) -> Response:
    if isinstance(error, CursorPastEndError):
        return problem(400, error.code, error.message, errors=[p.as_dict() for p in error.problems])
    if isinstance(error, InvalidInputError):
        fields = [p.as_dict() for p in error.problems]
        return problem(422, error.code, error.message, errors=fields)
    if isinstance(error, AuthenticationError):
        header = f'{WWW_AUTHENTICATE}, error="invalid_token"' if error.message != _NO_TOKEN else WWW_AUTHENTICATE
        if error.dpop:  # RFC 9449 §7.1: the challenge names the DPoP scheme and the accepted algorithms
            header = f'DPoP algs="{" ".join(ACCEPTED_ALGORITHMS)}", error="invalid_dpop_proof", {header}'
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
        observe.store_error("request")
        log.warning("store unavailable: %s", error)
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
    # The path is not echoed: it may carry a person number (a caller still using a retired route).
    if error.status_code == 404 and detail == "Not Found":
        detail = "no resource at this path (person numbers travel in bodies: see the API documentation)"
    elif error.status_code == 405:
        detail = f"`{request.method}` is not allowed on this path"
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
    # Starlette types a handler as taking any Exception; each of these takes the class it is registered for.
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(AccessPolicyError, _access_policy_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unexpected)


def no_token_error() -> AuthenticationError:
    """The error for a request without a bearer token."""
    return AuthenticationError(_NO_TOKEN)
