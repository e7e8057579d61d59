"""Workload 6 (import): children per second into SQLite with `access-policy import-representation`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from access_policy.bench.config import Config
from access_policy.bench.population import write_import_file
from access_policy.bench.results import Results
from access_policy.bench.timing import Measurement

IMPORT = "6 import"


def run(config: Config, work: Path, results: Results, progress=print) -> None:
    """Import a generated file into a fresh data directory with the command line; time the whole command."""
    count = config.import_children
    source = work / "representation.jsonl"
    write_import_file(source, count, seed=6)
    data_dir = work / "import-store"
    command = [sys.executable, "-c", "from access_policy.cli import main; main()", "import-representation", str(source), "--data-dir", str(data_dir)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"`access-policy import-representation` failed: {(done.stderr or done.stdout).strip()[-400:]}")
    results.add("import.rate", IMPORT, f"import-representation, {count:,} children into a new SQLite store",
                Measurement.of([count / took], "children/s"), note=f"{took:.1f} s wall time for the whole command, start-up and migration included")
    progress(f"import: {count / took:,.0f} children/s ({count:,} in {took:.1f} s)")
