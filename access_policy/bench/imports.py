"""Workload 6 (import): children per second into SQLite with `access-policy import-representation`."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from access_policy.bench.config import Config
from access_policy.bench.population import write_import_file
from access_policy.bench.results import Results
from access_policy.bench.timing import Measurement

IMPORT = "6 import"
# Written while the scale workload fills its store (the same synthetic children), else here.
IMPORT_FILE = "representation.jsonl"


def run(config: Config, work: Path, results: Results, progress=print) -> None:
    """Import a generated file into a fresh data directory with the command line; time the whole command."""
    count = config.import_children
    source = work / IMPORT_FILE
    if not source.exists() or sum(1 for _ in source.open()) != count:
        write_import_file(source, count, seed=6)
    rates, took = [], []
    for run in range(config.import_runs):
        data_dir = work / f"import-store-{run}"
        command = [sys.executable, "-c", "from access_policy.cli import main; main()", "import-representation", str(source), "--data-dir", str(data_dir)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        took.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"`access-policy import-representation` failed: {(done.stderr or done.stdout).strip()[-400:]}")
        rates.append(count / took[-1])
        shutil.rmtree(data_dir, ignore_errors=True)
    results.add("import.rate", IMPORT, f"import-representation, {count:,} children into a new SQLite store",
                Measurement.of(rates, "children/s"),
                note=f"wall time of the whole command, start-up and migration included: {', '.join(f'{t:.1f} s' for t in took)}")
    progress(f"import: {statistics.median(rates):,.0f} children/s ({count:,} children, {len(rates)} run(s))")
