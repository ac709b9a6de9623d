"""The PromQL a report asks: an SLO's events over a span of time, and its alerts.

The period's figures come from the SLI's own raw queries over the span, evaluated at
its end with the ``@`` modifier (``increase(errors[30d] @ 1764547200)``), not from an
average of recorded samples: Prometheus counts what the counters rose by between the
first and the last scrape inside the span and extrapolates that to the span's ends,
the same factor for errors and totals scraped together. The figures are counted from
the raw series, and are exact only when every series is scraped at both ends of the
period and exists throughout it. A counter series created inside the period would
lose the events before its first scrape (``increase`` sees only rises between
scrapes), so such a series is counted by its value at the end instead (taking it to
start from 0, see :func:`_counted`); one that vanishes loses the events after its last
scrape, and Prometheus 3 leaves out a sample
exactly at the range's start, so a span then starts one scrape late. Hence the flag
is ``from_raw_series``, not a claim of exactness. SLIs whose raw queries cannot take
a span and an ``@`` (raw PromQL templates, ``up`` and ``freshness``) fall back to
summing slogen's 5m recordings over the span, the traffic-weighted ratio slogen's
period recording uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from slogen import model as m
from slogen import naming, promql
from slogen.model import SLO
from slogen.promql import At, Binary, Call, Expr, Matcher, Selector
from slogen.recorded import recorded


@dataclass(frozen=True)
class CountQueries:
    """Events per group of the SLO over a span: total, and errors or good events.

    ``from_raw_series`` is False for the fallback on recordings (its numbers are sums
    of 5m rates, fit for ratios only). True means counted from the raw series with
    ``increase``: exact when every series is scraped at both ends of the period and
    exists throughout, short by a series' uncounted first or last events otherwise."""

    total: Expr
    errors: Expr | None
    good: Expr | None
    from_raw_series: bool


def _over(selector: Selector, window: int, at: int | None) -> Expr:
    ranged = selector.range(window)
    return At(ranged, at) if at is not None else ranged


def _counted(selector: Selector, window: int, at: int | None) -> Expr:
    """Each series' events over the span: its ``increase``, except that a series absent
    at the span's start (created inside it) counts its whole value at the end, since
    ``increase`` would miss the events before its first scrape:

    ``(increase(x[T] @ end) unless (x @ end unless x @ start)) or (x @ end unless x @ start)``

    This takes a new series' counter to start from 0, as a counter created inside the
    span does; a series that also ends inside the span keeps its ``increase``. Range
    queries (``at`` None, the burn-down's steps) keep the bare ``increase``: their shape
    is scaled to the period's figure."""
    increase = Call("increase", (_over(selector, window, at),))
    if at is None:
        return increase
    new = Binary("unless", At(selector, at), At(selector, at - window))
    return Binary("or", Binary("unless", increase, new), new)


def _increase(selector: Selector, window: int, at: int | None, by: tuple[str, ...]) -> Expr:
    return promql.sum_by(by, _counted(selector, window, at))


def count_queries(slo: SLO, window: int, at: int | None) -> CountQueries:
    """The SLO's events per ``group_by`` group over ``window`` seconds ending at ``at``
    (unix seconds; None: at each point of a range query)."""
    sli, by = slo.sli, slo.group_by
    if isinstance(sli, m.EventsSLI):
        total = _increase(sli.total, window, at, by)
        errors = None if sli.errors is None else _increase(sli.errors, window, at, by)
        good = None if sli.good is None else _increase(sli.good, window, at, by)
        return CountQueries(total, errors, good, from_raw_series=True)
    if isinstance(sli, m.LatencySLI) and not sli.native:
        count = sli.histogram.named(sli.histogram.metric + "_count")
        bucket = sli.histogram.named(sli.histogram.metric + "_bucket").having(
            Matcher("le", "=~", promql.number_pattern(sli.bound))
        )
        increase = _counted(bucket, window, at)
        good = promql.sum_by(by, promql.Aggregation("max", increase, ("le",), without=True))
        return CountQueries(_increase(count, window, at, by), None, good, from_raw_series=True)
    return CountQueries(
        _recorded_sum(slo, naming.TOTAL_RATE5M, window, at),
        _recorded_sum(slo, naming.ERRORS_RATE5M, window, at),
        None,
        from_raw_series=False,
    )


def _recorded_sum(slo: SLO, record: str, window: int, at: int | None) -> Expr:
    over = Call("sum_over_time", (_over(recorded(record, slo), window, at),))
    return promql.sum_by(slo.group_by, over)


def firing_alerts(slo: SLO, interval: int) -> Expr:
    """Whether each of the SLO's alerts fired in the evaluation interval before each
    point of a range query. ``last_over_time`` over one interval, rather than the bare
    ``ALERTS`` series, so that a point never reports an alert from the five minutes of
    lookback after its last evaluation (a backfilled or federated ``ALERTS`` has no
    staleness marker to end it)."""
    firing = Matcher("alertstate", "=", "firing")
    selector = Selector("ALERTS", (firing, *promql.equals(slo.identity)))
    return Call("last_over_time", (selector.range(interval),))


def burn_rate_at(slo: SLO, window: int, at: int, lookback: int) -> Expr:
    """The recorded burn rate over ``window`` as it stood at ``at`` (the largest of the
    SLO's groups): the "current" rate a projection extrapolates."""
    selector = recorded(naming.burn_rate(window), slo)
    latest = Call("last_over_time", (At(selector.range(lookback), at),))
    return promql.aggregate("max", (), latest)
