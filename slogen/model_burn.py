"""Burn-rate arithmetic: factors, budget shares and the limits a burn policy must keep.

Kept apart from the model's types because resolving asks these questions before there
is an SLO (is this policy possible for that objective?) and importers ask them of
other tools' policies; exact fractions throughout, so printed thresholds are the
numbers a person would write.
"""

from __future__ import annotations

import functools
from enum import Enum
from fractions import Fraction

BASE_WINDOW = 300
"""Seconds of the only window read from raw series (the 5m rates)."""


def burn_factor(budget_spent: Fraction, period: int, long_window: int) -> Fraction:
    """How many times faster than sustainable the budget burns when ``budget_spent``
    of it goes in ``long_window``: ``budget_spent * period / long_window``.

    The SRE Workbook's 14.4 is 2% of a 30-day budget in one hour.
    """
    return budget_spent * period / long_window


def budget_share(factor: Fraction, period: int, long_window: int) -> Fraction:
    """The share of the budget a burn at ``factor`` spends in ``long_window``, the
    inverse of :func:`burn_factor`: a policy written as a factor (Pyrra's 14x over 1h
    of 28d is 1/48) becomes the same alert as one written as a share."""
    return factor * long_window / period


def error_budget(objective: Fraction) -> Fraction:
    """The share of events allowed to be bad. A function as well as :attr:`SLO.budget`,
    because resolving needs it before there is an SLO to ask."""
    return 1 - objective


def fastest_burn(objective: Fraction) -> Fraction:
    """The highest burn factor an SLO can ever see: every event bad. A burn alert at
    this factor or above needs an error ratio over 100% and can never fire."""
    return 1 / error_budget(objective)


class BurnFault(Enum):
    """Why a burn policy cannot work for an SLO, as a fact about its numbers; the words
    for people are resolving's, which also knows where the policy was written."""

    NOTHING_SPENT = "nothing spent"
    LONG_NOT_IN_PERIOD = "long window not inside the period"
    SHORT_NOT_IN_LONG = "short window not inside the long window"
    SHORT_BELOW_BASE = "short window below the base rates"
    MORE_THAN_BUDGET = "spends more than the whole budget"
    PAGE_SLOWER_THAN_ACCRUAL = "page fires while the budget accrues faster than it burns"
    NEVER_FIRES = "needs an error ratio over 100%"

    @property
    def caused_by_objective(self) -> bool:
        """The objective rules the policy out: the windows and share alone would work,
        so a built-in policy hit by it can be left out rather than refused."""
        return self is BurnFault.NEVER_FIRES


@functools.lru_cache(maxsize=4096)
def burn_fault(
    severity: str,
    budget_spent: Fraction,
    long_window: int,
    short_window: int,
    period: int,
    objective: Fraction | None,
) -> BurnFault | None:
    """The first limit a burn policy breaks for one SLO, or None when it can work.

    Windows must nest inside the period and each other, and none can be shorter than
    the 5m rates they are built from. Without an objective (None: the SLO is refused
    for that already) only what holds whatever the objective is checked, so one
    mistake is not reported twice over. A pure function of a few numbers that a tree
    repeats for every SLO and policy, so it is remembered (the Fraction arithmetic
    cost a thousand SLOs a tenth of a second)."""
    if budget_spent <= 0:
        return BurnFault.NOTHING_SPENT
    if long_window >= period:
        return BurnFault.LONG_NOT_IN_PERIOD
    if short_window >= long_window:
        return BurnFault.SHORT_NOT_IN_LONG
    if short_window < BASE_WINDOW:
        return BurnFault.SHORT_BELOW_BASE
    if budget_spent > 1:
        return BurnFault.MORE_THAN_BUDGET
    if objective is None:
        return None
    factor = burn_factor(budget_spent, period, long_window)
    if severity == "page" and factor < 1:
        return BurnFault.PAGE_SLOWER_THAN_ACCRUAL
    if factor * error_budget(objective) >= 1:
        return BurnFault.NEVER_FIRES
    return None
