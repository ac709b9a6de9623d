"""The total-outage proofs: the page that promises the fastest detection fires in
time, after a full history and on an SLO that has only just started reporting.

The outage is the one incident whose detection ``slogen explain`` states as a lived
figure for on-call; where the proof samples as that figure assumes (1m steps), the
page is also held to it, not only to the oracle's margin-padded time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from slogen import naming
from slogen.durations import format_duration
from slogen.model import BurnAlert
from slogen.testgen import oracle
from slogen.testgen.profile import Profile
from slogen.testgen.proof import Check, Scenario, ScenarioError, first_sure
from slogen.testgen.series import Phase
from slogen.testgen.timelines import (
    ProfileTimelines,
    approx_duration,
    expressible,
)
from slogen.testgen.timing import FAST_STEP, outage_step, round_up, with_margin


@dataclass(frozen=True)
class _Outage:
    """A total outage after healthy traffic, and when the fastest page fires on it."""

    pair: BurnAlert
    step: int
    start: int
    settle: int
    expected: Fraction
    line: oracle.Oracle
    fired: int
    lived: int | None
    """Within how long ``slogen explain`` says the outage fires the page, when the proof
    samples as that figure assumes (1m scrapes and evaluations); else None."""

    @property
    def holds_to_lived(self) -> bool:
        """Whether the lived figure comes before the oracle's time, so is worth a check."""
        return self.lived is not None and self.start + self.lived < self.fired

    def checks(self) -> list[Check]:
        """Quiet at the outage's start where the oracle is sure, firing by the lived
        figure (the promise made to on-call) and by the oracle's robust time."""
        severity = self.pair.severity
        checks = []
        if self.line.quiet(severity, self.start, self.step):
            checks.append(Check(self.start, naming.BURN_ALERT, severity, False))
        if self.lived is not None and self.holds_to_lived:
            lived_at = self.start + round_up(self.lived, self.step)
            checks.append(Check(lived_at, naming.BURN_ALERT, severity, True))
        checks.append(Check(self.fired, naming.BURN_ALERT, severity, True))
        return checks

    def lived_text(self) -> str:
        """The lived figure the outage proof also checks, as the scenario's name says it."""
        if self.lived is None or not self.holds_to_lived:
            return ""
        return f" and within {format_duration(round_up(self.lived, self.step))} as explain says"


class OutageScenarios(ProfileTimelines):
    """The total-outage scenarios of one profile."""

    def _outage_after(self, lead: Callable[[BurnAlert, int], int]) -> _Outage | None:
        """A total outage after ``lead(pair, step)`` seconds of healthy traffic, and the
        first time the fastest page robustly fires on it."""
        profile = self.profile
        pair = _fastest_page(profile)
        if pair is None:
            return None
        expressible(pair, profile, Fraction(1))
        step = outage_step(pair.short)
        start, settle = lead(pair, step), self.lag(pair, step)
        traffic, ratio = self.incident(Fraction(1), at_least=True)
        expected = pair.detection_seconds(ratio, profile.budget)
        limit = round_up(with_margin(expected, pair) + settle + step, step)
        line = self.oracle_for(self.healthy_phase(start, traffic), Phase(limit, traffic, ratio))
        fired = first_sure(
            range(start + step, start + limit + step, step),
            lambda t: line.burning(pair.severity, t, step),
        )
        if fired is None:
            raise ScenarioError("a total outage does not page in time")
        lived = None
        if step == FAST_STEP:
            for_seconds = profile.alerting.severity(pair.severity).for_seconds
            lived = pair.figures(profile.budget, for_seconds, profile.counts_traffic).outage_firing
        return _Outage(pair, step, start, settle, expected, line, fired, lived)

    def outage(self) -> Scenario | None:
        """A total outage: the fastest page fires within its detection time. The healthy
        history is the severity's longest window, as for every burn scenario: with less,
        a slower pair's long window holds little but the outage and fires early, and
        the proof would promise a detection time production does not have."""
        found = self._outage_after(self.history)
        if found is None:
            return None
        pair, step, pre = found.pair, found.step, found.start
        return Scenario(
            f"total outage: quiet at its start, {pair.severity} fires by "
            f"{format_duration(found.fired - pre)}{found.lived_text()} (the "
            f"{pair.windows} pair's detection time {approx_duration(found.expected)}, "
            f"plus margins and {format_duration(found.settle)} for and lag)",
            step,
            found.line.phases,
            tuple(found.checks()),
        )

    def young_outage(self) -> Scenario | None:
        """A total outage 10 minutes after the SLO first reports pages no later than on
        a long history: the short history is weighed, not stretched to the window."""
        found = self._outage_after(lambda _pair, step: round_up(600, step))
        if found is None:
            return None
        pair, step, start = found.pair, found.step, found.start
        return Scenario(
            f"young SLO, total outage {format_duration(start)} after it first reports: "
            f"{pair.severity} fires by {format_duration(found.fired - start)}"
            f"{found.lived_text()}, as on a long history",
            step,
            found.line.phases,
            tuple(found.checks()),
        )


def _fastest_page(profile: Profile) -> BurnAlert | None:
    """The pair that detects a total outage first among the pages (else any pair)."""
    if not profile.alerting.burn:
        return None
    pages = [p for p in profile.alerting.burn if p.severity == "page"] or list(
        profile.alerting.burn
    )
    return min(pages, key=lambda p: p.detection_seconds(Fraction(1), profile.budget))
