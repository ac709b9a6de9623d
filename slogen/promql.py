"""The one place where PromQL text is built.

Generators describe what they want (a selector, an aggregation, a window) and this
module turns it into text: label values are escaped as PromQL string literals, label
names are checked, numbers print as the shortest decimal that reads back as the same
float, and durations print in Prometheus units. Nothing else in slogen pastes user
text into a query.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from slogen.durations import format_duration

LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
"""Prometheus' label names; match whole names with :func:`is_label_name` (``$`` would
let a trailing newline through)."""
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
MATCH_OPS = ("=", "!=", "=~", "!~")


ESCAPED = re.compile(r'[\\"\x00-\x1f\x7f]')
"""The characters a PromQL string literal cannot hold as they are."""
ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return ESCAPES.get(char) or f"\\x{ord(char):02x}"


def escape_string(value: str) -> str:
    """Quote a value as a PromQL double-quoted string literal (Go escaping rules)."""
    return '"' + ESCAPED.sub(_escape_char, value) + '"'


def is_label_name(name: str) -> bool:
    """The one test of a label name, for specs, routing and every importer."""
    return LABEL_NAME.fullmatch(name) is not None


def label_name(name: str) -> str:
    """Return a label name unchanged if PromQL accepts it, else raise ValueError."""
    if not is_label_name(name):
        raise ValueError(f"{name!r} is not a valid label name")
    return name


def number(value: Fraction | float | int) -> str:
    """Print a number as the shortest plain decimal that reads back as the same float.

    ``1 - 0.999`` prints as ``0.001``, not ``0.0009999999999999432``, because the value
    is kept as an exact fraction until here; ``1e-05`` prints as ``0.00001``.
    """
    as_float = float(value)
    if not math.isfinite(as_float):
        raise ValueError(f"cannot print {value!r} as a PromQL number")
    text = format(Decimal(repr(as_float)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def duration(seconds: int) -> str:
    """Print a window as a PromQL duration (``5m``, ``1h30m``, ``28d``)."""
    return format_duration(seconds)


@dataclass(frozen=True)
class Matcher:
    """One label matcher; the value is kept unescaped and escaped when rendered."""

    name: str
    op: str
    value: str

    def __post_init__(self) -> None:
        label_name(self.name)
        if self.op not in MATCH_OPS:
            raise ValueError(f"unknown matcher operator {self.op!r}")

    def render(self) -> str:
        return f"{self.name}{self.op}{escape_string(self.value)}"


@dataclass(frozen=True)
class Selector:
    """An instant-vector selector: a metric name and label matchers."""

    metric: str
    matchers: tuple[Matcher, ...] = ()

    def __post_init__(self) -> None:
        if not METRIC_NAME.fullmatch(self.metric):
            raise ValueError(f"{self.metric!r} is not a valid metric name")

    def render(self) -> str:
        if not self.matchers:
            return self.metric
        return self.metric + "{" + ", ".join(m.render() for m in self.matchers) + "}"

    def named(self, metric: str) -> Selector:
        return replace(self, metric=metric)

    def having(self, *matchers: Matcher) -> Selector:
        return replace(self, matchers=self.matchers + tuple(matchers))

    def range(self, seconds: int) -> str:
        return f"{self.render()}[{duration(seconds)}]"

    def label_names(self) -> frozenset[str]:
        return frozenset(m.name for m in self.matchers)


def equals(labels: Iterable[tuple[str, str]]) -> tuple[Matcher, ...]:
    """Equality matchers for a set of (name, value) pairs."""
    return tuple(Matcher(name, "=", value) for name, value in labels)


def grouping(labels: Iterable[str]) -> str:
    """The label list of a ``by``/``on`` clause, checked: ``(cluster, region)``."""
    return "(" + ", ".join(label_name(name) for name in labels) + ")"


def aggregate(op: str, labels: tuple[str, ...], expr: str) -> str:
    """``op by (labels) (expr)``; plain ``op(expr)`` when there is nothing to group by."""
    if not labels:
        return f"{op}({expr})"
    return f"{op} by {grouping(labels)} ({expr})"


def sum_by(labels: tuple[str, ...], expr: str) -> str:
    return aggregate("sum", labels, expr)


def max_by(labels: tuple[str, ...], expr: str) -> str:
    return aggregate("max", labels, expr)


def count_by(labels: tuple[str, ...], expr: str) -> str:
    return aggregate("count", labels, expr)


def on(labels: tuple[str, ...]) -> str:
    """The ``on (...)`` matching clause; ``on ()`` matches single series on both sides."""
    return f"on {grouping(labels)}"


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


def over_range(function: str, expr: str, window: str, step: int | None = None) -> str:
    """``function(expr[window])`` for a selector, or with ``step`` a subquery that samples
    any instant expression every ``step``: ``function((expr)[window:step])``.

    ``window`` is text so that it may be a placeholder such as ``$window``."""
    if step is None:
        return f"{function}({expr}[{window}])"
    return f"{function}(({expr})[{window}:{duration(step)}])"


def compare_bool(expr: str, op: str, value: Fraction | float | int) -> str:
    """``(expr) op bool value``: 1 where the comparison holds and 0 where it does not, so
    that summing it over time counts the samples that hold."""
    if op not in COMPARISONS.values():
        raise ValueError(f"unknown comparison {op!r}")
    return f"({expr}) {op} bool {number(value)}"


def complement(expr: str) -> str:
    """``1 - (expr)``: a failure ratio from a success ratio, keeping the labels."""
    return f"1 - ({expr})"


def ones_like(expr: str) -> str:
    """``(expr) * 0 + 1``: one per series of ``expr``, the total of a ready ratio."""
    return f"({expr}) * 0 + 1"
