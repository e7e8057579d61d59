"""Person and organisation numbers: kinds, birth dates and errors that name the field."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

from access_policy.errors import InvalidIdError
from access_policy.identity import (
    PersonIdKind,
    is_organisation_number,
    make_person_id,
    parse_organisation_number,
    parse_party_id,
    parse_person_id,
)

_CHECK1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)


def with_check_digits(base: str, remainder: int = 0) -> str | None:
    """Complete nine digits to a number whose first check digit leaves `remainder` mod 11 (None if impossible)."""
    weighted = sum(w * int(d) for w, d in zip(_CHECK1_WEIGHTS, base))
    check1 = (remainder - weighted) % 11
    if check1 > 9:
        return None
    check2 = fodselsnummer.calc_check_digit2(base + str(check1))
    return None if len(check2) != 1 else base + str(check1) + check2


def first_with_check_digits(base: str, remainder: int = 0) -> str:
    """The first individual number from `base` on that can carry valid check digits."""
    for step in range(50):
        candidate = base[:6] + f"{(int(base[6:]) + step) % 1000:03d}"
        number = with_check_digits(candidate, remainder)
        if number is not None:
            return number
    raise AssertionError(f"no valid number from {base}")


@pytest.mark.parametrize(
    ("number", "kind", "birth_date"),
    [
        ("15059912345", PersonIdKind.FODSELSNUMMER, datetime.date(1999, 5, 15)),
        ("15050551242", PersonIdKind.FODSELSNUMMER, datetime.date(2005, 5, 15)),
        ("29021251265", PersonIdKind.FODSELSNUMMER, datetime.date(2012, 2, 29)),
        ("55059912339", PersonIdKind.D_NUMBER, datetime.date(1999, 5, 15)),
        ("15459912328", PersonIdKind.H_NUMBER, datetime.date(1999, 5, 15)),
        ("15850551208", PersonIdKind.SYNTHETIC, datetime.date(2005, 5, 15)),
        ("55850551382", PersonIdKind.SYNTHETIC, datetime.date(2005, 5, 15)),
    ],
)
def test_person_numbers_with_a_birth_date(number: str, kind: PersonIdKind, birth_date: datetime.date) -> None:
    """Each kind of classic number gives its kind and the birth date it carries."""
    parsed = parse_person_id(number)
    assert (parsed.value, parsed.kind, parsed.birth_date) == (number, kind, birth_date)


def test_synthetic_numbers_are_normalised_because_stdnum_rejects_them() -> None:
    """Skatteetaten's test population (month + 80) is not valid to python-stdnum, but is to us."""
    assert not fodselsnummer.is_valid("15850551208")
    assert parse_person_id("15850551208").birth_date == datetime.date(2005, 5, 15)


def test_separators_are_removed() -> None:
    """A number written with a space is the same number."""
    assert parse_person_id("150599 12345").value == "15059912345"


@pytest.mark.parametrize("first_digit", ["8", "9"])
def test_fh_numbers_carry_no_birth_date(first_digit: str) -> None:
    """FH numbers (first digit 8 or 9) are valid but say nothing about the birth date."""
    number = first_with_check_digits(first_digit + "10101123")
    parsed = parse_person_id(number)
    assert (parsed.kind, parsed.birth_date) == (PersonIdKind.FH_NUMBER, None)


@pytest.mark.parametrize("remainder", [1, 2, 3])
def test_2032_format_numbers_carry_no_birth_date(remainder: int) -> None:
    """From 2032 the first check digit may leave a remainder of 1–3; the register gives the birth date."""
    number = first_with_check_digits("150599123", remainder)
    assert fodselsnummer.calc_check_digit1(number) != number[9]
    parsed = parse_person_id(number)
    assert (parsed.kind, parsed.birth_date) == (PersonIdKind.FORMAT_2032, None)


@pytest.mark.parametrize("remainder", [4, 5, 9, 10])
def test_other_first_check_digit_remainders_are_refused(remainder: int) -> None:
    """Only remainders 0–3 are valid; anything else is a wrong check digit."""
    number = first_with_check_digits("150599123", remainder)
    with pytest.raises(InvalidIdError, match="check digit"):
        parse_person_id(number)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("15059912346", "check digit"),  # second check digit off by one
        ("15059912355", "check digit"),  # first check digit changed: the second no longer fits
        ("1505991234", "not 11 digits"),
        ("150599123456", "not 11 digits"),
        ("1505991234X", "not 11 digits"),
        ("", "not 11 digits"),
        ("abcdefghijk", "not 11 digits"),
        ("29021351286", "birth date"),  # 29 February 2013 does not exist
        ("15559912376", "birth date"),  # month 55 is neither a month nor month + 40 or + 80
    ],
)
def test_invalid_person_numbers_name_the_field(value: str, problem: str) -> None:
    """A bad number is a typed error that says which field and why."""
    with pytest.raises(InvalidIdError) as raised:
        parse_person_id(value, "mother")
    error = raised.value
    assert error.code == "invalid-id"
    assert [p.field for p in error.problems] == ["mother"]
    assert str(error).startswith("`mother`:")
    assert problem in str(error)


