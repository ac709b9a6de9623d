"""A calendar week's rules, run by promtool across the 1970-01-05 boundary.

promtool's tests start at 1970-01-01 00:00 UTC, a Thursday, so the first ISO week
ends 96h in (Monday 1970-01-05 00:00 UTC, 345,600 s). The counters are empty until
94h and the incidents lie around the boundary: the period-to-date ratio must forget
last week's errors on Monday, the budget start afresh, and a page for an outage that
spans the boundary keep firing. A week rather than a month: promtool evaluates every
group every minute from 0, and 744 hours of that up to 1970-02-01 take minutes; the
month's boundary is checked on the real Prometheus (tests/test_e2e_calendar.py is
where that belongs) and its rules differ only in the index and length expressions.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

import slogen
from slogen import naming
from slogen.model import SLO
from slogen.model_calendar import CalendarPeriod
from slogen.promql import Number
from slogen.rules.calendar import (
    ERRORS_SLICE,
    TOTAL_SLICE,
    calendar_rules,
    elapsed,
    length,
    period_index,
    period_to_date_sum,
)
from slogen.rules.types import Rule
from tests.promtool_harness import compile_tree, run_promtool_test

BOUNDARY_MINUTE = 96 * 60
START_MINUTE = BOUNDARY_MINUTE - 120
SPEC = """\
service: shop
team: web
window: calendar week
runbook: false
slos:
  - name: availability
    objective: 99
    sli:
      events:
        errors: http_requests_total{job="shop", code="500"}
        total: http_requests_total{job="shop"}
    alerting:
      page: {for: 0s}
"""
SELECTOR = '{slo_service="shop", slo_name="availability"}'
PAGE = (
    'ALERTS{alertname="SLOErrorBudgetBurn", alertstate="firing", severity="page", '
    'slo_service="shop", slo_name="availability"}'
)


def _counters(outage: tuple[int, int], end: int) -> dict[str, str]:
    """One request a second from START_MINUTE to ``end``: errors inside ``outage``
    (minutes since the epoch, end excluded), successes outside it."""
    good, bad, good_values, bad_values = 0, 0, [], []
    for minute in range(START_MINUTE, end + 1):
        good_values.append(str(good))
        bad_values.append(str(bad))
        if outage[0] <= minute < outage[1]:
            bad += 60
        else:
            good += 60
    blank = f"_x{START_MINUTE}"
    return {
        'http_requests_total{job="shop", code="200"}': f"{blank} " + " ".join(good_values),
        'http_requests_total{job="shop", code="500"}': f"{blank} " + " ".join(bad_values),
    }


def _at(minute: int) -> str:
    return f"{minute}m"


def _value(expr: str, minute: int, value: float, labels: str = "{}") -> dict[str, Any]:
    return {
        "expr": expr,
        "eval_time": _at(minute),
        "exp_samples": [{"labels": labels, "value": value}],
    }


def _check(
    promtool: str, tmp_path: Path, series: dict[str, str], tests: list[dict[str, Any]]
) -> None:
    bundle = compile_tree(tmp_path, {"shop.yaml": SPEC})
    result = run_promtool_test(promtool, tmp_path, bundle, series, tests)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def promtool_path() -> str:
    from slogen.tools import locate

    return locate("promtool")


def test_period_to_date_ratio_and_budget_reset_on_monday(
    promtool_path: str, tmp_path: Path
) -> None:
    """Last week's 40-minute outage ends 20 minutes before the boundary: that week's
    ratio and spent budget hold it; ten minutes into the new week both are clean."""
    b = BOUNDARY_MINUTE
    series = _counters((b - 60, b - 20), b + 30)
    ratio = f"slo:sli_error:ratio_period{SELECTOR}"
    remaining = f"slo:error_budget_remaining:ratio{SELECTOR}"
    labels = '{slo_service="shop", slo_name="availability"}'
    tests = [
        _value(f"{ratio} > bool 0", b - 5, 1, labels),
        _value(f"{remaining} < bool 1", b - 5, 1, labels),
        _value(f"count by (slo_period) ({TOTAL_SLICE}{SELECTOR})", b - 5, 1, '{slo_period="0"}'),
        _value(f"count by (slo_period) ({TOTAL_SLICE}{SELECTOR})", b + 10, 1, '{slo_period="1"}'),
        _value(f"{ratio} + 0", b + 10, 0, labels),
        _value(f"{remaining} + 0", b + 10, 1, labels),
    ]
    _check(promtool_path, tmp_path, series, tests)


def test_a_page_spanning_the_boundary_keeps_firing(promtool_path: str, tmp_path: Path) -> None:
    """An outage from 30 minutes before the 1st to 30 minutes after: the page fires
    before Monday and is still firing after, when the week's ratio is the outage alone."""
    b = BOUNDARY_MINUTE
    series = _counters((b - 30, b + 30), b + 30)
    ratio = f"slo:sli_error:ratio_period{SELECTOR}"
    tests = [
        {"expr": f"count({PAGE})", "eval_time": _at(b - 10), "exp_samples": [{"value": 1}]},
        {"expr": f"count({PAGE})", "eval_time": _at(b + 20), "exp_samples": [{"value": 1}]},
        _value(f"{ratio} < bool 1", b - 5, 1, '{slo_service="shop", slo_name="availability"}'),
        _value(f"{ratio} + 0", b + 20, 1, '{slo_service="shop", slo_name="availability"}'),
    ]
    _check(promtool_path, tmp_path, series, tests)


