"""What each generated rule reads, counted by the real Prometheus: a cost regression test.

docs/generated.md, "Why these rules": only the two 5m recordings read raw series; every longer
window is summed from those one-series-per-SLO recordings. Timing queries would be
noise; the number of samples a query reads is not. Each rule's expression runs as an
instant query with ``stats=all`` at its own group's evaluation time on the backfilled
week (between scrapes, as the group runs), and ``totalQueryableSamples`` must equal
what the rule is meant to read, exactly. A change that makes a long window read raw
series (six of them here, thousands in production) multiplies its count and fails.
"""

from __future__ import annotations

from slogen.durations import parse_duration
from tests.e2e_shop import CHECK_MINUTE, PERIOD_MINUTES, Backfilled, groups, interval_s
from tests.rule_schedule import backfill_offset_ms, last_evaluation_ms
from tests.synthetic_history import History

# A 5m range between 1m scrapes holds five samples of each raw series.
RAW_5M = 5
WINDOWS = ("30m", "1h", "6h", "3d")


def _same_group_window(window: str) -> int:
    """Samples of a 1m recording that a window over it holds when evaluated in the
    recording's own group: Prometheus 2 includes both ends of the range."""
    return parse_duration(window) // 60 + 1


def expected_samples(history: History) -> dict[tuple[str, str], int]:
    """What each rule should read, by (record or alert name, severity)."""
    raw = history.series_count()
    expected = {
        ("slo:sli_total:rate5m", ""): RAW_5M * raw["total"],
        # The errors, and the total recording to count 0 errors where none exist.
        ("slo:sli_errors:rate5m", ""): RAW_5M * raw["errors"] + 1,
        ("slo:sli_error:ratio_rate5m", ""): 2,
        ("slo:burn_rate:ratio_rate5m", ""): 1,
        # Its own earlier value (10m of 1m samples, 24 hourly and 7 daily steps), the
        # earliest total (60 minutely, 24 hourly and 8 daily steps), and the total
        # twice: a few dozen samples however long the period (docs/generated.md, "Young history").
        ("slo:sli_first_seen:timestamp", ""): 135,
        # The own-value look-up again, from the period group's grid (one end out).
        ("slo:sli_coverage:ratio_period", ""): 41,
        # An hour of the total recording, and the total now.
        ("SLOSeriesVanished", "page"): 61,
        ("slo:objective:ratio", ""): 0,
        ("slo:info", ""): 0,
        # Both pairs' long and short burn rates; the ticket's pair; the total's absence.
        ("SLOErrorBudgetBurn", "page"): 4,
        ("SLOErrorBudgetBurn", "ticket"): 2,
        ("SLONoData", "ticket"): 1,
        # The period group runs at another offset, so one end of the week of 1m
        # recordings falls outside its range.
        ("slo:sli_error:ratio_period", ""): 2 * PERIOD_MINUTES,
        # The period ratio and its coverage.
        ("slo:error_budget_remaining:ratio", ""): 2,
        # 15 minutes of the 5-minute remaining budget, from the alerts group's grid,
        # and the total now.
        ("SLOErrorBudgetLow", "ticket"): 4,
        ("SLOErrorBudgetExhausted", "ticket"): 4,
    }
    for window in WINDOWS:
        expected[(f"slo:sli_error:ratio_rate{window}", "")] = 2 * _same_group_window(window)
        # The ratio and the first-seen timestamp that weighs it.
        expected[(f"slo:burn_rate:ratio_rate{window}", "")] = 2
    return expected


def measured_samples(week: Backfilled) -> dict[tuple[str, str], int]:
    """``totalQueryableSamples`` of every generated rule, at its group's evaluation time."""
    measured = {}
    for group in groups(week.files).values():
        offset = backfill_offset_ms(group["name"], week.rule_file, interval_s(group))
        at = last_evaluation_ms(week.history.scrape_ms(CHECK_MINUTE), offset, interval_s(group))
        for rule in group["rules"]:
            key = (rule.get("record") or rule["alert"], rule["labels"].get("severity", ""))
            assert key not in measured, f"two rules measured as {key}"
            measured[key] = week.server.samples(rule["expr"], at)
    return measured


def test_only_the_5m_rates_read_raw_series(shop_week: Backfilled) -> None:
    assert measured_samples(shop_week) == expected_samples(shop_week.history)
