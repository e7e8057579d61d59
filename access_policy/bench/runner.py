"""One benchmark run: the workloads in order, the targets judged, the report written."""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable, TypeVar

from access_policy.bench import imports, lists, scale, targets
from access_policy.bench.config import Config
from access_policy.bench.machine import describe_machine, package_versions
from access_policy.bench.population import Pair
from access_policy.bench.results import Results
from access_policy.bench.timeline import build_timeline
from access_policy.policy import load_policy

_T = TypeVar("_T")


def run(
    config: Config, *, work_dir: Path | None = None, progress: Callable[[str], None] = print, profile_dir: Path | None = None
) -> tuple[Results, dict, dict]:
    """Run every workload the config asks for; a workload that fails is reported as skipped, with why."""
    machine = describe_machine()
    versions = package_versions()
    results = Results(mode=config.mode)
    policy = load_policy()
    started = time.perf_counter()
    temporary: Path | None = None  # made here, so removed at the end
    if work_dir is None:
        work_dir = temporary = Path(tempfile.mkdtemp(prefix="access-policy-bench-"))
    work = work_dir
    work.mkdir(parents=True, exist_ok=True)
    try:
        timeline = build_timeline(config.timeline_items)
        _guard(results, "lists", lambda: lists.run(config, policy, timeline, results, progress))
        gc.collect()  # the peers' enforcers and entity sets are cyclic garbage now
        pairs: list[Pair] = []
        data_dir = work / "store"
        if config.children:
            pairs = _guard(results, "scale", lambda: scale.run(config, policy, timeline, data_dir, results, progress,
                                                              import_file=work / imports.IMPORT_FILE)) or []
        if config.service and pairs:
            results.extra["memory_children"] = config.children[-1]
            _guard(results, "service", lambda: _service().run(config, data_dir, pairs, timeline, work, results, progress, profile_dir))
        elif config.service:
            results.skip("service", "no filled store to serve")
        if config.service and config.postgresql:
            _postgresql(config, timeline, work, results, progress)
        if config.import_children:
            _guard(results, "import", lambda: imports.run(config, work, results, progress))
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    machine["finished_load_average"] = describe_machine()["load_average"]
    seconds = machine["seconds"] = round(time.perf_counter() - started, 1)
    targets.judge(results, wall_seconds=seconds)
    return results, machine, versions


def _service():
    try:
        from access_policy.bench import service
    except ImportError as error:
        raise RuntimeError(f"the load generator needs the `bench` extra ({error})") from None
    return service


def _postgresql(config: Config, timeline, work_dir: Path, results: Results, progress: Callable[[str], None]) -> None:
    """Workload 7, or a skip that says why (PostgreSQL not reachable, or the `bench` extra missing)."""
    try:
        from access_policy.bench import postgresql
    except ImportError as error:
        results.skip("postgresql", f"the load generator needs the `bench` extra ({error})")
        return

    def work() -> None:
        try:
            postgresql.run(config, timeline, work_dir, results, progress)
        except postgresql.Unreachable as error:
            results.skip("postgresql", str(error))
            progress(f"PostgreSQL workload skipped: {error}")

    _guard(results, "postgresql", work)


def _guard(results: Results, key: str, work: Callable[[], _T]) -> _T | None:
    started = time.perf_counter()
    try:
        return work()
    except Exception as error:  # noqa: BLE001 - one failing workload must not lose the others' figures
        results.skip(key, f"{type(error).__name__}: {error}".splitlines()[0])
        results.note("tracebacks", key, traceback.format_exc(limit=5))
        return None
    finally:
        results.note("seconds", key, round(time.perf_counter() - started, 1))
