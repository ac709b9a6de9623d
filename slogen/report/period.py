"""The period a report covers, from ``--month``, ``--week`` or ``--from``/``--to``.

Every period is a half-open interval of whole seconds in UTC, ``[start, end)``:
a month or an ISO week begins at midnight UTC, so two consecutive reports meet
without a gap or an overlap, and the same arguments always name the same seconds
whoever runs the report and wherever. A calendar SLO whose window names a fixed zone
(``calendar month UTC+02:00``, ``UTC-05:00``) keeps its own boundaries: for it a month
or week begins at its own midnight, ``offset`` seconds before midnight UTC (after it
west of UTC; :func:`for_calendar`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from slogen.model_calendar import CalendarPeriod

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
EXAMPLES = "--month 2026-11, --week 2026-W47, or --from 2026-11-01 --to 2026-11-08T12:00Z"


class PeriodError(ValueError):
    """An argument that names no period; the message says which and how to write it."""


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in unix seconds, and how a reader names it (``2026-11``)."""

    start: int
    end: int
    name: str
    calendar: bool = False
    """Whether this is a calendar month or week (``--month``/``--week``), whose
    boundaries move with a calendar SLO's zone; a ``--from``/``--to`` span never moves."""
    offset: int = 0
    """Seconds east of UTC the boundaries are midnights of (0: UTC)."""

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise PeriodError(f"the period {self.name} ends before it starts")

    @property
    def seconds(self) -> int:
        return self.end - self.start

    def iso(self, at: float) -> str:
        """A time of the report as people and JSON read it: ``2026-11-01T00:00:00Z``."""
        return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def for_calendar(period: Period, calendar: CalendarPeriod | None) -> Period:
    """The period as an SLO judges it: a month or week asked for by ``--month`` or
    ``--week`` begins at midnight in the zone of a calendar SLO's window, which is
    ``offset`` seconds before midnight UTC, and is named with the zone
    (``2026-11 (UTC+02:00)``). Rolling SLOs, SLOs in UTC and ``--from``/``--to`` spans
    keep the period as given."""
    if calendar is None or not period.calendar or calendar.offset == 0:
        return period
    offset = calendar.offset
    name = f"{period.name} ({calendar.zone})"
    return replace(
        period, start=period.start - offset, end=period.end - offset, name=name, offset=offset
    )


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def month(text: str) -> Period:
    """``2026-11``: from the first of the month to the first of the next, UTC."""
    found = _MONTH.fullmatch(text)
    if not found:
        raise PeriodError(f"--month {text!r} is not a month written YYYY-MM, e.g. 2026-11")
    year, number = int(found[1]), int(found[2])
    if not 1 <= number <= 12 or year < 1970:
        raise PeriodError(f"--month {text!r}: no such month (months are 01 to 12, from 1970)")
    first = datetime(year, number, 1, tzinfo=UTC)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return Period(_seconds(first), _seconds(following), text, calendar=True)


def week(text: str) -> Period:
    """``2026-W47``: the ISO week, Monday 00:00 UTC to the next Monday."""
    found = _WEEK.fullmatch(text)
    if not found:
        raise PeriodError(f"--week {text!r} is not an ISO week written YYYY-Www, e.g. 2026-W47")
    year, number = int(found[1]), int(found[2])
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise PeriodError(
            f"--week {text!r}: {year} has no ISO week {number} (weeks run from 01 to 52 or 53)"
        ) from None
    if year < 1970:
        raise PeriodError(f"--week {text!r}: weeks before 1970 cannot be read")
    first = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return Period(_seconds(first), _seconds(first + timedelta(days=7)), text, calendar=True)


def instant(text: str, option: str) -> int:
    """An ISO 8601 date or time; one without a zone is UTC, one with a zone is kept."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PeriodError(
            f"{option} {text!r} is not an ISO 8601 date or time, e.g. 2026-11-01 or "
            "2026-11-01T12:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.timestamp() < 0:
        raise PeriodError(f"{option} {text!r}: times before 1970 cannot be read")
    if moment.timestamp() != int(moment.timestamp()):
        raise PeriodError(f"{option} {text!r}: give whole seconds")
    return _seconds(moment)


def between(start: str, end: str) -> Period:
    """``--from`` and ``--to``: both needed, the end after the start."""
    first, last = instant(start, "--from"), instant(end, "--to")
    if last <= first:
        raise PeriodError(f"--to {end!r} is not after --from {start!r}")
    return Period(first, last, f"{_name(first)} to {_name(last)}")


def _name(at: int) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def choose(
    month_text: str | None, week_text: str | None, start: str | None, end: str | None
) -> Period:
    """The one period the arguments name; PeriodError for none, several or half of one."""
    given = [month_text is not None, week_text is not None, start is not None or end is not None]
    if sum(given) != 1:
        raise PeriodError(f"name exactly one period: {EXAMPLES}")
    if month_text is not None:
        return month(month_text)
    if week_text is not None:
        return week(week_text)
    if start is None or end is None:
        raise PeriodError(f"--from and --to go together: {EXAMPLES}")
    return between(start, end)