# The period group's rules, fed recorded 5m rates directly: each promtool run then
# evaluates a handful of rules from FED_FROM on, not every rule from 0.
FED_FROM = BOUNDARY_MINUTE - 30
FED_TO = BOUNDARY_MINUTE + 40


def _week_slo(tmp_path: Path) -> SLO:
    (tmp_path / "shop.yaml").write_text(SPEC)
    [slo] = list(slogen.compile_model(slogen.load([tmp_path / "shop.yaml"])).slos())
    assert slo.calendar is not None
    return slo


def _calendar(slo: SLO) -> CalendarPeriod:
    assert slo.calendar is not None
    return slo.calendar


def _fed(value: Callable[[int], float | None]) -> str:
    """A series' values from minute 0 to FED_TO: ``value(minute)`` from FED_FROM on,
    blank where it is None."""
    values = [f"_x{FED_FROM}"]
    for minute in range(FED_FROM, FED_TO + 1):
        sample = value(minute)
        values.append("_" if sample is None else str(sample))
    return " ".join(values)


def _run_fed(
    promtool: str,
    tmp_path: Path,
    series: Mapping[str, Callable[[int], float | None]],
    tests: list[dict[str, Any]],
    rules: tuple[Rule, ...] = (),
) -> None:
    """promtool runs the rules as a period group every 5 minutes, on 1m input."""
    rule_files = []
    if rules:
        group = {"name": "period", "interval": "5m", "rules": [r.as_dict() for r in rules]}
        (tmp_path / "period.rules.yml").write_text(yaml.safe_dump({"groups": [group]}))
        rule_files.append(str(tmp_path / "period.rules.yml"))
    test = {
        "rule_files": rule_files,
        "evaluation_interval": "5m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": f"{name}{SELECTOR}", "values": _fed(value)}
                    for name, value in series.items()
                ],
                "promql_expr_test": tests,
            }
        ],
    }
    (tmp_path / "fed.yml").write_text(yaml.safe_dump(test, sort_keys=False, width=10**9))
    result = subprocess.run(
        [promtool, "test", "rules", str(tmp_path / "fed.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_period_run_adds_one_slice(promtool_path: str, tmp_path: Path) -> None:
    """A total of 10 a second: the runs from 5 to 30 minutes into the week record six
    slices of the new week, and its sum is 60; the run on the boundary is last
    week's."""
    slo = _week_slo(tmp_path)
    b = BOUNDARY_MINUTE
    total = period_to_date_sum(slo, _calendar(slo), naming.TOTAL_RATE5M)
    series = {naming.TOTAL_RATE5M: lambda m: 10, naming.FIRST_SEEN: lambda m: FED_FROM * 60}
    tests = [_value(total.render(), b + 32, 60)]
    _run_fed(promtool_path, tmp_path, series, tests, calendar_rules(slo, _calendar(slo)))


def test_ratio_and_budget_exist_right_after_the_boundary(
    promtool_path: str, tmp_path: Path
) -> None:
    """Two minutes into the week no slice belongs to it yet: the ratio is 0 and the
    budget whole, rather than absent (which the budget alerts' last_over_time would
    bridge with last week's figures)."""
    slo = _week_slo(tmp_path)
    b = BOUNDARY_MINUTE
    series = {
        naming.ERRORS_RATE5M: lambda m: 5,
        naming.TOTAL_RATE5M: lambda m: 10,
        naming.FIRST_SEEN: lambda m: FED_FROM * 60,
    }
    rules = calendar_rules(slo, _calendar(slo))
    tests = [
        _value(f"slo:sli_error:ratio_period{SELECTOR} + 0", b - 1, 0.5, SELECTOR),
        _value(f"slo:sli_error:ratio_period{SELECTOR} + 0", b + 2, 0, SELECTOR),
        _value(f"slo:error_budget_remaining:ratio{SELECTOR} + 0", b + 2, 1, SELECTOR),
    ]
    _run_fed(promtool_path, tmp_path, series, tests, rules)


def test_the_old_weeks_last_slice_stays_in_the_old_week(promtool_path: str, tmp_path: Path) -> None:
    """Errors only in the 5 minutes before the boundary: the slice recorded on the
    boundary carries them and is labelled by its middle, 150 s before, so it is the
    old week's and the new week's ratio is 0."""
    slo = _week_slo(tmp_path)
    b = BOUNDARY_MINUTE
    series = {
        naming.ERRORS_RATE5M: lambda m: int(b - 4 <= m <= b),
        naming.TOTAL_RATE5M: lambda m: 10,
        naming.FIRST_SEEN: lambda m: FED_FROM * 60,
    }
    rules = calendar_rules(slo, _calendar(slo))
    errors = f"sum by (slo_period) ({ERRORS_SLICE}{SELECTOR})"
    tests = [
        _value(errors, b, 1, '{slo_period="0"}'),
        _value(f"slo:sli_error:ratio_period{SELECTOR} + 0", b + 10, 0, SELECTOR),
    ]
    _run_fed(promtool_path, tmp_path, series, tests, rules)


DAY_MINUTES = 24 * 60


@pytest.mark.parametrize(
    ("calendar", "boundary", "before", "after"),
    [
        # Monday 1970-01-05 00:00 at UTC-09:30 is 09:30 UTC
        (CalendarPeriod("week", -34200), 4 * DAY_MINUTES + 570, (0, 7), (1, 7)),
        # 1970-02-01 00:00 at UTC-05:00: January (31 days) ends, February (28) begins
        (CalendarPeriod("month", -18000), 31 * DAY_MINUTES + 300, (23640, 31), (23641, 28)),
        # 1970-04-01 00:00 at UTC-12:00: the first quarter (90 days) ends, the second (91)
        (CalendarPeriod("quarter", -43200), 90 * DAY_MINUTES + 720, (7880, 90), (7881, 91)),
        # 1970-02-01 00:00 at UTC+14:00 is 10:00 UTC the day before
        (CalendarPeriod("month", 50400), 31 * DAY_MINUTES - 840, (23640, 31), (23641, 28)),
    ],
    ids=["week-west", "month-west", "quarter-west", "month-east"],
)
def test_zones_move_the_boundary_to_local_midnight(
    promtool_path: str,
    tmp_path: Path,
    calendar: CalendarPeriod,
    boundary: int,
    before: tuple[int, int],
    after: tuple[int, int],
) -> None:
    """The period index, the period's length in days and the time since the boundary,
    five minutes before and after local midnight on the first day of a period."""
    index, since = period_index(calendar).render(), elapsed(calendar).render()
    whole = length(calendar)
    days = f"{'vector' if isinstance(whole, Number) else ''}({whole.render()}) / 86400"
    tests = [
        _value(index, boundary - 5, before[0]),
        _value(days, boundary - 5, before[1]),
        _value(index, boundary + 5, after[0]),
        _value(days, boundary + 5, after[1]),
        _value(since, boundary + 5, 300),
    ]
    _run_fed(promtool_path, tmp_path, {}, tests)
