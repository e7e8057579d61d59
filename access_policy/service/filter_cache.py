"""A per-process cache of compiled timeline filters, reused only where they are proven to hold.

Compiling a filter decides one representative item per coverage class of the child's facts; a
portal asks for the same requester's filter again each time a timeline is shown. A filter
compiled at `at` over facts of one version answers exactly as a fresh compilation would at any
instant from `at` until its `valid_until` (that is what `valid_until` means, and the filter's
property tests check it at every instant before it). So an entry is keyed by the child, the
requester, the policy version and the facts' version, and used only for an instant in
[`at`, `valid_until`). Facts without a version are never cached, and neither is a filter that
shows nothing for ever: it may be the fail-closed answer to a compilation that failed, which
must be tried again, not remembered.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from dataclasses import replace

from access_policy import observe
from access_policy.facts import ChildFacts
from access_policy.filter import Filter, compile_filter
from access_policy.policy import Policy
from access_policy.service.fact_cache import DEFAULT_SIZE

_Key = tuple[str, str, str, str]


class FilterCache:
    """Compiled filters by (child, requester, policy version, facts version), least recently used out first."""

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = max(0, int(size))
        self._entries: OrderedDict[_Key, Filter] = OrderedDict()
        self._lock = threading.Lock()

    def compiled(self, policy: Policy, facts: ChildFacts | None, child: str, requester: str, at: datetime.datetime) -> Filter:
        """The filter for this requester over these facts at `at`: a cached one when it holds at `at`, else compiled."""
        version = facts.version if facts is not None else None
        if not self.size or version is None:
            return compile_filter(policy, facts, requester, at)
        key = (child, requester, policy.version, version)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and _holds(cached, at):
                self._entries.move_to_end(key)
                observe.filter_cache("hit")
                return replace(cached, at=at)
        observe.filter_cache("miss")
        compiled = compile_filter(policy, facts, requester, at)
        if compiled.mode != "none" or compiled.valid_until is not None:
            with self._lock:
                self._entries[key] = compiled
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return compiled


def _holds(cached: Filter, at: datetime.datetime) -> bool:
    """Whether a filter compiled at `cached.at` answers as a fresh one would at `at`."""
    if at.tzinfo is None or at.utcoffset() is None or at < cached.at:
        return False
    return cached.valid_until is None or at < cached.valid_until
