"""Burn policies: whether one can work for an SLO, and the words that say why not.

The model decides (``model.burn_fault``); this module turns its answer into a message
and a hint that name what the user wrote, and reports it where it was written.
Importers ask the same question before they write, so that what they write compiles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from slogen import model as m
from slogen.durations import format_duration, parse_duration
from slogen.errors import Location, Problem
from slogen.resolve.layers import Setting
from slogen.spec.loader import BUILTIN_DEFAULTS
from slogen.spec.models import factor_fraction, percent_fraction


@dataclass(frozen=True)
class PolicyProblem:
    """Why a burn policy cannot work for an SLO, and what would."""

    message: str
    hint: str
    caused_by_objective: bool
    """The objective rules it out (the windows alone would work)."""


def burn_policy_problem(
    severity: str,
    spent: Fraction,
    long: int,
    short: int,
    period: int,
    objective: Fraction | None,
    *,
    by_factor: bool = False,
) -> PolicyProblem | None:
    """The limits every burn policy must meet for one SLO, or None when it meets them.

    ``spent`` is the share of the budget, whichever way the policy gave it;
    ``by_factor`` says it was written as a ``factor``, so that hints name what the
    user can change. Importers ask too, so that what they write compiles."""
    fault = m.burn_fault(severity, spent, long, short, period, objective)
    if fault is None:
        return None
    return PolicyProblem(
        *_words(fault, spent, long, short, period, objective, by_factor),
        fault.caused_by_objective,
    )


def _words(
    fault: m.BurnFault,
    spent: Fraction,
    long: int,
    short: int,
    period: int,
    objective: Fraction | None,
    by_factor: bool,
) -> tuple[str, str]:
    """The message and hint of one fault, in the terms the policy was written in. The
    factor is only asked where the windows nest, so a zero window never divides."""
    match fault:
        case m.BurnFault.NOTHING_SPENT:
            return "budget_spent must be more than 0%", "2% in 1h is the usual fast page"
        case m.BurnFault.LONG_NOT_IN_PERIOD:
            return (
                f"long window {format_duration(long)} is not shorter than the SLO period "
                f"{format_duration(period)}",
                "alert windows must be shorter than the period they protect",
            )
        case m.BurnFault.SHORT_NOT_IN_LONG:
            return (
                f"short window {format_duration(short)} is not shorter than long window "
                f"{format_duration(long)}",
                "the SRE Workbook uses a short window of 1/12 of the long one",
            )
        case m.BurnFault.SHORT_BELOW_BASE:
            return (
                f"short window {format_duration(short)} is below 5m",
                "every window is computed from 5-minute rates; use 5m or longer",
            )
        case m.BurnFault.MORE_THAN_BUDGET:
            factor = m.burn_factor(spent, period, long)
            whole = m.burn_factor(Fraction(1), period, long)
            return (
                f"factor {float(factor):g} over {format_duration(long)} spends "
                f"{float(spent * 100):g}% of the budget in that window, more than all of "
                "it, before the alert can fire",
                f"lower the factor to {float(whole):g} or less, which spends the whole "
                "budget in the long window, or shorten the window",
            )
        case m.BurnFault.PAGE_SLOWER_THAN_ACCRUAL:
            factor = m.burn_factor(spent, period, long)
            return (
                f"this page would fire at burn rate {float(factor):g}, while the budget "
                "is spent slower than it accrues",
                "a page's factor must be at least 1; 14 is the usual fast page"
                if by_factor
                else "budget_spent is a percent of the whole budget: write 2% (or 2), not 0.02",
            )
        case m.BurnFault.NEVER_FIRES:
            assert objective is not None, "only an objective rules a policy out"
            factor = m.burn_factor(spent, period, long)
            ratio = factor * m.error_budget(objective)
            return (
                f"this alert can never fire: burn factor {float(factor):g} needs an error "
                f"ratio of {float(ratio * 100):g}%, more than 100%",
                f"lower factor below {float(m.fastest_burn(objective)):g}, the fastest this "
                "objective's budget can burn"
                if by_factor
                else "lower budget_spent or lengthen the long window",
            )


def policy_budget_spent(policy: Mapping[str, Any], period: int) -> Fraction:
    """The share of the budget a policy (in spec-file form) spends in its long window,
    from ``budget_spent`` or, exactly, from ``factor``: the one number every check and
    every rule is derived from, however the user wrote it."""
    factor = policy.get("factor")
    if factor is not None:
        long = parse_duration(str(policy["long"]))
        return m.budget_share(factor_fraction(factor), period, long)
    return percent_fraction(policy["budget_spent"])


def policy_problem(
    policy: Mapping[str, Any], period: int, objective: Fraction | None
) -> PolicyProblem | None:
    """:func:`burn_policy_problem` of a policy in spec-file form (``budget_spent`` or
    ``factor``), as resolving asks it and as importers ask it before they write."""
    return burn_policy_problem(
        str(policy["severity"]),
        policy_budget_spent(policy, period),
        parse_duration(str(policy["long"])),
        parse_duration(str(policy["short"])),
        period,
        objective,
        by_factor=policy.get("factor") is not None,
    )


def burn_alert(
    policy: dict[str, Any],
    period: int,
    objective: Fraction | None,
    origin: Setting,
    slo_where: Location,
    problems: list[Problem],
    left_out: list[str],
) -> m.BurnAlert | None:
    """One burn policy for one SLO; a policy that cannot work for this SLO's period or
    objective is reported at the SLO when it was inherited, naming where it came from.
    A built-in policy that only the objective rules out is left out and said instead:
    the user did not write it, and low objectives are common."""
    long, short = parse_duration(policy["long"]), parse_duration(policy["short"])
    spent = policy_budget_spent(policy, period)
    wrong = policy_problem(policy, period, objective)
    if wrong is None:
        if objective is None:
            return None
        factor = m.burn_factor(spent, period, long)
        return m.BurnAlert(policy["severity"], spent, long, short, factor)
    if wrong.caused_by_objective and origin.source.display == BUILTIN_DEFAULTS:
        factor = m.burn_factor(spent, period, long)
        alert = m.BurnAlert(policy["severity"], spent, long, short, factor)
        left_out.append(
            f"built-in {policy['severity']} policy {alert.windows} left out: {wrong.message}"
        )
        return None
    if origin.path[0] == "slos":
        problems.append(Problem(origin.where(), wrong.message, wrong.hint))
    else:
        inherited = f"burn policy {origin.where()} (inherited): {wrong.message}"
        problems.append(Problem(slo_where, inherited, wrong.hint))
    return None


def severities_left_without_burn(wanted: set[str], burn: list[m.BurnAlert]) -> list[str]:
    """Severities that had burn policies and kept none. Policies are only dropped when
    built-in ones are left out (any other problem refuses the SLO), and an 80% SLO
    that never pages for a burn must be told so outright, not only by implication."""
    kept = {alert.severity for alert in burn}
    return [
        f"no {severity} burn alert at all: every built-in {severity} policy is left out; "
        f"give this SLO alerting.burn_rate policies that can fire if it should {severity}"
        for severity in sorted(wanted - kept)
    ]
