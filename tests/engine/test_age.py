"""Ages on the Oslo date: midnight, daylight saving, 29 February and the bands the law uses."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from access_policy.age import AgeBand, age_at, age_band, age_on, birthday, local_date

UTC = datetime.timezone.utc


def utc(text: str) -> datetime.datetime:
    """An instant written in UTC."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "oslo_date"),
    [
        ("2026-01-15T22:59", datetime.date(2026, 1, 15)),  # winter: UTC+1
        ("2026-01-15T23:00", datetime.date(2026, 1, 16)),
        ("2026-07-15T21:59", datetime.date(2026, 7, 15)),  # summer: UTC+2
        ("2026-07-15T22:00", datetime.date(2026, 7, 16)),
        ("2026-03-28T23:00", datetime.date(2026, 3, 29)),  # the night clocks go forward
        ("2026-10-24T22:00", datetime.date(2026, 10, 25)),  # the night clocks go back
        ("2026-12-31T23:00", datetime.date(2027, 1, 1)),
    ],
)
def test_local_date_is_the_oslo_date(instant: str, oslo_date: datetime.date) -> None:
    """The date that counts is the one on a clock in Oslo, not in UTC."""
    assert local_date(utc(instant)) == oslo_date


def test_local_date_needs_an_offset() -> None:
    """A time without a UTC offset is refused: it could be any of several instants."""
    with pytest.raises(ValueError, match="UTC offset"):
        local_date(datetime.datetime(2026, 1, 1, 12, 0))


@pytest.mark.parametrize(
    ("born", "minute_before", "midnight", "years"),
    [
        # 12th birthday on Sunday 29 March 2026, when clocks go forward at 02:00.
        (datetime.date(2014, 3, 29), "2026-03-28T22:59", "2026-03-28T23:00", 12),
        # 16th birthday on Sunday 25 October 2026, when clocks go back at 03:00.
        (datetime.date(2010, 10, 25), "2026-10-24T21:59", "2026-10-24T22:00", 16),
        # 18th birthday in winter and in summer.
        (datetime.date(2008, 1, 10), "2026-01-09T22:59", "2026-01-09T23:00", 18),
        (datetime.date(2008, 6, 14), "2026-06-13T21:59", "2026-06-13T22:00", 18),
    ],
)
def test_the_birthday_starts_at_midnight_in_oslo(
    born: datetime.date, minute_before: str, midnight: str, years: int
) -> None:
    """A child turns N at 00:00 Oslo time, whatever the offset is that night."""
    assert age_at(born, utc(minute_before)) == years - 1
    assert age_at(born, utc(midnight)) == years


def test_the_same_instant_in_any_offset_gives_the_same_age() -> None:
    """Only the instant matters, not the offset it is written in."""
    instant = utc("2026-03-28T23:30")
    for hours in (-10, 0, 1, 2, 9):
        written = instant.astimezone(datetime.timezone(datetime.timedelta(hours=hours)))
        assert age_at(datetime.date(2014, 3, 29), written) == 12


@pytest.mark.parametrize(
    ("born", "years", "expected"),
    [
        (datetime.date(2008, 2, 29), 16, datetime.date(2024, 2, 29)),  # leap year: the day itself
        (datetime.date(2008, 2, 29), 18, datetime.date(2026, 2, 28)),  # non-leap year: 28 February
        (datetime.date(2012, 2, 29), 12, datetime.date(2024, 2, 29)),
        (datetime.date(2012, 2, 29), 13, datetime.date(2025, 2, 28)),
        (datetime.date(2010, 3, 1), 16, datetime.date(2026, 3, 1)),
    ],
)
def test_birthdays_of_29_february(born: datetime.date, years: int, expected: datetime.date) -> None:
    """In a year without 29 February the child turns N on 28 February (the privacy-protective reading)."""
    assert birthday(born, years) == expected


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (datetime.date(2008, 2, 29), datetime.date(2026, 2, 27), 17),
        (datetime.date(2008, 2, 29), datetime.date(2026, 2, 28), 18),
        (datetime.date(2008, 2, 29), datetime.date(2026, 3, 1), 18),
        (datetime.date(2012, 2, 29), datetime.date(2024, 2, 28), 11),
        (datetime.date(2012, 2, 29), datetime.date(2024, 2, 29), 12),
        (datetime.date(2012, 2, 29), datetime.date(2025, 2, 27), 12),
        (datetime.date(2012, 2, 29), datetime.date(2025, 2, 28), 13),
        (datetime.date(2020, 5, 5), datetime.date(2020, 5, 4), -1),
        (datetime.date(2020, 5, 5), datetime.date(2020, 5, 5), 0),
    ],
)
def test_age_on_a_date(born: datetime.date, on: datetime.date, years: int) -> None:
    """Whole years on a local date, negative before birth."""
    assert age_on(born, on) == years


def test_29_february_at_midnight_on_28_february() -> None:
    """The 18th birthday of a child born 29 February 2008 begins at 00:00 Oslo time on 28 February 2026."""
    born = datetime.date(2008, 2, 29)
    assert age_at(born, utc("2026-02-27T22:59")) == 17
    assert age_at(born, utc("2026-02-27T23:00")) == 18


@pytest.mark.parametrize(
    ("years", "band"),
    [
        (None, AgeBand.UNKNOWN),
        (-1, AgeBand.UNKNOWN),
        (0, AgeBand.UNDER_12),
        (11, AgeBand.UNDER_12),
        (12, AgeBand.FROM_12_TO_15),
        (15, AgeBand.FROM_12_TO_15),
        (16, AgeBand.FROM_16_TO_17),
        (17, AgeBand.FROM_16_TO_17),
        (18, AgeBand.ADULT),
        (120, AgeBand.ADULT),
    ],
)
def test_age_bands(years: int | None, band: AgeBand) -> None:
    """The bands change at 12, 16 and 18; no age or an age before birth is unknown."""
    assert age_band(years) is band


@settings(max_examples=200, deadline=None)
@given(
    born=st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31)),
    first=st.dates(datetime.date(1990, 1, 1), datetime.date(2050, 12, 31)),
    days=st.integers(0, 800),
)
def test_age_never_goes_down_and_grows_by_one_a_year(born: datetime.date, first: datetime.date, days: int) -> None:
    """Age is monotonic in the date and rises by at most one from one day to the next."""
    later = first + datetime.timedelta(days=days)
    assert age_on(born, first) <= age_on(born, later)
    next_day = first + datetime.timedelta(days=1)
    assert age_on(born, next_day) - age_on(born, first) in (0, 1)
