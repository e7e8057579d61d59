"""Norwegian person and organisation numbers: validation, kind and (where it can be read) birth date.

Person numbers are validated with python-stdnum. Two kinds it does not know are handled here:
Skatteetaten's synthetic test numbers (month + 80), which are normalised before the birth date
is read, and numbers in the format used from 2032, whose first check digit may leave a mod-11
remainder of 0–3 and whose birth date must come from the population register.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from functools import lru_cache

from stdnum import exceptions as stdnum_errors
from stdnum.no import fodselsnummer, orgnr

from access_policy.errors import InvalidIdError

# Weights of the first check digit including the digit itself: a classic number sums to 0 mod 11.
_CHECK1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
# From 2032 the first check digit is accepted with these remainders (0 is the classic case).
_CHECK1_REMAINDERS_2032 = frozenset({1, 2, 3})


class PersonIdKind(str, enum.Enum):
    """What kind of person number an id is."""

    FODSELSNUMMER = "fodselsnummer"
    D_NUMBER = "d-number"
    H_NUMBER = "h-number"
    SYNTHETIC = "synthetic"
    FH_NUMBER = "fh-number"
    FORMAT_2032 = "format-2032"


@dataclass(frozen=True, slots=True)
class PersonId:
    """A validated 11-digit person number and what can be read from it."""

    value: str
    kind: PersonIdKind
    birth_date: datetime.date | None


def _check1_remainder(digits: str) -> int:
    return sum(w * int(d) for w, d in zip(_CHECK1_WEIGHTS, digits)) % 11


def _classic_birth_date(digits: str) -> datetime.date | None:
    """Birth date of a number with a classic check digit, month normalised for synthetic numbers."""
    month = int(digits[2:4])
    if month > 80:  # Skatteetaten's synthetic population: stdnum rejects the month, so normalise.
        digits = digits[:2] + f"{month - 80:02d}" + digits[4:]
    try:
        return fodselsnummer.get_birth_date(digits)
    except stdnum_errors.ValidationError:
        return None


def _classic_kind(day: int, month: int) -> PersonIdKind:
    """The kind of a number with classic check digits, from its day and month digits."""
    if month > 80:
        return PersonIdKind.SYNTHETIC
    if month > 40:
        return PersonIdKind.H_NUMBER
    if day > 40:
        return PersonIdKind.D_NUMBER
    return PersonIdKind.FODSELSNUMMER


@lru_cache(maxsize=65536)
def parse_person_id(value: str, field: str = "id") -> PersonId:
    """Validate a person number; raise `InvalidIdError` naming `field` when it is not valid."""
    # The plain case read straight from the digits (a tenth of python-stdnum's time); the same
    # verdict as the full reading, which a test checks over many generated values.
    return quick_person_id(value) or checked_person_id(value, field)


def checked_person_id(value: str, field: str = "id") -> PersonId:
    """Validate a person number through python-stdnum, every case: the reference `quick_person_id` agrees with."""
    if not isinstance(value, str):
        raise InvalidIdError.for_field(field, "must be a string of 11 digits")
    digits = fodselsnummer.compact(value)
    if len(digits) != 11 or not digits.isdigit():
        # The value is not echoed: it may be a person number with a typo, and problems reach logs.
        raise InvalidIdError.for_field(field, "is not 11 digits")
    if digits[-1] != fodselsnummer.calc_check_digit2(digits):
        raise InvalidIdError.for_field(field, "has a wrong check digit")
    remainder = _check1_remainder(digits)
    if remainder in _CHECK1_REMAINDERS_2032:
        # 2032 format: no century, no gender; the register gives the birth date.
        return PersonId(digits, PersonIdKind.FORMAT_2032, None)
    if remainder != 0:
        raise InvalidIdError.for_field(field, "has a wrong check digit")
    if int(digits[0]) >= 8:
        return PersonId(digits, PersonIdKind.FH_NUMBER, None)
    kind = _classic_kind(int(digits[0:2]), int(digits[2:4]))
    birth_date = _classic_birth_date(digits)
    if birth_date is None:
        raise InvalidIdError.for_field(field, "does not hold a valid birth date")
    return PersonId(digits, kind, birth_date)


def quick_person_id(value: object) -> PersonId | None:
    """The parsed person number when it is a plain classic number with a birth date; None when unsure.

    Ids read per request and by the million in a bulk import would spend most of their time in
    python-stdnum's generic string cleaning; this reads the plain case (11 ASCII digits, classic
    check digits, a birth date) straight from the digits, with the verdict `checked_person_id`
    gives, and leaves every other case (2032 format, FH numbers, spaces, errors) to it.
    """
    if type(value) is not str or len(value) != 11 or not value.isascii() or not value.isdigit():
        return None
    # Digits as byte values: each weighted sum carries 48 × (sum of weights), taken off once.
    d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10 = value.encode()
    check2 = (11 - (5 * d0 + 4 * d1 + 3 * d2 + 2 * d3 + 7 * d4 + 6 * d5 + 5 * d6 + 4 * d7 + 3 * d8 + 2 * d9 - 48 * 41)) % 11
    if check2 != d10 - 48 or d0 >= 56:
        return None
    if (3 * d0 + 7 * d1 + 6 * d2 + d3 + 8 * d4 + 9 * d5 + 4 * d6 + 5 * d7 + 2 * d8 + d9 - 48 * 46) % 11 != 0:
        return None
    day, month = (d0 - 48) * 10 + d1 - 48, (d2 - 48) * 10 + d3 - 48
    year, individual = (d4 - 48) * 10 + d5 - 48, (d6 - 48) * 100 + (d7 - 48) * 10 + d8 - 48
    kind = _classic_kind(day, month)
    if month > 80:
        month -= 80
    # python-stdnum's reading of D- and H-numbers and of the century.
    if day > 40:
        day -= 40
    if month > 40:
        month -= 40
    if individual < 500:
        year += 1900
    elif individual < 750 and year >= 54:
        year += 1800
    elif individual < 1000 and year < 40:
        year += 2000
    elif 900 <= individual < 1000 and year >= 40:
        year += 1900
    else:
        return None
    try:
        return PersonId(value, kind, datetime.date(year, month, day))
    except ValueError:
        return None


def person_id(value: str, field: str = "id") -> PersonId:
    """Parse a person number as `parse_person_id` does, fast for the plain case, without its cache
    (millions of ids in a bulk import would only churn it); raises `InvalidIdError` naming `field`."""
    return quick_person_id(value) or checked_person_id(value, field)


@lru_cache(maxsize=4096)
def parse_organisation_number(value: str, field: str = "organisation") -> str:
    """Validate a 9-digit organisation number and return it compact."""
    if not isinstance(value, str):
        raise InvalidIdError.for_field(field, "must be a string of 9 digits")
    try:
        return orgnr.validate(value)
    except stdnum_errors.ValidationError as error:
        # Echoed only when it has an organisation number's shape (a typo in one): anything longer
        # may be a person number sent in its place, which would reach the problem and logs.
        shown = f"`{value}` " if is_organisation_number(value) else ""
        raise InvalidIdError.for_field(field, f"{shown}is not a valid organisation number ({error})") from None


def is_organisation_number(value: str) -> bool:
    """True when the value has the shape of an organisation number (9 digits)."""
    return len(value) == 9 and value.isdigit()


def parse_party_id(value: str, field: str = "requester") -> str:
    """Validate a requester: an 11-digit person number or a 9-digit organisation number."""
    if isinstance(value, str) and is_organisation_number(value.strip()):
        return parse_organisation_number(value.strip(), field)
    return parse_person_id(value, field).value


def make_person_id(birth_date: datetime.date, serial: int, *, synthetic: bool = True, d_number: bool = False) -> str:
    """Build a valid person number for test and demo data (synthetic, month + 80, by default).

    `serial` (0–249) picks the individual number within the birth date's century range; numbers
    whose check digit would be 10 are skipped by moving to the next individual number.
    """
    if birth_date.year >= 2000:
        first, last = 500, 999
    elif birth_date.year >= 1900:
        first, last = 0, 499
    else:
        raise ValueError("birth dates before 1900 are not supported")
    day = birth_date.day + (40 if d_number else 0)
    month = birth_date.month + (80 if synthetic else 0)
    prefix = f"{day:02d}{month:02d}{birth_date.year % 100:02d}"
    # The date part's share of both weighted sums (fodselsnummer.calc_check_digit1/2), computed
    # once: synthetic populations of a million children call this millions of times.
    d = [int(c) for c in prefix]
    sum1 = 3 * d[0] + 7 * d[1] + 6 * d[2] + 1 * d[3] + 8 * d[4] + 9 * d[5]
    sum2 = 5 * d[0] + 4 * d[1] + 3 * d[2] + 2 * d[3] + 7 * d[4] + 6 * d[5]
    size = last - first + 1
    # Upwards from the serial's place, wrapping round to the range's start: near its end the
    # numbers left may all have a check digit of 10 (serial 249 on some dates).
    for offset in range(size):
        individual = first + (serial * 2 + offset) % size
        a, b, c = individual // 100, individual // 10 % 10, individual % 10
        check1 = (11 - (sum1 + 4 * a + 5 * b + 2 * c)) % 11
        if check1 == 10:
            continue
        check2 = (11 - (sum2 + 5 * a + 4 * b + 3 * c + 2 * check1)) % 11
        if check2 == 10:
            continue
        return f"{prefix}{individual:03d}{check1}{check2}"
    raise ValueError(f"no valid person number left for {birth_date} from serial {serial}")
