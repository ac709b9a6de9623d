"""Calendar SLO periods: a week, month or quarter whose budget starts afresh.

Many SLOs are agreed per calendar period ("99.9% in November"). Such a period is a
:class:`CalendarPeriod` on the SLO (``SLO.calendar``) beside its ``period`` in seconds,
which stays the nominal length the burn factors are computed from (7d, 30d, 90d), so
burn alerts are those of the rolling period of that length. Generators ask here how to
name the period and where it starts, rather than re-deriving it from the spec.

Time zones are fixed offsets from UTC only: Prometheus' date functions (``month()``,
``day_of_month()``, ...) work in UTC, and ``time() + offset`` moves every boundary by
the same amount all year, which is exact. A zone with daylight saving moves its
offset twice a year on dates PromQL cannot know, so named zones are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from slogen.durations import format_duration, parse_duration

CalendarUnit = Literal["week", "month", "quarter"]
UNITS: tuple[CalendarUnit, ...] = ("week", "month", "quarter")
DAY = 86400

NOMINAL_DAYS: dict[CalendarUnit, int] = {"week": 7, "month": 30, "quarter": 90}
"""The length the burn factors use: a week is always 7 days; a month is taken as the
SRE Workbook's 30 days and a quarter as three of them. Burn alerts of a calendar month
are therefore exactly those of a rolling 30d period; in a 31-day month they fire at
30/31 of the share of the month's budget their policy names (a little early, never
late), in February at 30/28 of it."""

LONGEST_DAYS: dict[CalendarUnit, int] = {"week": 7, "month": 31, "quarter": 92}
"""The longest period of each unit: how far back the period-to-date sums must read."""

MAX_OFFSET = 14 * 3600
"""Fixed offsets up to UTC+14:00, the easternmost of the world's clocks."""
MIN_OFFSET = -12 * 3600
"""And down to UTC-12:00, the westernmost."""

EPOCH_DAYS: dict[CalendarUnit, int] = {"week": 7, "month": 31, "quarter": 90}
"""The length of the period in progress at 1970-01-01 00:00 in the period's zone,
where the alert proofs start: January, the first quarter of 1970, a week begun on the
Monday before. The proofs judge the budget against it."""

EPOCH_END_DAYS: dict[CalendarUnit, int] = {"week": 4, "month": 31, "quarter": 90}
"""Days from 1970-01-01 00:00 to the end of that period: the week ends on Monday
1970-01-05, so a proof of a weekly budget has four days, not seven."""

ALLOWED = (
    "`calendar week` (ISO weeks from Monday), `calendar month` or `calendar quarter`, "
    "optionally followed by a fixed time zone `UTC` (the default) or `UTC+HH:MM` / "
    "`UTC-HH:MM` from UTC-12:00 to UTC+14:00, e.g. `calendar month UTC-05:00`"
)

_SPELLING = re.compile(r"calendar\s+(?P<unit>\S+)(?:\s+(?P<zone>\S+))?")
_OFFSET = re.compile(r"UTC(?:(?P<sign>[+-])(?P<hours>\d{2}):(?P<minutes>\d{2}))?")


