"""Alerts: multi-window multi-burn-rate, error budget policy states, and no data.

Burn alerts follow the SRE Workbook: one alert per severity whose expression ORs its
window pairs, each pair firing while both the long and the short window burn faster
than the pair's factor. One alert per severity means an incident that moves from the
1h pair to the 6h pair stays one alert, and no window label ever reaches it.
"""

from __future__ import annotations

from fractions import Fraction

from slogen import model as m
from slogen import naming, promql
from slogen.detection import lived_firing_seconds
from slogen.durations import format_duration
from slogen.model import SLO, BudgetAlert, BurnAlert
from slogen.promql import Binary, Call, Expr, Number, Paren
from slogen.readable import percent, readable
from slogen.recorded import recorded
from slogen.rules import templates
from slogen.rules.types import AlertRule


def _labels(slo: SLO, severity: str) -> tuple[tuple[str, str], ...]:
    """Alert labels; Prometheus expands templates in them, so spec text is made inert."""
    label = slo.alerting.severity(severity).label
    return (
        (naming.SEVERITY_LABEL, templates.literal(label)),
        (naming.TEAM_LABEL, slo.team),
        *slo.identity,
        *((name, templates.literal(value)) for name, value in slo.labels),
    )


def _for(slo: SLO, severity: str) -> str | None:
    seconds = slo.alerting.severity(severity).for_seconds
    return format_duration(seconds) if seconds else None


def _burn_pair(slo: SLO, alert: BurnAlert) -> Expr:
    factor = Number(alert.factor)
    long = recorded(naming.burn_rate(alert.long), slo)
    short = recorded(naming.burn_rate(alert.short), slo)
    condition = Binary("and", Binary(">", long, factor), Binary(">", short, factor))
    if slo.counts_traffic and slo.alerting.min_request_rate > 0:
        total = recorded(naming.TOTAL_RATE5M, slo).range(alert.long)
        minimum = Number(slo.alerting.min_request_rate)
        busy = Binary(">=", Call("avg_over_time", (total,)), minimum)
        condition = Binary("and", condition, busy)
    return condition


def _outage_note(slo: SLO, pairs: tuple[BurnAlert, ...]) -> str:
    """When a total outage fires this alert, as lived on the server (``slogen.detection``:
    the 5m rates' ramp, the evaluation interval and ``for``), where some pair can."""
    times = []
    for pair in pairs:
        try:
            times.append(lived_firing_seconds(slo, pair, Fraction(1)))
        except ValueError:
            continue
    if not times:
        return ""
    return f" A total outage fires it within {format_duration(min(times))}."


def burn_alerts(slo: SLO) -> tuple[AlertRule, ...]:
    """One alert per severity with burn policies."""
    rules = []
    for severity, pairs in slo.alerting.burn_by_severity().items():
        if len(pairs) == 1:
            expr = _burn_pair(slo, pairs[0])
        else:
            # One pair per line, each in parentheses that only make it read as a pair.
            alternatives = [Paren(_burn_pair(slo, pair)) for pair in pairs]
            expr = promql.chain("or", alternatives, break_lines=True)
        windows = " or ".join(
            f"{percent(p.budget_spent)} of the budget in "
            f"{format_duration(p.long)} (burn rate {readable(p.factor)})"
            for p in pairs
        )
        description = (
            (templates.literal(slo.description) + " " if slo.description else "")
            + 'The error budget is being spent at {{ $value | printf "%.2f" }} times the '
            + f"rate that would use it up in exactly {_burn_period(slo)}. "
            + f"This alert fires when {windows} is being spent."
            + _outage_note(slo, pairs)
        )
        rules.append(
            AlertRule(
                alert=naming.BURN_ALERT,
                expr=expr.render(),
                for_=_for(slo, severity),
                labels=_labels(slo, severity),
                annotations=(
                    ("summary", f"{templates.subject(slo)} is burning its error budget"),
                    ("description", description),
                    *templates.links(slo, "burn_series"),
                ),
            )
        )
    return tuple(rules)


BUDGET_LOOKBACK = 900
"""How far back a budget alert looks for the remaining budget, recorded every 5m: far
enough to bridge a restart, so the alert is back at the first evaluation after it."""


