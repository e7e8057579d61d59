"""The bulk import's fast path: import lines checked without building pydantic models per child.

An import of 100,000 children must take seconds, and building validated `Representation`s
spends most of that re-parsing person numbers through python-stdnum's generic string cleaning;
person numbers are read by `access_policy.identity.person_id`, whose fast path gives the same
verdict as `parse_person_id` for every value.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Date

from access_policy.errors import FieldProblem, InvalidInputError
from access_policy.facts import MAX_FORMER_IDS, MAX_HOLDERS, AddressProtection, Holder, RegisterStatus, Representation, Responsibility
from access_policy.identity import PersonId, parse_organisation_number, person_id
from access_policy.store.interface import ImportSummary
from access_policy.store.schema import UTCDateTime

_PROTECTIONS = frozenset(p.value for p in AddressProtection)
_RESPONSIBILITIES = frozenset(r.value for r in Responsibility)
_STATUSES = frozenset(s.value for s in RegisterStatus)
_LINE_FIELDS = frozenset(
    {"birth_date", "address_protection", "holders", "retrieved_at", "status", "death_date", "former_ids"}
)
_HOLDER_FIELDS = frozenset({"id", "organisation", "responsibility"})
# A holder with any of these (validity, own grading, earlier ids) is checked by the `Holder` model itself.
_RICH_HOLDER_FIELDS = frozenset({"valid_from", "valid_until", "address_protection", "former_ids"})


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A representation reduced to what is stored: birth date, grading, holders as JSON-ready dicts, retrieval, status."""

    birth_date: datetime.date
    address_protection: str
    holders: tuple[dict[str, Any], ...]
    retrieved_at: datetime.datetime
    status: str = RegisterStatus.BOSATT.value
    death_date: datetime.date | None = None
    former_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, child: PersonId, representation: Representation) -> "Snapshot":
        """The snapshot of a validated representation, its birth date checked against the child's id."""
        holders = tuple(holder_json(h) for h in representation.holders)
        birth_date = _birth_date(child, representation.birth_date)
        if child.value in representation.former_ids:
            raise InvalidInputError.for_field("former_ids", "must not include the child's current id")
        return cls(
            birth_date,
            representation.address_protection.value,
            holders,
            representation.retrieved_at,
            representation.status.value,
            representation.death_date,
            tuple(representation.former_ids),
        )

    @property
    def content_key(self) -> str:
        """What makes two snapshots the same content: birth date, grading, status, earlier ids and holders in any order.

        Parts that are at their defaults add nothing, so snapshots stored before the register
        status and id history were kept hash as they did then (a re-sync stays "unchanged").
        """
        holders = sorted(_holder_key(h) for h in self.holders)
        key = f"{self.birth_date.isoformat()}|{self.address_protection}|{';'.join(holders)}"
        if self.status != RegisterStatus.BOSATT.value or self.death_date is not None or self.former_ids:
            death = self.death_date.isoformat() if self.death_date else ""
            key += f"|{self.status}|{death}|{','.join(sorted(self.former_ids))}"
        return key

    def representation(self, **stored: Any) -> Representation:
        """The engine's fact type for this snapshot (validated)."""
        return Representation.model_validate(
            {
                "birth_date": self.birth_date,
                "address_protection": self.address_protection,
                "status": self.status,
                "death_date": self.death_date,
                "former_ids": self.former_ids,
                "holders": self.holders,
                "retrieved_at": self.retrieved_at,
                **stored,
            }
        )

    def id_links(self, child: str) -> list[tuple[str, str]]:
        """(former, current) for every earlier id this snapshot reports: the child's and its holders'."""
        links = [(former, child) for former in self.former_ids]
        for holder in self.holders:
            current = holder.get("id")
            if current is not None:
                links.extend((former, current) for former in holder.get("former_ids", ()))
        return links


def holder_json(holder: Holder) -> dict[str, Any]:
    """A holder as stored in a snapshot's JSON: fields at their defaults left out (the shape older rows have)."""
    out = holder.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    out["responsibility"] = holder.responsibility.value
    for name in ("valid_from", "valid_until"):  # one text per instant, whatever offset the register used
        value = getattr(holder, name)
        if value is not None:
            out[name] = value.astimezone(datetime.timezone.utc).isoformat()
    return out


def _holder_key(holder: dict[str, Any]) -> str:
    key = f"{holder.get('id', '')},{holder.get('organisation', '')},{holder['responsibility']}"
    if _RICH_HOLDER_FIELDS.isdisjoint(holder):  # the common case, kept cheap for the bulk import
        return key
    extra = {name: holder[name] for name in sorted(_RICH_HOLDER_FIELDS) if name in holder}
    if extra:
        extra["former_ids"] = sorted(extra.get("former_ids", ()))
        key += "," + json.dumps(extra, sort_keys=True, separators=(",", ":"))
    return key


