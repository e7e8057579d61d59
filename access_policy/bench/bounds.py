"""Resource bounds, measured: a child with a long revoked history, the largest batch, idle connections.

Run: `python -m access_policy.bench.bounds [--revoked N]` (prints a Markdown table; docs/reliability.md
keeps the latest figures). Each figure is a median of repeated runs on the embedded SQLite store.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

from sqlalchemy import insert

from access_policy.decisions import decide_many
from access_policy.facts import Author, ExemptionDraft, FactKind, Holder, Item, Representation, Responsibility, Scope
from access_policy.identity import make_person_id
from access_policy.policy import load_policy
from access_policy.service.decisions import DecisionService
from access_policy.service.tokens import Caller
from access_policy.store import open_store
from access_policy.store.schema import changes, revocations

UTC = datetime.timezone.utc
CLINICIAN = Author(hpr="1234567", org="974589095")


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm caches and the statement cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _revoke_all(store, child: str, fact_ids: list[str], at: datetime.datetime) -> None:
    """Revocations for many facts in one transaction (the bench's setup, not the API's path)."""
    with store._write() as connection:
        position = store._lock_changes(connection)
        revocation_rows, change_rows = [], []
        for fact_id in fact_ids:
            position += 1
            revocation_rows.append(
                {"fact_id": fact_id, "child": child, "position": position, "revoked_at": at,
                 "revoked_by_hpr": CLINICIAN.hpr, "revoked_by_org": CLINICIAN.org, "revoked_by_system": None,
                 "reason": None, "override": False}
            )
            change_rows.append({"position": position, "child": child, "kind": "exemptions", "fact_id": fact_id,
                                "action": "revoked", "at": at})
        connection.execute(insert(revocations), revocation_rows)
        connection.execute(insert(changes), change_rows)
        store._advance(connection, position)


def measure(revoked: int = 10_000, repeat: int = 20) -> list[tuple[str, str]]:
    """The figures, as (what, value) rows."""
    policy = load_policy()
    now = datetime.datetime.now(UTC)
    child = make_person_id(datetime.date(2015, 5, 5), 11)
    mother = make_person_id(datetime.date(1985, 6, 1), 21)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="access-policy-bounds-") as work:
        store = open_store(data_dir=Path(work), migrate=True)
        try:
            store.put_representation(
                child,
                Representation(holders=(Holder(id=mother, responsibility=Responsibility.FELLES),), retrieved_at=now),
                Author(system="bench"),
            )
            draft = ExemptionDraft(scope=Scope(pathway="pw-1"), applies_to="all", legal_basis="pbrl-3-4-3", reason="bench")
            store.create_facts_bulk((child, FactKind.EXEMPTIONS, draft, CLINICIAN) for _ in range(revoked))
            ids = [f.id for f in store.list_facts(child, FactKind.EXEMPTIONS)]
            _revoke_all(store, child, ids, now - datetime.timedelta(minutes=1))
            store.create_fact(child, FactKind.EXEMPTIONS, draft, CLINICIAN)  # one active fact
            items = [Item(id="doc-1", kind="note", pathway="pw-1")]
            full = _median_ms(lambda: decide_many(policy, store.child_facts(child), mother, items, now), repeat)
            active = _median_ms(lambda: decide_many(policy, store.child_facts(child, active_at=now), mother, items, now), repeat)
            rows.append((f"decision read + engine, child with {revoked:,} revoked facts, all facts read (before)", f"{full:.1f} ms"))
            rows.append((f"decision read + engine, child with {revoked:,} revoked facts, active facts only (now)", f"{active:.2f} ms"))
            service = DecisionService(store, policy)
            caller = Caller(subject="bench", scopes=frozenset({"decisions"}))
            batch = [Item(id=f"doc-{n}", kind="note", pathway=f"pw-{n % 7}") for n in range(10_000)]
            largest = _median_ms(lambda: service.decide(caller, mother, child, batch, now), max(3, repeat // 4))
            rows.append(("largest batch (10,000 items), decided and logged", f"{largest:.0f} ms"))
            other = make_person_id(datetime.date(2016, 6, 6), 12)
            single = _median_ms(lambda: service.decide(caller, mother, other, items, now), repeat)
            rows.append(("one decision for another child (logged)", f"{single:.2f} ms"))
        finally:
            store.close()
    return rows


def main() -> None:
    """Print the figures as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revoked", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print("| measure | median |\n|---|---|")
    for what, value in measure(args.revoked, args.repeat):
        print(f"| {what} | {value} |")


if __name__ == "__main__":
    main()
