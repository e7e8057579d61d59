"""Representations over SQL: snapshots of who holds parental responsibility, their freshness, id links, bulk imports.

Replacing a child's representation keeps the old snapshot; the same content retrieved again is
a freshness confirmation (no new snapshot, no change position). Id links reported with a
snapshot join a person's ids (`access_policy.store.links`): a former id reads as the current one.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import BindParameter, ColumnElement, Connection, Select, bindparam, func, insert, or_, select

from access_policy.errors import InconsistentFactsError, InvalidInputError
from access_policy.facts import Author, Holder, Representation
from access_policy.store.bulk import Snapshot, insert_rows, run_import
from access_policy.store.inputs import (
    CREATED,
    DEFAULT_IMPORT_BATCH,
    IMPORT_AUTHOR,
    REPRESENTATION_KIND,
    UTC,
    LatestSnapshot,
    aware,
    check_author,
    child_id,
    content_hash,
    new_id,
    new_snapshot,
    one_line,
    snapshot_action,
)
from access_policy.store.interface import ImportSummary
from access_policy.store.links import Identity, follow
from access_policy.store.schema import changes, id_links, representation_confirmations, representations
from access_policy.store.sql_plumbing import SqlPlumbing, author_values

AS_OF = bindparam("as_of", type_=representations.c.recorded_at.type)
IDS: BindParameter[Any] = bindparam("ids", expanding=True)
# A child's snapshot under its current id wins over any under a former id (a late sync of the old
# id, e.g. marked `opphoert`, must not replace it); among them, the newest.
NEWEST_UNDER_CURRENT_ID = (
    (representations.c.child != bindparam("current")).asc(),
    representations.c.position.desc(),
)


def _representation_statement(as_of: bool) -> Select[Any]:
    confirmations = representation_confirmations
    latest_confirmation = select(func.max(confirmations.c.retrieved_at)).where(
        confirmations.c.representation_id == representations.c.id
    )
    where: list[ColumnElement[bool]] = [representations.c.child.in_(IDS)]
    if as_of:
        latest_confirmation = latest_confirmation.where(confirmations.c.recorded_at <= AS_OF)
        where.append(representations.c.recorded_at <= AS_OF)
    return (
        select(representations, latest_confirmation.scalar_subquery().label("confirmed_retrieved_at"))
        .where(*where)
        .order_by(*NEWEST_UNDER_CURRENT_ID)
        .limit(1)
    )


def _links_statement(as_of: bool) -> Select[Any]:
    # Links touching any of the ids (the person's own history), and those reported with the
    # child's representations (its holders' histories).
    statement = select(id_links.c.id, id_links.c.former, id_links.c.current).where(
        or_(
            id_links.c.former.in_(bindparam("formers", expanding=True)),
            id_links.c.current.in_(bindparam("currents", expanding=True)),
            id_links.c.child.in_(bindparam("children", expanding=True)),
        )
    )
    if as_of:
        statement = statement.where(id_links.c.recorded_at <= AS_OF)
    return statement.order_by(id_links.c.id)


_LINKS_NOW = _links_statement(False)
_LINKS_AS_OF = _links_statement(True)
REPRESENTATION_NOW = _representation_statement(False)
REPRESENTATION_AS_OF = _representation_statement(True)


def representation_from_row(row: Any) -> Representation:
    """The stored snapshot, with its freshest confirmed retrieval (raises `InconsistentFactsError`)."""
    retrieved_at = row.retrieved_at
    confirmed = getattr(row, "confirmed_retrieved_at", None)
    if confirmed is not None and confirmed > retrieved_at:
        retrieved_at = confirmed
    try:
        return Representation(
            birth_date=row.birth_date,
            address_protection=row.address_protection,
            status=row.status,
            death_date=row.death_date,
            former_ids=tuple(json.loads(row.former_ids)) if row.former_ids else (),
            holders=tuple(Holder.model_validate(h) for h in json.loads(row.holders)),
            retrieved_at=retrieved_at,
            id=row.id,
            recorded_at=row.recorded_at,
        )
    except ValidationError as error:
        raise InconsistentFactsError(f"stored representation `{row.id}` does not validate: {one_line(error)}") from error


def read_identity(connection: Connection, child: str, as_of: datetime.datetime | None = None) -> Identity:
    """The person's ids and current id from the stored links (one query when there are none)."""

    def read(ids: frozenset[str]) -> Sequence[Any]:
        params: dict[str, Any] = {"formers": sorted(ids), "currents": sorted(ids), "children": sorted(ids)}
        if as_of is not None:
            params["as_of"] = as_of
        return connection.execute(_LINKS_AS_OF if as_of is not None else _LINKS_NOW, params).all()

    return follow(child, read)


