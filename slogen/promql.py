"""The one place where PromQL text is built.

Generators describe what they want as a tree of typed nodes (a selector, a call, an
aggregation, a binary operation; :mod:`slogen.promql_nodes`), and the tree renders to
text once, with parentheses wherever precedence needs them: label values are escaped
as PromQL string literals, label names are checked, numbers print as the shortest
decimal that reads back as the same float, and durations print in Prometheus units.
Nothing else in slogen pastes user text into a query.

The builders below take nodes and return nodes. Given text instead (importers and
dashboards that hold PromQL as strings), they wrap it as :class:`Verbatim` and return
the rendered text, so the text they produce comes from the same renderer.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import overload

from slogen.promql_nodes import (
    Aggregation,
    At,
    Binary,
    Call,
    Expr,
    Matcher,
    Matching,
    Number,
    Paren,
    RangeSelector,
    Selector,
    String,
    Subquery,
    Verbatim,
    chain,
    render,
)
from slogen.promql_text import (
    ESCAPED,
    ESCAPES,
    LABEL_NAME,
    MATCH_OPS,
    METRIC_NAME,
    Window,
    duration,
    escape_string,
    grouping,
    is_label_name,
    label_name,
    number,
)

__all__ = [
    "COMPARISONS",
    "ESCAPED",
    "ESCAPES",
    "LABEL_NAME",
    "MATCH_OPS",
    "METRIC_NAME",
    "Aggregation",
    "At",
    "Binary",
    "Call",
    "Expr",
    "Matcher",
    "Matching",
    "Number",
    "Paren",
    "RangeSelector",
    "Selector",
    "String",
    "Subquery",
    "Verbatim",
    "Window",
    "aggregate",
    "call",
    "chain",
    "compare_bool",
    "complement",
    "count_by",
    "duration",
    "equals",
    "escape_string",
    "grouping",
    "ignoring",
    "is_label_name",
    "label_name",
    "max_by",
    "number",
    "number_pattern",
    "on",
    "ones_like",
    "over_range",
    "render",
    "sum_by",
]


def equals(labels: Iterable[tuple[str, str]]) -> tuple[Matcher, ...]:
    """Equality matchers for a set of (name, value) pairs."""
    return tuple(Matcher(name, "=", value) for name, value in labels)


def _node(expr: Expr | str) -> Expr:
    return Verbatim(expr) if isinstance(expr, str) else expr


def call(function: str, *args: Expr | Fraction | float | int) -> Call:
    """``function(args)``; numbers become :class:`Number` literals."""
    return Call(function, tuple(a if isinstance(a, Expr) else Number(a) for a in args))


@overload
def aggregate(op: str, labels: tuple[str, ...], expr: Expr) -> Aggregation: ...
@overload
def aggregate(op: str, labels: tuple[str, ...], expr: str) -> str: ...
def aggregate(op: str, labels: tuple[str, ...], expr: Expr | str) -> Aggregation | str:
    """``op by (labels) (expr)``; plain ``op(expr)`` when there is nothing to group by."""
    node = Aggregation(op, _node(expr), labels)
    return node.render() if isinstance(expr, str) else node


@overload
def sum_by(labels: tuple[str, ...], expr: Expr) -> Aggregation: ...
@overload
def sum_by(labels: tuple[str, ...], expr: str) -> str: ...
def sum_by(labels: tuple[str, ...], expr: Expr | str) -> Aggregation | str:
    node = Aggregation("sum", _node(expr), labels)
    return node.render() if isinstance(expr, str) else node


@overload
def max_by(labels: tuple[str, ...], expr: Expr) -> Aggregation: ...
@overload
def max_by(labels: tuple[str, ...], expr: str) -> str: ...
def max_by(labels: tuple[str, ...], expr: Expr | str) -> Aggregation | str:
    node = Aggregation("max", _node(expr), labels)
    return node.render() if isinstance(expr, str) else node


@overload
def count_by(labels: tuple[str, ...], expr: Expr) -> Aggregation: ...
@overload
def count_by(labels: tuple[str, ...], expr: str) -> str: ...
def count_by(labels: tuple[str, ...], expr: Expr | str) -> Aggregation | str:
    node = Aggregation("count", _node(expr), labels)
    return node.render() if isinstance(expr, str) else node


def on(labels: tuple[str, ...]) -> Matching:
    """The ``on (...)`` matching of a binary operation; ``on ()`` matches single
    series on both sides."""
    return Matching(labels)


def ignoring(labels: tuple[str, ...]) -> Matching:
    """The ``ignoring (...)`` matching of a binary operation."""
    return Matching(labels, ignoring=True)


def number_pattern(value: Fraction) -> str:
    """A regex (RE2, anchored by Prometheus) matching every decimal spelling of ``value``.

    Clients print histogram bounds differently and Prometheus 3 rewrites them at
    ingestion, so an exact ``le`` matcher silently stops matching after an upgrade:

    - Go, client_golang's text format (prometheus/common expfmt ``writeFloat``): ``1``
      for 1, else ``strconv.AppendFloat(f, 'g', -1, 64)``: ``0.1``, ``10``, ``1e+06``
      (exponent form from 1e6 up and below 1e-4: ``1.5e+06``, ``1e-05``).
    - Go, OpenMetrics text (``writeOpenMetricsFloat``): the same with ``.0`` appended
      when there is neither a ``.`` nor an ``e``: ``1.0``, ``10.0``, ``1e+06``.
    - Python, prometheus_client ``utils.floatToGoString``: ``repr(float)`` (``1.0``,
      ``0.25``, ``10.0``), rewritten as ``1e+06`` once there are more than six digits
      before the point, to look like Go.
    - Java, simpleclient ``Collector.doubleToGoString`` and the 1.x exposition
      ``TextFormatUtil.writeDouble``: ``Double.toString``: ``1.0``, ``1000000.0``,
      ``1.0E7`` from 1e7 up and ``1.0E-4`` below 1e-3.
    - Prometheus 3 at ingestion of text formats (``normalizeFloatsInLabelValues``) and
      every Prometheus scraping protobuf: ``formatOpenMetricsFloat``, the OpenMetrics
      form above: ``1.0``, ``0.1``, ``1e+06``. Prometheus 2 keeps the text as printed.

    The pattern accepts the plain and the scientific form of this one number, with any
    number of trailing zeros, an optional ``+`` and leading zeros in the exponent, and
    nothing that denotes another number.
    """
    if value <= 0:
        raise ValueError("bucket bounds in an SLO must be positive")
    exact = Decimal(repr(float(value))).normalize()
    _, digit_tuple, exponent = exact.as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(str(d) for d in digit_tuple)
    plain = format(exact, "f")
    if "." in plain:
        whole, fraction = plain.split(".")
        plain_pattern = f"{whole}\\.{fraction}0*"
    else:
        plain_pattern = f"{plain}(\\.0*)?"
    power = exponent + len(digits) - 1
    mantissa = digits[0] + (f"\\.{digits[1:]}0*" if len(digits) > 1 else "(\\.0*)?")
    power_pattern = f"[eE]\\+?0*{power}" if power >= 0 else f"[eE]-0*{-power}"
    return f"{plain_pattern}|{mantissa}{power_pattern}"


COMPARISONS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
"""Comparison operators by the names specs in other formats use for them."""


@overload
def over_range(function: str, expr: Expr, window: Window, step: int | None = None) -> Call: ...
@overload
def over_range(function: str, expr: str, window: Window, step: int | None = None) -> str: ...
def over_range(
    function: str, expr: Expr | str, window: Window, step: int | None = None
) -> Call | str:
    """``function(expr[window])`` for a selector, or with ``step`` a subquery that samples
    any instant expression every ``step``: ``function((expr)[window:step])``.

    ``window`` is seconds or text such as the placeholder ``$window``. Without ``step``
    the expression must be a selector (a :class:`Selector`, or a selector's text)."""
    node = _node(expr)
    if step is not None:
        inner: Expr = Subquery(node, window, step)
    elif isinstance(node, Selector | Verbatim):
        inner = RangeSelector(node, window)
    else:
        raise ValueError(f"only a selector takes a range, not {node.render()!r}")
    result = Call(function, (inner,))
    return result.render() if isinstance(expr, str) else result


@overload
def compare_bool(expr: Expr, op: str, value: Fraction | float | int) -> Binary: ...
@overload
def compare_bool(expr: str, op: str, value: Fraction | float | int) -> str: ...
def compare_bool(expr: Expr | str, op: str, value: Fraction | float | int) -> Binary | str:
    """``expr op bool value``: 1 where the comparison holds and 0 where it does not, so
    that summing it over time counts the samples that hold."""
    if op not in COMPARISONS.values():
        raise ValueError(f"unknown comparison {op!r}")
    node = Binary(op, _node(expr), Number(value), bool_=True)
    return node.render() if isinstance(expr, str) else node


@overload
def complement(expr: Expr) -> Binary: ...
@overload
def complement(expr: str) -> str: ...
def complement(expr: Expr | str) -> Binary | str:
    """``1 - expr``: a failure ratio from a success ratio, keeping the labels."""
    node = Binary("-", Number(1), _node(expr))
    return node.render() if isinstance(expr, str) else node


@overload
def ones_like(expr: Expr) -> Binary: ...
@overload
def ones_like(expr: str) -> str: ...
def ones_like(expr: Expr | str) -> Binary | str:
    """``expr * 0 + 1``: one per series of ``expr``, the total of a ready ratio."""
    node = Binary("+", Binary("*", _node(expr), Number(0)), Number(1))
    return node.render() if isinstance(expr, str) else node
