"""Which burn policies an imported SLO can keep.

slogen rejects a policy that cannot work for an SLO (a 90% objective cannot burn 14x;
a 3-day period cannot hold a 3-day alert window). Importers ask the same question
before they write, so what they write compiles, and the report names what was left
out and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from slogen.resolve import PolicyProblem, policy_problem


def problem(policy: Mapping[str, Any], period: int, objective: Fraction) -> PolicyProblem | None:
    """Why slogen would reject this policy (spec-file form, with ``budget_spent`` or
    ``factor``) for the SLO, or None."""
    return policy_problem(policy, period, objective)


def fitting(
    policies: Sequence[Mapping[str, Any]], period: int, objective: Fraction
) -> tuple[list[dict[str, Any]] | None, list[tuple[Mapping[str, Any], PolicyProblem]]]:
    """The policies that work (None when all do, so the spec need not list them) and
    each one left out with its problem."""
    kept: list[dict[str, Any]] = []
    left_out = []
    for policy in policies:
        why = problem(policy, period, objective)
        if why is None:
            kept.append(dict(policy))
        else:
            left_out.append((policy, why))
    return (None if not left_out else kept), left_out
