"""The decision log over a store: verify it (with the chain's one verifier), anchor its head in signed checkpoints, export it.

A changed entry no longer matches its hash; a removed entry leaves a gap in the positions (or,
at the end, a chain shorter than the head the store keeps); a reordered entry breaks the links.
What the chain alone cannot show — the tail cut off and the head row rewritten, or an entry
edited and every later hash recomputed — a signed checkpoint shows: its position is past the
end, or its hash is not the entry's.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence, Union

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from access_policy.auditlog import chain
from access_policy.auditlog.chain import AuditEntry, Verification
from access_policy.auditlog.checkpoints import Checkpoint, CheckpointError, check, log_id, sign
from access_policy.auditlog.export import ExportError, Pseudonymiser, export_lines, load_or_create_pseudonym_key
from access_policy.service.settings import ConfigurationError, Settings
from access_policy.store.interface import DecisionLog

__all__ = [
    "Checkpointer",
    "Verification",
    "all_entries",
    "export_audit",
    "pseudonymiser_for",
    "verify_audit",
    "verify_entries",
]

PAGE = 1000
log = logging.getLogger(__name__)


def all_entries(store: DecisionLog, after: int = 0) -> Iterator[AuditEntry]:
    """Every entry after a position, oldest first, read page by page."""
    while True:
        page = store.read_audit(after=after, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].position


PublicKeys = Union[Ed25519PublicKey, Sequence[Ed25519PublicKey], None]


def _anchors(stored: Iterable[Checkpoint], held: Iterable[Checkpoint], public_keys: PublicKeys) -> list[tuple[int, str]]:
    """(position, hash) of each checkpoint once its signature checks; raises `CheckpointError`.

    A stored checkpoint of a key not given (a retired key, after rotation) is skipped: it is
    evidence only for someone holding that key. A checkpoint handed in must be of a given key.
    """
    if public_keys is None:
        return []
    keys = [public_keys] if isinstance(public_keys, Ed25519PublicKey) else list(public_keys)
    if not keys:
        return []
    by_log = {log_id(key): key for key in keys}
    anchors = []
    for checkpoint in stored:
        key = by_log.get(checkpoint.log_id)
        if key is not None:
            check(checkpoint, key)
            anchors.append((checkpoint.tree_size, checkpoint.root_hash))
    for checkpoint in held:
        check(checkpoint, by_log.get(checkpoint.log_id) or keys[0])
        anchors.append((checkpoint.tree_size, checkpoint.root_hash))
    return anchors


def verify_audit(
    store: DecisionLog, *, public_key: PublicKeys = None, checkpoints: Iterable[Checkpoint] = ()
) -> Verification:
    """Check the whole log of a store, its head, and (with the public keys) its own and the given checkpoints."""
    # Checkpoints first, then the head, then the entries: nothing read later can predate them.
    stored = store.checkpoints()
    try:
        anchors = _anchors(stored, checkpoints, public_key)
    except CheckpointError as error:
        return Verification(False, 0, None, str(error))
    head = store.audit_head()
    result = chain.verify(all_entries(store), head=head, anchors=anchors)
    if result.ok:
        # Entries past the head were either appended since (the head has moved past them by
        # now: entry and head commit together) or the head row was set back.
        beyond = store.read_audit(after=head[0], limit=1)
        if beyond and beyond[0].position > store.audit_head()[0]:
            return Verification(
                False, result.checked, beyond[0].position,
                f"entry {beyond[0].position} is past the head the store records (the head was set back)",
                result.anchored, result.linked_only,
            )
    return result


def verify_entries(
    entries: Iterable[AuditEntry],
    *,
    public_key: PublicKeys = None,
    checkpoints: Iterable[Checkpoint] = (),
) -> Verification:
    """Check an exported slice of the log: its links and hashes from its first entry on, and the checkpoints inside it."""
    try:
        anchors = _anchors((), checkpoints, public_key)
    except CheckpointError as error:
        return Verification(False, 0, None, str(error))
    iterator = iter(entries)
    first = next(iterator, None)
    if first is None:
        return Verification(True, 0)

    def again() -> Iterator[AuditEntry]:
        yield first
        yield from iterator

    return chain.verify(again(), anchors=anchors, start=(first.position, first.previous_hash))


def export_audit(store: DecisionLog, after: int, pseudonym: Pseudonymiser | None) -> Iterator[str]:
    """The log after a position as JSON lines, pseudonymised unless `pseudonym` is None."""
    return export_lines(all_entries(store, after), pseudonym)


def pseudonymiser_for(settings: Settings, path: Path | None = None) -> Pseudonymiser:
    """The export's keyed pseudonyms: the given key file, else the configured one (in development created on first use).

    Raises `ConfigurationError` when there is no key or it cannot be read.
    """
    chosen = path or settings.pseudonym_key_path()
    if chosen is None:
        raise ConfigurationError("a pseudonymised export needs a key: set ACCESS_POLICY_PSEUDONYM_KEY")
    create = path is None and settings.dev and settings.pseudonym_key is None
    try:
        return Pseudonymiser(load_or_create_pseudonym_key(chosen, create=create))
    except ExportError as error:
        raise ConfigurationError(str(error)) from None


class Checkpointer:
    """Signs the log's head at an interval and on shutdown, stores the checkpoint, and appends it to a file if given.

    Before signing a new head it checks that the chain from the previous checkpoint signed with
    its key (its own, or the newest stored one when it starts) still leads there, so it never
    signs over a rewritten stretch of the log.
    """

    def __init__(
        self,
        store: DecisionLog,
        key: Ed25519PrivateKey,
        *,
        file: Path | None = None,
        clock: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.timezone.utc),
    ):
        self._store, self._key, self._file, self._clock = store, key, file, clock
        self._last: Checkpoint | None = None
        self._resumed = False

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half of the signing key: what checks this log's checkpoints."""
        return self._key.public_key()

    def checkpoint(self) -> Checkpoint | None:
        """Sign and store the current head; None when it has not moved or the log does not extend the last checkpoint."""
        if not self._resumed:
            self._last = self._newest_stored()
            self._resumed = True
        position, digest = self._store.audit_head()
        last = self._last
        if position == 0 or (last is not None and last.tree_size == position):
            return None
        if last is not None:
            if position < last.tree_size:
                log.error("decision-log head %d is behind the last checkpoint %d: not signing", position, last.tree_size)
                return None
            stretch = chain.verify(
                all_entries(self._store, last.tree_size),
                head=(position, digest),
                start=(last.tree_size + 1, last.root_hash),
            )
            if not stretch.ok:
                log.error("decision log broken at %s (%s): not signing", stretch.first_bad_position, stretch.problem)
                return None
        signed = sign(self._key, position, digest, self._clock())
        self._store.add_checkpoint(signed)
        if self._file is not None:
            with self._file.open("a", encoding="utf-8") as handle:
                handle.write(signed.to_line() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        self._last = signed
        return signed

    def _newest_stored(self) -> Checkpoint | None:
        """The newest stored checkpoint that this key signed (others are not evidence of anything)."""
        public_key = self.public_key
        for stored in reversed(self._store.checkpoints()):
            try:
                check(stored, public_key)
            except CheckpointError:
                continue
            return stored
        return None

    def safe_checkpoint(self) -> Checkpoint | None:
        """`checkpoint()`, logging instead of raising: a missed checkpoint must not stop the service."""
        try:
            return self.checkpoint()
        except Exception as error:  # noqa: BLE001 - retried at the next interval
            log.warning("decision-log checkpoint failed: %s", str(error).splitlines()[0] if str(error) else type(error).__name__)
            return None

    async def run(self, interval_seconds: float) -> None:
        """Checkpoint every `interval_seconds` until cancelled."""
        while True:
            await asyncio.sleep(interval_seconds)
            await asyncio.to_thread(self.safe_checkpoint)
