"""The search for the first evaluation at which a burn alert's condition holds.

Where scrapes and evaluations fall against an incident is not known, and the firing
time jumps as they move; this module finds, for given phases, the first recording
evaluation that meets a condition, and over all scrape phases the extremes of the
firing time (the "sawtooth"). It is kept apart from :mod:`slogen.detection_recordings`,
which says what the recordings are, and from :mod:`slogen.detection`, which turns the
answers into the figures explain, the docs and the proofs use.

Everything here is pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from slogen.detection_recordings import ErrorsSeries, Timing, recordings

BISECTION = 1e-6
"""Seconds to which the scrape phase at which a firing time jumps is located."""


@dataclass(frozen=True)
class Condition:
    """One burn pair as the rules evaluate it: both windows' error ratio above
    ``threshold`` (the burn factor times the budget)."""

    long: int
    short: int
    threshold: Fraction
    rates: bool = True
    """True for traffic SLIs (5m rates of counters, the 5m window being the current
    recording); False for ``up`` and ``freshness``, whose recordings count the state of
    the last scrape and whose every window, 5m included, sums them."""


def for_evaluations(for_seconds: int, timing: Timing) -> int:
    """``for`` as Prometheus lives it: whole evaluation intervals, rounded up."""
    interval = timing.evaluation_interval
    return -(-for_seconds // interval) * interval


def sawtooth(
    first: Callable[[float], int | None], scrape: int, interval: int
) -> tuple[tuple[float, float], float] | None:
    """The supremum (with the scrape phase it is approached at) and the infimum of
    ``sigma + first(sigma) * interval`` over scrape phases ``sigma`` in (0, scrape].

    ``first`` never grows with ``sigma`` (a later first scrape holds more of the
    incident), so the time climbs with ``sigma`` and drops where ``first`` does: the
    extremes lie at those drops and at the ends.
    """
    low, high = first(BISECTION), first(float(scrape))
    if high is None:
        return None
    top = low if low is not None else high + 1
    sup: tuple[float, float] = (scrape + high * interval, float(scrape))
    inf = (0.0 if low is not None else scrape) + top * interval
    for step in range(high, top):
        lo, hi = BISECTION, float(scrape)
        while hi - lo > BISECTION:
            middle = (lo + hi) / 2
            found = first(middle)
            if found is not None and found <= step:
                hi = middle
            else:
                lo = middle
        before, after = first(lo), first(hi)
        assert after is not None
        left = lo + (before if before is not None else top) * interval
        if left > sup[0]:
            sup = (left, lo)
        inf = min(inf, hi + after * interval)
    return sup, inf


def first_evaluation(
    conditions: tuple[Condition, ...],
    error_ratio: Fraction,
    sigma: float,
    delta: float,
    timing: Timing,
    errors: ErrorsSeries,
) -> int | None:
    """The first recording evaluation (number j, at ``sigma + delta + j * interval``)
    whose recordings meet any of ``conditions``."""
    found = [_first_meeting(c, error_ratio, sigma, delta, timing, errors) for c in conditions]
    met = [j for j in found if j is not None]
    return min(met) if met else None


def _first_meeting(
    cond: Condition,
    error_ratio: Fraction,
    sigma: float,
    delta: float,
    timing: Timing,
    errors: ErrorsSeries,
) -> int | None:
    series = recordings(cond.rates, float(error_ratio), sigma, delta, timing, errors)
    interval = timing.evaluation_interval
    threshold = float(cond.threshold)
    windows = [
        0 if cond.rates and w == timing.rate_window else w // interval
        for w in (cond.long, cond.short)
    ]

    def holds(j: int) -> bool:
        for n in windows:
            bad, total = series.sums(j - n, j)
            if not bad > threshold * total:
                return False
        return True

    last = len(series.errors)
    for j in range(last + 1):
        if holds(j):
            return j
    # Past the ramp every recording is the steady one: the windows only trade clean
    # (or ramp) recordings for steady ones, so their ratios climb: bisect.
    lo, hi = last, last + max(windows)
    if not holds(hi):
        return None
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if holds(middle):
            hi = middle
        else:
            lo = middle
    return hi
