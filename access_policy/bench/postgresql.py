"""Workload 7: the service over PostgreSQL, one `serve` process against two over the same database.

Several instances sharing one PostgreSQL database is how the service scales out (each decides,
each appends to the one decision log, a write by either holds for the next decision of both).
This measures whether it does: single decisions with 16 connections to one `serve` process,
then 8 connections to each of two `serve` processes on distinct ports. The store is a fresh
schema of the database at `ACCESS_POLICY_BENCH_DATABASE_URL` (default: the local test
database), filled with the workload's children and dropped afterwards; without a reachable
server the workload is skipped and says why.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Iterator

from access_policy.bench.config import Config
from access_policy.bench.population import Population, store_timeline
from access_policy.bench.processes import free_port, python_command, server
from access_policy.bench.results import Results
from access_policy.bench.timeline import Timeline
from access_policy.bench.timing import Measurement

POSTGRESQL = "7 postgresql"
URL_VARIABLE = "ACCESS_POLICY_BENCH_DATABASE_URL"
DEFAULT_URL = "postgresql+psycopg://127.0.0.1:5432/test"
CONNECT_SECONDS = 3


class Unreachable(Exception):
    """PostgreSQL does not answer at the configured URL (the workload is skipped, not failed)."""


def database_url() -> str:
    """The PostgreSQL database the workload creates its schema in."""
    return os.environ.get(URL_VARIABLE) or DEFAULT_URL


def reachable(url: str) -> str | None:
    """None when PostgreSQL answers at `url`, else why not (one line, no parameters)."""
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": CONNECT_SECONDS})
        try:
            with engine.connect() as connection:
                connection.execute(sqlalchemy.text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means: not here, skip
        return str(error).splitlines()[0][:200]
    return None


@contextlib.contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A new, empty schema of the database; yields a URL whose connections use it; dropped afterwards."""
    import sqlalchemy

    schema = f"bench_{secrets.token_hex(6)}"
    admin = sqlalchemy.create_engine(url, connect_args={"connect_timeout": CONNECT_SECONDS})
    try:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
        options = urllib.parse.quote(f"-csearch_path={schema}")
        try:
            yield f"{url}{'&' if '?' in url else '?'}options={options}"
        finally:
            with admin.begin() as connection:
                connection.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from access_policy.cli import main; main()", *args]


def _start_load(url: str, bodies: Path, token: str, *, concurrency: int, seconds: float, requests: int, window: float) -> subprocess.Popen:
    command = python_command(
        "access_policy.bench.loadgen", "--url", url, "--bodies", str(bodies), "--concurrency", str(concurrency),
        "--seconds", str(seconds), "--max-requests", str(requests), "--window", str(window), "--token", token,
    )
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen, seconds: float) -> dict:
    out, err = process.communicate(timeout=seconds + 120)
    if process.returncode != 0:
        raise RuntimeError(f"the load generator failed: {err.strip()[-500:]}")
    return json.loads(out)


def _load(bases: list[str], bodies: Path, token: str, config: Config, *, seconds: float, requests: int) -> list[dict]:
    """Load every base URL at once, splitting the connections (and the request budget) between them."""
    share = max(1, config.service_concurrency // len(bases))
    started = [
        _start_load(f"{base}/v1/decisions", bodies, token, concurrency=share, seconds=seconds,
                    requests=max(1, requests // len(bases)), window=config.service_window)
        for base in bases
    ]
    return [_finish(process, seconds) for process in started]


def run(config: Config, timeline: Timeline, work: Path, results: Results, progress=print) -> None:
    """Fill a fresh PostgreSQL schema, then load one `serve` process and two; record both and their ratio."""
    url = database_url()
    problem = reachable(url)
    if problem is not None:
        raise Unreachable(f"PostgreSQL is not reachable at {_shown(url)} ({problem}); set {URL_VARIABLE}")
    from access_policy.bench.service import _bodies
    from access_policy.store import open_store

    home = work / "postgresql"
    home.mkdir(parents=True, exist_ok=True)  # the working directory of the servers: their dev keys in ./data
    with fresh_schema(url) as schema_url:
        store = open_store(database_url=schema_url)
        try:
            store_timeline(store, timeline)
            population = Population(store, sample=max(1000, config.single_decisions))
            try:
                population.grow(config.postgresql_children)
                pairs = list(population.sample)
            finally:
                population.close()
        finally:
            store.close()
        progress(f"PostgreSQL store filled with {config.postgresql_children:,} children")
        single = _bodies(home, pairs, timeline)["single"]
        token = subprocess.run(_cli("token", "--scope", "decisions", "--ttl", "7200"), cwd=home,
                               capture_output=True, text=True, timeout=60)
        if token.returncode != 0:
            raise RuntimeError(f"`access-policy token` failed: {token.stderr.strip()[-300:]}")
        bearer = token.stdout.strip()
        for processes in (1, 2):
            with contextlib.ExitStack() as servers:
                bases = []
                for n in range(processes):
                    port = free_port()
                    command = _cli("serve", "--database-url", schema_url, "--dev", "--host", "127.0.0.1", "--port", str(port))
                    bases.append(f"http://127.0.0.1:{port}")
                    servers.enter_context(server(command, f"{bases[-1]}/healthz", home / f"serve-{processes}-{n}.log",
                                                 timeout=180, cwd=home))
                _load(bases, single, bearer, config, seconds=2.0, requests=config.service_warmup)
                outcomes = _load(bases, single, bearer, config, seconds=config.postgresql_seconds, requests=config.service_requests)
                _record(results, processes, outcomes, max(1, config.service_concurrency // processes), progress)
    results.ratio("postgresql-two-over-one", "service over PostgreSQL, two processes / one, single decisions, requests/s",
                  "postgresql.2.single.rps", "postgresql.1.single.rps")


def _record(results: Results, processes: int, outcomes: list[dict], connections: int, progress) -> None:
    """One figure for all the processes together: their windows added up, in step."""
    windows = [sum(values) for values in zip(*(o["window_requests_per_s"] or [o["requests_per_s"]] for o in outcomes))]
    total = sum(o["requests_per_s"] for o in outcomes)
    ok = sum(o["ok"] for o in outcomes)
    p99 = max(o["p99_ms"] for o in outcomes)
    bad = {status: count for o in outcomes for status, count in o["statuses"].items() if status != "200"}
    label = f"service over PostgreSQL, {processes} `serve` process{'es' if processes > 1 else ''}, single decisions"
    note = (f"{ok:,} answered; {connections} connections per process; worst p99 {p99:.1f} ms; "
            f"load generators used {sum(o['generator_cpu_share'] for o in outcomes):.0%} of a core")
    if bad or any(o["failures"] for o in outcomes):
        note += f"; not 200: {bad}, failures: {sum(o['failures'] for o in outcomes)}"
    results.add(f"postgresql.{processes}.single.rps", POSTGRESQL, f"{label}: requests/s", Measurement.of(windows, "req/s"), note=note)
    results.note("latency_ms", f"postgresql.{processes}.single", {"p50": max(o["p50_ms"] for o in outcomes), "p99": p99})
    progress(f"{label}: {total:,.0f} req/s, worst p99 {p99:.1f} ms")


def _shown(url: str) -> str:
    """The URL without a password, for a note."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
