"""What the alerts should do on a timeline of phases, computed without Prometheus.

The rules sum 5m rates sampled at each evaluation; here the same ratios are computed
in continuous time. The two differ by the 5m smoothing and the evaluation grid, so a
verdict counts only when it holds with a margin, over every moment that could still
influence the alert at the time checked (``for``, evaluation lag, the 5m rate), and
for windows 5m longer as well. Where the verdict is not robust the generated test
makes no claim. The look-backs and margins are ``slogen.testgen.timing``'s, shared
with the scenarios that size their timelines by them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from slogen.model import BASE_WINDOW, BurnAlert
from slogen.testgen.profile import Profile
from slogen.testgen.series import Phase
from slogen.testgen.timing import BUDGET_MARGIN, MARGIN, alert_lag, quiet_lookback

GRID = 60
SAMPLE_INTERVAL = 60


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

    @cached_property
    def _seen(self) -> dict[tuple[float, float], tuple[float, float]]:
        """Sums already computed: a search asks for the same window at the same moment
        many times, once for each check time whose look-back covers that moment."""
        return {}

    def _sums(self, t: float, window: float) -> tuple[float, float]:
        key = (t, window)
        seen = self._seen.get(key)
        if seen is not None:
            return seen
        errors = total = 0.0
        low = max(0.0, t - window)
        for start, end, traffic, error_rate in self._spans:
            overlap = min(end, t) - max(start, low)
            if overlap > 0:
                total += traffic * overlap
                errors += error_rate * overlap
        self._seen[key] = (errors, total)
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

    @cached_property
    def first_seen(self) -> float | None:
        """When the series first report: the start of the first phase with traffic."""
        start = 0.0
        for phase in self.phases:
            if phase.traffic is not None:
                return start
            start += phase.seconds
        return None

    def covered(self, t: float, window: float) -> float:
        """The share of ``window`` the history covers at ``t``, as the rules weigh it
        (``slogen.rules.coverage``: time since first seen plus one interval)."""
        first = self.first_seen
        if first is None or t < first:
            return 0.0
        return min(1.0, (t - first + SAMPLE_INTERVAL) / window)


def _moments(t: float, lookback: float, step: int) -> Iterator[float]:
    """Times to test between ``t - lookback`` and ``t``: every minute, or a fifth of a
    coarse step (phases change only on step boundaries)."""
    grid = max(GRID, step // 5)
    moment = t
    while moment >= t - lookback and moment >= 0:
        yield moment
        moment -= grid


def _variants(window: int) -> tuple[int, int]:
    return window, window + BASE_WINDOW


@dataclass(frozen=True)
class _Pair:
    """A burn pair's figures as floats, computed once per oracle rather than per
    moment: exact fractions are needed to build the rules, not to judge them."""

    alert: BurnAlert
    threshold: float
    windows: tuple[tuple[int, int], tuple[int, int]]
    """(long, long + 5m) and (short, short + 5m)."""
    weighed: tuple[bool, bool]
    """Whether the long and the short window's burn is weighted by coverage (all but
    a traffic SLI's 5m window, which is its current recording)."""


