"""OpenSLO indicators over Prometheus as slogen SLIs.

slogen's ``ratio`` SLI needs queries over ``$window``; OpenSLO's Prometheus queries
rarely have a window, so each shape gets the mapping that keeps its meaning:

- a ratio of bare counter selectors (or ``sum``/``sum by`` of one) is an ``events``
  SLI: slogen applies the rate itself, and ``sum by`` labels become ``group_by``;
- queries with Sloth's ``{{.window}}`` placeholder are ``ratio`` queries as written;
- ``counter: false`` (gauges) sums each side's values, sampled every minute;
- a ``raw`` ready ratio is averaged (``rawType`` says whether it counts successes);
- a ``thresholdMetric`` over a histogram's ``_bucket`` series with ``lt``/``lte`` is a
  ``latency`` SLI; over anything else it is sampled every minute (or every time
  slice) and each sample is one event, good while ``query op value`` holds.

A counter expression without a window (``sum(rate(x[5m]))``) has no faithful mapping:
slogen cannot choose its window, so the SLO is skipped and the reason reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import promql_parser

from slogen import latency_units, promql
from slogen.importers.openslo_values import Unmappable, shorthand
from slogen.spec.promql_input import WINDOW_PLACEHOLDER, parse_selector

SourceResolver = Callable[[Any, str], tuple[str, dict[str, Any]]]
"""metricSource, its field -> (type, spec), following metricSourceRef to a DataSource."""

SAMPLE = 60
"""Seconds between the samples of a gauge or threshold query: one rule evaluation."""
_PLACEHOLDER = re.compile(r"\{\{\s*\.window\s*\}\}")
_NEGATED = {"lt": ">=", "lte": ">", "gt": "<=", "gte": "<"}
_SAID = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


@dataclass(frozen=True)
class MappedSLI:
    """A slogen ``sli``, the ``group_by`` it implies, and what the mapping changed."""

    sli: dict[str, Any]
    group_by: tuple[str, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Query:
    text: str
    field: str

    @property
    def windowed(self) -> bool:
        return bool(_PLACEHOLDER.search(self.text))

    @property
    def with_window(self) -> str:
        return _PLACEHOLDER.sub(WINDOW_PLACEHOLDER, self.text)


def map_indicator(
    indicator: dict[str, Any],
    objective: dict[str, Any],
    field: str,
    resolve: SourceResolver,
    step: int = SAMPLE,
) -> MappedSLI:
    """The slogen SLI for one objective of an indicator; Unmappable says why not."""
    if isinstance(indicator.get("ratioMetric"), dict):
        return _ratio(indicator["ratioMetric"], f"{field}.ratioMetric", resolve)
    if isinstance(indicator.get("thresholdMetric"), dict):
        return _threshold(
            indicator["thresholdMetric"], objective, f"{field}.thresholdMetric", resolve, step
        )
    raise Unmappable(field, "gives neither ratioMetric nor thresholdMetric")


def _query(part: Any, field: str, resolve: SourceResolver) -> _Query:
    if not isinstance(part, dict):
        raise Unmappable(field, "is not a mapping with a metricSource")
    kind, spec = resolve(part.get("metricSource"), f"{field}.metricSource")
    if kind.lower() != "prometheus":
        raise Unmappable(
            f"{field}.metricSource.type",
            f"metric source type {kind!r}: slogen reads Prometheus only",
        )
    for key in ("query", "promql", "promQL"):
        if isinstance(spec.get(key), str) and spec[key].strip():
            return _Query(spec[key].strip(), f"{field}.metricSource.spec.{key}")
    raise Unmappable(f"{field}.metricSource.spec", "has no Prometheus query (spec.query)")


def _ratio(ratio: dict[str, Any], field: str, resolve: SourceResolver) -> MappedSLI:
    if "raw" in ratio:
        return _raw(ratio, field, resolve)
    side = "good" if "good" in ratio else "bad" if "bad" in ratio else None
    if side is None or "total" not in ratio:
        raise Unmappable(field, "needs good or bad together with total, or raw")
    part = _query(ratio[side], f"{field}.{side}", resolve)
    total = _query(ratio["total"], f"{field}.total", resolve)
    key = "good" if side == "good" else "errors"
    if ratio.get("counter") is False:
        return _gauges(key, part, total, field)
    selectors = [_summed_selector(q) for q in (part, total)]
    if selectors[0] is not None and selectors[1] is not None:
        (selector, by), (total_selector, total_by) = selectors[0], selectors[1]
        if by != total_by:
            raise Unmappable(field, f"{side} is summed by {list(by)} but total by {list(total_by)}")
        return MappedSLI({"events": {key: selector.render(), "total": total_selector.render()}}, by)
    queries = {}
    for name, query, found in ((key, part, selectors[0]), ("total", total, selectors[1])):
        if query.windowed:
            queries[name] = query.with_window
        elif found is not None:
            queries[name] = promql.sum_by(
                found[1], promql.over_range("rate", found[0].render(), WINDOW_PLACEHOLDER)
            )
        else:
            raise Unmappable(
                query.field,
                f"{query.text!r} is a PromQL expression without a {{{{.window}}}} range, so "
                "slogen cannot choose its window; give a bare counter selector (slogen "
                "applies rate) or write the ranges as [{{.window}}]",
            )
    return MappedSLI({"ratio": queries})


def _gauges(key: str, part: _Query, total: _Query, field: str) -> MappedSLI:
    sides = {}
    for name, query in ((key, part), ("total", total)):
        if query.windowed:
            raise Unmappable(
                query.field,
                "counter: false with a {{.window}} range: a gauge has no rate to window",
            )
        _instant(query)
        sides[name] = promql.over_range("sum_over_time", query.text, WINDOW_PLACEHOLDER, SAMPLE)
    note = (
        f"{field}.counter",
        "false: each side's gauge values are summed over every window, sampled every 1m",
    )
    return MappedSLI({"ratio": sides}, notes=(note,))


def _raw(ratio: dict[str, Any], field: str, resolve: SourceResolver) -> MappedSLI:
    kind = str(ratio.get("rawType", "")).lower()
    if kind not in ("success", "failure"):
        raise Unmappable(f"{field}.rawType", f"{ratio.get('rawType')!r}; give success or failure")
    query = _query(ratio["raw"], f"{field}.raw", resolve)
    if query.windowed:
        ready = query.with_window
        errors = ready if kind == "failure" else promql.complement(ready)
        sli = {"errors": f"({errors})", "total": promql.ones_like(ready)}
        note = "a ready ratio: total is 1 per series, so windows average the 5-minute ratios"
    else:
        _instant(query)
        failures = query.text if kind == "failure" else promql.complement(query.text)
        sli = {
            "errors": promql.over_range("sum_over_time", failures, WINDOW_PLACEHOLDER, SAMPLE),
            "total": promql.over_range("count_over_time", query.text, WINDOW_PLACEHOLDER, SAMPLE),
        }
        note = "a ready ratio: windows average its value sampled every 1m"
    return MappedSLI({"ratio": sli}, notes=((f"{field}.raw", note),))


def _threshold(
    metric: dict[str, Any],
    objective: dict[str, Any],
    field: str,
    resolve: SourceResolver,
    step: int,
) -> MappedSLI:
    query = _query(metric, field, resolve)
    op, value = objective.get("op"), objective.get("value")
    if op not in _NEGATED or isinstance(value, bool) or not isinstance(value, int | float):
        raise Unmappable(
            field,
            "a threshold metric needs the objective's op (lt, lte, gt, gte) and a numeric "
            f"value; got op {op!r}, value {value!r}",
        )
    if query.windowed:
        raise Unmappable(
            query.field, "a threshold query with {{.window}}: a sampled value has no window"
        )
    bucket = _bucket_selector(query)
    if bucket is not None:
        return _latency(bucket, op, value, field)
    _instant(query)
    errors = promql.compare_bool(query.text, _NEGATED[op], value)
    sli = {
        "ratio": {
            "errors": promql.over_range("sum_over_time", errors, WINDOW_PLACEHOLDER, step),
            "total": promql.over_range("count_over_time", query.text, WINDOW_PLACEHOLDER, step),
        }
    }
    every = promql.duration(step)
    note = (
        f"each {every} sample of the query is one event, "
        f"good while it is {_SAID[op]} {promql.number(value)}"
    )
    return MappedSLI(sli, notes=((field, note),))


def _latency(selector: promql.Selector, op: str, value: float | int, field: str) -> MappedSLI:
    if op not in ("lt", "lte"):
        raise Unmappable(
            field,
            f"a histogram compared with {op}: slogen's latency SLI counts requests "
            "at or below a bound",
        )
    if value <= 0 or "le" in selector.label_names():
        raise Unmappable(
            field, "a latency bound must be positive and the selector must not match on le"
        )
    histogram = selector.named(selector.metric.removesuffix("_bucket")).render()
    # The value is an le bound in the histogram's own unit: 250 on a _milliseconds
    # histogram is 250ms, 16.384 on a _seconds one 16.384s.
    threshold, unknown = latency_units.imported_threshold(
        Fraction(repr(float(value))), selector.metric
    )
    notes: tuple[tuple[str, str], ...] = ()
    if op == "lt":
        notes = (
            (field, f"op lt imported as at most {promql.number(value)} (the bucket's le bound)"),
        )
    if unknown is not None:
        notes += ((field, unknown),)
    return MappedSLI({"latency": {"histogram": histogram, "threshold": threshold}}, notes=notes)


def _summed_selector(query: _Query) -> tuple[promql.Selector, tuple[str, ...]] | None:
    """A bare selector, or ``sum``/``sum by (...)`` of one, with the ``by`` labels."""
    try:
        expr = promql_parser.parse(query.text)
    except ValueError:
        return None
    by: tuple[str, ...] = ()
    if (
        isinstance(expr, promql_parser.AggregateExpr)
        and str(expr.op) == "sum"
        and expr.param is None
    ):
        modifier = expr.modifier
        if modifier is not None and not str(modifier.type).endswith("By"):
            return None
        by = tuple(modifier.labels) if modifier is not None else ()
        expr = expr.expr
    if not isinstance(expr, promql_parser.VectorSelector):
        return None
    try:
        return parse_selector(str(expr)), by
    except ValueError:
        return None


def _bucket_selector(query: _Query) -> promql.Selector | None:
    try:
        selector = parse_selector(query.text)
    except ValueError:
        return None
    return selector if selector.metric.endswith("_bucket") else None


def _instant(query: _Query) -> None:
    """The query must parse and give an instant vector, to be sampled by a subquery."""
    try:
        expr = promql_parser.parse(query.text)
    except ValueError as error:
        raise Unmappable(query.field, f"invalid PromQL {query.text!r}: {error}") from None
    if isinstance(expr, promql_parser.MatrixSelector | promql_parser.SubqueryExpr):
        raise Unmappable(query.field, f"{query.text!r} is a range vector, not a value per series")
    if isinstance(expr, promql_parser.NumberLiteral | promql_parser.StringLiteral):
        raise Unmappable(query.field, f"{query.text!r} is a constant, not a series")


def slice_step(objective: dict[str, Any], field: str) -> int:
    """Sampling step of a threshold metric: the objective's time slice when it is one
    minute to five (slogen's base window), else one minute."""
    window = objective.get("timeSliceWindow")
    if window is None:
        return SAMPLE
    if isinstance(window, int) and not isinstance(window, bool):
        seconds = window * 60
    else:
        try:
            seconds, _ = shorthand(window, f"{field}.timeSliceWindow")
        except Unmappable:
            return SAMPLE
    return seconds if SAMPLE <= seconds <= 300 and seconds % SAMPLE == 0 else SAMPLE
