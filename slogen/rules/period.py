"""The error ratio over the whole SLO period, the budget left, and budget alerts.

``sum_over_time`` over a 30-day window of a one-minute recording reads 43,200 samples
per series. Evaluated every minute that would dominate the cost of an SLO, so these
rules run in their own group every 5 minutes: budget figures lag by at most that much,
which an error budget measured in days does not notice. Budget alerts sit in the same
group so they never read a sample older than their own evaluation.
"""

from __future__ import annotations

from slogen import naming, promql
from slogen.model import SLO
from slogen.rules.alerts import budget_alert
from slogen.rules.series import recorded, series_labels
from slogen.rules.types import Recording, Rule
from slogen.rules.windows import traffic_weighted_ratio

PERIOD_INTERVAL = 300
"""Seconds between evaluations of the period group."""


def period_rules(slo: SLO) -> tuple[Rule, ...]:
    labels = series_labels(slo)
    ratio = recorded(naming.ERROR_RATIO_PERIOD, slo).render()
    remaining = f"1 - {ratio} / {promql.number(slo.budget)}"
    rules: list[Rule] = [
        Recording(naming.ERROR_RATIO_PERIOD, traffic_weighted_ratio(slo, slo.period), labels),
        Recording(naming.BUDGET_REMAINING, remaining, labels),
    ]
    rules.extend(budget_alert(slo, policy) for policy in slo.alerting.budget)
    return tuple(rules)
