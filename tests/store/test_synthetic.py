"""The synthetic population: deterministic, unique ids, all ages, and facts only where the law allows them."""

from __future__ import annotations

import collections
import json

from access_policy.age import age_on
from access_policy.facts import FactKind
from access_policy.identity import parse_person_id
from access_policy.synthetic import REFERENCE_DATE, children, fact_drafts, import_lines


def test_the_same_seed_gives_the_same_data():
    assert list(import_lines(200, seed=9)) == list(import_lines(200, seed=9))
    assert list(import_lines(200, seed=9)) != list(import_lines(200, seed=10))
    assert [d[0] for d in fact_drafts(500, seed=9)] == [d[0] for d in fact_drafts(500, seed=9)]


def test_a_population_of_all_kinds():
    population = list(children(12_000, seed=2))
    ids = [c.child for c in population]
    parents = {h["id"] for c in population for h in c.line["holders"] if "id" in h}
    assert len(set(ids)) == len(ids) and not parents & set(ids)
    ages = collections.Counter(age_on(c.birth_date, REFERENCE_DATE) for c in population)
    assert set(ages) == set(range(20))
    for c in population[:500]:
        assert parse_person_id(c.child).birth_date == c.birth_date
    shapes = collections.Counter()
    for c in population:
        for holder in c.line["holders"]:
            shapes["organisation" if "organisation" in holder else holder["responsibility"]] += 1
        shapes[c.line["address_protection"]] += 1
        shapes[len(c.line["holders"])] += 1
        for kind, _, author in c.facts:
            shapes[kind] += 1
            if kind is FactKind.SHARING_GRANTS:
                assert author.person == c.child  # the adolescent's own grant
            else:
                assert author.hpr and author.org
            if kind is FactKind.ASSESSMENTS:
                assert 12 <= age_on(c.birth_date, REFERENCE_DATE) <= 15
    # The benchmark population holds the clinicians' four classic kinds; sharing grants and care
    # orders are in the demo families (tests/store/test_engine_over_store.py shows every rule).
    classic = (FactKind.EXEMPTIONS, FactKind.ASSESSMENTS, FactKind.ACCESS_PROFILES, FactKind.NECESSARY_INFORMATION)
    for wanted in ("felles", "mor", "far", "ukjent", "organisation", "fortrolig", "strengtFortrolig", 1, 2, *classic):
        assert shapes[wanted] > 0, wanted


def test_import_lines_are_the_contracts_shape():
    line = json.loads(next(import_lines(1)))
    assert set(line) == {"child", "birth_date", "address_protection", "holders", "retrieved_at"}


def _reference_person_id(birth_date, serial, synthetic=True, d_number=False):
    """make_person_id as first written, with python-stdnum's check digits."""
    from stdnum.no import fodselsnummer

    first, last = (500, 999) if birth_date.year >= 2000 else (0, 499)
    day = birth_date.day + (40 if d_number else 0)
    month = birth_date.month + (80 if synthetic else 0)
    for individual in range(first + serial * 2 % (last - first + 1), last + 1):
        base = f"{day:02d}{month:02d}{birth_date.year % 100:02d}{individual:03d}"
        check1 = fodselsnummer.calc_check_digit1(base)
        if len(check1) != 1:
            continue
        check2 = fodselsnummer.calc_check_digit2(base + check1)
        if len(check2) != 1:
            continue
        return base + check1 + check2
    return None


def test_make_person_id_keeps_its_numbers():
    import datetime
    import random

    from access_policy.identity import make_person_id

    rng = random.Random(5)
    for _ in range(20_000):
        birth = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(46_000))
        serial, synthetic, d_number = rng.randrange(250), rng.random() < 0.5, rng.random() < 0.3
        expected = _reference_person_id(birth, serial, synthetic, d_number)
        if expected is None:
            continue
        assert make_person_id(birth, serial, synthetic=synthetic, d_number=d_number) == expected
