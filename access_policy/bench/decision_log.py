"""Decision-log append throughput: threads appending decision-shaped entries to a fresh SQLite store.

`python -m access_policy.bench.decision_log` prints the best of three runs per case. The rates
are bound by the disk flush (`synchronous=FULL`); compare runs on one machine, not figures.
"""

from __future__ import annotations

import pathlib
import tempfile
import threading
import time
from typing import Any

CASES = ((1, 300, 1), (8, 150, 1), (8, 40, 1000))  # (threads, entries per thread, items per entry)


def decision_entry(n: int, items: int) -> dict[str, Any]:
    """An entry shaped like the decision service's (version 1) for `items` items decided alike."""
    return {
        "version": 1, "decision_id": f"d-{n}", "time": "2026-12-01T09:00:00+00:00", "at": "2026-12-01T09:00:00+00:00",
        "requester": "01010112345", "child": "13031300012", "caller": {"subject": "journal"},
        "policy_version": "888be8219f6a1961", "facts_version": "12", "available": True,
        "items": [f"doc-{i}" for i in range(items)], "outcomes": [["permit", "main-rule"]], "results": [0] * items,
    }


def appends_per_second(threads: int, per_thread: int, items: int) -> float:
    """Entries appended per second by `threads` threads at once, into a new store."""
    from access_policy.store import open_store

    with tempfile.TemporaryDirectory() as directory:
        store = open_store(data_dir=pathlib.Path(directory) / "data")
        entries = [[decision_entry(t * 100_000 + n, items) for n in range(per_thread)] for t in range(threads)]
        barrier = threading.Barrier(threads + 1)

        def work(t: int) -> None:
            barrier.wait()
            for n, entry in enumerate(entries[t]):
                store.append_audit(f"d-{t}-{n}", "13031300012", entry)

        workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
        for worker in workers:
            worker.start()
        barrier.wait()
        start = time.perf_counter()
        for worker in workers:
            worker.join()
        took = time.perf_counter() - start
        store.close()
    return threads * per_thread / took


def main() -> None:
    """Print the best of three runs per case."""
    for threads, per_thread, items in CASES:
        best = max(appends_per_second(threads, per_thread, items) for _ in range(3))
        print(f"threads={threads} items/entry={items}: {best:,.0f} entries/s")


if __name__ == "__main__":
    main()