class SqlRepresentations(SqlPlumbing):
    """The `Representations` part of the SQL store."""

    def resolve_child(self, child: str) -> str:
        """The child's current id: `child` itself, or the id that replaced it."""
        person = child_id(child)
        with self._read() as connection:
            return read_identity(connection, person.value).current

    def person_ids(self, person: str) -> tuple[str, frozenset[str]]:
        """(the current id, every id) of the person whose ids include `person`, as the id links join them."""
        parsed = child_id(person)
        with self._read() as connection:
            identity = read_identity(connection, parsed.value)
        return identity.current, identity.ids

    def representation_history(self, child: str) -> list[Representation]:
        """Every representation snapshot stored for the child (under any of its ids), oldest first (each with its latest confirmed retrieval)."""
        person = child_id(child)
        latest = (
            select(func.max(representation_confirmations.c.retrieved_at))
            .where(representation_confirmations.c.representation_id == representations.c.id)
            .scalar_subquery()
            .label("confirmed_retrieved_at")
        )
        statement = select(representations, latest).where(representations.c.child.in_(IDS)).order_by(
            representations.c.position
        )
        with self._read() as connection:
            identity = read_identity(connection, person.value)
            rows = connection.execute(statement, identity.params).all()
        return [representation_from_row(row) for row in rows]

    def put_representation(
        self, child: str, representation: Representation, author: Author, *, now: datetime.datetime | None = None
    ) -> tuple[Representation, bool]:
        """Replace the child's representation (the old snapshot stays); (stored, changed?).

        The same content with a newer `retrieved_at` is a confirmation: it refreshes the stored
        snapshot's freshness without a new snapshot or change-feed entry (changed = False).
        """
        person, snapshot, author, now = new_snapshot(child, representation, author, now)
        with self._write() as connection:
            position = self._lock_changes(connection)
            current = self._current_representations(connection, [person.value]).get(person.value)
            action, values = self._plan_representation(person.value, snapshot, current, author, now, position + 1)
            if action == "imported":
                connection.execute(insert(representations), [values])
                connection.execute(
                    insert(changes),
                    [self._change(position + 1, person.value, REPRESENTATION_KIND, values["id"], CREATED, now)],
                )
                insert_rows(connection, id_links, self._new_links(connection, [(person.value, snapshot, values["id"])], now))
                self._advance(connection, position + 1)
                stored = snapshot.representation(
                    id=values["id"], recorded_at=now, retrieved_at=snapshot.retrieved_at.astimezone(UTC)
                )
                return stored, True
            if action == "refreshed":
                connection.execute(insert(representation_confirmations), [values])
            # Unchanged or refreshed: the stored snapshot, with the freshest retrieval.
            row = connection.execute(REPRESENTATION_NOW, {"ids": [person.value], "current": person.value}).first()
        return representation_from_row(row), False

    def import_representations(
        self,
        lines: Iterable[str],
        *,
        progress: Callable[[int], Any] | None = None,
        author: Author = IMPORT_AUTHOR,
        now: datetime.datetime | None = None,
        batch_size: int = DEFAULT_IMPORT_BATCH,
    ) -> ImportSummary:
        """Bulk import, one JSON object per line (`child` plus the representation PUT body); idempotent.

        Each batch of whole children is one transaction. `progress`, when given, is called with
        the number of lines handled since its previous call.
        """
        author = check_author(author)
        return run_import(
            lines,
            lambda batch, at, rejections: self._import_batch(batch, author, at, rejections),
            progress=progress,
            now=aware(now, "now"),
            batch_size=batch_size,
        )

    def _import_batch(
        self,
        batch: list[tuple[int, str, Snapshot]],
        author: Author,
        now: datetime.datetime,
        rejections: list[tuple[int, str]],
    ) -> dict[str, int]:
        counts = {"imported": 0, "unchanged": 0, "refreshed": 0}
        with self._write() as connection:
            position = self._lock_changes(connection)
            current = self._current_representations(connection, list({child for _, child, _ in batch}))
            snapshot_rows, change_rows, confirmation_rows = [], [], []
            linked: list[tuple[str, Snapshot, str]] = []
            for number, child, snapshot in batch:
                try:
                    action, values = self._plan_representation(
                        child, snapshot, current.get(child), author, now, position + 1
                    )
                except InvalidInputError as error:
                    rejections.append((number, str(error)))
                    continue
                counts[action] += 1
                if action == "imported":
                    position += 1
                    snapshot_rows.append(values)
                    change_rows.append(self._change(position, child, REPRESENTATION_KIND, values["id"], CREATED, now))
                    if snapshot.former_ids or any("former_ids" in holder for holder in snapshot.holders):
                        linked.append((child, snapshot, values["id"]))
                    current[child] = LatestSnapshot(values["id"], values["content_hash"], values["retrieved_at"])
                elif action == "refreshed":
                    confirmation_rows.append(values)
                    current[child] = current[child].refreshed(values["retrieved_at"])
            if snapshot_rows:
                insert_rows(connection, representations, snapshot_rows)
                insert_rows(connection, changes, change_rows)
                insert_rows(connection, id_links, self._new_links(connection, linked, now))
                self._advance(connection, position)
            insert_rows(connection, representation_confirmations, confirmation_rows)
        return counts

    @staticmethod
    def _plan_representation(
        child: str,
        snapshot: Snapshot,
        current: LatestSnapshot | None,
        author: Author,
        now: datetime.datetime,
        position: int,
    ) -> tuple[str, dict[str, Any]]:
        """What storing this snapshot means: imported (a new snapshot), refreshed, or unchanged."""
        digest = content_hash(snapshot)
        action = snapshot_action(snapshot, digest, current, now)
        retrieved_at = snapshot.retrieved_at.astimezone(UTC)
        if action == "refreshed" and current is not None:
            return action, {
                "representation_id": current.id,
                "child": child,
                "retrieved_at": retrieved_at,
                "recorded_at": now,
                **author_values("author", author),
            }
        if action == "unchanged":
            return action, {}
        return "imported", {
            "id": new_id("rep"),
            "child": child,
            "position": position,
            "birth_date": snapshot.birth_date,
            "address_protection": snapshot.address_protection,
            "status": snapshot.status,
            "death_date": snapshot.death_date,
            "former_ids": json.dumps(list(snapshot.former_ids), separators=(",", ":")) if snapshot.former_ids else None,
            "holders": json.dumps(snapshot.holders, separators=(",", ":"), ensure_ascii=False),
            "content_hash": digest,
            "retrieved_at": retrieved_at,
            "recorded_at": now,
            **author_values("author", author),
        }

    @staticmethod
    def _new_links(
        connection: Any, written: list[tuple[str, Snapshot, str]], now: datetime.datetime
    ) -> list[dict[str, Any]]:
        """Rows for the id links these new snapshots report that the store has not yet seen for their child."""
        wanted = {
            (child, former, current): representation_id
            for child, snapshot, representation_id in written
            for former, current in snapshot.id_links(child)
        }
        if not wanted:
            return []
        children = sorted({child for child, _, _ in wanted})
        seen = {
            (row.child, row.former, row.current)
            for row in connection.execute(
                select(id_links.c.child, id_links.c.former, id_links.c.current).where(
                    id_links.c.child.in_(bindparam("children", expanding=True))
                ),
                {"children": children},
            )
        }
        return [
            {"former": former, "current": current, "child": child, "representation_id": rid, "recorded_at": now}
            for (child, former, current), rid in wanted.items()
            if (child, former, current) not in seen
        ]

    @staticmethod
    def _current_representations(connection: Any, children: list[str]) -> dict[str, LatestSnapshot]:
        """The latest snapshot (hash and freshest retrieval) of each of these children."""
        found: dict[str, LatestSnapshot] = {}
        latest = (
            select(representations.c.child, func.max(representations.c.position).label("position"))
            .where(representations.c.child.in_(bindparam("children", expanding=True)))
            .group_by(representations.c.child)
            .subquery()
        )
        confirmed = (
            select(func.max(representation_confirmations.c.retrieved_at))
            .where(representation_confirmations.c.representation_id == representations.c.id)
            .scalar_subquery()
        )
        statement = select(
            representations.c.id,
            representations.c.child,
            representations.c.content_hash,
            representations.c.retrieved_at,
            confirmed.label("confirmed"),
        ).join(latest, representations.c.position == latest.c.position)
        for row in connection.execute(statement, {"children": children}):
            retrieved = row.retrieved_at if row.confirmed is None else max(row.retrieved_at, row.confirmed)
            found[row.child] = LatestSnapshot(row.id, row.content_hash, retrieved)
        return found
