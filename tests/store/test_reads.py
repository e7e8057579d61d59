"""Reading one child: a fixed number of indexed queries however many children there are."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import event, text

from access_policy.synthetic import children, fill_store
from tests.store.helpers import CHILD_8

# Statement counts and query plans: about the SQL store itself.
pytestmark = pytest.mark.sql_only


def _selects_during(store, action) -> list[tuple[str, object]]:
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return statements


def _sample(n: int, start: int = 0) -> list[str]:
    picked = [c for c in children(n, seed=5, start=start)]
    with_facts = [c.child for c in picked if c.facts][:3]
    return with_facts + [picked[0].child, picked[-1].child]


def test_child_facts_takes_three_queries_at_1000_and_at_20000_children(store):
    # The child's id links, its representation, its facts.
    fill_store(store, 1_000, seed=5)
    sample = _sample(1_000)
    small = [len(_selects_during(store, lambda c=c: store.child_facts(c))) for c in sample]
    as_of = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
    small_as_of = [len(_selects_during(store, lambda c=c: store.child_facts(c, as_of=as_of))) for c in sample]
    fill_store(store, 19_000, seed=5, start=1_000)
    assert store.changes(after=20_000, limit=1)[0], "the larger store holds 20,000 children and their facts"
    large = [len(_selects_during(store, lambda c=c: store.child_facts(c))) for c in sample + _sample(19_000, 1_000)]
    large_as_of = [len(_selects_during(store, lambda c=c: store.child_facts(c, as_of=as_of))) for c in sample]
    assert set(small) == set(large) == set(small_as_of) == set(large_as_of) == {3}
    facts = store.child_facts(sample[0])
    assert facts.representation is not None and (
        facts.exemptions or facts.assessments or facts.access_profiles or facts.necessary_information
    )
    if store.dialect == "sqlite":
        for statement, parameters in _selects_during(store, lambda: store.child_facts(sample[0], as_of=as_of)):
            with store.engine.connect() as connection:
                plan = " ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            assert "USING INDEX ix_" in plan, plan
            assert "SCAN facts" not in plan and "SCAN representations" not in plan, plan
            assert "SCAN id_links" not in plan, plan


def test_an_unknown_child_has_no_facts(store):
    facts = store.child_facts(CHILD_8)
    assert facts.representation is None and facts.version == "0"
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM facts")).scalar_one() == 0
