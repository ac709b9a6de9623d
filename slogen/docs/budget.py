"""The error budget in the units a stakeholder weighs it in, and its policy states.

A budget of 0.1% over 30 days is 43.2 minutes of full outage; that figure, not the
ratio, is what people argue about. It is printed exactly when the decimal ends and
rounded (marked ``≈``) only when it repeats, so the same spec always gives the same
page.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from slogen import budget_policy
from slogen.model import SLO, BudgetAlert

MAX_EXACT_DECIMALS = 6
"""A terminating decimal longer than this (a budget of 0.0001% over 7d, say) is
rounded like a repeating one: nobody plans in microminutes."""


def full_outage_minutes(slo: SLO) -> Fraction:
    """Minutes of total outage the error budget allows over the SLO's window."""
    return slo.budget * slo.period / 60


def decimal(value: Fraction, places: int = 2) -> str:
    """``43.2``, ``201.6``, ``2016``: exact when the decimal ends within
    :data:`MAX_EXACT_DECIMALS` places, else ``≈`` and rounded to ``places``."""
    for digits in range(MAX_EXACT_DECIMALS + 1):
        scaled = value * 10**digits
        if scaled.denominator == 1:
            return _places(scaled.numerator, digits)
    rounded = round(value * 10**places)
    return "≈" + _places(rounded, places).rstrip("0").rstrip(".")


def _places(scaled: int, digits: int) -> str:
    sign = "-" if scaled < 0 else ""
    whole, fraction = divmod(abs(scaled), 10**digits)
    return sign + (f"{whole}.{fraction:0{digits}d}" if digits else str(whole))


@dataclass(frozen=True)
class PolicyState:
    """A state of the error budget policy: budget remaining in ``[low, high)``."""

    name: str
    low: Fraction | None
    high: Fraction | None
    meaning: str


POLICY_STATES = (
    PolicyState(
        budget_policy.HEALTHY, budget_policy.WARNING_BELOW, None, "at least half the budget is left"
    ),
    PolicyState(
        budget_policy.WARNING,
        budget_policy.CRITICAL_BELOW,
        budget_policy.WARNING_BELOW,
        "under half the budget is left",
    ),
    PolicyState(
        budget_policy.CRITICAL, Fraction(0), budget_policy.CRITICAL_BELOW, "under a quarter is left"
    ),
    PolicyState(
        budget_policy.EXHAUSTED, None, Fraction(0), "the budget is spent; the SLO is missed"
    ),
)
"""The states of :mod:`slogen.budget_policy`, which dashboards colour by and
``slogen status`` reports, as ranges of budget remaining."""


def alerts_in(state: PolicyState, slo: SLO) -> list[tuple[BudgetAlert, bool]]:
    """The SLO's budget alerts that fire in ``state``, each with whether it fires in
    all of it (True) or only below its own threshold inside it (False)."""
    found = []
    for policy in slo.alerting.budget:
        if state.high is not None and policy.below >= state.high:
            found.append((policy, True))
        elif state.low is None or policy.below > state.low:
            found.append((policy, False))
    return found
