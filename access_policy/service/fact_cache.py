"""A per-process cache of children's facts, checked against the store before every use.

Reading a child's facts means two queries and validating every fact; a busy child is asked about
many times between changes. The cache keeps the last `ChildFacts` read per child (least recently
used out first) and, before each use, reads the child's fact version — one small indexed query
covering every change position and the representation's freshness confirmations — from the
store. A cached entry is used only when that version is the one it was read at (and, for
facts read as active at an instant, only for decisions at or after it), so a fact written
by any instance holds for the next decision of every instance (read-your-writes across
processes), and a store that cannot answer the version fails the decision closed exactly as a
failed read does.

A store with a change mark (`change_mark`: one cheap read that moves on every write any child's
version covers) is asked that first: while the mark is the one an entry was last checked at,
nothing was written since, and the child's own version is not read at all.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict

from access_policy import observe
from access_policy.facts import ChildFacts

DEFAULT_SIZE = 10_000


def _covers(read_at: datetime.datetime | None, active_at: datetime.datetime | None) -> bool:
    """Whether facts read as active at `read_at` hold every fact that can apply at `active_at`.

    A read with `active_at` leaves out facts revoked or expired by then; those cannot apply at a
    later instant either, so the read serves any decision at or after it — but not one before it,
    nor a caller wanting every fact.
    """
    if read_at is None:
        return True
    return active_at is not None and active_at >= read_at


class FactCache:
    """Children's facts by child, bounded (LRU), each used only when the store's version still matches."""

    def __init__(self, store, size: int = DEFAULT_SIZE):
        self.store = store
        self.size = max(0, int(size))
        # child → [facts, the instant they were read as active at (None: every fact read),
        #          the store's change mark when they were last known current (None: unknown)]
        self._entries: OrderedDict[str, list] = OrderedDict()
        self._lock = threading.Lock()
        self._versioned = callable(getattr(store, "child_version", None))
        self._marked = callable(getattr(store, "change_mark", None))

    def child_facts(self, child: str, *, active_at: datetime.datetime | None = None) -> ChildFacts:
        """The child's current facts (those that can apply at `active_at`, when given): the cached ones
        when the store's version still matches, else read again."""
        if not self.size or not self._versioned:
            return self.store.child_facts(child, active_at=active_at)
        # Read before the child's version and facts: a write landing in between moves the mark
        # again, so an entry is never marked newer than what it holds.
        mark = self.store.change_mark() if self._marked else None
        with self._lock:
            cached = self._entries.get(child)
            if cached is not None and mark is not None and cached[2] == mark and _covers(cached[1], active_at):
                self._entries.move_to_end(child)
                observe.fact_cache("hit")
                return cached[0]
        if cached is not None and _covers(cached[1], active_at):
            # Only an entry that could serve is worth its version read; a miss reads the facts.
            version = self.store.child_version(child)
            with self._lock:
                cached = self._entries.get(child)
                if cached is not None and cached[0].version == version and _covers(cached[1], active_at):
                    cached[2] = mark
                    self._entries.move_to_end(child)
                    observe.fact_cache("hit")
                    return cached[0]
        observe.fact_cache("miss")
        facts = self.store.child_facts(child, active_at=active_at)
        if facts.version is not None:
            with self._lock:
                self._entries[child] = [facts, active_at, mark]
                self._entries.move_to_end(child)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return facts

    def clear(self) -> None:
        """Forget every cached child."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
