"""The generated recordings, run by the real Prometheus over a backfilled week, give
exactly the values the synthetic history implies. This proves two claims of the
docs/generated.md's "Why these rules" on the real server: ratios are traffic-weighted (not an
average of 5m ratios, Sloth issue #241), and a stretch with no traffic adds nothing
instead of a NaN (Sloth issue #531).

The history (tests/e2e_shop.py) is per-minute request and error counts; every
expected value is computed here from those same counts, as a fraction, and compared
with what Prometheus recorded up to float rounding (relative 1e-9).

How a recording relates to the counts: a 5m rate evaluated between scrapes counts the
events of the last four whole minutes (tests/synthetic_history.py), and
``sum_over_time(errors_5m[w]) / sum_over_time(total_5m[w])`` adds those rates at every
evaluation in the window, so each minute weighs as often as a 5m rate covered it:
four times inside the window, fewer in the first and last three minutes. Prometheus
2's range selectors include both ends, so a window over a recording of the same
group holds ``w / 1m + 1`` evaluations; the period group runs at another offset and
holds ``7d / 1m``. The expectations use exactly those evaluation times, predicted
from the group's schedule and checked against the recorded timestamps.
"""

from __future__ import annotations

import math
from fractions import Fraction

from slogen.durations import parse_duration
from tests.e2e_shop import (
    BUDGET,
    CHECK_MINUTE,
    GAP,
    PERIOD_MINUTES,
    SELECTOR,
    Backfilled,
    groups,
    interval_s,
)
from tests.prometheus_harness import close
from tests.rule_schedule import backfill_offset_ms, last_evaluation_ms
from tests.synthetic_history import grid

MINUTE_MS = 60_000


def _offset(week: Backfilled, role: str) -> int:
    group = groups(week.files)[role]
    return backfill_offset_ms(group["name"], week.rule_file, interval_s(group))


def _sli_run(week: Backfilled, minute: int) -> int:
    """The sli group's last evaluation before the scrape that ends ``minute``."""
    return last_evaluation_ms(week.history.scrape_ms(minute), _offset(week, "sli"), 60)


def _ratio_windows(week: Backfilled) -> dict[str, int]:
    """Every window the generated rules record an error ratio for, in seconds."""
    prefix = "slo:sli_error:ratio_rate"
    records = [r.get("record", "") for r in groups(week.files)["sli"]["rules"]]
    return {
        r[len(prefix) :]: parse_duration(r[len(prefix) :]) for r in records if r.startswith(prefix)
    }


def _expected_ratio(week: Backfilled, at_ms: int, window_s: int) -> Fraction | None:
    """The error ratio a window's recording must hold at ``at_ms`` (None: 0/0)."""
    if window_s == 300:  # the 5m ratio divides the two 5m rates of the same evaluation
        return week.history.window_ratio([at_ms])
    runs = grid(_offset(week, "sli"), 60, at_ms - window_s * 1000, at_ms)
    return week.history.window_ratio(runs)


def _covered(week: Backfilled, at_ms: int, window_s: int) -> Fraction:
    """The share of a window the rules count as covered at ``at_ms``: the time since
    the recorded first-seen timestamp plus one interval, clamped to 1 (docs/generated.md, "Young
    history"). A traffic SLI's 5m window is its current recording: always 1."""
    if window_s == 300:
        return Fraction(1)
    [found] = week.server.query(f"slo:sli_first_seen:timestamp{SELECTOR}", at_ms)
    span = Fraction(at_ms, 1000) - Fraction(found["value"][1]) + 60
    return min(Fraction(1), span / window_s)


def _check_windows(week: Backfilled, at_ms: int) -> dict[str, Fraction | None]:
    """Compare every window's ratio and burn rate at ``at_ms``; returns the expectations."""
    windows = _ratio_windows(week)
    expected = {w: _expected_ratio(week, at_ms, s) for w, s in windows.items()}
    wrong = []
    for window, ratio in expected.items():
        covered = _covered(week, at_ms, windows[window])
        burn = None if ratio is None else ratio / BUDGET * covered
        for record, value in (("sli_error:ratio", ratio), ("burn_rate:ratio", burn)):
            selector = f"slo:{record}_rate{window}{SELECTOR}"
            actual = week.server.recorded(selector, at_ms)
            if not close(actual, None if value is None else float(value)):
                wrong.append(f"{selector}: recorded {actual}, history implies {value}")
    assert not wrong, "\n".join(wrong)
    return expected


def test_groups_run_where_prometheus_schedules_them(shop_week: Backfilled) -> None:
    """The recordings lie on each group's predicted grid, which the other checks use."""
    end = shop_week.history.end_ms
    for role, record in (("sli", "slo:sli_total:rate5m"), ("period", "slo:sli_error:ratio_period")):
        [found] = shop_week.server.query(f"timestamp({record}{SELECTOR})", end)
        predicted = last_evaluation_ms(
            end, _offset(shop_week, role), interval_s(groups(shop_week.files)[role])
        )
        assert round(float(found["value"][1]) * 1000) == predicted, role
    # No group runs on a scrape, and the two grids differ, as the expectations assume.
    assert _offset(shop_week, "sli") % MINUTE_MS != 0
    assert _offset(shop_week, "period") % MINUTE_MS != _offset(shop_week, "sli")


