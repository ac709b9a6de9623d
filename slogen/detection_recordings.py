"""What Prometheus 2 records, minute by minute, once an incident starts.

The detection time a person can rely on depends on how ``rate()`` and the recording
rules see a step change, not only on the windows' true error ratio. This module holds
that half of the simulation (the scrape and evaluation timing, the counters, the 5m
recordings and Prometheus' own ``extrapolatedRate``) apart from the search over phases
in :mod:`slogen.detection_search`, so that each can be read and checked on its own.

Everything here is pure: plain values in, plain values out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from slogen.model import BASE_WINDOW

SCRAPE_INTERVAL = 60
"""Seconds between scrapes of the SLI's raw series, as assumed for every SLO: slogen
cannot know the real one, and 1m is the common setting (and Prometheus' default)."""

_SUCCESS_BASE = 1e9
"""Where the counters stand at the incident's start: long-running processes, so that
Prometheus never extrapolates towards a counter's zero point in the steady state."""
_ERRORS_BASE = 1e6


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
class Recordings:
    """The 5m errors and total recorded at evaluations 0 .. len-1 of the recording
    group; before them the clean history (0 and 1), after them the steady incident
    (the error ratio and 1). Traffic is 1 event per second."""

    errors: tuple[float, ...]
    totals: tuple[float, ...]
    error_ratio: float
    _errors_before: tuple[float, ...]
    _totals_before: tuple[float, ...]

    @staticmethod
    def of(errors: list[float], totals: list[float], error_ratio: float) -> Recordings:
        sums_e, sums_t = [0.0], [0.0]
        for e, t in zip(errors, totals, strict=True):
            sums_e.append(sums_e[-1] + e)
            sums_t.append(sums_t[-1] + t)
        return Recordings(tuple(errors), tuple(totals), error_ratio, tuple(sums_e), tuple(sums_t))

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


def recordings(
    rates: bool,
    error_ratio: float,
    sigma: float,
    delta: float,
    timing: Timing,
    errors: ErrorsSeries,
) -> Recordings:
    """Simulate the recordings from evaluation 0 until they are steady."""
    scrape, interval, window = (
        timing.scrape_interval,
        timing.evaluation_interval,
        timing.rate_window,
    )
    if not rates:  # the state of the last scrape: eval 0 already sees scrape 0
        return Recordings.of([], [], error_ratio)
    bad, total = [], []
    j = 0
    while True:
        at = sigma + delta + j * interval
        if at - window > sigma + 2 * scrape:  # the range holds only the steady incident
            break
        first = math.ceil((at - window - sigma) / scrape)
        last = math.floor((at - sigma) / scrape)
        times = [sigma + m * scrape for m in range(first, last + 1)]
        successes = extrapolated_rate(
            [(t, _SUCCESS_BASE + min(t, 0) + (1 - error_ratio) * max(t, 0)) for t in times],
            at,
            window,
        )
        if errors is ErrorsSeries.NEW:
            failed = [(t, error_ratio * t) for t in times if t > 0]
        else:
            base = _ERRORS_BASE if errors is ErrorsSeries.COUNTING else 0.0
            failed = [(t, base + error_ratio * max(t, 0)) for t in times]
        failures = extrapolated_rate(failed, at, window)
        bad.append(failures or 0.0)
        total.append((successes or 0.0) + (failures or 0.0))
        j += 1
    return Recordings.of(bad, total, error_ratio)


def extrapolated_rate(samples: list[tuple[float, float]], at: float, window: int) -> float | None:
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
