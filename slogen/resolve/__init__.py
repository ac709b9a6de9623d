"""Resolve validated specs into the model: apply defaults, derive, reject the impossible.

Settings come in layers whose values remember where they were written
(:mod:`.layers`); services and SLOs are assembled from them (:mod:`.services`), with
their alerts (:mod:`.alerting`), burn policies checked against the model's limits
(:mod:`.burn_policies`) and SLIs translated (:mod:`.sli`). Every problem is collected
and raised at once, located where the user can fix it.
"""

from __future__ import annotations

from slogen.resolve.burn_policies import (
    PolicyProblem,
    burn_policy_problem,
    policy_budget_spent,
    policy_problem,
)
from slogen.resolve.services import resolve

__all__ = [
    "PolicyProblem",
    "burn_policy_problem",
    "policy_budget_spent",
    "policy_problem",
    "resolve",
]
