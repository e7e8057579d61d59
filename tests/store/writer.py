"""A separate writer process for the concurrency and SIGKILL tests.

`python -m tests.store.writer URL CHILD COUNT TAG` creates COUNT exemptions for CHILD, logs a
decision-log entry for each, and prints each fact id on its own line (flushed) only after the
store acknowledged both writes.
"""

from __future__ import annotations

import sys

from access_policy.facts import Author, ExemptionDraft, FactKind, Scope
from access_policy.store import open_store


def main(url: str, child: str, count: int, tag: str) -> None:
    """Write and acknowledge, one line per stored fact."""
    store = open_store(database_url=url)
    author = Author(hpr="1234567", org="974589095")
    print("ready", flush=True)
    for n in range(count):
        draft = ExemptionDraft(scope=Scope(item=f"{tag}-{n}"), applies_to="all", legal_basis="pbrl-3-4-3", reason=tag)
        fact, _ = store.create_fact(child, FactKind.EXEMPTIONS, draft, author)
        store.append_audit(f"{tag}-{n}", child, {"fact": fact.id})
        print(fact.id, flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
