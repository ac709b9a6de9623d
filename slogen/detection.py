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

This module gives the figures; what Prometheus records is simulated in
:mod:`slogen.detection_recordings` and the search over phases is
:mod:`slogen.detection_search`. Everything here is pure: plain values in, plain values
out. Results are cached, as every SLO asks for the same few figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from slogen.detection_recordings import SCRAPE_INTERVAL, ErrorsSeries, Timing
from slogen.detection_recordings import extrapolated_rate as _rate  # noqa: F401 (tests)
from slogen.detection_search import Condition, first_evaluation, for_evaluations, sawtooth
from slogen.run_cache import remembered

if TYPE_CHECKING:
    from slogen.model import SLO, BurnAlert

__all__ = [
    "SCRAPE_INTERVAL",
    "Condition",
    "Detection",
    "ErrorsSeries",
    "Phases",
    "Timeline",
    "Timing",
    "condition",
    "detection",
    "firing_at",
    "lived_firing_seconds",
    "lived_seconds",
    "slogen_timing",
]

SCRAPES_EACH_MINUTE: Final = Timing()
"""The default timing: 1m scrapes and 1m evaluations (a frozen value, shared)."""


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
    timing: Timing = SCRAPES_EACH_MINUTE,
    errors: ErrorsSeries = ErrorsSeries.COUNTING,
) -> Timeline | None:
    """When an alert ORing ``conditions`` goes pending and fires, for these phases;
    None if it never fires (an error ratio at or below every threshold)."""
    first = first_evaluation(
        tuple(conditions), error_ratio, phases.scrape, phases.evaluation, timing, errors
    )
    if first is None:
        return None
    pending = (
        phases.scrape + phases.evaluation + first * timing.evaluation_interval + phases.alerting
    )
    return Timeline(pending, pending + for_evaluations(for_seconds, timing))


@lru_cache(maxsize=4096)
def detection(
    conditions: tuple[Condition, ...],
    error_ratio: Fraction,
    for_seconds: int,
    timing: Timing = SCRAPES_EACH_MINUTE,
    errors: ErrorsSeries = ErrorsSeries.COUNTING,
) -> Detection | None:
    """The earliest and latest firing over all phases; None if it never fires. A pure
    function of its arguments, kept between runs too (``slogen.run_cache``): the
    documents of a rebuilt service ask for the same few figures run after run."""
    key = (conditions, error_ratio, for_seconds, timing, errors)
    return remembered(
        "detection", key, lambda: _detection(conditions, error_ratio, for_seconds, timing, errors)
    )


def _detection(
    conditions: tuple[Condition, ...],
    error_ratio: Fraction,
    for_seconds: int,
    timing: Timing,
    errors: ErrorsSeries,
) -> Detection | None:
    """The search behind :func:`detection`.

    For a counting errors series the recordings depend on where the recording group
    runs only through which scrapes its 5m range holds, so each stretch between two
    scrapes is computed once and its ends give the extremes. For the other series the
    extrapolation depends on the exact offset, which is sampled every second instead
    (tests only: slower, and exact to about a second).
    """
    scrape, interval = timing.scrape_interval, timing.evaluation_interval
    hold = for_evaluations(for_seconds, timing)
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
                return first_evaluation(conditions, error_ratio, sigma, middle, timing, errors)

            found = sawtooth(first, scrape, interval)
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
