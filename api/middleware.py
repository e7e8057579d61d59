"""Headers every response carries: its request id, and `Cache-Control: no-store`."""

from __future__ import annotations

from typing import Callable

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from access_policy.service.logs import new_request_id

REQUEST_ID_HEADER = "X-Request-ID"


def request_id(scope: Scope) -> str:
    """The id this service gave the request (`-` outside a request)."""
    return scope.get("state", {}).get("request_id", "-")


class ResponseHeaders:
    """ASGI middleware: a fresh request id per request, echoed in `X-Request-ID`, and `no-store`.

    Every answer of this service is about a child or a clinician's record, so none may be kept by
    a browser or a shared cache (`no-store` on all of them is simpler than deciding which carry
    personal data, and cannot miss one). The request id is what the logs name instead of the URL,
    whose path may hold a person number: the one `api.observe.RequestObserver` chose (outside this
    middleware; a caller's id only when it holds no person number), or a new one.
    """

    def __init__(self, app: ASGIApp, on_error: Callable[[Request, Exception], Response]):
        self.app = app
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        rid = state.get("request_id") or new_request_id()
        state["request_id"] = rid

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-store"
                headers[REQUEST_ID_HEADER] = rid
            await send(message)

        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as error:  # noqa: BLE001 - answered here, so the server never logs it raw
            # Starlette would re-raise after its own handler, and the server would log the
            # exception's message, which may quote a person number. Answered and logged here, once.
            if started:
                raise
            await self.on_error(Request(scope), error)(scope, receive, send_with_headers)
