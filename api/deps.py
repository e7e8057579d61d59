"""Annotated dependencies: the store, the policy, the services and the verified caller."""

from __future__ import annotations

from typing import Annotated, Callable

from fastapi import Depends, Path, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from access_policy.errors import InvalidInputError
from access_policy.identity import parse_person_id
from access_policy.policy import Policy
from access_policy.service.decisions import DecisionService
from access_policy.service.records import Records
from access_policy.service.settings import Settings
from access_policy.service.tokens import Caller, TokenVerifier
from access_policy.store.interface import FactStore
from api.problems import no_token_error

_bearer = HTTPBearer(auto_error=False, description="A JWT with the scopes the endpoint names.")


def _store(request: Request) -> FactStore:
    return request.app.state.store


def _policy(request: Request) -> Policy:
    return request.app.state.policy


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _decisions(request: Request) -> DecisionService:
    return request.app.state.decisions


def _records(request: Request) -> Records:
    return request.app.state.records


StoreDep = Annotated[FactStore, Depends(_store)]
PolicyDep = Annotated[Policy, Depends(_policy)]
SettingsDep = Annotated[Settings, Depends(_settings)]
DecisionsDep = Annotated[DecisionService, Depends(_decisions)]
RecordsDep = Annotated[Records, Depends(_records)]


def _caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise no_token_error()
    verifier: TokenVerifier = request.app.state.verifier
    return verifier.verify(credentials.credentials)


def scoped(scope: str) -> Callable[..., Caller]:
    """A dependency giving the verified caller, after checking that the token grants `scope`."""

    def dependency(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
        caller.require(scope)
        return caller

    dependency.__name__ = f"caller_with_{scope.replace(':', '_')}"
    return dependency


ChildPath = Annotated[
    str,
    Path(
        description="The child's 11-digit person number.",
        json_schema_extra={"pattern": r"^[0-9]{11}$", "minLength": 11, "maxLength": 11},
    ),
]


def _child(child: ChildPath) -> str:
    # Path parameters are plain strings; the id check raises InvalidIdError, a 422 at the edge.
    return parse_person_id(child, "child").value


ChildDep = Annotated[str, Depends(_child)]


def cursor(value: str | None, name: str) -> int | None:
    """A cursor query parameter: absent, or a whole number ≥ 0."""
    if value is None or value == "":
        return None
    # isdigit() alone accepts `²` and other digits int() refuses: ASCII digits only.
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise InvalidInputError.for_field(name, f"`{value[:40]}` is not a cursor from this service")
    return int(value)