@dataclass(frozen=True)
class Oracle:
    """The verdicts for the alerts of one SLO profile on one timeline."""

    profile: Profile
    line: Timeline

    @cached_property
    def _pairs(self) -> dict[str, tuple[_Pair, ...]]:
        budget = self.profile.budget
        return {
            severity: tuple(
                _Pair(
                    p,
                    float(p.threshold(budget)),
                    (_variants(p.long), _variants(p.short)),
                    (self._weighed(p.long), self._weighed(p.short)),
                )
                for p in pairs
            )
            for severity, pairs in self.profile.alerting.burn_by_severity().items()
        }

    def _weighed(self, window: int) -> bool:
        return not (window == BASE_WINDOW and self.profile.counts_traffic)

    def _burn_ratio(self, t: float, span: int, nominal: int, weighed: bool) -> float | None:
        """The window's error ratio as the alert compares it: weighted by coverage."""
        ratio = self.line.ratio(t, span)
        if ratio is None or not weighed:
            return ratio
        return ratio * self.line.covered(t, nominal)

    @cached_property
    def _for_seconds(self) -> dict[str, int]:
        """``for`` per severity."""
        return {s.key: s.for_seconds for s in self.profile.alerting.severities}

    @cached_property
    def _guard_rate(self) -> float:
        """The request-rate guard, 0 where there is none."""
        alerting = self.profile.alerting
        return float(alerting.min_request_rate) if self.profile.counts_traffic else 0.0

    @property
    def phases(self) -> tuple[Phase, ...]:
        return self.line.phases

    def _on(self, pair: _Pair, t: float, margin: float) -> bool:
        threshold = pair.threshold * (1 + margin)
        for variants, weighed in zip(pair.windows, pair.weighed, strict=True):
            for span in variants:
                ratio = self._burn_ratio(t, span, variants[0], weighed)
                if ratio is None or ratio <= threshold:
                    return False
        return self._guard(pair, t) is not False

    def _off(self, pair: _Pair, t: float, margin: float) -> bool:
        threshold = pair.threshold * (1 - margin)
        if self._guard(pair, t) is False:
            return True
        for variants, weighed in zip(pair.windows, pair.weighed, strict=True):
            ratios = [self._burn_ratio(t, span, variants[0], weighed) for span in variants]
            if all(r is None or r < threshold for r in ratios):
                return True
        return False

    def _guard(self, pair: _Pair, t: float) -> bool | None:
        """True/False when the request-rate guard robustly passes/blocks; None if unsure."""
        minimum = self._guard_rate
        if minimum == 0:
            return True
        rates = [self.line.mean_rate(t, span) for span in pair.windows[0]]
        if all(rate >= minimum * (1 + MARGIN) for rate in rates):
            return True
        if all(rate < minimum * (1 - MARGIN) for rate in rates):
            return False
        return None

    def _pairs_of(self, severity: str) -> tuple[_Pair, ...]:
        return self._pairs.get(severity, ())

    def burning(self, severity: str, t: float, step: int, margin: float = MARGIN) -> bool:
        """The severity's burn alert is surely firing at ``t``: some pair held robustly
        for ``for`` plus evaluation and rate lag. A smaller ``margin`` suits steady
        states, where every window sees one constant ratio and the rules' smoothing
        cannot matter."""
        lag = alert_lag(self._for_seconds[severity], step)
        pairs = self._pairs_of(severity)
        return all(
            any(self._on(pair, moment, margin) for pair in pairs)
            for moment in _moments(t, lag, step)
        )

    def alone(self, alert: BurnAlert, t: float, step: int, margin: float = MARGIN) -> bool:
        """Every other pair of the pair's severity is surely off around ``t``, so a
        firing alert at ``t`` can only be this pair's doing."""
        lag = alert_lag(self._for_seconds[alert.severity], step)
        others = [p for p in self._pairs_of(alert.severity) if p.alert != alert]
        return all(
            self._off(other, moment, margin)
            for other in others
            for moment in _moments(t, lag, step)
        )

    def quiet(self, severity: str, t: float, step: int, margin: float = MARGIN) -> bool:
        """The severity's burn alert is surely not firing at ``t``."""
        pairs = self._pairs_of(severity)
        return all(
            all(self._off(pair, moment, margin) for pair in pairs)
            for moment in _moments(t, quiet_lookback(step), step)
        )

    @cached_property
    def _budget(self) -> float:
        return float(self.profile.budget)

    def budget_remaining(self, t: float) -> float | None:
        """``1 - ratio x covered / budget`` over the period, as the rules record it."""
        period = self.profile.period
        ratio = self.line.ratio(t, period)
        if ratio is None:
            return None
        return 1 - ratio * self.line.covered(t, period) / self._budget

    def budget_below(self, below: float, for_seconds: int, t: float, step: int) -> bool | None:
        """True/False when the budget is robustly below/above ``below`` at ``t``."""
        values = [self.budget_remaining(m) for m in _moments(t, alert_lag(for_seconds, step), step)]
        if all(v is not None and v < below - BUDGET_MARGIN for v in values):
            return True
        recent = [self.budget_remaining(m) for m in _moments(t, quiet_lookback(step), step)]
        if all(v is None or v > below + BUDGET_MARGIN for v in recent):
            return False
        return None
