"""The compiled-filter cache: a cached filter is used only where a fresh compilation would answer the same."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from access_policy.filter import compile_filter
from access_policy.service.filter_cache import FilterCache
from tests.filter.test_filter import DAY, FATHER, HOUR, ITEMS, MOTHER, POLICY, STRANGER, T, exemption, family

CHILD = "child"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []
    import access_policy.service.filter_cache as module

    def counted(*args, **kwargs):
        calls.append(args)
        return compile_filter(*args, **kwargs)

    monkeypatch.setattr(module, "compile_filter", counted)
    return calls


def versioned(version: str = "7", **values):
    return family(**values).model_copy(update={"version": version})


def test_a_filter_is_reused_inside_its_horizon_and_compiled_again_outside_it(compiles) -> None:
    cache = FilterCache()
    facts = versioned(exemptions=(exemption({"item": "D1"}, valid_until=T + 5 * DAY),))
    first = cache.compiled(POLICY, facts, CHILD, MOTHER, T)
    assert first.valid_until == T + 5 * DAY and len(compiles) == 1
    again = cache.compiled(POLICY, facts, CHILD, MOTHER, T + 2 * DAY)
    assert len(compiles) == 1 and again.at == T + 2 * DAY and again.show == first.show
    # At the horizon the exemption has ended: compiled anew, and it shows everything.
    after = cache.compiled(POLICY, facts, CHILD, MOTHER, T + 5 * DAY)
    assert len(compiles) == 2 and after.mode == "all"
    # Before the instant it was compiled at, a cached filter proves nothing.
    cache.compiled(POLICY, facts, CHILD, MOTHER, T - HOUR)
    assert len(compiles) == 3


def test_new_facts_another_requester_or_no_version_are_compiled_anew(compiles) -> None:
    cache = FilterCache()
    cache.compiled(POLICY, versioned("7"), CHILD, MOTHER, T)
    exempted = versioned("8", exemptions=(exemption({"pathway": "P1"}),))
    assert cache.compiled(POLICY, exempted, CHILD, MOTHER, T).mode == "conditions"
    cache.compiled(POLICY, exempted, CHILD, FATHER, T)
    cache.compiled(POLICY, family(), CHILD, MOTHER, T)  # facts without a version: never cached
    cache.compiled(POLICY, family(), CHILD, MOTHER, T)
    assert len(compiles) == 5


def test_a_filter_that_shows_nothing_for_ever_is_not_remembered(compiles) -> None:
    cache = FilterCache()
    facts = versioned()
    assert cache.compiled(POLICY, facts, CHILD, STRANGER, T).mode == "none"
    cache.compiled(POLICY, facts, CHILD, STRANGER, T)
    assert len(compiles) == 2


def test_the_cache_is_bounded() -> None:
    cache = FilterCache(size=2)
    for version in ("1", "2", "3"):
        cache.compiled(POLICY, versioned(version), CHILD, MOTHER, T)
    assert len(cache._entries) == 2


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(-3 * 24, 10 * 24), later=st.integers(0, 12 * 24),
    ends=st.integers(2, 8), requester=st.sampled_from([MOTHER, FATHER]),
)
def test_a_cached_filter_answers_as_a_fresh_one_at_every_instant(start, later, ends, requester) -> None:
    facts = versioned(
        exemptions=(exemption({"pathway": "P1"}, valid_from=T + DAY, valid_until=T + ends * DAY),),
    )
    cache = FilterCache()
    first_at, asked_at = T + start * HOUR, T + (start + later) * HOUR
    cache.compiled(POLICY, facts, CHILD, requester, first_at)
    cached = cache.compiled(POLICY, facts, CHILD, requester, asked_at)
    fresh = compile_filter(POLICY, facts, requester, asked_at)
    assert [cached.matches(item) for item in ITEMS] == [fresh.matches(item) for item in ITEMS]
    assert cached.mode == fresh.mode
