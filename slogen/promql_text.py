"""PromQL's lexical pieces: escaped strings, checked names, exact numbers, durations.

Every piece of text that enters a PromQL expression from a spec (a label value, a
label or metric name, a number, a window) passes through one of these, so that no
value is ever pasted: values are escaped, names are checked against Prometheus'
grammar, numbers print as the shortest decimal that reads back as the same float.
The expression tree (:mod:`slogen.promql_nodes`) is built from them.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

from slogen.durations import format_duration

LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
"""Prometheus' label names; match whole names with :func:`is_label_name` (``$`` would
let a trailing newline through)."""
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
FUNCTION_NAME = re.compile(r"[a-z_][a-z0-9_]*")
MATCH_OPS = ("=", "!=", "=~", "!~")
PLACEHOLDER = re.compile(r"\$[a-zA-Z_][a-zA-Z0-9_]*|\$\{[a-zA-Z_][a-zA-Z0-9_]*\}")
"""A dashboard or template variable standing for a window (``$window``)."""
DURATION_TEXT = re.compile(r"(?:[0-9]+(?:ms|[smhdwy]))+")


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


Window = int | str
"""A range or subquery window: whole seconds, or a placeholder such as ``$window``."""


def window_text(window: Window) -> str:
    if isinstance(window, int):
        return duration(window)
    if not (PLACEHOLDER.fullmatch(window) or DURATION_TEXT.fullmatch(window)):
        raise ValueError(f"{window!r} is neither a duration nor a placeholder")
    return window


def grouping(labels: tuple[str, ...]) -> str:
    """The label list of a ``by``/``on`` clause, checked: ``(cluster, region)``."""
    return "(" + ", ".join(label_name(name) for name in labels) + ")"
