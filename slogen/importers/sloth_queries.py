"""What a Sloth query computes, as far as importing it needs to know.

Sloth divides ``error_query`` by ``total_query`` as written, so the labels each keeps
decide what one SLO series stands for: ``sum(rate(...)) by (request_host)`` alerts per
host. slogen sums a query per the SLO's ``group_by`` (to get exactly one recorded series
per group), so an import that leaves ``group_by`` empty merges the hosts into one
fleet-wide ratio. These functions read a query (with ``$window`` where Sloth had
``{{.window}}``) for that grouping, for the common shape that is plainly one counter
(which becomes an ``events`` SLI), and for the series it reads other than as counts
over the window (whose meaning changes once slogen sums 5-minute values).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

import promql_parser

from slogen.promql import Selector, duration
from slogen.spec.promql_input import KEEPS_LABELS, selector_of, window_query

_WINDOW = timedelta(seconds=3_333_333)
"""Parsed in place of ``$window``: a range nobody writes, so that a ``[5m]`` written by
hand is told apart from Sloth's window."""
COUNTING = frozenset({"rate", "increase"})
"""Over one window, increase/increase and rate/rate are the same ratio (the window's
length cancels), which is what slogen's ``events`` SLI computes from 5m rates."""
_ADDITIVE = COUNTING | {"sum_over_time", "count_over_time"}
"""Functions whose value over a window is the sum (or, for rate, the mean) of their
values over its 5-minute parts, so slogen's sum of 5m recordings keeps their meaning."""


def parse(query: str) -> object:
    """The query's syntax tree, ``$window`` standing for Sloth's window; ValueError if
    it does not parse."""
    return promql_parser.parse(window_query(query, duration(int(_WINDOW.total_seconds()))))


@dataclass(frozen=True)
class CounterSum:
    """``sum [by (labels)] (rate|increase(selector[$window]))``: one counter's events
    per group, the shape slogen's ``events`` SLI records itself."""

    selector: Selector
    function: str
    by: tuple[str, ...]


def counter_sum(query: str) -> CounterSum | None:
    """The query as one counter summed over the window, or None when it is anything
    else (``without``, an offset, several counters, a fixed range...)."""
    try:
        expr = _unwrap(parse(query))
    except ValueError:
        return None
    if not isinstance(expr, promql_parser.AggregateExpr) or str(expr.op) != "sum":
        return None
    by = _by(expr.modifier)
    call = _unwrap(expr.expr)
    if by is None or not isinstance(call, promql_parser.Call) or len(call.args) != 1:
        return None
    function, (argument,) = str(call.func.name), call.args
    matrix = isinstance(argument, promql_parser.MatrixSelector)
    if function not in COUNTING or not matrix or not _over_window(argument):
        return None
    try:
        selector = selector_of(argument.vector_selector, query)
    except ValueError:  # offset, @, or several metrics: not a plain counter
        return None
    return CounterSum(selector, function, by)


@dataclass(frozen=True)
class Grouping:
    """The labels one series of a query's result stands for: those of its outermost
    ``by`` (empty: one series for all), unless ``unclear`` says why they cannot be told."""

    by: tuple[str, ...] = ()
    unclear: str = ""


class _Part(NamedTuple):
    """Where one path of the syntax tree leaves the query's result labels: an
    aggregation ``by`` or ``without`` some labels, or raw series not aggregated."""

    kind: str
    text: str
    labels: tuple[str, ...] = ()


