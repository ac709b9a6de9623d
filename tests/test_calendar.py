"""Calendar windows: how the spec writes them, what it refuses, what the model holds."""

from __future__ import annotations

from pathlib import Path

import pytest

import slogen
from slogen.errors import SpecError
from slogen.model import Model
from slogen.model_calendar import CalendarPeriod, parse_window

SPEC = """\
service: shop
team: web
runbook: false
slos:
  - name: availability
    objective: 99.9
    window: {window}
    sli:
      events:
        errors: http_requests_total{{job="shop", code=~"5.."}}
        total: http_requests_total{{job="shop"}}
"""


@pytest.mark.parametrize(
    ("text", "seconds", "calendar"),
    [
        ("28d", 28 * 86400, None),
        ("calendar month", 30 * 86400, CalendarPeriod("month")),
        ("calendar week UTC", 7 * 86400, CalendarPeriod("week")),
        ("calendar quarter UTC+05:30", 90 * 86400, CalendarPeriod("quarter", 19800)),
        ("calendar month UTC-03:30", 30 * 86400, CalendarPeriod("month", -12600)),
    ],
)
def test_windows_parse_to_nominal_seconds_and_a_calendar(
    text: str, seconds: int, calendar: CalendarPeriod | None
) -> None:
    assert parse_window(text) == (seconds, calendar)


def test_a_calendar_period_names_itself() -> None:
    period = CalendarPeriod("month", 7200)
    assert period.name == "calendar month (UTC+02:00)"
    assert period.spelling == "calendar month UTC+02:00"
    assert parse_window(period.spelling) == (period.nominal, period)
    assert (period.longest, period.grafana_start) == (31 * 86400, "now/M")


def _load(tmp_path: Path, window: str) -> Model:
    (tmp_path / "shop.yaml").write_text(SPEC.format(window=window))
    return slogen.compile_model(slogen.load([tmp_path]))


def test_the_model_holds_the_calendar_period(tmp_path: Path) -> None:
    [slo] = list(_load(tmp_path, "calendar quarter UTC+01:00").slos())
    assert slo.calendar == CalendarPeriod("quarter", 3600)
    assert slo.period == 90 * 86400


@pytest.mark.parametrize(
    ("window", "said"),
    [
        ("calendar year", "is not a calendar window; write `calendar week`"),
        ("calendar month Europe/Berlin", "a named zone with daylight saving"),
        ("calendar month UTC-12:30", "is outside UTC-12:00 to UTC+14:00"),
        ("calendar month UTC+15:00", "is outside UTC-12:00 to UTC+14:00"),
        ("calendar month UTC+01:60", "minutes from 00 to 59"),
        ("monthly", "or a calendar window: `calendar week`"),
    ],
)
def test_bad_windows_are_refused_with_file_line_and_what_is_allowed(
    tmp_path: Path, window: str, said: str
) -> None:
    with pytest.raises(SpecError) as raised:
        _load(tmp_path, window)
    text = str(raised.value)
    assert "shop.yaml:7:" in text and said in text, text