def budget_alert(slo: SLO, policy: BudgetAlert) -> AlertRule:
    """An error budget policy state as an alert on the remaining budget.

    Only for groups that still report: the budget of a group whose series are gone
    (a drained cluster) stays frozen for the whole period and would alert all along.
    No ``for``: the remaining budget is a 5-minute recording of a figure that moves
    over days, so a ``for`` would confirm nothing and only hide the alert from
    ``ALERTS`` for its length after every restart.
    """
    remaining = recorded(naming.BUDGET_REMAINING, slo).range(BUDGET_LOOKBACK)
    below = Binary("<", Call("last_over_time", (remaining,)), Number(policy.below))
    reporting = recorded(naming.TOTAL_RATE5M, slo)
    expr = Binary("and", below, reporting, promql.on(slo.group_by))
    state = "is exhausted" if policy.exhausted else f"is below {promql.number(policy.below * 100)}%"
    return AlertRule(
        alert=policy.alert_name,
        expr=expr.render(),
        for_=None,
        labels=_labels(slo, policy.severity),
        annotations=(
            ("summary", f"{templates.subject(slo)}: error budget {state}"),
            (
                "description",
                "{{ $value | humanizePercentage }} of the error budget for "
                f"{_budget_period(slo)} remains. Follow the error budget policy.",
            ),
            *templates.links(slo, "budget_series"),
        ),
    )


def vanished_alert(slo: SLO) -> AlertRule | None:
    """Fires per group that had traffic within the last hour and has no total series
    now: a dead service takes its counters, and so its burn rates, with it."""
    vanished = slo.alerting.vanished
    if vanished is None:
        return None
    total = recorded(naming.TOTAL_RATE5M, slo)
    lookback = format_duration(m.VANISHED_LOOKBACK)
    had_traffic = promql.max_by(
        slo.group_by, promql.over_range("max_over_time", total, m.VANISHED_LOOKBACK)
    )
    gone = Binary("unless", Binary(">", had_traffic, Number(0)), total, promql.on(slo.group_by))
    return AlertRule(
        alert=naming.VANISHED_ALERT,
        expr=gone.render(),
        for_=_for(slo, vanished.severity),
        labels=_labels(slo, vanished.severity),
        annotations=(
            ("summary", f"{templates.subject(slo)} stopped reporting"),
            (
                "description",
                f"The SLI's series had traffic within the last {lookback} and are gone "
                "now: the service or its scraping may be down, and no burn alert can "
                "see an outage without them. Check the targets and the metrics named in "
                f"{templates.literal(slo.source)}. The alert resolves {lookback} after "
                "the last sample, when the group counts as removed.",
            ),
            *templates.links(slo, "sli_series"),
        ),
    )


def no_data_alert(slo: SLO) -> AlertRule | None:
    """Fires when the SLI's total series is gone: the SLO cannot be measured."""
    no_data = slo.alerting.no_data
    if no_data is None:
        return None
    total = recorded(naming.TOTAL_RATE5M, slo)
    after = format_duration(no_data.after)
    return AlertRule(
        alert=naming.NO_DATA_ALERT,
        expr=Call("absent", (total,)).render(),
        for_=after,
        labels=_labels(slo, no_data.severity),
        annotations=(
            ("summary", f"{templates.subject(slo, grouped=False)} has no data"),
            (
                "description",
                f"No series for the SLI's total events for {after}: the SLO cannot be "
                "measured. Check that the metrics in the spec are still scraped and named "
                f"as in {templates.literal(slo.source)}.",
            ),
            *templates.links(slo, "sli_series", grouped=False),
        ),
    )


def _burn_period(slo: SLO) -> str:
    """The period the burn factors are computed from: a calendar one's nominal length."""
    if slo.calendar is None:
        return format_duration(slo.period)
    return f"{format_duration(slo.period)} (the nominal {slo.calendar.name})"


def _budget_period(slo: SLO) -> str:
    """``the last 28d``, or ``this calendar month (UTC)``, whose budget began on the 1st."""
    if slo.calendar is None:
        return f"the last {format_duration(slo.period)}"
    return slo.calendar.this
