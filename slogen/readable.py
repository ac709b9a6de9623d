"""Numbers for people, in explanations, documents and alert descriptions.

PromQL needs every number exact (``promql.number``); a person reading that 14x over
1h of 28d spends 2.0833333333333335% of the budget needs four digits, not sixteen."""

from __future__ import annotations

from fractions import Fraction

from slogen import promql


def readable(value: Fraction) -> str:
    """Exact when short (``13.44``), else 4 significant digits (``0.9333`` rather than
    ``0.9333333333333333``)."""
    exact = promql.number(value)
    return exact if len(exact) <= 8 else f"{float(value):.4g}"


def percent(value: Fraction) -> str:
    """A share as a readable percent: ``Fraction(1, 48)`` is ``2.083%``."""
    return f"{readable(value * 100)}%"
