"""What the proof search reads of an SLO, and nothing else.

Two SLOs with the same objective, period, alerting and kind of series get the same
scenarios whatever their names and selectors: the search is keyed on this profile,
so a spec tree whose SLOs share their defaults searches once per profile, not once
per SLO.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from slogen.model import SLO, Alerting, error_budget
from slogen.model_calendar import CalendarPeriod
from slogen.testgen.shapes import Shape, other_group
from slogen.testgen.timing import calendar_horizon

HEALTHY_SHARE = Fraction(1, 4)


@dataclass(frozen=True)
class Profile:
    objective: Fraction
    period: int
    alerting: Alerting
    counts_traffic: bool
    """The SLI counts requests, so a request-rate guard applies."""
    is_gauge: bool
    """Synthesised as targets that are up or down rather than as counters."""
    unit: int
    """The total recording's value per event per second (300 for increase queries)."""
    grouped: bool = False
    """The proofs run a second group beside: the SLO has ``group_by`` labels and its
    selectors leave them free to take a second value (a selector that pins one, as
    ``api=~"get|put"`` does, leaves a single group, with nothing else reporting)."""
    calendar: CalendarPeriod | None = None
    """A calendar period's rules differ by unit and zone, and its budget proofs must
    end before the period does (``horizon``) and sample every 5m slice the
    period-to-date sums read."""

    @classmethod
    def of(cls, slo: SLO, form: Shape) -> Profile:
        return cls(
            slo.objective,
            slo.period if slo.calendar is None else slo.calendar.epoch_length,
            slo.alerting,
            slo.counts_traffic,
            form.is_gauge,
            form.unit,
            other_group(slo, form) is not None,
            slo.calendar,
        )

    @property
    def horizon(self) -> int:
        """Seconds a proof has before the budget starts afresh: the rolling period, or
        the rest of the calendar period in progress where the proofs start."""
        return self.period if self.calendar is None else calendar_horizon(self.calendar)

    @property
    def budget(self) -> Fraction:
        return error_budget(self.objective)

    def healthy_ratio(self) -> Fraction:
        """A quarter of the budget's rate, below every factor; none for whole-target SLIs."""
        if self.is_gauge:
            return Fraction(0)
        factors = [pair.factor for pair in self.alerting.burn] or [Fraction(1)]
        return self.budget * min(min(factors), Fraction(1)) * HEALTHY_SHARE
