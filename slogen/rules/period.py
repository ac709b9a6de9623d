"""The error ratio over the whole SLO period, its coverage, and the budget left.

``sum_over_time`` over a 30-day window of a one-minute recording reads 43,200 samples
per series. Evaluated every minute that would dominate the cost of an SLO, so these
rules run in their own group every 5 minutes: budget figures lag by at most that much,
which an error budget measured in days does not notice. The budget alerts read the
remaining budget from the alerts group, every minute, so that they are back within a
minute of a restart.

The budget spent is the period's error ratio weighted by the share of the period the
history covers (``slogen.rules.coverage``): ``1 - ratio x covered / budget``. A young
SLO with one bad quarter hour has spent what that quarter hour costs out of a whole
period's budget, not the budget of its two hours of history.
"""

from __future__ import annotations

from slogen import naming, promql
from slogen.model import SLO
from slogen.promql import Binary, Number
from slogen.recorded import recorded, series_labels
from slogen.rules.calendar import calendar_rules
from slogen.rules.coverage import first_seen_lookup, since_first_seen
from slogen.rules.types import Recording, Rule
from slogen.rules.windows import traffic_weighted_ratio

PERIOD_INTERVAL = 300
"""Seconds between evaluations of the period group."""


def period_rules(slo: SLO) -> tuple[Rule, ...]:
    """The period group's recordings; a calendar SLO's sum since its boundary
    (``slogen.rules.calendar``)."""
    if slo.calendar is not None:
        return calendar_rules(slo, slo.calendar)
    labels = series_labels(slo)
    ratio = recorded(naming.ERROR_RATIO_PERIOD, slo)
    covered = recorded(naming.PERIOD_COVERAGE, slo)
    weighted = Binary("*", ratio, covered, promql.on(slo.group_by))
    spent = Binary("/", weighted, Number(slo.budget))
    coverage = since_first_seen(slo, first_seen_lookup(slo), slo.period)
    return (
        Recording(
            naming.ERROR_RATIO_PERIOD, traffic_weighted_ratio(slo, slo.period).render(), labels
        ),
        Recording(naming.PERIOD_COVERAGE, coverage.render(), labels),
        Recording(naming.BUDGET_REMAINING, promql.complement(spent).render(), labels),
    )
