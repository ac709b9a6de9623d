"""The only rules that read the user's raw series: errors and total over 5 minutes.

Everything else slogen records is computed from these two series per SLO and group,
so the cost of long windows does not grow with the cardinality of the raw metrics.

The total is recorded first; the errors rule then reuses that recording in the same
evaluation (rules in a group run in order) for two things the raw data cannot say:
an errors selector that matches nothing (no 5xx seen yet) counts 0 wherever there is
traffic, rather than leaving the SLO empty; and good-event SLIs become errors as
``total - good``, clamped at 0 against scrape skew between the two counters.
"""

from __future__ import annotations

from slogen import model as m
from slogen import naming, promql
from slogen.model import SLO
from slogen.rules.series import recorded, series_labels
from slogen.rules.types import Recording
from slogen.spec.promql_input import window_query

_BASE = promql.duration(m.BASE_WINDOW)


def sli_recordings(slo: SLO) -> tuple[Recording, Recording]:
    """The 5m total and errors recordings, in the order they must be evaluated."""
    total, errors = _expressions(slo)
    labels = series_labels(slo)
    return (
        Recording(naming.TOTAL_RATE5M, total, labels),
        Recording(naming.ERRORS_RATE5M, errors, labels),
    )


def _expressions(slo: SLO) -> tuple[str, str]:
    sli, by = slo.sli, slo.group_by
    if isinstance(sli, m.EventsSLI):
        total = promql.sum_by(by, f"rate({sli.total.range(m.BASE_WINDOW)})")
        if sli.errors is not None:
            return total, _errors(
                slo, promql.sum_by(by, f"rate({sli.errors.range(m.BASE_WINDOW)})")
            )
        assert sli.good is not None
        return total, _errors_from_good(
            slo, promql.sum_by(by, f"rate({sli.good.range(m.BASE_WINDOW)})")
        )
    if isinstance(sli, m.LatencySLI):
        total, good = _native(slo, sli) if sli.native else _classic(slo, sli)
        return total, _errors_from_good(slo, good)
    if isinstance(sli, m.UpSLI):
        metric = sli.metric.render()
        return promql.count_by(by, metric), _errors(slo, promql.count_by(by, f"{metric} == 0"))
    if isinstance(sli, m.FreshnessSLI):
        stamp = sli.timestamp.render()
        stale = f"time() - {stamp} > {promql.number(sli.max_age)}"
        return promql.count_by(by, stamp), _errors(slo, promql.count_by(by, stale))
    total = promql.sum_by(by, window_query(sli.total, _BASE))
    if sli.errors is not None:
        return total, _errors(slo, promql.sum_by(by, window_query(sli.errors, _BASE)))
    assert sli.good is not None
    return total, _errors_from_good(slo, promql.sum_by(by, window_query(sli.good, _BASE)))


def _classic(slo: SLO, sli: m.LatencySLI) -> tuple[str, str]:
    """Total from ``_count``, good from the threshold's bucket in any spelling of it."""
    count = sli.histogram.named(sli.histogram.metric + "_count")
    bucket = sli.histogram.named(sli.histogram.metric + "_bucket").having(
        promql.Matcher("le", "=~", promql.number_pattern(sli.bound))
    )
    total = promql.sum_by(slo.group_by, f"rate({count.range(m.BASE_WINDOW)})")
    # Two spellings of one bound (le="1" from Prometheus 2, le="1.0" from 3) can be
    # visible at once after an upgrade or behind a mixed HA pair: count one.
    good = f"max without (le) (rate({bucket.range(m.BASE_WINDOW)}))"
    return total, promql.sum_by(slo.group_by, good)


def _native(slo: SLO, sli: m.LatencySLI) -> tuple[str, str]:
    """Total and good events per second of a native histogram's 5m rate.

    The histograms of a group are summed first, so the fraction below the threshold is
    taken once per group; it interpolates within the bucket that holds the threshold,
    which is why any threshold works and why it is an estimate off bucket bounds.
    """
    rate = promql.sum_by(slo.group_by, f"rate({sli.histogram.range(m.BASE_WINDOW)})")
    total = f"histogram_count({rate})"
    good = f"histogram_fraction(0, {promql.number(sli.bound)}, {rate}) * {total}"
    return total, good


def _total(slo: SLO) -> str:
    """This evaluation's total, one series per group.

    ``max by`` rather than the bare selector: for a few minutes after the recording's
    labels change (a ruler's replica label, a slogen upgrade) the old series is still
    within lookback, and both hold the same quantity.
    """
    return promql.max_by(slo.group_by, recorded(naming.TOTAL_RATE5M, slo).render())


def _zero_where_total(slo: SLO) -> str:
    """0 for every group that has a total: the fill-in for an empty side."""
    return f"0 * {_total(slo)}"


def _errors(slo: SLO, errors: str) -> str:
    return f"{errors} or {promql.on(slo.group_by)} {_zero_where_total(slo)}"


def _errors_from_good(slo: SLO, good: str) -> str:
    total = _total(slo)
    on = promql.on(slo.group_by)
    return f"clamp_min({total} - {on} ({good} or {on} {_zero_where_total(slo)}), 0)"
