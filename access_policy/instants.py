"""Plausible instants: times a caller may hand the service or the store without poisoning a child's facts."""

from __future__ import annotations

import datetime

from access_policy.errors import InvalidInputError

UTC = datetime.timezone.utc
# Nothing in this domain happens outside these years; `9999-12-31T23:59:59-14:00` would overflow
# on conversion, and a year-9000 validity would poison a child's facts for good.
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime.datetime(2200, 1, 1, tzinfo=UTC)
RANGE = "between the years 1900 and 2199"


def check_plausible(value: datetime.datetime) -> datetime.datetime:
    """The instant in UTC; raise `ValueError` unless it has an offset and lies in [1900, 2200)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a UTC offset")
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(f"must be an instant {RANGE}") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(f"must be an instant {RANGE}")
    return utc


def plausible_field(name: str, value: datetime.datetime | None) -> None:
    """Raise `InvalidInputError` naming `name` unless `value` is absent or plausible."""
    if value is None:
        return
    try:
        check_plausible(value)
    except ValueError as error:
        raise InvalidInputError.for_field(name, str(error)) from None


def not_ahead(name: str, value: datetime.datetime, now: datetime.datetime, skew: datetime.timedelta) -> None:
    """Raise `InvalidInputError` when `value` lies more than `skew` after `now` (a clock gone wrong)."""
    plausible_field(name, value)
    if value - now > skew:
        raise InvalidInputError.for_field(
            name,
            f"{value.isoformat()} is more than {int(skew.total_seconds())} s after the service's clock "
            f"({now.isoformat(timespec='seconds')}); a register read cannot come from the future",
        )