@dataclass(frozen=True)
class CalendarPeriod:
    """A calendar period in a fixed time zone, ``offset`` seconds east of UTC."""

    unit: CalendarUnit
    offset: int = 0

    @property
    def nominal(self) -> int:
        """Seconds the burn factors and every period-length figure use."""
        return NOMINAL_DAYS[self.unit] * DAY

    @property
    def epoch_length(self) -> int:
        """Seconds of the period in progress where the alert proofs run (see EPOCH_DAYS)."""
        return EPOCH_DAYS[self.unit] * DAY

    @property
    def epoch_end(self) -> int:
        """Seconds from 1970-01-01 00:00 in the period's zone to the end of the period
        in progress there (see EPOCH_END_DAYS)."""
        return EPOCH_END_DAYS[self.unit] * DAY

    @property
    def longest(self) -> int:
        """Seconds of the longest period of this unit (31 days for a month)."""
        return LONGEST_DAYS[self.unit] * DAY

    @property
    def zone(self) -> str:
        """``UTC`` or ``UTC+HH:MM``, as the spec writes it."""
        if self.offset == 0:
            return "UTC"
        sign = "+" if self.offset > 0 else "-"
        hours, minutes = divmod(abs(self.offset) // 60, 60)
        return f"UTC{sign}{hours:02d}:{minutes:02d}"

    @property
    def name(self) -> str:
        """What people call it: ``calendar month (UTC)``."""
        return f"calendar {self.unit} ({self.zone})"

    @property
    def this(self) -> str:
        """The period in progress, for alerts and documents: ``this calendar month``."""
        return f"this calendar {self.unit} ({self.zone})"

    @property
    def spelling(self) -> str:
        """The window as a spec writes it, which parses back to this period."""
        return f"calendar {self.unit}" + ("" if self.offset == 0 else f" {self.zone}")

    @property
    def grafana_start(self) -> str:
        """Grafana's relative time for the start of the period in progress."""
        return {"week": "now/w", "month": "now/M", "quarter": "now/Q"}[self.unit]


def parse_window(text: str) -> tuple[int, CalendarPeriod | None]:
    """A spec's ``window``: seconds and no calendar for a rolling one (``30d``); the
    nominal seconds and the calendar period for ``calendar month`` and its kin.
    Raises ValueError saying what is allowed."""
    if not text.strip().startswith("calendar"):
        return parse_duration(text), None
    calendar = parse_calendar(text)
    return calendar.nominal, calendar


def parse_calendar(text: str) -> CalendarPeriod:
    """``calendar month``, ``calendar week UTC``, ``calendar quarter UTC-05:00``."""
    found = _SPELLING.fullmatch(text.strip())
    if found is None or found["unit"] not in UNITS:
        raise ValueError(f"{text!r} is not a calendar window; write {ALLOWED}")
    unit: CalendarUnit = found["unit"]
    zone = found["zone"]
    return CalendarPeriod(unit, 0 if zone is None else parse_offset(zone, text))


def parse_offset(zone: str, text: str) -> int:
    """Seconds east of UTC of ``UTC``, ``UTC+HH:MM`` or ``UTC-HH:MM`` (negative)."""
    found = _OFFSET.fullmatch(zone)
    if found is None:
        raise ValueError(
            f"time zone {zone!r} in {text!r} is not one slogen can compute exactly: "
            "Prometheus' date functions know only UTC, so a calendar window takes UTC or "
            "a fixed offset such as UTC+01:00 or UTC-05:00; a named zone with daylight "
            "saving (Europe/Berlin) moves its boundaries on dates PromQL cannot know"
        )
    if found["sign"] is None:
        return 0
    hours, minutes = int(found["hours"]), int(found["minutes"])
    offset = (hours * 3600 + minutes * 60) * (-1 if found["sign"] == "-" else 1)
    if minutes >= 60 or not MIN_OFFSET <= offset <= MAX_OFFSET:
        raise ValueError(
            f"time zone {zone!r} in {text!r} is outside UTC-12:00 to UTC+14:00 "
            "(minutes from 00 to 59)"
        )
    return offset


def period_name(period: int, calendar: CalendarPeriod | None) -> str:
    """The SLO period as text: ``30d`` for a rolling one, ``calendar month (UTC)``."""
    return format_duration(period) if calendar is None else calendar.name


def window_spelling(period: int, calendar: CalendarPeriod | None) -> str:
    """The window as a spec writes it: ``30d`` or ``calendar month``."""
    return format_duration(period) if calendar is None else calendar.spelling


def over(period: int, calendar: CalendarPeriod | None) -> str:
    """The objective's span as a sentence says it: ``over 28d``, ``per calendar month
    (UTC)``."""
    return f"over {format_duration(period)}" if calendar is None else f"per {calendar.name}"
