"""The child's age at an instant, counted on the local date in Europe/Oslo.

A child turns N at 00:00 local time on the birthday. A child born on 29 February turns N on
28 February in a year without one: the privacy-protective reading, since it moves the 12th and
16th birthdays (where parents lose access) earlier, never later. No Norwegian rule settles it.
"""

from __future__ import annotations

import datetime
import enum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

OSLO = ZoneInfo("Europe/Oslo")


class AgeBand(str, enum.Enum):
    """The age bands the law distinguishes."""

    UNDER_12 = "0-11"
    FROM_12_TO_15 = "12-15"
    FROM_16_TO_17 = "16-17"
    ADULT = "18+"
    UNKNOWN = "unknown"


def local_date(at: datetime.datetime) -> datetime.date:
    """The calendar date in Oslo at an aware instant."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the decision time must carry a UTC offset")
    return at.astimezone(OSLO).date()


def birthday(birth_date: datetime.date, years: int) -> datetime.date:
    """The date the child turns `years`; 29 February becomes 28 February in a year without it."""
    # relativedelta clips 29 February to the last day of February, which is the reading we want.
    return birth_date + relativedelta(years=years)


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Whole years of age on a local date (negative before birth)."""
    years = on.year - birth_date.year
    if birthday(birth_date, years) > on:
        years -= 1
    return years


def age_at(birth_date: datetime.date, at: datetime.datetime) -> int:
    """Whole years of age at an instant, on the Oslo date."""
    return age_on(birth_date, local_date(at))


def age_band(years: int | None) -> AgeBand:
    """The band an age falls in; unknown for no age or an age before birth."""
    if years is None or years < 0:
        return AgeBand.UNKNOWN
    if years < 12:
        return AgeBand.UNDER_12
    if years < 16:
        return AgeBand.FROM_12_TO_15
    if years < 18:
        return AgeBand.FROM_16_TO_17
    return AgeBand.ADULT