def grouping(query: str) -> Grouping:
    """The query's grouping, read from its outermost aggregations as slogen's own
    ``labels_dropped`` check reads them; every part must agree."""
    try:
        expr = parse(query)
    except ValueError as error:
        return Grouping(unclear=f"is not PromQL slogen can read ({error})")
    parts = list(_outermost(expr))
    raw = sorted({part.text for part in parts if part.kind == "series"})
    if raw:
        return Grouping(
            unclear=f"reads {', '.join(raw)} without aggregating, so its result has a "
            "series per label set of the raw series"
        )
    without = [part for part in parts if part.kind == "without"]
    if without:
        return Grouping(
            unclear=f"aggregates with {without[0].text} without ({', '.join(without[0].labels)}), "
            "which keeps every other label of the raw series"
        )
    groupings = list(dict.fromkeys(part.labels for part in parts))
    if len({frozenset(labels) for labels in groupings}) > 1:
        return Grouping(
            unclear="has parts that group differently: "
            + ", ".join(f"by ({', '.join(labels)})" for labels in groupings)
        )
    return Grouping(by=groupings[0] if groupings else ())


def unwindowed(query: str) -> list[str]:
    """The metrics a query reads other than through rate, increase, sum_over_time or
    count_over_time over Sloth's window: a gauge such as ``up``, or a fixed ``[1h]``.
    Sloth reads those at the alert's instant; slogen sums the query's 5-minute values
    over each window, so they count as their average over the window instead."""
    try:
        expr = parse(query)
    except ValueError:
        return []
    return sorted(set(_unwindowed(expr, windowed=False)))


def _unwindowed(expr: object, windowed: bool) -> Iterator[str]:
    if isinstance(expr, promql_parser.Call):
        counts = str(expr.func.name) in _ADDITIVE
        for argument in expr.args:
            yield from _unwindowed(argument, windowed or (counts and _over_window(argument)))
    elif isinstance(expr, promql_parser.VectorSelector):
        if not windowed:
            yield _metric(expr)
    elif isinstance(expr, promql_parser.MatrixSelector):
        yield from _unwindowed(expr.vector_selector, windowed)
    elif isinstance(expr, promql_parser.BinaryExpr):
        yield from _unwindowed(expr.lhs, windowed)
        yield from _unwindowed(expr.rhs, windowed)
    elif isinstance(expr, _WRAPPING):
        yield from _unwindowed(expr.expr, windowed)


_WRAPPING = (
    promql_parser.ParenExpr,
    promql_parser.UnaryExpr,
    promql_parser.SubqueryExpr,
    promql_parser.AggregateExpr,
)


def _outermost(expr: object) -> Iterator[_Part]:
    """Each path's first aggregation (or raw series), outside in."""
    if isinstance(expr, promql_parser.AggregateExpr):
        op = str(expr.op)
        if op in KEEPS_LABELS:
            yield from _outermost(expr.expr)
            return
        by = _by(expr.modifier)
        if by is None:
            yield _Part("without", op, tuple(getattr(expr.modifier, "labels", ())))
        else:
            yield _Part("by", op, by)
    elif isinstance(expr, promql_parser.VectorSelector):
        yield _Part("series", _metric(expr))
    elif isinstance(expr, promql_parser.MatrixSelector):
        yield from _outermost(expr.vector_selector)
    elif isinstance(expr, promql_parser.BinaryExpr):
        yield from _outermost(expr.lhs)
        yield from _outermost(expr.rhs)
    elif isinstance(expr, promql_parser.Call):
        for argument in expr.args:
            yield from _outermost(argument)
    elif isinstance(expr, _WRAPPING):
        yield from _outermost(expr.expr)


def _by(modifier: object) -> tuple[str, ...] | None:
    """An aggregation's ``by`` labels (none: one series for all); None for ``without``."""
    if modifier is None:
        return ()
    if str(getattr(modifier, "type", "")).endswith("By"):
        return tuple(getattr(modifier, "labels", ()))
    return None


def _over_window(argument: object) -> bool:
    """A range (or subquery) over Sloth's window, ``[{{.window}}]``."""
    kinds = promql_parser.MatrixSelector | promql_parser.SubqueryExpr
    return isinstance(argument, kinds) and argument.range == _WINDOW


def _unwrap(expr: object) -> object:
    """The expression inside any parentheses."""
    while isinstance(expr, promql_parser.ParenExpr):
        expr = expr.expr
    return expr


def _metric(selector: promql_parser.VectorSelector) -> str:
    return str(selector.name) if selector.name else str(selector)
