"""When a generated proof may claim something: steps, alert lag and margins.

The rules sum 5m rates sampled at each evaluation, where the oracle computes ratios
in continuous time; the two agree only up to the 5m smoothing and the evaluation
grid. Every time the oracle looks back over and every margin it demands of a
threshold is set here, and the scenarios read the same figures to size their
timelines, so the two cannot drift apart. ``slogen.testgen.scenarios`` states what
the search guarantees with them.
"""

from __future__ import annotations

from fractions import Fraction

from slogen.model import BASE_WINDOW, BurnAlert
from slogen.model_calendar import CalendarPeriod

STEPS = (300, 900, 3600, 10800)
"""Evaluation steps to choose from; a longer short window tolerates a coarser step."""
FAST_STEP = 60
"""The step of outage proofs on a short window of 5m or less, where ``slogen explain``'s
lived figure (1m scrapes and evaluations) can be held to."""

MARGIN = 0.1
"""Relative distance from a threshold that a robust verdict needs."""
STEADY_MARGIN = 0.01
"""The relative margin for steady states, where every window sees one constant ratio
and the rules' smoothing cannot matter."""
BUDGET_MARGIN = 0.05
"""Absolute distance, in shares of the budget, for budget-remaining verdicts."""


def step_for(short: int) -> int:
    """The coarsest step that samples the short window at least twice."""
    return max([s for s in STEPS if s <= short // 2] or [STEPS[0]])


def outage_step(short: int) -> int:
    """A 1m step where the short window is no longer than the 5m rate, so the outage
    proof samples as the lived figure assumes; else the pair's usual step."""
    return FAST_STEP if short <= STEPS[0] else step_for(short)


def round_up(seconds: float | Fraction, step: int) -> int:
    """``seconds`` on the step grid: checks and phases change only at evaluations."""
    return int(-(-seconds // step) * step)


def alert_lag(for_seconds: int, step: int) -> int:
    """The longest time from a robust condition to a firing alert: ``for``, up to two
    evaluations (one to see the condition, one to start the ``for``) and the 5m rate
    catching up with the change."""
    return for_seconds + 2 * step + BASE_WINDOW


def quiet_lookback(step: int) -> int:
    """How far back a quiet verdict must hold: the last evaluation's 5m rate still
    reads that far into the past."""
    return step + BASE_WINDOW


def with_margin(detection: Fraction, pair: BurnAlert) -> float:
    """The detection time the oracle can vouch for: the ratio must clear the threshold
    by its margin, over a window up to one rate window longer."""
    stretch = (pair.long + BASE_WINDOW) / pair.long
    return float(detection) * (1 + MARGIN) * stretch


def calendar_lead(calendar: CalendarPeriod | None) -> int:
    """Seconds of silence before a proof's first sample: none for a rolling period or
    a zone at or east of UTC, whose calendar is past 1970-01-01 00:00 at promtool's
    time 0. West of UTC it is still 1969 there, hours before a boundary that would
    reset the budget mid-proof; the proofs then start after it, on the coarsest
    step's grid so that every step's evaluations fall on the same instants."""
    if calendar is None or calendar.offset >= 0:
        return 0
    return round_up(-calendar.offset, STEPS[-1])


def calendar_horizon(calendar: CalendarPeriod) -> int:
    """Seconds from a proof's first sample to the end of the period in progress: a
    budget proof must be over by then, as the budget starts afresh after it."""
    local_start = calendar_lead(calendar) + calendar.offset
    return calendar.epoch_end - local_start
