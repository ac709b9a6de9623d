"""Reading a period's figures from a live Prometheus that runs slogen's rules.

A handful of queries per SLO: its events over the period (one instant query with
``@``), the same per step for the burn-down (one range query), the ``ALERTS`` it fired
(range queries at the evaluation interval, a week at a time to stay under the
server's 11,000 points per series), one instant query per burn incident, and the
recorded burn rate at the end.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from slogen import naming
from slogen.model import SLO
from slogen.prometheus_api import Prometheus, Sample, Series
from slogen.report.figures import BurnDown, Group, Incident, SLOReport, Span
from slogen.report.period import Period, for_calendar
from slogen.report.queries import burn_rate_at, count_queries, firing_alerts
from slogen.rules.groups import FAST_INTERVAL

MAX_STEPS = 720
"""Most points of a burn-down: an hour apart over a month, enough for a picture."""
RANGE_POINTS = 10_000
"""Most points per range query (Prometheus refuses more than 11,000)."""
LOOKBACK = 600
"""How far before the end to look for the recorded burn rate (the group runs each minute)."""


@dataclass(frozen=True)
class Counts:
    """Errors and all events of one group."""

    errors: float
    total: float


def period_counts(prometheus: Prometheus, slo: SLO, start: int, end: int) -> dict[Group, Counts]:
    """The SLO's errors and events in ``[start, end]`` per ``group_by`` group.

    The one place a report turns a span into events, so that an SLO whose rules come
    to record its period-to-date counts can be read from those instead."""
    queries = count_queries(slo, end - start, end)
    total = _by_group(slo, prometheus.query(queries.total.render()))
    if queries.errors is not None:
        bad = _by_group(slo, prometheus.query(queries.errors.render()))
    else:
        assert queries.good is not None
        good = _by_group(slo, prometheus.query(queries.good.render()))
        bad = {g: max(total[g] - good.get(g, 0.0), 0.0) for g in total}
    return {group: Counts(bad.get(group, 0.0), total[group]) for group in sorted(total)}


def _group(slo: SLO, labels: Sample | Series) -> Group:
    return tuple((name, labels.label(name)) for name in slo.group_by)


def _by_group(slo: SLO, found: Iterable[Sample]) -> dict[Group, float]:
    return {_group(slo, s): s.value for s in found if math.isfinite(s.value)}


def steps(seconds: int) -> int:
    """The burn-down's step: the period split into as many equal whole-second steps as
    fit in :data:`MAX_STEPS` (720 of an hour for a 30-day month, of 14 minutes for a
    week), so that the steps end exactly at the period's end."""
    for count in range(min(MAX_STEPS, max(seconds // 60, 1)), 0, -1):
        if seconds % count == 0:
            return seconds // count
    return seconds


def burn_down(prometheus: Prometheus, slo: SLO, period: Period, counts: Counts) -> BurnDown:
    """The budget left and the SLI to date at each step of the period.

    The per-step increases give the shape; the remaining budget is scaled so that it
    ends at the period's own figure (per-step extrapolation may differ from the whole
    span's by a hair when scrapes do not fall on the steps)."""
    step = steps(period.seconds)
    queries = count_queries(slo, step, None)
    total = _steps(prometheus, queries.total.render(), period, step)
    if queries.errors is not None:
        bad = _steps(prometheus, queries.errors.render(), period, step)
    else:
        assert queries.good is not None
        good = _steps(prometheus, queries.good.render(), period, step)
        bad = {t: max(total[t] - good.get(t, 0.0), 0.0) for t in total}
    times = [float(period.start + step * k) for k in range(period.seconds // step + 1)]
    allowed = float(1 - slo.objective) * counts.total
    spent = 0.0 if allowed <= 0 else counts.errors / allowed
    errors = [sum(bad.get(t, 0.0) for t in times[1 : k + 1]) for k in range(len(times))]
    events = [sum(total.get(t, 0.0) for t in times[1 : k + 1]) for k in range(len(times))]
    last = errors[-1]
    remaining = tuple(1 - (spent * e / last if last > 0 else 0.0) for e in errors)
    sli = tuple(None if n <= 0 else 1 - e / n for e, n in zip(errors, events, strict=True))
    return BurnDown(tuple(times), remaining, sli, step)


def _steps(prometheus: Prometheus, expr: str, period: Period, step: int) -> dict[float, float]:
    """Each step's value summed over the groups, by the step's end."""
    found: dict[float, float] = {}
    for series in _range(prometheus, expr, period.start + step, period.end, step):
        for at, value in series.points:
            if math.isfinite(value):
                found[at] = found.get(at, 0.0) + value
    return found


def _range(prometheus: Prometheus, expr: str, first: int, last: int, step: int) -> list[Series]:
    """A range query from ``first`` to ``last``, in parts of :data:`RANGE_POINTS`."""
    found: list[Series] = []
    while first <= last:
        part = min(last, first + step * (RANGE_POINTS - 1))
        found += prometheus.query_range(expr, first, part, step)
        first = part + step
    return found


def alert_spans(prometheus: Prometheus, slo: SLO, period: Period) -> tuple[Span, ...]:
    """Every span in which one of the SLO's alerts fired, by its start."""
    interval = FAST_INTERVAL
    expr = firing_alerts(slo, interval).render()
    first = period.start + interval
    points: dict[tuple[str, str, Group], set[float]] = {}
    for series in _range(prometheus, expr, first, period.end, interval):
        key = (series.label("alertname"), series.label(naming.SEVERITY_LABEL), _group(slo, series))
        points.setdefault(key, set()).update(at for at, _ in series.points)
    spans: list[Span] = []
    for (alertname, severity, group), times in points.items():
        for start, end in _runs(sorted(times), interval):
            spans.append(Span(alertname, severity, group, start - interval, end))
    return tuple(sorted(spans, key=lambda s: (s.start, s.alertname, s.severity, s.group)))


def _runs(times: list[float], interval: int) -> list[tuple[float, float]]:
    """Runs of points one interval apart, as their first and last point."""
    runs: list[tuple[float, float]] = []
    for at in times:
        if runs and at - runs[-1][1] <= interval:
            runs[-1] = (runs[-1][0], at)
        else:
            runs.append((at, at))
    return runs


def merge_burns(spans: Iterable[Span], severities: tuple[str, ...]) -> tuple[Span, ...]:
    """One span per outage: burn spans of the same group that overlap (or touch), of
    any severity, become one with their union and the highest severity among them, so
    that the page and the ticket of one outage are one incident, charged once.
    ``severities`` runs from the highest; an unknown label ranks below them all."""

    def rank(severity: str) -> int:
        return severities.index(severity) if severity in severities else len(severities)

    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.group, s.start, s.end, rank(s.severity))):
        last = merged[-1] if merged else None
        if last is not None and last.group == span.group and span.start <= last.end:
            severity = min(last.severity, span.severity, key=rank)
            merged[-1] = replace(last, severity=severity, end=max(last.end, span.end))
        else:
            merged.append(span)
    return tuple(sorted(merged, key=lambda s: (s.start, s.alertname, s.severity, s.group)))


def charged_errors(grouped: bool, span: Span, found: dict[Group, Counts]) -> float:
    """The errors an incident is charged: for an SLO with ``group_by`` (``grouped``) only
    those of the span's own group (each burn alert fires for one group, and another
    group's errors in the same span belong to its own incidents, if any); else all."""
    if grouped:
        own = found.get(span.group)
        return 0.0 if own is None else own.errors
    return sum(c.errors for c in found.values())


def incident(prometheus: Prometheus, slo: SLO, span: Span, counts: Counts) -> Incident:
    """A burn span with the share of the period's budget its errors spent."""
    found = period_counts(prometheus, slo, int(span.start), int(span.end))
    errors = charged_errors(bool(slo.group_by), span, found)
    allowed = float(1 - slo.objective) * counts.total
    top = span.group if slo.group_by else None
    return Incident(span, errors / allowed if allowed > 0 else 0.0, top)


def current_burn(prometheus: Prometheus, slo: SLO, end: int) -> tuple[float | None, int | None]:
    """The recorded burn rate of the SLO's shortest long burn window at ``end``, as
    ``slogen status`` reads "the current burn rate"."""
    longs = [pair.long for pair in slo.alerting.burn]
    if not longs:
        return None, None
    window = min(longs)
    found = prometheus.query(burn_rate_at(slo, window, end, LOOKBACK).render())
    values = [s.value for s in found if math.isfinite(s.value)]
    return (values[0] if values else None), window


def slo_report(prometheus: Prometheus, slo: SLO, period: Period) -> SLOReport:
    """One SLO's figures over the period (a calendar SLO's own month or week: see
    :func:`slogen.report.period.for_calendar`)."""
    period = for_calendar(period, slo.calendar)
    by_group = period_counts(prometheus, slo, period.start, period.end)
    counts = Counts(
        sum(c.errors for c in by_group.values()), sum(c.total for c in by_group.values())
    )
    spans = alert_spans(prometheus, slo, period)
    labels = (slo.alerting.severity("page").label, slo.alerting.severity("ticket").label)
    burns = merge_burns((s for s in spans if s.alertname == naming.BURN_ALERT), labels)
    rate, window = current_burn(prometheus, slo, period.end)
    top = max(by_group, key=lambda g: by_group[g].errors, default=None) if slo.group_by else None
    return SLOReport(
        service=slo.service,
        slo=slo.name,
        team=slo.team,
        objective=slo.objective,
        window=slo.period,
        errors=counts.errors,
        total=counts.total,
        from_raw_series=count_queries(slo, period.seconds, period.end).from_raw_series,
        burn_down=burn_down(prometheus, slo, period, counts),
        incidents=tuple(incident(prometheus, slo, span, counts) for span in burns),
        spans=spans,
        page_label=labels[0],
        ticket_label=labels[1],
        current_burn_rate=rate,
        current_burn_window=window,
        top_contributor=top,
        period=period,
    )
