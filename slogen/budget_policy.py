"""The error budget policy's states, by the share of the period's budget remaining.

Dashboards colour by them and ``slogen status``/``gate`` report them, so both name the
same state for the same budget. The thresholds match the default budget alerts: a
ticket below 25% remaining, a page when spent (below 0).
"""

from __future__ import annotations

from fractions import Fraction

CRITICAL_BELOW = Fraction(1, 4)
WARNING_BELOW = Fraction(1, 2)
HEALTHY, WARNING, CRITICAL, EXHAUSTED = "healthy", "warning", "critical", "exhausted"


def state(remaining: float) -> str:
    """The policy state for ``remaining`` (1 = all of the budget left, below 0 = overspent)."""
    if remaining < 0:
        return EXHAUSTED
    if remaining < CRITICAL_BELOW:
        return CRITICAL
    if remaining < WARNING_BELOW:
        return WARNING
    return HEALTHY
