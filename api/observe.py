"""The edge's view of each request: its id, its span, its latency metric and its access log line.

A plain ASGI middleware (no per-request task or body buffering). The access line carries the
method, the route template, the status, the duration and the request id: never the raw path or
query, which may carry a person number.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Awaitable, Callable

from access_policy import observe
from access_policy.service import logs

access_log = logging.getLogger(logs.ACCESS_LOGGER)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_HEADER = logs.REQUEST_ID_HEADER.lower().encode("latin-1")
UNMATCHED = "unmatched"
# Any other method is reported as OTHER: a label must not take whatever a client sends.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/v1/exemptions/{fact_id}`), or `unmatched`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestObserver:
    """Sets the request id (from `X-Request-ID` or new) and echoes it; times, traces and logs the request."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope.get("headers", ()) if name == _HEADER), None)
        request_id = logs.request_id_from(given.decode("latin-1") if given is not None else None)
        method = scope.get("method", "GET")
        method = method if method in _METHODS else "OTHER"
        status = 500
        encoded_id = request_id.encode("latin-1")

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # Replace, not add: inner middleware (`api.middleware`) sets the same id.
                headers = [(name, value) for name, value in message.get("headers", ()) if name.lower() != _HEADER]
                message["headers"] = [*headers, (_HEADER, encoded_id)]
            await send(message)

        # Inner middleware and handlers read the id from the scope (`api.middleware.request_id`).
        scope.setdefault("state", {})["request_id"] = request_id

        token = logs.begin_request(request_id)
        start = time.perf_counter()
        try:
            with observe.span(f"{method}", **{"http.request.method": method, "request.id": request_id}) as span:
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    route = route_template(scope)
                    span.set_attribute("http.route", route)
                    span.set_attribute("http.response.status_code", status)
                    span.update_name(f"{method} {route}")
        finally:
            seconds = time.perf_counter() - start
            observe.request_done(method, route, status, seconds)
            access_log.info(
                "%s %s %s %.1f ms",
                method,
                route,
                status,
                seconds * 1000,
                extra={"method": method, "route": route, "status": status, "duration_ms": round(seconds * 1000, 2)},
            )
            logs.end_request(token)
