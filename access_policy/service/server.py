"""The HTTP server's own limits: what an unauthenticated client can hold open, and for how long.

uvicorn times out idle keep-alive connections, but not a connection that never finishes its
request headers: a few hundred such sockets used to hold the service for everyone. Here each
connection must complete a request's headers within `HEADER_TIMEOUT_SECONDS` of opening (and of
each response), headers are bounded in size, and the number of connections and tasks is capped.
What sits in front in production (a reverse proxy with per-client limits) is in
docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # uvicorn's C parser when installed (`uvicorn[standard]`): a fraction of h11's time per request
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools not installed
    HttpToolsProtocol = None  # type: ignore[assignment,misc]  # the class is optional: None says it is absent

HEADER_TIMEOUT_SECONDS = 10.0
# How `serve --header-timeout` reaches worker processes, which import this module anew.
HEADER_TIMEOUT_ENV = "ACCESS_POLICY_HEADER_TIMEOUT_SECONDS"
KEEP_ALIVE_SECONDS = 5
# Request line and headers, in bytes (h11 answers a larger head with 431 and closes).
MAX_HEADER_BYTES = 16 * 1024
# Connections plus running requests; beyond it uvicorn answers 503 at once.
LIMIT_CONCURRENCY = 1000


class _HeaderDeadline(asyncio.Protocol):
    """A deadline for each request's headers: a silent or trickling client is closed (mixed into a uvicorn protocol)."""

    _header_timer: asyncio.TimerHandle | None = None
    header_timeout: float = float(os.environ.get(HEADER_TIMEOUT_ENV) or HEADER_TIMEOUT_SECONDS)
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    cycle: Any

    # asyncio types the argument as BaseTransport; uvicorn's protocols are given (and need) a Transport.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header deadline as the connection opens."""
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        """A kept-alive connection gets a fresh deadline for its next request's headers."""
        super().on_response_complete()  # type: ignore[misc]  # a mixin: the uvicorn protocol after it in the MRO has it
        if not self.transport.is_closing():
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline with the connection."""
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_deadline)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_deadline(self) -> None:
        self._header_timer = None
        in_request = self.cycle is not None and not self.cycle.response_complete
        if not in_request and not self.transport.is_closing():
            # Headers not complete in time (or a keep-alive connection idle that long): close.
            self.transport.close()


class BoundedH11Protocol(_HeaderDeadline, H11Protocol):
    """h11, with a deadline for each request's headers (h11 itself bounds the head's size)."""


_HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 31\r\nconnection: close\r\n\r\nRequest header fields too large"
)

if HttpToolsProtocol is not None:

    class BoundedHttpToolsProtocol(_HeaderDeadline, HttpToolsProtocol):
        """httptools (uvicorn's C parser, as `uvicorn[standard]` installs it), with the header deadline and
        a bound on a head that arrives in pieces: past `MAX_HEADER_BYTES` unfinished, a 431 and close.

        A head that arrives whole is measured exactly by the app's `HeaderSizeLimit`; here the bytes
        received while a head is unfinished are counted, so the parser never buffers more than the
        bound and one read.
        """

        _head_bytes = 0
        _in_head = True

        def data_received(self, data: bytes) -> None:
            """Feed the parser, counting what arrives while a request's head is unfinished."""
            if self._in_head:
                self._head_bytes += len(data)
            super().data_received(data)
            if self._in_head and self._head_bytes > MAX_HEADER_BYTES and not self.transport.is_closing():
                self.transport.write(_HEAD_TOO_LARGE)
                self.transport.close()

        def on_headers_complete(self) -> None:
            """The head is whole: stop counting until the next request's begins."""
            self._in_head, self._head_bytes = False, 0
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            """The request is whole: whatever arrives next is the next request's head."""
            self._in_head = True
            super().on_message_complete()


def server_options(
    header_timeout: float = HEADER_TIMEOUT_SECONDS, limit_concurrency: int = LIMIT_CONCURRENCY
) -> dict[str, Any]:
    """uvicorn settings that bound what clients hold: header deadline and size, keep-alive, concurrency."""
    _HeaderDeadline.header_timeout = header_timeout
    os.environ[HEADER_TIMEOUT_ENV] = str(header_timeout)
    return {
        "http": BoundedHttpToolsProtocol if HttpToolsProtocol is not None else BoundedH11Protocol,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": limit_concurrency,
    }