def _birth_date(child: PersonId, given: datetime.date | None) -> datetime.date:
    from_id = child.birth_date
    if given is None:
        if from_id is None:
            raise InvalidInputError.for_field("birth_date", "required: the child's id carries no birth date")
        return from_id
    if from_id is not None and given != from_id:
        raise InvalidInputError.for_field(
            "birth_date", f"{given} disagrees with the child's id ({from_id})"
        )
    return given


def parse_line(line: str) -> tuple[str, Snapshot]:
    """(child, snapshot) from one import line; raises `InvalidInputError` saying what is wrong."""
    try:
        data = json.loads(line)
    except ValueError as error:
        raise InvalidInputError.for_field("line", f"not JSON ({error})") from None
    if not isinstance(data, dict):
        raise InvalidInputError.for_field("line", "not a JSON object")
    if "child" not in data:
        raise InvalidInputError.for_field("child", "required")
    child = person_id(data.pop("child"), "child")
    unknown = set(data) - _LINE_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInputError.for_field(name, "not a field of a representation")
    given = data.get("birth_date")
    if given is not None:
        if type(given) is not str or len(given) != 10:
            raise InvalidInputError.for_field("birth_date", "must be a date, YYYY-MM-DD")
        try:
            given = datetime.date.fromisoformat(given)
        except ValueError:
            raise InvalidInputError.for_field("birth_date", f"`{given}` is not a date, YYYY-MM-DD") from None
    status = data.get("status", RegisterStatus.BOSATT.value)
    if status not in _STATUSES:
        raise InvalidInputError.for_field("status", f"`{status}` is not one of {', '.join(sorted(_STATUSES))}")
    death_date = _date(data.get("death_date"), "death_date")
    if death_date is not None and status != RegisterStatus.DOED.value:
        raise InvalidInputError.for_field("death_date", "is given only with `status` `doed`")
    former = data.get("former_ids")
    former_ids = _former_ids(former, "former_ids", child.value) if former is not None else ()
    protection = data.get("address_protection", "ugradert")
    if protection not in _PROTECTIONS:
        raise InvalidInputError.for_field(
            "address_protection", f"`{protection}` is not one of {', '.join(sorted(_PROTECTIONS))}"
        )
    retrieved = data.get("retrieved_at")
    if type(retrieved) is not str:
        raise InvalidInputError.for_field("retrieved_at", "required: an instant with a UTC offset")
    try:
        retrieved_at = datetime.datetime.fromisoformat(retrieved)
    except ValueError:
        raise InvalidInputError.for_field("retrieved_at", f"`{retrieved}` is not an instant") from None
    if retrieved_at.tzinfo is None or retrieved_at.utcoffset() is None:
        raise InvalidInputError.for_field("retrieved_at", "must carry a UTC offset")
    holders_in = data.get("holders", [])
    if not isinstance(holders_in, list) or len(holders_in) > MAX_HOLDERS:
        raise InvalidInputError.for_field("holders", f"must be a list of at most {MAX_HOLDERS} holders")
    holders = []
    for index, holder in enumerate(holders_in):
        where = f"holders.{index}"
        if isinstance(holder, dict) and not _RICH_HOLDER_FIELDS.isdisjoint(holder):
            holders.append(_rich_holder(holder, where))
            continue
        if not isinstance(holder, dict) or not set(holder) <= _HOLDER_FIELDS:
            raise InvalidInputError.for_field(
                where, "a holder has `id` or `organisation`, `responsibility`, and optionally "
                "`valid_from`, `valid_until`, `address_protection`, `former_ids`"
            )
        responsibility = holder.get("responsibility")
        if responsibility not in _RESPONSIBILITIES:
            raise InvalidInputError.for_field(
                f"{where}.responsibility", f"`{responsibility}` is not one of {', '.join(sorted(_RESPONSIBILITIES))}"
            )
        out = {}
        if holder.get("id") is not None:
            out["id"] = person_id(holder["id"], f"{where}.id").value
        if holder.get("organisation") is not None:
            out["organisation"] = parse_organisation_number(holder["organisation"], f"{where}.organisation")
        if len(out) == 2:
            raise InvalidInputError.for_field(where, "a holder is either a person (`id`) or an `organisation`, not both")
        if not out and responsibility != "ukjent":
            raise InvalidInputError.for_field(where, "a holder needs an `id` or an `organisation` unless `responsibility` is `ukjent`")
        out["responsibility"] = responsibility
        holders.append(out)
    birth_date = _birth_date(child, given)
    if death_date is not None and death_date < birth_date:
        raise InvalidInputError.for_field("death_date", f"{death_date} is before the birth date {birth_date}")
    snapshot = Snapshot(birth_date, protection, tuple(holders), retrieved_at, status, death_date, former_ids)
    return child.value, snapshot


