"""What the alerts should do on a timeline of phases, computed without Prometheus.

The rules sum 5m rates sampled at each evaluation; here the same ratios are computed
in continuous time. The two differ by the 5m smoothing and the evaluation grid, so a
verdict counts only when it holds with a margin, over every moment that could still
influence the alert at the time checked (``for``, evaluation lag, the 5m rate), and
for windows 5m longer as well. Where the verdict is not robust the generated test
makes no claim.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from slogen.model import SLO, BurnAlert
from slogen.testgen.series import Phase

MARGIN = 0.1
"""Relative distance from a threshold that a robust verdict needs."""
BUDGET_MARGIN = 0.05
"""Absolute distance, in shares of the budget, for budget-remaining verdicts."""
RATE_WINDOW = 300
GRID = 60


@dataclass(frozen=True)
class Timeline:
    """Phases laid end to end from time 0."""

    phases: tuple[Phase, ...]
    unit: int = 1

    @cached_property
    def _spans(self) -> tuple[tuple[float, float, float, float], ...]:
        """(start, end, events per second, errors per second) of each phase, as floats:
        the oracle asks for many windows, and exact fractions would make that slow."""
        spans = []
        start = 0.0
        for phase in self.phases:
            if phase.traffic is not None:
                traffic = float(phase.traffic)
                errors = float(phase.traffic * phase.error_ratio)
                spans.append((start, start + phase.seconds, traffic, errors))
            start += phase.seconds
        return tuple(spans)

    def _sums(self, t: float, window: float) -> tuple[float, float]:
        errors = total = 0.0
        low = max(0.0, t - window)
        for start, end, traffic, error_rate in self._spans:
            overlap = min(end, t) - max(start, low)
            if overlap > 0:
                total += traffic * overlap
                errors += error_rate * overlap
        return errors, total

    def ratio(self, t: float, window: float) -> float | None:
        """Traffic-weighted error ratio over ``[t - window, t]``; None without traffic."""
        errors, total = self._sums(t, window)
        return errors / total if total > 0 else None

    def mean_rate(self, t: float, window: float) -> float:
        """Average value of the total recording over the window (for the traffic guard)."""
        _, total = self._sums(t, window)
        return total * self.unit / min(window, t) if t > 0 else 0.0

    @property
    def seconds(self) -> int:
        return sum(phase.seconds for phase in self.phases)


def _moments(t: float, lookback: float, step: int) -> Iterator[float]:
    """Times to test between ``t - lookback`` and ``t``: every minute, or a fifth of a
    coarse step (phases change only on step boundaries)."""
    grid = max(GRID, step // 5)
    moment = t
    while moment >= t - lookback and moment >= 0:
        yield moment
        moment -= grid


def _variants(window: int) -> tuple[int, int]:
    return window, window + RATE_WINDOW


def _pair_on(slo: SLO, pair: BurnAlert, line: Timeline, t: float, margin: float = MARGIN) -> bool:
    threshold = float(pair.factor * slo.budget) * (1 + margin)
    for window in (pair.long, pair.short):
        for span in _variants(window):
            ratio = line.ratio(t, span)
            if ratio is None or ratio <= threshold:
                return False
    return _guard(slo, pair, line, t) is not False


def _pair_off(slo: SLO, pair: BurnAlert, line: Timeline, t: float, margin: float = MARGIN) -> bool:
    threshold = float(pair.factor * slo.budget) * (1 - margin)
    if _guard(slo, pair, line, t) is False:
        return True
    for window in (pair.long, pair.short):
        ratios = [line.ratio(t, span) for span in _variants(window)]
        if all(r is None or r < threshold for r in ratios):
            return True
    return False


def _guard(slo: SLO, pair: BurnAlert, line: Timeline, t: float) -> bool | None:
    """True/False when the request-rate guard robustly passes/blocks; None if unsure."""
    minimum = float(slo.alerting.min_request_rate)
    if not slo.counts_traffic or minimum == 0:
        return True
    rates = [line.mean_rate(t, span) for span in _variants(pair.long)]
    if all(rate >= minimum * (1 + MARGIN) for rate in rates):
        return True
    if all(rate < minimum * (1 - MARGIN) for rate in rates):
        return False
    return None


def _pairs(slo: SLO, severity: str) -> Sequence[BurnAlert]:
    return slo.alerting.burn_by_severity().get(severity, ())


def burning(
    slo: SLO, severity: str, line: Timeline, t: float, step: int, margin: float = MARGIN
) -> bool:
    """The severity's burn alert is surely firing at ``t``: some pair held robustly for
    ``for`` plus evaluation and rate lag. A smaller ``margin`` suits steady states, where
    every window sees one constant ratio and the rules' smoothing cannot matter."""
    lag = slo.alerting.severity(severity).for_seconds + 2 * step + RATE_WINDOW
    return all(
        any(_pair_on(slo, pair, line, moment, margin) for pair in _pairs(slo, severity))
        for moment in _moments(t, lag, step)
    )


def alone(
    slo: SLO, pair: BurnAlert, line: Timeline, t: float, step: int, margin: float = MARGIN
) -> bool:
    """Every other pair of the pair's severity is surely off around ``t``, so a firing
    alert at ``t`` can only be this pair's doing."""
    lag = slo.alerting.severity(pair.severity).for_seconds + 2 * step + RATE_WINDOW
    others = [p for p in _pairs(slo, pair.severity) if p != pair]
    return all(
        _pair_off(slo, other, line, moment, margin)
        for other in others
        for moment in _moments(t, lag, step)
    )


def quiet(
    slo: SLO, severity: str, line: Timeline, t: float, step: int, margin: float = MARGIN
) -> bool:
    """The severity's burn alert is surely not firing at ``t``."""
    return all(
        all(_pair_off(slo, pair, line, moment, margin) for pair in _pairs(slo, severity))
        for moment in _moments(t, step + RATE_WINDOW, step)
    )


def budget_remaining(slo: SLO, line: Timeline, t: float) -> float | None:
    ratio = line.ratio(t, slo.period)
    return None if ratio is None else 1 - ratio / float(slo.budget)


def budget_below(
    slo: SLO, below: float, for_seconds: int, line: Timeline, t: float, step: int
) -> bool | None:
    """True/False when the budget is robustly below/above ``below`` at ``t``."""
    firing_lag = for_seconds + 2 * step + RATE_WINDOW
    values = [budget_remaining(slo, line, m) for m in _moments(t, firing_lag, step)]
    if all(v is not None and v < below - BUDGET_MARGIN for v in values):
        return True
    recent = [budget_remaining(slo, line, m) for m in _moments(t, step + RATE_WINDOW, step)]
    if all(v is None or v > below + BUDGET_MARGIN for v in recent):
        return False
    return None
