"""The decision log as JSON lines for a SIEM, with person numbers replaced by keyed pseudonyms unless asked otherwise.

A pseudonym is `ps1:` and the first 32 hex digits of HMAC-SHA256(key, person number): the same
person has the same pseudonym throughout an export (and across exports with the same key), so
a SIEM can correlate, while nobody without the key can go back to the number or test a guess.

A pseudonymised line still lets anyone check the chain: a version-2 entry's hash covers its
header and `body_digest` (sha256 over the child, the entry and a random salt), and the line
carries the header, `body_digest` and `hash`, so every hash and link is recomputed. The salt
is left out, so the digest cannot be matched against guessed person numbers. A version-1
entry (written before the scheme was versioned) hashes the identities themselves: in a
pseudonymised export only its links are checked. An export with identities carries the child,
the entry and the salt, and every hash is recomputed from them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any, Iterable, Iterator

from access_policy.auditlog.chain import (
    HASH_V2,
    AuditEntry,
    Unreadable,
    canonical_json,
    entry_digest,
    parse_time,
    time_text,
)
from access_policy.errors import ExportError

PSEUDONYM_PREFIX = "ps1:"
PSEUDONYMISED_ENTRY_FIELDS = ("child", "requester")
"""The entry fields that hold person numbers (besides the row's `child`), replaced in a pseudonymised export."""


class Pseudonymiser:
    """Keyed pseudonyms of person numbers (HMAC-SHA256), stable for one key."""

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ExportError("a pseudonym key needs at least 16 bytes")
        self._key = key

    def __call__(self, number: str) -> str:
        """The pseudonym of a person number."""
        return PSEUDONYM_PREFIX + hmac.new(self._key, number.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def load_or_create_pseudonym_key(path: Path, *, create: bool) -> bytes:
    """The pseudonym key in a file (64 hex digits); created, owner-readable only, when missing and `create`."""
    if not path.exists() and create:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    try:
        text = path.read_text(encoding="ascii").strip()
        return bytes.fromhex(text)
    except (OSError, ValueError) as error:
        first = str(error).strip().splitlines()
        raise ExportError(f"cannot read the pseudonym key `{path}`: {first[0] if first else type(error).__name__}") from None


def _pseudonymised_entry(entry: Any, pseudonym: Pseudonymiser) -> Any:
    if not isinstance(entry, dict):
        return entry
    shown = dict(entry)
    for name in PSEUDONYMISED_ENTRY_FIELDS:
        if isinstance(shown.get(name), str):
            shown[name] = pseudonym(shown[name])
    return shown


def export_record(entry: AuditEntry, pseudonym: Pseudonymiser | None) -> dict[str, Any]:
    """One exported line as a JSON object: with identities when `pseudonym` is None, pseudonymised otherwise.

    An entry whose stored text is not JSON is exported with `"entry": null` and `unreadable`, so
    that the export is complete and its verification fails at that position.
    """
    record: dict[str, Any] = {
        "position": entry.position,
        "decision_id": entry.decision_id,
        "recorded_at": time_text(entry.recorded_at, entry.hash_version),
        "hash_version": entry.hash_version,
        "previous_hash": entry.previous_hash,
        "hash": entry.hash,
    }
    if isinstance(entry.entry, Unreadable):
        child = entry.child if pseudonym is None else pseudonym(entry.child)
        record.update(pseudonymised=pseudonym is not None, child=child, entry=None, unreadable=entry.entry.problem)
    elif pseudonym is None:
        record.update(pseudonymised=False, child=entry.child, entry=entry.entry)
        if entry.hash_version == HASH_V2:
            record["salt"] = entry.salt
    else:
        record.update(
            pseudonymised=True, child=pseudonym(entry.child), entry=_pseudonymised_entry(entry.entry, pseudonym)
        )
        if entry.hash_version == HASH_V2:
            record["body_digest"] = entry_digest(entry)
    return record


def export_lines(entries: Iterable[AuditEntry], pseudonym: Pseudonymiser | None) -> Iterator[str]:
    """Exported entries, one RFC 8785 JSON line each (with the newline)."""
    for entry in entries:
        yield canonical_json(export_record(entry, pseudonym)).decode("utf-8") + "\n"


def _entry_from(data: Any) -> AuditEntry:
    if not isinstance(data, dict):
        raise ExportError("an exported entry must be a JSON object")
    try:
        position, version = data["position"], data["hash_version"]
        if not isinstance(position, int) or not isinstance(version, int):
            raise ExportError("`position` and `hash_version` must be whole numbers")
        pseudonymised = data.get("pseudonymised", False)
        if not isinstance(pseudonymised, bool):
            raise ExportError("`pseudonymised` must be true or false")
        fields = {name: data[name] for name in ("decision_id", "child", "previous_hash", "hash")}
        if not all(isinstance(value, str) for value in fields.values()):
            raise ExportError("`decision_id`, `child`, `previous_hash` and `hash` must be text")
        return AuditEntry(
            position=position,
            recorded_at=parse_time(data["recorded_at"]),
            entry=Unreadable("", str(data["unreadable"])) if "unreadable" in data else data["entry"],
            hash_version=version,
            salt=data.get("salt"),
            body_digest=data.get("body_digest"),
            pseudonymised=pseudonymised,
            **fields,
        )
    except KeyError as error:
        raise ExportError(f"an exported entry needs `{error.args[0]}`") from None
    except TypeError as error:
        raise ExportError(f"`recorded_at` is not an instant: {error}") from None


def read_export(lines: Iterable[str], source: str = "export") -> Iterator[AuditEntry]:
    """Entries from an exported file; raises `ExportError` naming the line for anything unreadable."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield _entry_from(json.loads(line))
        except ValueError as error:  # JSONDecodeError, ExportError, a bad time
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ExportError(f"{source} line {number}: {first}") from None