def test_a_person_number_must_be_a_string() -> None:
    """A number given as an integer is refused, not coerced (leading zeros would be lost)."""
    with pytest.raises(InvalidIdError, match="string"):
        parse_person_id(15059912345, "child")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["123456785", "974760673", "123 456 785"])
def test_valid_organisation_numbers(value: str) -> None:
    """Organisation numbers pass the mod-11 check and come back compact."""
    assert parse_organisation_number(value) == value.replace(" ", "")


@pytest.mark.parametrize("value", ["123456789", "12345678", "1234567850", "12345678A"])
def test_invalid_organisation_numbers_name_the_field(value: str) -> None:
    """A bad organisation number names the field too."""
    with pytest.raises(InvalidIdError) as raised:
        parse_organisation_number(value, "holder")
    assert [p.field for p in raised.value.problems] == ["holder"]


def test_parties_are_persons_or_organisations() -> None:
    """A requester is a person (11 digits) or an organisation (9 digits), each checked as such."""
    assert parse_party_id("123456785") == "123456785"
    assert parse_party_id("15059912345") == "15059912345"
    assert is_organisation_number("123456785") and not is_organisation_number("15059912345")
    with pytest.raises(InvalidIdError) as raised:
        parse_party_id("123456789", "requester")
    assert raised.value.problems[0].field == "requester"
    with pytest.raises(InvalidIdError):
        parse_party_id("1505991234", "requester")


@settings(max_examples=200, deadline=None)
@given(
    birth_date=st.dates(datetime.date(1900, 1, 1), datetime.date(2039, 12, 31)),
    serial=st.integers(0, 249),
    synthetic=st.booleans(),
    d_number=st.booleans(),
)
def test_made_numbers_read_back(birth_date: datetime.date, serial: int, synthetic: bool, d_number: bool) -> None:
    """Test numbers made for a birth date are valid and carry that birth date."""
    number = make_person_id(birth_date, serial, synthetic=synthetic, d_number=d_number)
    parsed = parse_person_id(number)
    assert parsed.birth_date == birth_date
    expected = PersonIdKind.SYNTHETIC if synthetic else PersonIdKind.D_NUMBER if d_number else PersonIdKind.FODSELSNUMMER
    assert parsed.kind is expected


def _verdict(parse, value: object) -> object:
    """What a parser says of a value: the parsed id, or the refusal's field and message."""
    try:
        return parse(value, "child")
    except InvalidIdError as error:
        return ("refused", str(error), tuple(error.problems))


def _generated_ids(count: int, seed: int) -> list[object]:
    """Plain and odd person numbers: valid ones of every kind, near misses, and values no id has the shape of."""
    import random

    rng = random.Random(seed)
    values: list[object] = []
    for _ in range(count):
        values.append(f"{rng.randrange(10**11):011d}")  # mostly a wrong check digit
        completed = with_check_digits(f"{rng.randrange(10**9):09d}", rng.choice((0, 0, 0, 1, 2, 3)))
        if completed is not None:  # right check digits, any date (day 00, month 13, D/H/synthetic/FH)
            values.append(completed)
            position = rng.randrange(11)
            values.append(completed[:position] + str((int(completed[position]) + 1) % 10) + completed[position + 1 :])
        born = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(130 * 365))
        try:
            valid = make_person_id(born, rng.randrange(250), synthetic=rng.random() < 0.5, d_number=rng.random() < 0.3)
        except ValueError:
            continue
        values.append(valid)
    valid = [value for value in values if isinstance(value, str)][:50]
    for value in valid:
        values += [f" {value}", f"{value[:6]} {value[6:]}", f"{value[:6]}-{value[6:]}", value[:10], value + "0"]
        values.append(value.translate(str.maketrans("0123456789", "０１２３４５６７８９")))  # digits, not ASCII
    values += [None, 12345678901, "", "abcdefghijk", "1234567890a"]
    return values


def test_the_fast_person_id_path_gives_the_validated_paths_verdict_on_every_value():
    from access_policy.identity import checked_person_id, person_id, quick_person_id

    values = _generated_ids(20_000, seed=11)
    fast = accepted = refused = 0
    for value in values:
        expected = _verdict(checked_person_id, value)
        assert _verdict(person_id, value) == expected, value
        assert _verdict(parse_person_id, value) == expected, value
        if quick_person_id(value) is not None:
            fast += 1
        if isinstance(expected, tuple):
            refused += 1
        else:
            accepted += 1
    # Both verdicts are well represented, and the fast path answers for many ids (not 2032-format or FH ones).
    assert refused > 10_000 and accepted > 10_000 and fast > 10_000
