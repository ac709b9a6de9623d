"""Maintenance windows in Alertmanager's ``time_intervals`` vocabulary, checked early.

Alertmanager refuses a bad interval only when it loads the whole config, and then
names neither the spec file nor the line. The same rules are applied here, field by
field, so that ``25:00`` or ``friday:monday`` is reported where it was written. The
field names are Alertmanager's own, so a config snippet can be pasted unchanged.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated, Self

from pydantic import AfterValidator, Field, StrictInt, StrictStr, model_validator

from slogen.spec.models import Strict

WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_CLOCK = re.compile(r"^(?:([01][0-9]|2[0-3]):([0-5][0-9])|(24):(00))$")


def _minutes(text: str) -> int:
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a time of day; write HH:MM from 00:00 to 24:00")
    hours, minutes = (int(g) for g in match.groups() if g is not None)
    return hours * 60 + minutes


def _clock(text: str) -> str:
    _minutes(text)
    return text


def _bounds(text: str, what: str) -> tuple[str, str]:
    """Split ``a:b`` (or a single ``a``) into its two ends."""
    first, colon, last = text.partition(":")
    if not first or (colon and not last) or ":" in last:
        raise ValueError(f"{text!r} is not a {what} or a range of them such as {_example(what)}")
    return first, last or first


def _example(what: str) -> str:
    return {
        "weekday": "monday:friday",
        "day of the month": "1:5 or -3:-1",
        "month": "january:march or 1:3",
        "year": "2026:2027",
    }[what]


def _named(text: str, names: tuple[str, ...], what: str, numbered: bool) -> int:
    lowered = text.lower()
    if lowered in names:
        return names.index(lowered) + (1 if numbered else 0)
    if numbered and lowered.isdigit() and 1 <= int(lowered) <= len(names):
        return int(lowered)
    accepted = f"{names[0]} to {names[-1]}" + (f" or 1 to {len(names)}" if numbered else "")
    raise ValueError(f"{text!r} is not a {what}; use {accepted}")


def _weekdays(text: str) -> str:
    first, last = _bounds(text, "weekday")
    if _named(first, WEEKDAYS, "weekday", False) > _named(last, WEEKDAYS, "weekday", False):
        raise ValueError(
            f"{text!r} runs backwards; a week runs sunday to saturday, so list two ranges "
            "(e.g. friday:saturday and sunday:monday)"
        )
    return text


def _months(text: str) -> str:
    first, last = _bounds(text, "month")
    if _named(first, MONTHS, "month", True) > _named(last, MONTHS, "month", True):
        raise ValueError(f"{text!r} runs backwards; list two ranges across the new year")
    return text


def _day(text: str) -> int:
    if not re.fullmatch(r"-?\d+", text) or not 1 <= abs(int(text)) <= 31:
        raise ValueError(
            f"{text!r} is not a day of the month; use 1 to 31, or -1 to -31 counting from "
            "the month's end"
        )
    return int(text)


def _days(text: str) -> str:
    first, last = (_day(part) for part in _bounds(text, "day of the month"))
    if first < 0 < last:
        raise ValueError(f"{text!r} starts from the month's end and ends from its start")
    # Alertmanager compares a day counted from the end as if the month had 30 days.
    if (first if first > 0 else 30 + first) > (last if last > 0 else 30 + last):
        raise ValueError(
            f"{text!r} runs backwards (Alertmanager counts -1 as day 29 when comparing); "
            "write the earlier day first"
        )
    return text


def _years(text: str) -> str:
    parts = _bounds(text, "year")
    if not all(re.fullmatch(r"\d{4}", part) for part in parts):
        raise ValueError(f"{text!r} is not a year or a range of years such as 2026:2027")
    if int(parts[0]) > int(parts[1]):
        raise ValueError(f"{text!r} runs backwards; write the earlier year first")
    return text


def _location(name: str) -> str:
    if name == "Local":
        raise ValueError(
            "'Local' depends on the clock of whichever host runs Alertmanager; "
            "name the zone, e.g. Europe/Berlin or UTC"
        )
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not a time zone of the IANA database; write e.g. Europe/Berlin or UTC"
        ) from None
    return name


ClockTime = Annotated[StrictStr, AfterValidator(_clock), Field(examples=["02:00", "24:00"])]
Weekdays = Annotated[StrictStr, AfterValidator(_weekdays)]
DaysOfMonth = Annotated[StrictStr | StrictInt, AfterValidator(str), AfterValidator(_days)]
Months = Annotated[StrictStr | StrictInt, AfterValidator(str), AfterValidator(_months)]
Years = Annotated[StrictStr | StrictInt, AfterValidator(str), AfterValidator(_years)]


class TimeRangeSpec(Strict):
    """A span of the day, start inclusive, end exclusive, in the interval's location."""

    start_time: ClockTime
    end_time: ClockTime

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if _minutes(self.start_time) >= _minutes(self.end_time):
            raise ValueError(
                f"start_time {self.start_time} is not before end_time {self.end_time}; a span "
                "across midnight is two spans (e.g. 22:00-24:00 and 00:00-02:00)"
            )
        return self


class TimeIntervalSpec(Strict):
    """When a maintenance window is open: every given field must match (unset = any)."""

    times: Annotated[list[TimeRangeSpec], Field(min_length=1)] | None = None
    weekdays: list[Weekdays] | None = Field(
        default=None, min_length=1, examples=[["monday:friday"]]
    )
    days_of_month: list[DaysOfMonth] | None = Field(
        default=None, min_length=1, examples=[["1:7", "-1"]]
    )
    months: list[Months] | None = Field(default=None, min_length=1, examples=[["january:march"]])
    years: list[Years] | None = Field(default=None, min_length=1, examples=[["2026"]])
    location: Annotated[StrictStr, AfterValidator(_location)] | None = Field(
        default=None, description="IANA time zone of times and days; UTC when unset"
    )

    @model_validator(mode="after")
    def _something(self) -> Self:
        given = [k for k in self.model_fields_set - {"location"} if getattr(self, k) is not None]
        if not given:
            raise ValueError(
                "an interval with no times, weekdays, days_of_month, months or years is "
                "always open; say when the window is"
            )
        return self
