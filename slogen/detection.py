"""How long after an incident starts a burn alert fires, as Prometheus 2 lives it.

The SRE Workbook's detection time, ``long window x factor x budget / error ratio``, is
when the long window's *true* error ratio crosses the threshold: 52 s for a total outage
on a 99.9%/30d SLO's 1h/5m pair. On a real server the page came minutes later, for
reasons the Workbook leaves out and this module simulates:

- **The 5m rates ramp.** The rules record ``sum(rate(x[5m]))`` every minute, and
  ``rate()`` sees only what the scrapes (here every minute) have collected: after a step
  change its value climbs over about five minutes, and each window's error ratio,
  ``sum_over_time(errors_5m[w]) / sum_over_time(total_5m[w])`` over those 1-minute
  recordings, integrates that ramp instead of the step. Prometheus' own extrapolation
  (``extrapolatedRate`` in promql/functions.go, the 2.x order: the counter's zero point
  first, then the 110%-of-the-spacing threshold) is reproduced sample by sample.
- **The evaluation grid.** The recording group and the alerting group each run every
  minute at an offset of their own; the alert becomes pending at the first evaluation
  of the alerting group after a recording that meets the condition.
- **``for``.** The alert fires at the first evaluation at least ``for`` after it
  became pending: ``for`` rounded up to whole evaluation intervals.

Both windows of a pair must exceed the threshold (burn factor x budget). The incident
is a constant error ratio starting at time 0 after a clean, full history with steady
traffic; a range selector includes both ends (Prometheus 2). An SLI given as good
and total events records its errors as ``rate(total) - rate(good)``; ``rate()`` is
linear in the samples when the counters share scrape times and none nears its zero
point, so that is ``rate(errors)`` and the same figures hold for it. Where scrapes and
evaluations fall against the incident (the phases) is not known in production, so
``detection`` gives the latest firing over all phases, the bound a person can rely on
("fires within"), and the earliest; ``firing_at`` gives the firing for one set of
phases, which is what a test on a real server measures.

Everything here is pure: plain values in, plain values out. Results are cached, as every
SLO asks for the same few figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

from slogen.model import BASE_WINDOW

if TYPE_CHECKING:
    from slogen.model import SLO, BurnAlert

SCRAPE_INTERVAL = 60
"""Seconds between scrapes of the SLI's raw series, as assumed for every SLO: slogen
cannot know the real one, and 1m is the common setting (and Prometheus' default)."""

_SUCCESS_BASE = 1e9
"""Where the counters stand at the incident's start: long-running processes, so that
Prometheus never extrapolates towards a counter's zero point in the steady state."""
_ERRORS_BASE = 1e6
_BISECTION = 1e-6
"""Seconds to which the scrape phase at which a firing time jumps is located."""


class ErrorsSeries(Enum):
    """What the errors counter looked like before the incident.

    Only ``COUNTING`` gives the published figures. The others show what a counter the
    incident starts from scratch changes: ``rate()`` extrapolates such a series only
    back to its zero point, so the ramp differs a little (tests/test_detection.py checks
    that the published bound still holds for them).
    """

    COUNTING = "counting"
    """The series exists and has counted errors before (not within the windows)."""
    ZERO = "zero"
    """The series exists at 0 until the incident."""
    NEW = "new"
    """The series is created by the incident's first error, as lazy client libraries do."""


@dataclass(frozen=True)
class Timing:
    """When Prometheus scrapes the raw series and evaluates slogen's rule groups."""

    scrape_interval: int = SCRAPE_INTERVAL
    evaluation_interval: int = 60
    """Of the recording group and of the alerting group (``FAST_INTERVAL``)."""
    rate_window: int = BASE_WINDOW

    def __post_init__(self) -> None:
        if self.evaluation_interval % self.scrape_interval:
            raise ValueError("the evaluation interval must be a multiple of the scrape interval")
        if self.rate_window % self.scrape_interval:
            raise ValueError("the rate window must be a multiple of the scrape interval")


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


@dataclass(frozen=True)
class Phases:
    """Where scrapes and evaluations fall against the incident's start, in seconds."""

    scrape: float
    """From the incident's start to the first scrape after it: (0, scrape interval]."""
    evaluation: float
    """From a scrape to the recording group's next evaluation: (0, evaluation interval),
    not a multiple of the scrape interval (an evaluation exactly on a scrape races it)."""
    alerting: float
    """From a recording group's evaluation to the alerting group's next: [0, interval)."""


@dataclass(frozen=True)
class Timeline:
    """Seconds from the incident's start to the alert's pending and firing evaluations."""

    pending: float
    firing: float


@dataclass(frozen=True)
class Detection:
    """Seconds from the incident's start to firing, over every phase.

    ``latest`` is a supremum: no phase fires later, and phases just short of
    ``worst_scrape``, a recording evaluation just before the next scrape and an alerting
    evaluation just before the next recording come as close as one likes. ``earliest``
    is the infimum. They differ by up to a scrape interval and two evaluation intervals.
    """

    earliest: float
    latest: float
    worst_scrape: float
    """The scrape phase that the latest firing is approached from below."""


def firing_at(
    conditions: Sequence[Condition],
    error_ratio: Fraction,
    for_seconds: int,
    phases: Phases,
    timing: Timing = Timing(),
    errors: ErrorsSeries = ErrorsSeries.COUNTING,
) -> Timeline | None:
    """When an alert ORing ``conditions`` goes pending and fires, for these phases;
    None if it never fires (an error ratio at or below every threshold)."""
    first = _first_evaluation(
        tuple(conditions), error_ratio, phases.scrape, phases.evaluation, timing, errors
    )
    if first is None:
        return None
    pending = (
        phases.scrape + phases.evaluation + first * timing.evaluation_interval + phases.alerting
    )
    return Timeline(pending, pending + _for_evaluations(for_seconds, timing))


@lru_cache(maxsize=4096)
def detection(
    conditions: tuple[Condition, ...],
    error_ratio: Fraction,
    for_seconds: int,
    timing: Timing = Timing(),
    errors: ErrorsSeries = ErrorsSeries.COUNTING,
) -> Detection | None:
    """The earliest and latest firing over all phases; None if it never fires.

    For a counting errors series the recordings depend on where the recording group
    runs only through which scrapes its 5m range holds, so each stretch between two
    scrapes is computed once and its ends give the extremes. For the other series the
    extrapolation depends on the exact offset, which is sampled every second instead
    (tests only: slower, and exact to about a second).
    """
    scrape, interval = timing.scrape_interval, timing.evaluation_interval
    hold = _for_evaluations(for_seconds, timing)
    latest: tuple[float, float] | None = None
    earliest = math.inf
    for k in range(interval // scrape):
        offsets: list[tuple[float, float, float]]
        if errors is ErrorsSeries.COUNTING:
            offsets = [(k * scrape + scrape / 2, k * scrape, (k + 1) * scrape)]
        else:
            offsets = [
                (k * scrape + s + 0.5, k * scrape + s + 0.5, k * scrape + s + 0.5)
                for s in range(scrape)
            ]
        for middle, low, high in offsets:

            def first(sigma: float, middle: float = middle) -> int | None:
                return _first_evaluation(conditions, error_ratio, sigma, middle, timing, errors)

            found = _sawtooth(first, scrape, interval)
            if found is None:
                return None
            (sup, worst), inf = found
            if latest is None or sup + high > latest[0]:
                latest = (sup + high, worst)
            earliest = min(earliest, inf + low)
    assert latest is not None
    return Detection(earliest + hold, latest[0] + interval + hold, latest[1])


def lived_firing_seconds(slo: SLO, pair: BurnAlert, error_ratio: Fraction) -> int:
    """Whole seconds within which ``pair`` of ``slo`` fires after a constant incident of
    ``error_ratio`` starts: the latest firing over all phases, rounded up, with the
    SLO's severity's ``for``, 1m scrapes and slogen's evaluation interval.

    Raises ValueError when the pair cannot fire at that error ratio.
    """
    found = detection(
        (condition(slo, pair),),
        error_ratio,
        slo.alerting.severity(pair.severity).for_seconds,
        slogen_timing(),
    )
    if found is None:
        raise ValueError(
            f"an error ratio of {error_ratio} never fires the {pair.severity} pair "
            f"{pair.long}s/{pair.short}s (threshold {pair.threshold(slo.budget)})"
        )
    return math.ceil(found.latest)


def lived_seconds(
    long: int,
    short: int,
    threshold: Fraction,
    error_ratio: Fraction,
    for_seconds: int,
    rates: bool = True,
) -> int | None:
    """``lived_firing_seconds`` from plain values (for ``BurnAlert.figures``); None when
    the pair never fires at that error ratio."""
    found = detection(
        (Condition(long, short, threshold, rates),), error_ratio, for_seconds, slogen_timing()
    )
    return None if found is None else math.ceil(found.latest)


def condition(slo: SLO, pair: BurnAlert) -> Condition:
    """The condition slogen's rules evaluate for ``pair`` of ``slo``."""
    return Condition(pair.long, pair.short, pair.threshold(slo.budget), slo.counts_traffic)


def slogen_timing() -> Timing:
    """1m scrapes and the evaluation interval of slogen's recording and alerting groups.

    Imported here rather than at the top: slogen.rules reads this module."""
    from slogen.rules.groups import FAST_INTERVAL

    return Timing(evaluation_interval=FAST_INTERVAL)


# --- the simulation ---------------------------------------------------------------


def _for_evaluations(for_seconds: int, timing: Timing) -> int:
    """``for`` as Prometheus lives it: whole evaluation intervals, rounded up."""
    interval = timing.evaluation_interval
    return -(-for_seconds // interval) * interval


def _sawtooth(
    first: Callable[[float], int | None], scrape: int, interval: int
) -> tuple[tuple[float, float], float] | None:
    """The supremum (with the scrape phase it is approached at) and the infimum of
    ``sigma + first(sigma) * interval`` over scrape phases ``sigma`` in (0, scrape].

    ``first`` never grows with ``sigma`` (a later first scrape holds more of the
    incident), so the time climbs with ``sigma`` and drops where ``first`` does: the
    extremes lie at those drops and at the ends.
    """
    low, high = first(_BISECTION), first(float(scrape))
    if high is None:
        return None
    top = low if low is not None else high + 1
    sup: tuple[float, float] = (scrape + high * interval, float(scrape))
    inf = (0.0 if low is not None else scrape) + top * interval
    for step in range(high, top):
        lo, hi = _BISECTION, float(scrape)
        while hi - lo > _BISECTION:
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


def _first_evaluation(
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
    series = _recordings(cond.rates, float(error_ratio), sigma, delta, timing, errors)
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


@dataclass(frozen=True)
class _Recordings:
    """The 5m errors and total recorded at evaluations 0 .. len-1 of the recording
    group; before them the clean history (0 and 1), after them the steady incident
    (the error ratio and 1). Traffic is 1 event per second."""

    errors: tuple[float, ...]
    totals: tuple[float, ...]
    error_ratio: float
    _errors_before: tuple[float, ...]
    _totals_before: tuple[float, ...]

    @staticmethod
    def of(errors: list[float], totals: list[float], error_ratio: float) -> _Recordings:
        sums_e, sums_t = [0.0], [0.0]
        for e, t in zip(errors, totals, strict=True):
            sums_e.append(sums_e[-1] + e)
            sums_t.append(sums_t[-1] + t)
        return _Recordings(tuple(errors), tuple(totals), error_ratio, tuple(sums_e), tuple(sums_t))

    def sums(self, first: int, last: int) -> tuple[float, float]:
        """Errors and total summed over evaluations ``first .. last``."""
        n = len(self.errors)
        bad = total = 0.0
        if first < 0:  # the clean history
            total += min(last, -1) - first + 1
        lo, hi = max(first, 0), min(last, n - 1)
        if lo <= hi:
            bad += self._errors_before[hi + 1] - self._errors_before[lo]
            total += self._totals_before[hi + 1] - self._totals_before[lo]
        steady = last - max(first, n) + 1
        if steady > 0:
            bad += steady * self.error_ratio
            total += steady
        return bad, total


def _recordings(
    rates: bool,
    error_ratio: float,
    sigma: float,
    delta: float,
    timing: Timing,
    errors: ErrorsSeries,
) -> _Recordings:
    """Simulate the recordings from evaluation 0 until they are steady."""
    scrape, interval, window = (
        timing.scrape_interval,
        timing.evaluation_interval,
        timing.rate_window,
    )
    if not rates:  # the state of the last scrape: eval 0 already sees scrape 0
        return _Recordings.of([], [], error_ratio)
    bad, total = [], []
    j = 0
    while True:
        at = sigma + delta + j * interval
        if at - window > sigma + 2 * scrape:  # the range holds only the steady incident
            break
        first = math.ceil((at - window - sigma) / scrape)
        last = math.floor((at - sigma) / scrape)
        times = [sigma + m * scrape for m in range(first, last + 1)]
        successes = _rate(
            [(t, _SUCCESS_BASE + min(t, 0) + (1 - error_ratio) * max(t, 0)) for t in times],
            at,
            window,
        )
        if errors is ErrorsSeries.NEW:
            failed = [(t, error_ratio * t) for t in times if t > 0]
        else:
            base = _ERRORS_BASE if errors is ErrorsSeries.COUNTING else 0.0
            failed = [(t, base + error_ratio * max(t, 0)) for t in times]
        failures = _rate(failed, at, window)
        bad.append(failures or 0.0)
        total.append((successes or 0.0) + (failures or 0.0))
        j += 1
    return _Recordings.of(bad, total, error_ratio)


def _rate(samples: list[tuple[float, float]], at: float, window: int) -> float | None:
    """``rate(x[window])`` at ``at`` over a counter's samples in the range, as
    Prometheus 2 computes it (``extrapolatedRate``, no counter resets here)."""
    if len(samples) < 2:
        return None
    (first_t, first_v), (last_t, last_v) = samples[0], samples[-1]
    increase = last_v - first_v
    to_start = first_t - (at - window)
    to_end = at - last_t
    sampled = last_t - first_t
    spacing = sampled / (len(samples) - 1)
    if increase > 0 and first_v >= 0:
        to_start = min(to_start, sampled * first_v / increase)
    limit = spacing * 1.1
    extended = sampled
    extended += to_start if to_start < limit else spacing / 2
    extended += to_end if to_end < limit else spacing / 2
    return increase * extended / sampled / window
