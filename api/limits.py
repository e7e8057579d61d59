"""Limits on request heads and bodies, enforced before a handler reads them."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem


class BodySizeLimit:
    """ASGI middleware: a body larger than `max_bytes` is a 413, by its length header or while it streams."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"the request body exceeds {self.max_bytes} bytes"
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_large = int(value) > self.max_bytes
                except ValueError:
                    too_large = False
                if too_large:
                    await problem(413, "request-too-large", detail)(scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the handler's body read, so the problem handlers answer it.
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, limited_receive, send)


MAX_HEADER_BYTES = 16 * 1024


class HeaderSizeLimit:
    """ASGI middleware: a request whose headers exceed `max_bytes` in all is a 431.

    The server bounds a head that arrives in pieces; one that arrives whole is checked here, so
    no header value (a token, an idempotency key) is larger than the service documents.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_HEADER_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = sum(len(name) + len(value) for name, value in scope.get("headers", ()))
            size += len(scope.get("query_string", b"")) + len(scope.get("raw_path") or b"")
            if size > self.max_bytes:
                detail = f"the request's headers, path and query exceed {self.max_bytes} bytes"
                await problem(431, "request-too-large", detail)(scope, receive, send)
                return
        await self.app(scope, receive, send)
