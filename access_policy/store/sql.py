"""The fact store over SQLAlchemy Core, one implementation for SQLite and PostgreSQL, composed of one part per concern.

- `sql_plumbing`: engines, transactions, the change-feed lock; database errors never leave the
  store raw, they become `StoreUnavailableError`.
- `sql_facts`: clinician-set facts and the change feed.
- `sql_representation`: representations, their freshness, id links, bulk imports.
- `audit_sql`: the decision log (hash chain, group commit, checkpoints).
- `change_mark`: one store-wide mark that moves with every write a child's fact version covers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from access_policy.store.audit_sql import SqlDecisionLog
from access_policy.store.change_mark import SqlChangeMark
from access_policy.store.engine import Engines
from access_policy.store.interface import FactStore
from access_policy.store.sql_facts import SqlFactRecords
from access_policy.store.sql_representation import SqlRepresentations

__all__ = ["SqlFactStore"]


class SqlFactStore(SqlFactRecords, SqlRepresentations, SqlDecisionLog, SqlChangeMark):
    """A `FactStore` over SQLAlchemy Core (SQLite or PostgreSQL)."""

    def __init__(self, engines: Engines):
        super().__init__(engines)
        self._decision_log_init()

    def __enter__(self) -> "SqlFactStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


if TYPE_CHECKING:

    def _is_a_fact_store(store: SqlFactStore) -> FactStore:
        # mypy checks here that the SQL store keeps every promise of the protocol.
        return store
