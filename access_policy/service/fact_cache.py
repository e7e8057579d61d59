"""A per-process cache of children's facts, checked against the store before every use.

Reading a child's facts means two queries and validating every fact; a busy child is asked about
many times between changes. The cache keeps the last `ChildFacts` read per child (least recently
used out first) and, before each use, reads the child's fact version — one small indexed query
covering every change position and the representation's freshness confirmations — from the
store. A cached entry is used only when that version is the one it was read at, so a fact written
by any instance holds for the next decision of every instance (read-your-writes across
processes), and a store that cannot answer the version fails the decision closed exactly as a
failed read does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from access_policy import observe
from access_policy.facts import ChildFacts

DEFAULT_SIZE = 10_000


class FactCache:
    """Children's facts by child, bounded (LRU), each used only when the store's version still matches."""

    def __init__(self, store, size: int = DEFAULT_SIZE):
        self.store = store
        self.size = max(0, int(size))
        self._entries: OrderedDict[str, ChildFacts] = OrderedDict()
        self._lock = threading.Lock()
        self._versioned = callable(getattr(store, "child_version", None))

    def child_facts(self, child: str) -> ChildFacts:
        """The child's current facts: the cached ones when the store's version still matches, else read again."""
        if not self.size or not self._versioned:
            return self.store.child_facts(child)
        version = self.store.child_version(child)
        with self._lock:
            cached = self._entries.get(child)
            if cached is not None and cached.version == version:
                self._entries.move_to_end(child)
                observe.fact_cache("hit")
                return cached
        observe.fact_cache("miss")
        facts = self.store.child_facts(child)
        if facts.version is not None:
            with self._lock:
                self._entries[child] = facts
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
