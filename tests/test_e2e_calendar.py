"""A calendar month's period-to-date recordings on the real Prometheus, across the 1st.

Two and a half days of backfilled history around 2024-02-01 00:00 UTC, with an
incident on 31 January and another on 1 February. Before the 1st the month-to-date
ratio holds January's; after it, February's alone. Every expectation is computed here
from the history's per-minute counts as a fraction, as tests/test_e2e_recordings.py
does, and compared with what Prometheus recorded (relative 1e-9).

How the recording relates to the counts (slogen/rules/calendar.py): each period run
records a slice, the sli group's 5m rates of its last run before (between scrapes, a
5m rate counts the events of four whole minutes), labelled February when the period
run is at least 150 s after the boundary; the ratio at a run adds the slices of its
own month up to and including that run.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import pytest

import slogen
from tests.e2e_shop import SELECTOR, Backfilled, _unambiguous_rule_file, groups, interval_s
from tests.e2e_shop import rules_text as shop_rules
from tests.prometheus_harness import backfill, close, running_prometheus, write_config
from tests.rule_schedule import backfill_offset_ms, last_evaluation_ms
from tests.synthetic_history import DAY_MINUTES, Incident, Scenario, history

BOUNDARY_MS = 1_706_745_600_000  # 2024-02-01 00:00 UTC
START_S = 1_706_572_800  # 2024-01-30 00:00 UTC: the first scrape
STEP_MS = 300_000
BUDGET = Fraction(1, 100)
SPEC = """\
service: shop
team: web
window: calendar month
runbook: false
slos:
  - name: availability
    objective: 99
    sli:
      events:
        errors: http_requests_total{job="shop", code=~"5.."}
        total: http_requests_total{job="shop"}
"""
JANUARY_CHECK = 2 * DAY_MINUTES - 120  # 31 January, 22:00
FEBRUARY_CHECK = 2 * DAY_MINUTES + 12 * 60  # 1 February, 12:00
MONTH = Scenario(
    start_s=START_S,
    minutes=FEBRUARY_CHECK + 30,
    incidents=(
        Incident(first=DAY_MINUTES + 9 * 60, minutes=60, error_ratio=Fraction(10, 100)),
        Incident(first=2 * DAY_MINUTES + 6 * 60, minutes=30, error_ratio=Fraction(20, 100)),
    ),
)
FIRST_RECORDED = 10
"""Recordings start at the 10th scrape, when every 5m rate holds a whole window."""


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backfilled]:
    workdir = tmp_path_factory.mktemp("calendar-month")
    specs = workdir / "specs"
    specs.mkdir()
    (specs / "shop.yaml").write_text(SPEC)
    bundle = slogen.compile(slogen.load([specs]))
    files = {path: content.decode() for path, content in bundle.files.items()}
    days = history(MONTH)
    rule_file = _unambiguous_rule_file(workdir / "rules", files)
    rule_file.parent.mkdir()
    start, end = days.scrape_ms(FIRST_RECORDED), days.end_ms
    data = backfill(days.openmetrics(), shop_rules(files), rule_file, start, end, workdir)
    config = write_config(workdir / "prometheus.yml")
    with running_prometheus(data, config, workdir) as server:
        yield Backfilled(server, days, files, rule_file)


def _offset(month: Backfilled, role: str) -> int:
    group = groups(month.files)[role]
    return backfill_offset_ms(group["name"], month.rule_file, interval_s(group))


def _period_run(month: Backfilled, minute: int) -> int:
    """The period group's last run before the scrape that ends ``minute``."""
    return last_evaluation_ms(month.history.scrape_ms(minute), _offset(month, "period"), 300)


def _steps_this_month(month: Backfilled, at_ms: int) -> list[int]:
    """The sli runs whose 5m rates the month-to-date sums add at the period run
    ``at_ms``: one per period run back to the first, while the run's slice, labelled
    by the month 150 s before the run, is ``at_ms``'s month."""
    first = month.history.scrape_ms(FIRST_RECORDED)
    runs = []
    for run in range(at_ms, first - 1, -STEP_MS):
        sli = last_evaluation_ms(run, _offset(month, "sli"), 60)
        if sli < first or run - sli > 60_000:
            break
        if (run - 150_000 >= BOUNDARY_MS) != (at_ms >= BOUNDARY_MS):
            break
        runs.append(sli)
    return runs


def _first_seen(month: Backfilled, at_ms: int) -> Fraction:
    """The earliest first-seen time the coverage rule's look-ups find (the last 10
    minutes, the last day hourly, the nominal 30 days daily: slogen.rules.coverage).
    Backfilled, each run recorded its own coarse estimate, so they differ."""
    series = f"slo:sli_first_seen:timestamp{SELECTOR}"
    found = []
    for lookup in (f"{series}[10m]", f"({series})[1d:1h]", f"({series})[30d:1d]"):
        found += month.server.query(f"last_over_time({lookup})", at_ms)
    return min(Fraction(sample["value"][1]) for sample in found)


def _covered(month: Backfilled, at_ms: int) -> Fraction:
    """Time since first seen, capped at the time since the 1st (each plus a minute),
    over the month's length: 31 days of January, 29 of February 2024."""
    since = Fraction(at_ms, 1000) - _first_seen(month, at_ms) + 60
    start, days = (BOUNDARY_MS, 29) if at_ms >= BOUNDARY_MS else (1_704_067_200_000, 31)
    elapsed = Fraction(at_ms - start, 1000) + 60
    return min(since, elapsed) / (days * 86400)


@pytest.mark.parametrize("minute", [JANUARY_CHECK, FEBRUARY_CHECK], ids=["january", "february"])
def test_month_to_date_ratio_and_budget_are_the_months_own(month: Backfilled, minute: int) -> None:
    at = _period_run(month, minute)
    runs = _steps_this_month(month, at)
    ratio = month.history.window_ratio(runs)
    assert ratio is not None and ratio > 0
    recorded = month.server.recorded(f"slo:sli_error:ratio_period{SELECTOR}", at)
    assert close(recorded, float(ratio)), (recorded, float(ratio))
    remaining = month.server.recorded(f"slo:error_budget_remaining:ratio{SELECTOR}", at)
    expected = 1 - ratio * _covered(month, at) / BUDGET
    assert close(remaining, float(expected)), (remaining, float(expected))


def test_february_forgets_january(month: Backfilled) -> None:
    """February's ratio counts none of January's incident: its sums start at the 1st."""
    at = _period_run(month, FEBRUARY_CHECK)
    runs = _steps_this_month(month, at)
    assert min(runs) >= BOUNDARY_MS - 60_000
    assert all(month.history.minute_at(r) > 2 * DAY_MINUTES - 5 for r in runs)
    [labelled] = month.server.query(f"count by (slo_period) (slo:sli_total:slice5m{SELECTOR})", at)
    assert labelled["metric"] == {"slo_period": str(2024 * 12 + 1)}
