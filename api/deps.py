"""Annotated dependencies: the store, the policy, the services and the verified caller."""

from __future__ import annotations

from typing import Annotated, Awaitable, Callable

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from access_policy import observe
from access_policy.errors import InvalidInputError
from access_policy.policy import Policy
from access_policy.service.decisions import DecisionService
from access_policy.service.records import Records
from access_policy.service.settings import Settings
from access_policy.service.tokens import AuthenticationError, Caller, PermissionDeniedError, TokenVerifier
from access_policy.service.tokens import Request as ProofContext
from access_policy.store.interface import FactStore
from .problems import no_token_error

_bearer = HTTPBearer(auto_error=False, description="A JWT with the scopes the endpoint names.")


async def _store(request: Request) -> FactStore:
    return request.app.state.store


async def _policy(request: Request) -> Policy:
    return request.app.state.policy


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _decisions(request: Request) -> DecisionService:
    return request.app.state.decisions


async def _records(request: Request) -> Records:
    return request.app.state.records


# Every dependency here is async: a plain function would be run in the thread pool, one hop per
# dependency per request, for work that takes microseconds.
StoreDep = Annotated[FactStore, Depends(_store)]
PolicyDep = Annotated[Policy, Depends(_policy)]
SettingsDep = Annotated[Settings, Depends(_settings)]
DecisionsDep = Annotated[DecisionService, Depends(_decisions)]
RecordsDep = Annotated[Records, Depends(_records)]


async def _caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    # `_bearer` documents the scheme in OpenAPI; the header is read here so that the DPoP scheme
    # (RFC 9449) reaches the verifier too.
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    scheme, token = scheme.lower(), token.strip()
    if scheme not in ("bearer", "dpop") or not token:
        observe.token_rejected("missing")
        raise no_token_error()
    settings: Settings = request.app.state.settings
    base = settings.public_url.rstrip("/") if settings.public_url else f"{request.url.scheme}://{request.url.netloc}"
    proof = ProofContext(scheme, request.headers.get("dpop"), request.method, base + request.url.path)
    verifier: TokenVerifier = request.app.state.verifier
    try:
        # A token verified before is answered on the event loop (its proof still checked per
        # request); a new one is verified in a worker thread, as fetching keys may wait on the network.
        cached = getattr(verifier, "cached", None)
        caller = cached(token, proof) if cached is not None else None
        return caller if caller is not None else await run_in_threadpool(verifier.verify, token, proof)
    except AuthenticationError as error:
        observe.token_rejected(observe.token_rejection_reason(error))
        raise


def scoped(scope: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency giving the verified caller, after checking that the token grants `scope`."""

    async def dependency(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
        try:
            caller.require(scope)
        except PermissionDeniedError:
            observe.token_rejected("scope")
            raise
        return caller

    dependency.__name__ = f"caller_with_{scope.replace(':', '_')}"
    return dependency


def scoped_any(*scopes: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency giving the verified caller, after checking that the token grants one of `scopes`."""

    async def dependency(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
        if not any(scope in caller.scopes for scope in scopes):
            caller.require(scopes[0])
        return caller

    dependency.__name__ = "caller_with_" + "_or_".join(scope.replace(":", "_") for scope in scopes)
    return dependency


def cursor(value: str | None, name: str) -> int | None:
    """A cursor query parameter: absent, or a whole number ≥ 0."""
    if value is None or value == "":
        return None
    # isdigit() alone accepts `²` and other digits int() refuses: ASCII digits only.
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        # Not echoed: whatever was sent (a person number by mistake, say) would reach the problem and logs.
        raise InvalidInputError.for_field(name, "is not a cursor from this service (a whole number ≥ 0)")
    return int(value)
