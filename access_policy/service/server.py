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

HEADER_TIMEOUT_SECONDS = 10.0
# How `serve --header-timeout` reaches worker processes, which import this module anew.
HEADER_TIMEOUT_ENV = "ACCESS_POLICY_HEADER_TIMEOUT_SECONDS"
KEEP_ALIVE_SECONDS = 5
# Request line and headers, in bytes (h11 answers a larger head with 431 and closes).
MAX_HEADER_BYTES = 16 * 1024
# Connections plus running requests; beyond it uvicorn answers 503 at once.
LIMIT_CONCURRENCY = 1000


class BoundedH11Protocol(H11Protocol):
    """h11, with a deadline for each request's headers: a silent or trickling client is closed."""

    _header_timer: asyncio.TimerHandle | None = None
    header_timeout: float = float(os.environ.get(HEADER_TIMEOUT_ENV) or HEADER_TIMEOUT_SECONDS)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header deadline as the connection opens."""
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        """A kept-alive connection gets a fresh deadline for its next request's headers."""
        super().on_response_complete()
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


def server_options(
    header_timeout: float = HEADER_TIMEOUT_SECONDS, limit_concurrency: int = LIMIT_CONCURRENCY
) -> dict[str, Any]:
    """uvicorn settings that bound what clients hold: header deadline and size, keep-alive, concurrency."""
    BoundedH11Protocol.header_timeout = header_timeout
    os.environ[HEADER_TIMEOUT_ENV] = str(header_timeout)
    return {
        "http": BoundedH11Protocol,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": limit_concurrency,
    }
