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
from slogen.promql import Binary, Call, Expr, Number, Selector, Verbatim
from slogen.recorded import recorded, series_labels
from slogen.rules.types import Recording
from slogen.spec.promql_input import window_query

_BASE = promql.duration(m.BASE_WINDOW)


def sli_recordings(slo: SLO) -> tuple[Recording, Recording]:
    """The 5m total and errors recordings, in the order they must be evaluated."""
    total, errors = _expressions(slo)
    labels = series_labels(slo)
    return (
        Recording(naming.TOTAL_RATE5M, total.render(), labels),
        Recording(naming.ERRORS_RATE5M, errors.render(), labels),
    )


def _rate(selector: Selector) -> Call:
    """``rate(selector[5m])``."""
    return Call("rate", (selector.range(m.BASE_WINDOW),))


def _query(template: str) -> Verbatim:
    """A raw query of the spec (parsed and checked there) over the 5m window."""
    return Verbatim(window_query(template, _BASE))


def _expressions(slo: SLO) -> tuple[Expr, Expr]:
    sli, by = slo.sli, slo.group_by
    if isinstance(sli, m.EventsSLI):
        total = promql.sum_by(by, _rate(sli.total))
        if sli.errors is not None:
            return total, _errors(slo, promql.sum_by(by, _rate(sli.errors)))
        assert sli.good is not None
        return total, _errors_from_good(slo, promql.sum_by(by, _rate(sli.good)))
    if isinstance(sli, m.LatencySLI):
        count, good = _native(slo, sli) if sli.native else _classic(slo, sli)
        return count, _errors_from_good(slo, good)
    if isinstance(sli, m.UpSLI):
        metric = sli.metric
        down = Binary("==", metric, Number(0))
        return promql.count_by(by, metric), _errors(slo, promql.count_by(by, down))
    if isinstance(sli, m.FreshnessSLI):
        stamp = sli.timestamp
        age = Binary("-", Call("time"), stamp)
        stale = Binary(">", age, Number(sli.max_age))
        return promql.count_by(by, stamp), _errors(slo, promql.count_by(by, stale))
    total = promql.sum_by(by, _query(sli.total))
    if sli.errors is not None:
        return total, _errors(slo, promql.sum_by(by, _query(sli.errors)))
    assert sli.good is not None
    return total, _errors_from_good(slo, promql.sum_by(by, _query(sli.good)))


def _classic(slo: SLO, sli: m.LatencySLI) -> tuple[Expr, Expr]:
    """Total from ``_count``, good from the threshold's bucket in any spelling of it."""
    count = sli.histogram.named(sli.histogram.metric + "_count")
    bucket = sli.histogram.named(sli.histogram.metric + "_bucket").having(
        promql.Matcher("le", "=~", promql.number_pattern(sli.bound))
    )
    total = promql.sum_by(slo.group_by, _rate(count))
    # Two spellings of one bound (le="1" from Prometheus 2, le="1.0" from 3) can be
    # visible at once after an upgrade or behind a mixed HA pair: count one.
    good = promql.Aggregation("max", _rate(bucket), ("le",), without=True)
    return total, promql.sum_by(slo.group_by, good)


def _native(slo: SLO, sli: m.LatencySLI) -> tuple[Expr, Expr]:
    """Total and good events per second of a native histogram's 5m rate.

    The histograms of a group are summed first, so the fraction below the threshold is
    taken once per group; it interpolates within the bucket that holds the threshold,
    which is why any threshold works and why it is an estimate off bucket bounds.
    """
    rate = promql.sum_by(slo.group_by, _rate(sli.histogram))
    total = Call("histogram_count", (rate,))
    fraction = promql.call("histogram_fraction", 0, sli.bound, rate)
    return total, Binary("*", fraction, total)


def _total(slo: SLO) -> Expr:
    """This evaluation's total, one series per group.

    ``max by`` rather than the bare selector: for a few minutes after the recording's
    labels change (a ruler's replica label, a slogen upgrade) the old series is still
    within lookback, and both hold the same quantity.
    """
    return promql.max_by(slo.group_by, recorded(naming.TOTAL_RATE5M, slo))


def _zero_where_total(slo: SLO) -> Expr:
    """0 for every group that has a total: the fill-in for an empty side."""
    return Binary("*", Number(0), _total(slo))


def _errors(slo: SLO, errors: Expr) -> Expr:
    return Binary("or", errors, _zero_where_total(slo), promql.on(slo.group_by))


def _errors_from_good(slo: SLO, good: Expr) -> Expr:
    on = promql.on(slo.group_by)
    good_or_zero = Binary("or", good, _zero_where_total(slo), on)
    return promql.call("clamp_min", Binary("-", _total(slo), good_or_zero, on), 0)
