"""A bounded HTTP load generator, run as its own process: `python -m access_policy.bench.loadgen`.

It posts JSON bodies (cycled from a file of one body per line) to one URL on this machine with a
fixed number of concurrent connections, until a request count or a time limit is reached, and
prints one JSON object: requests, errors, elapsed seconds, requests/s and latency percentiles.
It refuses any host but the loopback: it is for measuring a server started on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

MAX_SECONDS = 300.0
MAX_REQUESTS = 1_000_000


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


async def _run(url: str, bodies: list[bytes], token: str | None, concurrency: int, seconds: float, max_requests: int, window: float) -> dict:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    latencies: list[float] = []
    done_at: list[float] = []
    statuses: dict[int, int] = {}
    failures = 0
    sent = 0
    # One client per connection: a shared pool serialises its bookkeeping across connections,
    # which caps a single pool far below what the servers measured here can answer.
    clients = [httpx.AsyncClient(headers=headers, timeout=30.0, limits=httpx.Limits(max_connections=1)) for _ in range(concurrency)]
    started = time.perf_counter()
    cpu_started = time.process_time()
    deadline = started + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent, failures
        async with client:
            while sent < max_requests and time.perf_counter() < deadline:
                body = bodies[sent % len(bodies)]
                sent += 1
                begun = time.perf_counter()
                try:
                    response = await client.post(url, content=body)
                except httpx.HTTPError:
                    failures += 1
                    continue
                finished = time.perf_counter()
                latencies.append(finished - begun)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code == 200:
                    done_at.append(finished - started)

    await asyncio.gather(*(worker(client) for client in clients))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    ok = statuses.get(200, 0)
    latencies.sort()
    # Throughput per whole window of time (the last, partial window left out): the spread over them.
    counts = [0] * int(elapsed // window)
    for at in done_at:
        index = int(at // window)
        if index < len(counts):
            counts[index] += 1
    return {
        "requests": len(latencies),
        "ok": ok,
        "failures": failures,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": elapsed,
        "requests_per_s": ok / elapsed if elapsed > 0 else 0.0,
        "p50_ms": (percentile(latencies, 0.50) or 0.0) * 1000,
        "p99_ms": (percentile(latencies, 0.99) or 0.0) * 1000,
        "generator_cpu_share": cpu / elapsed if elapsed > 0 else 0.0,
        "window_s": window,
        "window_requests_per_s": [count / window for count in counts],
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the load, print the result as JSON."""
    parser = argparse.ArgumentParser(prog="python -m access_policy.bench.loadgen", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--bodies", required=True, type=Path, help="a file of JSON bodies, one per line")
    parser.add_argument("--token", default=None)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=1.0, help="seconds per throughput window")
    args = parser.parse_args(argv)
    if not _loopback(args.url):
        print(f"error: `{args.url}` is not on the loopback; load is only sent to this machine", file=sys.stderr)
        return 2
    bodies = [line.encode() for line in args.bodies.read_text().splitlines() if line.strip()]
    if not bodies:
        print("error: no bodies to send", file=sys.stderr)
        return 2
    seconds = min(max(args.seconds, 0.1), MAX_SECONDS)
    max_requests = min(max(args.max_requests, 1), MAX_REQUESTS)
    try:
        import uvloop  # installed with uvicorn[standard]; the generator then costs less of the CPU

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(_run(args.url, bodies, args.token, max(1, args.concurrency), seconds, max_requests, max(args.window, 0.1)))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