def test_error_ratios_and_burn_rates_in_every_window(shop_week: Backfilled) -> None:
    """SLI error ratio and burn rate of each window, mid-incident: the last 30 minutes
    fail at 5%, on top of the week's background errors and earlier incidents."""
    expected = _check_windows(shop_week, _sli_run(shop_week, CHECK_MINUTE))
    # Whole failed requests: 5% of each minute's requests, rounded.
    assert math.isclose(expected["5m"] or 0, 0.05, rel_tol=0.01)
    assert all(ratio is not None for ratio in expected.values())


def _period_runs(week: Backfilled, minute: int) -> tuple[int, list[int]]:
    """The period group's last evaluation before ``minute`` ends, and the sli group's
    evaluations its 7d window holds (another group's offset: one end is left out)."""
    at = last_evaluation_ms(_sli_run(week, minute), _offset(week, "period"), 300)
    runs = grid(_offset(week, "sli"), 60, at - PERIOD_MINUTES * MINUTE_MS, at)
    assert len(runs) == PERIOD_MINUTES
    return at, runs


def test_budget_remaining_is_the_traffic_weighted_period_ratio(shop_week: Backfilled) -> None:
    """Traffic-weighted ratios (Sloth #241): an hour at 20% errors in the quietest
    night hour costs what its requests cost, no more."""
    week, server = shop_week.history, shop_week.server
    # Before the last incident, and in the middle of it.
    for minute in (CHECK_MINUTE - 40, CHECK_MINUTE):
        at, runs = _period_runs(shop_week, minute)
        ratio = week.window_ratio(runs)
        assert ratio is not None
        assert close(server.recorded(f"slo:sli_error:ratio_period{SELECTOR}", at), float(ratio))
        remaining = server.recorded(f"slo:error_budget_remaining:ratio{SELECTOR}", at)
        covered = _covered(shop_week, at, PERIOD_MINUTES * 60)
        assert close(remaining, float(1 - ratio * covered / BUDGET))
    # The SLI over the week is the share of requests that failed in it, up to the
    # lighter weight of its first and last three minutes. Away from incidents those
    # hardly count (in the incident they move the ratio by about 1%).
    at, runs = _period_runs(shop_week, CHECK_MINUTE - 40)
    first, last = week.rate_minutes(runs[0])[0], week.minute_at(at)
    assert math.isclose(week.window_ratio(runs) or 0, week.count_ratio(first, last), rel_tol=1e-3)

    check = _sli_run(shop_week, CHECK_MINUTE)
    # Averaging 5m ratios instead (Sloth) weighs the quiet night hour's 20% as much as
    # a busy hour: over the last 3 days, which hold that hour and no zero traffic, the
    # average is more than twice the real error ratio. Prometheus agrees on both.
    three_days = grid(_offset(shop_week, "sli"), 60, check - 3 * 24 * 3600 * 1000, check)
    mean = week.mean_of_ratios(three_days)
    weighted = week.window_ratio(three_days)
    assert weighted is not None and mean > 2 * weighted
    sloth = f"avg_over_time(slo:sli_error:ratio_rate5m{SELECTOR}[3d])"
    [average] = server.query(sloth, check)
    assert close(float(average["value"][1]), float(mean))
    assert close(server.recorded(f"slo:sli_error:ratio_rate3d{SELECTOR}", check), float(weighted))


def test_zero_traffic_is_nan_only_where_a_whole_window_had_none(shop_week: Backfilled) -> None:
    """No NaN from zero traffic (Sloth #531): after three hours without a request,
    the windows that saw traffic, and the period that holds the gap, are numbers;
    only windows wholly inside the gap are 0/0."""
    middle = _check_windows(shop_week, _sli_run(shop_week, GAP.first + 90))
    assert {w for w, ratio in middle.items() if ratio is None} == {"5m", "30m", "1h"}
    after = _check_windows(shop_week, _sli_run(shop_week, GAP.first + GAP.minutes + 10))
    assert all(ratio is not None for ratio in after.values())

    # The period that holds the gap has a budget; Sloth's average of 5m ratios is NaN.
    at = last_evaluation_ms(shop_week.history.end_ms, _offset(shop_week, "period"), 300)
    assert not math.isnan(
        shop_week.server.recorded(f"slo:error_budget_remaining:ratio{SELECTOR}", at)
    )
    [average] = shop_week.server.query(
        f"avg_over_time(slo:sli_error:ratio_rate5m{SELECTOR}[7d])", at
    )
    assert math.isnan(float(average["value"][1]))
