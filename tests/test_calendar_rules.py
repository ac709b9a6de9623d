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

from pathlib import Path
from typing import Any

import pytest

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
        _value(f"slo:calendar_period:index{SELECTOR} + 0", b - 5, 0, labels),
        _value(f"slo:calendar_period:index{SELECTOR} + 0", b + 10, 1, labels),
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
