"""The service's fact cache over each store (memory, SQLite, PostgreSQL): a cached read is used only while the child's version stands."""

from __future__ import annotations

import datetime

from access_policy.facts import FactKind
from access_policy.service.fact_cache import FactCache
from tests.store.conftest import CLINICIAN, REGISTER
from tests.store.helpers import CHILD_8, CHILD_13, MOTHER, exemption, representation

HOUR = datetime.timedelta(hours=1)


class Counting:
    """The store, counting full reads of a child's facts."""

    def __init__(self, store):
        self._store = store
        self.reads = 0
        self.versions = 0

    def __getattr__(self, name):
        return getattr(self._store, name)

    def child_facts(self, child, **kwargs):
        self.reads += 1
        return self._store.child_facts(child, **kwargs)

    def child_version(self, child):
        self.versions += 1
        return self._store.child_version(child)


def test_every_kind_of_write_is_seen_by_the_next_read_and_nothing_else_reads_again(store, t0):
    counting = Counting(store)
    cache = FactCache(counting)
    store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    first = cache.child_facts(CHILD_8)
    assert cache.child_facts(CHILD_8) is first and counting.reads == 1  # unchanged: served from the cache

    created, _ = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, now=t0)
    assert [e.id for e in cache.child_facts(CHILD_8).exemptions] == [created.id] and counting.reads == 2

    store.revoke_fact(CHILD_8, FactKind.EXEMPTIONS, created.id, CLINICIAN, now=t0 + HOUR)
    assert cache.child_facts(CHILD_8).exemptions[0].revoked_at is not None and counting.reads == 3

    store.put_representation(CHILD_8, representation(t0 + HOUR, (MOTHER, "mor")), REGISTER, now=t0 + HOUR)
    assert [h.id for h in cache.child_facts(CHILD_8).representation.holders] == [MOTHER] and counting.reads == 4

    # The same content retrieved again later: only a freshness confirmation, still a new version.
    later = t0 + 2 * HOUR
    store.put_representation(CHILD_8, representation(later, (MOTHER, "mor")), REGISTER, now=later)
    assert cache.child_facts(CHILD_8).representation.retrieved_at == later and counting.reads == 5

    # Another child's write leaves this child's cached facts in use.
    store.put_representation(CHILD_13, representation(t0), REGISTER, now=t0)
    assert cache.child_facts(CHILD_8).representation.retrieved_at == later and counting.reads == 5


def test_facts_read_as_active_at_an_instant_serve_that_instant_and_later_only(store, t0):
    counting = Counting(store)
    cache = FactCache(counting)
    store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    cache.child_facts(CHILD_8, active_at=t0 + HOUR)
    cache.child_facts(CHILD_8, active_at=t0 + 2 * HOUR)
    assert counting.reads == 1
    cache.child_facts(CHILD_8, active_at=t0)  # earlier: a fact expired by t0 + 1 h may apply then
    assert counting.reads == 2
    cache.child_facts(CHILD_8)  # every fact: a read as active at an instant leaves some out
    cache.child_facts(CHILD_8, active_at=t0)
    assert counting.reads == 3


def test_the_cache_is_bounded_least_recently_used_out_first(store, t0):
    counting = Counting(store)
    cache = FactCache(counting, size=1)
    cache.child_facts(CHILD_8)
    cache.child_facts(CHILD_13)
    assert len(cache) == 1
    cache.child_facts(CHILD_13)
    assert counting.reads == 2
    cache.child_facts(CHILD_8)
    assert counting.reads == 3


def test_while_nothing_is_written_the_childs_own_version_is_not_read(store, t0):
    counting = Counting(store)
    cache = FactCache(counting)
    store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    first = cache.child_facts(CHILD_8)
    assert counting.versions == 0  # nothing cached to check: the facts are read straight away
    versions = counting.versions
    assert cache.child_facts(CHILD_8) is first and cache.child_facts(CHILD_8) is first
    assert counting.versions == versions  # the store's change mark stood: one cheap read each

    # Another child's write moves the mark: this child's version is read once, still a hit.
    store.put_representation(CHILD_13, representation(t0), REGISTER, now=t0)
    assert cache.child_facts(CHILD_8) is first and counting.versions == versions + 1
    assert cache.child_facts(CHILD_8) is first and counting.versions == versions + 1


def test_the_change_mark_moves_with_every_kind_of_write(store, t0):
    marks = [store.change_mark()]
    store.put_representation(CHILD_8, representation(t0), REGISTER, now=t0)
    marks.append(store.change_mark())
    created, _ = store.create_fact(CHILD_8, FactKind.EXEMPTIONS, exemption(), CLINICIAN, now=t0)
    marks.append(store.change_mark())
    store.revoke_fact(CHILD_8, FactKind.EXEMPTIONS, created.id, CLINICIAN, now=t0 + HOUR)
    marks.append(store.change_mark())
    # A freshness confirmation takes no change position: the mark moves all the same.
    store.put_representation(CHILD_8, representation(t0 + HOUR), REGISTER, now=t0 + HOUR)
    marks.append(store.change_mark())
    assert len(set(marks)) == len(marks)
    store.append_audit("d-1", CHILD_8, {"decision": "permit"})  # the decision log is no fact
    assert store.change_mark() == marks[-1]
