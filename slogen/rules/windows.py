"""Error ratios and burn rates over the alert windows, and the SLO's constants.

Each window's ratio is traffic-weighted: the sum of the 5m error rates over the window
divided by the sum of the 5m total rates, so a quiet hour with errors weighs as little
as its traffic, and an interval with no traffic adds 0 to both sums instead of a NaN.
"""

from __future__ import annotations

from slogen import model as m
from slogen import naming, promql
from slogen.model import SLO
from slogen.model_calendar import window_spelling
from slogen.promql import Binary, Expr, Number
from slogen.recorded import recorded, series_labels
from slogen.rules import coverage
from slogen.rules.types import Recording


def traffic_weighted_ratio(slo: SLO, window: int) -> Expr:
    """``errors / total`` over a window, from the 5m recordings only.

    Each side is summed by the SLO's groups, so history recorded under other label
    sets (a ruler's replica label, an earlier slogen version) merges instead of
    colliding. The 5m window of a traffic SLI is its current recording; ``up`` and
    ``freshness`` count one sample per evaluation, so they sum their last 5 minutes
    like any longer window.
    """
    by = slo.group_by
    errors = recorded(naming.ERRORS_RATE5M, slo)
    total = recorded(naming.TOTAL_RATE5M, slo)
    if window == m.BASE_WINDOW and slo.counts_traffic:
        return Binary("/", promql.sum_by(by, errors), promql.sum_by(by, total))
    return Binary(
        "/",
        promql.sum_by(by, promql.over_range("sum_over_time", errors, window)),
        promql.sum_by(by, promql.over_range("sum_over_time", total, window)),
    )


def window_recordings(slo: SLO) -> tuple[Recording, ...]:
    """Error ratio and burn rate for every window an alert reads."""
    labels = series_labels(slo)
    rules: list[Recording] = []
    for window in slo.alert_windows:
        rules.append(
            Recording(
                naming.error_ratio(window), traffic_weighted_ratio(slo, window).render(), labels
            )
        )
    for window in slo.alert_windows:
        rules.append(Recording(naming.burn_rate(window), burn_rate(slo, window).render(), labels))
    return tuple(rules)


def burn_rate(slo: SLO, window: int) -> Expr:
    """The window's error ratio over the budget, weighted by the share of the window
    the data covers (``slogen.rules.coverage``): the rate at which the budget is spent
    over the window's whole length, so a young window is judged by what it holds."""
    ratio = recorded(naming.error_ratio(window), slo)
    burn = Binary("/", ratio, Number(slo.budget))
    share = coverage.covered(slo, window)
    return burn if share is None else Binary("*", burn, share, promql.on(slo.group_by))


def first_seen_recording(slo: SLO) -> Recording:
    """When each group was first seen, which the long windows' coverage reads."""
    return Recording(naming.FIRST_SEEN, coverage.first_seen(slo).render(), series_labels(slo))


def constant_recordings(slo: SLO) -> tuple[Recording, ...]:
    """The objective as a series, and an info series describing the SLO for dashboards."""
    labels = series_labels(slo)
    info = dict(labels + slo.labels)
    info.update(
        {
            "slo_team": slo.team,
            "slo_dashboard": naming.dashboard_uid(slo.service),
            "slo_objective": promql.number(slo.objective_percent),
            "slo_window": window_spelling(slo.period, slo.calendar),
            "slo_kind": type(slo.sli).__name__.removesuffix("SLI").lower(),
        }
    )
    if slo.tier:
        info["slo_tier"] = slo.tier
    if slo.runbook_url:
        info["slo_runbook"] = slo.runbook_url
    if slo.group_by:
        info["slo_group_by"] = ",".join(slo.group_by)
    return (
        Recording(naming.OBJECTIVE, promql.call("vector", slo.objective).render(), labels),
        Recording(naming.INFO, promql.call("vector", 1).render(), tuple(sorted(info.items()))),
    )