def _date(value: Any, field: str) -> datetime.date | None:
    if value is None:
        return None
    if type(value) is not str or len(value) != 10:
        raise InvalidInputError.for_field(field, "must be a date, YYYY-MM-DD")
    try:
        parsed = datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError.for_field(field, f"`{value}` is not a date, YYYY-MM-DD") from None
    if not 1900 <= parsed.year < 2200:
        raise InvalidInputError.for_field(field, "must be a date between the years 1900 and 2199")
    return parsed


def _former_ids(values: Any, field: str, current: str | None) -> tuple[str, ...]:
    if not isinstance(values, list) or len(values) > MAX_FORMER_IDS:
        raise InvalidInputError.for_field(field, f"must be a list of at most {MAX_FORMER_IDS} person numbers")
    out = tuple(person_id(value, f"{field}.{index}").value for index, value in enumerate(values))
    if current is not None and current in out:
        raise InvalidInputError.for_field(field, "must not include the current id")
    return out


def _rich_holder(holder: dict[str, Any], where: str) -> dict[str, Any]:
    """A holder with validity, grading or earlier ids, checked by the `Holder` model (the slow, rarer path)."""
    try:
        return holder_json(Holder.model_validate(holder))
    except ValidationError as error:
        problems = [
            FieldProblem(".".join((where, *(str(part) for part in problem["loc"]))), problem["msg"])
            for problem in error.errors()
        ]
        message = "; ".join(f"`{p.field}`: {p.message}" for p in problems)
        raise InvalidInputError(message=message, problems=problems) from None


def run_import(
    lines: Iterable[str],
    write_batch: Callable[[list[tuple[int, str, Snapshot]], datetime.datetime, list[tuple[int, str]]], dict[str, int]],
    *,
    progress: Callable[[int], object] | None,
    now: datetime.datetime | None,
    batch_size: int,
) -> ImportSummary:
    """Parse import lines and hand them to `write_batch` in batches of whole children; what was done.

    `write_batch(batch, now, rejections)` stores (line number, child, snapshot) entries, adds the
    lines it refuses to `rejections` and returns counts of `imported`, `unchanged`, `refreshed`.
    `progress`, when given, is called with the number of lines handled since its previous call.
    """
    counts = {"imported": 0, "unchanged": 0, "refreshed": 0}
    rejections: list[tuple[int, str]] = []
    batch: list[tuple[int, str, Snapshot]] = []
    handled = 0

    def flush() -> None:
        nonlocal handled
        if batch:
            at = now or datetime.datetime.now(datetime.timezone.utc)
            for action, count in write_batch(batch, at, rejections).items():
                counts[action] += count
            batch.clear()
        if progress is not None and handled:
            progress(handled)
        handled = 0

    for number, line in enumerate(lines, 1):
        handled += 1
        if not line.strip():
            continue
        try:
            batch.append((number, *parse_line(line)))
        except InvalidInputError as error:
            rejections.append((number, str(error)))
        # Lines handled, not only children kept, so a run of rejected lines still shows progress.
        if len(batch) >= batch_size or handled >= batch_size:
            flush()
    flush()
    rejections.sort()
    return ImportSummary(
        imported=counts["imported"],
        unchanged=counts["unchanged"],
        rejected=len(rejections),
        rejections=tuple(rejections),
        refreshed=counts["refreshed"],
    )


def _sqlite_instant(value: datetime.datetime) -> str:
    # The text form SQLAlchemy's SQLite DateTime writes (UTC, fixed width), so both paths compare alike.
    value = value.astimezone(datetime.timezone.utc)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


def insert_rows(connection: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows: through SQLAlchemy, or on SQLite straight into the driver's executemany.

    SQLAlchemy's per-row parameter processing costs more than SQLite's insert itself; the values
    written here are the same text SQLAlchemy's types would write.
    """
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        from sqlalchemy import insert

        connection.execute(insert(table), rows)
        return
    names = list(rows[0])
    memo: dict[datetime.datetime, str] = {}
    converters = [_storage_kind(table.c[name].type) for name in names]

    def convert(row: dict[str, Any]) -> tuple:
        out = []
        for name, kind in zip(names, converters):
            value = row[name]
            if value is not None and kind == "instant":
                text = memo.get(value)
                if text is None:
                    text = memo[value] = _sqlite_instant(value)
                value = text
            elif value is not None and kind == "date":
                value = value.isoformat()
            out.append(value)
        return tuple(out)

    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    connection.exec_driver_sql(sql, [convert(row) for row in rows])


def _storage_kind(column_type: Any) -> str | None:
    if isinstance(column_type, UTCDateTime):
        return "instant"
    if isinstance(column_type, Date):
        return "date"
    return None
