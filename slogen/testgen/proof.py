"""A scenario, the claims promtool checks on it, and where a claim may be made.

Kept apart from the search so that the per-pair and per-SLO scenario makers, and the
proof files that render them, share the types without importing one another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slogen.testgen.series import Phase
from slogen.testgen.timing import FAST_STEP, STEPS


@dataclass(frozen=True)
class Check:
    """At ``at`` seconds, the alert of this severity is (or is not) firing."""

    at: int
    alert: str
    severity: str
    firing: bool


@dataclass(frozen=True)
class Scenario:
    name: str
    step: int
    phases: tuple[Phase, ...]
    checks: tuple[Check, ...]
    others_report: bool = False
    """A grouped SLO's other group keeps reporting where this one has no series."""

    @property
    def interval(self) -> int:
        """Input samples every minute for 1m steps, else every 5m: the 5m rate needs a
        sample at each end of its window, and finer samples only cost time."""
        return FAST_STEP if self.step < STEPS[0] else STEPS[0]


class ScenarioError(AssertionError):
    """The oracle and the model disagree: the scenario cannot show what it claims."""


def first_sure(times: range, holds: Callable[[int], bool | None]) -> int | None:
    """The first time at which the oracle's verdict is a robust yes: a check placed
    earlier would claim what the oracle cannot vouch for."""
    return next((t for t in times if holds(t) is True), None)


def last_sure(times: range, holds: Callable[[int], bool | None]) -> int | None:
    """The last time at which the oracle's verdict is a robust yes."""
    return first_sure(times[::-1], holds)
