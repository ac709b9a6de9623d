"""The periods ``slogen report`` takes: months, ISO weeks and spans in UTC, and a
calendar SLO's own month or week in its zone."""

from __future__ import annotations

from fractions import Fraction

import pytest

from slogen.model_calendar import CalendarPeriod
from slogen.report.figures import BurnDown, Report, SLOReport
from slogen.report.period import Period, PeriodError, choose, for_calendar, month, week
from slogen.report.render_markdown import as_markdown

NOV_1 = 1_793_491_200  # 2026-11-01T00:00:00Z
DAY = 86400


def test_a_month_runs_from_its_first_midnight_to_the_next_months() -> None:
    assert month("2026-11") == month("2026-11")
    november = month("2026-11")
    assert (november.start, november.seconds) == (NOV_1, 30 * DAY)
    assert month("2026-12").seconds == 31 * DAY and month("2027-02").seconds == 28 * DAY
    assert month("2026-12").end == month("2027-01").start


def test_an_iso_week_runs_monday_to_monday() -> None:
    w47 = week("2026-W47")
    assert w47.iso(w47.start) == "2026-11-16T00:00:00Z" and w47.seconds == 7 * DAY
    assert week("2026-W01").iso(week("2026-W01").start) == "2025-12-29T00:00:00Z"
    assert week("2026-W53").iso(week("2026-W53").start) == "2026-12-28T00:00:00Z"


def test_a_span_is_utc_unless_it_names_a_zone() -> None:
    plain = choose(None, None, "2026-11-01", "2026-11-08T12:00:00")
    assert (plain.start, plain.end) == (NOV_1, NOV_1 + 7 * DAY + 12 * 3600)
    zoned = choose(None, None, "2026-11-01T01:00:00+01:00", "2026-11-02T00:00:00Z")
    assert (zoned.start, zoned.seconds) == (NOV_1, DAY)
    assert plain.name == "2026-11-01T00:00:00Z to 2026-11-08T12:00:00Z"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2026-13", None, None, None), "--month '2026-13': no such month"),
        (("2026-1", None, None, None), "not a month written YYYY-MM"),
        ((None, "2025-W53", None, None), "2025 has no ISO week 53"),
        ((None, "2026-47", None, None), "not an ISO week written YYYY-Www"),
        ((None, None, "yesterday", "2026-11-02"), "--from 'yesterday' is not an ISO 8601"),
        ((None, None, "2026-11-02", "2026-11-01"), "is not after --from"),
        ((None, None, "2026-11-02", None), "--from and --to go together"),
        (("2026-11", "2026-W47", None, None), "name exactly one period"),
        ((None, None, None, None), "name exactly one period"),
    ],
)
def test_bad_periods_say_what_to_write(args: tuple[str | None, ...], message: str) -> None:
    with pytest.raises(PeriodError, match=message.replace("(", r"\(")) as error:
        choose(*args)
    assert "report" not in str(error.value) or "--" in str(error.value)


def test_the_cli_refuses_a_bad_period_with_exit_code_2(run_cli) -> None:  # type: ignore[no-untyped-def]
    reply = run_cli("report", "specs", "--prometheus", "http://127.0.0.1:9", "--month", "2026-13")
    assert reply.code == 2 and "no such month" in reply.err and reply.out == ""
    reply = run_cli("report", "specs", "--prometheus", "http://127.0.0.1:9")
    assert reply.code == 2 and "name exactly one period" in reply.err


def test_a_calendar_slo_in_a_fixed_zone_keeps_its_own_months_and_weeks() -> None:
    plus_two = CalendarPeriod("month", 7200)
    november = for_calendar(month("2026-11"), plus_two)
    assert (november.start, november.end) == (NOV_1 - 7200, month("2026-12").start - 7200)
    assert november.name == "2026-11 (UTC+02:00)" and november.offset == 7200
    assert november.iso(november.start) == "2026-10-31T22:00:00Z"
    w47 = for_calendar(week("2026-W47"), CalendarPeriod("week", 19800))
    assert w47.iso(w47.start) == "2026-11-15T18:30:00Z" and w47.seconds == 7 * DAY
    minus_five = for_calendar(month("2026-11"), CalendarPeriod("month", -18000))
    assert minus_five.iso(minus_five.start) == "2026-11-01T05:00:00Z"
    assert minus_five.iso(minus_five.end) == "2026-12-01T05:00:00Z"
    assert minus_five.name == "2026-11 (UTC-05:00)" and minus_five.offset == -18000


def test_utc_rolling_slos_and_spans_keep_the_period_as_given() -> None:
    november = month("2026-11")
    assert for_calendar(november, None) == november
    assert for_calendar(november, CalendarPeriod("month")) == november
    span = choose(None, None, "2026-11-01", "2026-11-02")
    assert for_calendar(span, CalendarPeriod("month", 7200)) == span


def _slo_report(name: str, period: Period) -> SLOReport:
    return SLOReport(
        service="shop",
        slo=name,
        team="web",
        objective=Fraction(999, 1000),
        window=30 * DAY,
        errors=1.0,
        total=10_000.0,
        from_raw_series=True,
        burn_down=BurnDown(times=(), remaining=(), sli=(), step=300),
        incidents=(),
        spans=(),
        page_label="page",
        ticket_label="ticket",
        current_burn_rate=None,
        current_burn_window=None,
        top_contributor=None,
        period=period,
    )


def test_the_summary_names_slos_judged_over_their_own_zones_period() -> None:
    november = month("2026-11")
    west = for_calendar(november, CalendarPeriod("month", -18000))
    report = Report(november, (_slo_report("utc", november), _slo_report("west", west)))
    text = as_markdown(report, None)
    head = text.split("## shop/utc")[0]
    assert "From 2026-11-01T00:00:00Z to 2026-12-01T00:00:00Z." in head
    assert (
        "- Judged over their own zone's period (2026-11 (UTC-05:00), 2026-11-01T05:00:00Z "
        "to 2026-12-01T05:00:00Z): shop/west"
    ) in head
    assert "own zone" not in as_markdown(Report(november, (_slo_report("utc", november),)), None)
