"""The scenarios that pin one burn pair: it fires, resets, stays quiet, and its
factor is neither a little too high nor a little too low.

Each incident is sized from the pair's threshold and each check time comes from the
oracle, then compared with the detection time the model promises: a pair that cannot
show what it claims fails at generation rather than passing vacuously.
"""

from __future__ import annotations

from fractions import Fraction

from slogen import naming
from slogen.durations import format_duration
from slogen.model import BASE_WINDOW, BurnAlert
from slogen.testgen import oracle
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.profile import Profile
from slogen.testgen.proof import Check, Scenario, ScenarioError, first_sure, last_sure
from slogen.testgen.series import Phase
from slogen.testgen.timelines import (
    FIRING_FACTOR,
    QUIET_FACTOR,
    ProfileTimelines,
    approx_duration,
    expressible,
    over_100_percent,
)
from slogen.testgen.timing import STEADY_MARGIN, round_up, step_for, with_margin

BRACKET = Fraction(1, 20)
"""Sustained burns 5% either side of a factor: a factor off by more must fail."""
RECOVERY_FACTORS = tuple(Fraction(x) for x in ("10", "5", "3", "2", "1.75", "1.5", "1.25"))
"""Burns to try for the recovery proof, the largest first: the larger the burn, the
more the short window's part in the reset stands out."""


class BurnScenarios(ProfileTimelines):
    """The scenarios for each burn pair of one profile."""

    def firing(self, pair: BurnAlert) -> Scenario:
        """1.25x the pair's factor after healthy history: fires by the expected detection
        time, and faster severities whose factors are not reached stay quiet."""
        profile, step = self.profile, step_for(pair.short)
        pre, settle = self.history(pair, step), self.lag(pair, step)
        expressible(pair, profile, FIRING_FACTOR)
        threshold = pair.threshold(profile.budget)
        traffic, ratio = self.incident(threshold * FIRING_FACTOR, at_least=True)
        expected = pair.detection_seconds(ratio, profile.budget)
        fired = self._first_firing(pair, step, pre, traffic, ratio, expected)
        line = self.oracle_for(
            self.healthy_phase(pre, traffic), Phase(fired + step - pre, traffic, ratio)
        )
        if not line.alone(pair, fired, step):
            raise NotSynthesisable(
                "another pair of the same severity fires as early at this burn rate, so the "
                "alert would not tell them apart"
            )
        checks = [Check(fired, naming.BURN_ALERT, pair.severity, True)]
        checks += self._others_quiet(line, fired, step, pair.factor * FIRING_FACTOR)
        before = last_sure(
            range(pre + step, fired, step),
            lambda t: line.quiet(pair.severity, t, step),
        )
        if before is not None:  # not early either: a shortened window would fire here
            checks.append(Check(before, naming.BURN_ALERT, pair.severity, False))
        return Scenario(
            f"{pair.severity} {pair.windows} at {float(FIRING_FACTOR):g}x: "
            f"{_ratio_to_threshold(ratio, pair, profile)} fires by "
            f"{format_duration(fired - pre)} (expected {approx_duration(expected)}, plus "
            f"margins and {format_duration(settle)} for, evaluation and rate lag)",
            step,
            line.phases,
            tuple(checks),
        )

    def _first_firing(
        self,
        pair: BurnAlert,
        step: int,
        pre: int,
        traffic: Fraction,
        ratio: Fraction,
        expected: Fraction,
    ) -> int:
        """The first step at which the burn after ``pre`` seconds of healthy history
        surely fires the pair's severity, no later than the model's detection time
        (with the oracle's margins) and the alert lag allow."""
        limit = pre + with_margin(expected, pair) + self.lag(pair, step) + step
        probe = self.oracle_for(
            self.healthy_phase(pre, traffic), Phase(round_up(limit, step), traffic, ratio)
        )
        fired = first_sure(
            range(pre + step, int(limit) + step, step),
            lambda t: probe.burning(pair.severity, t, step),
        )
        if fired is None:
            raise ScenarioError(
                f"{pair.severity} at {float(FIRING_FACTOR)}x burn "
                f"rate {float(pair.factor)} does not fire within {format_duration(int(limit))}"
            )
        return fired

    def _others_quiet(self, line: oracle.Oracle, t: int, step: int, burn: Fraction) -> list[Check]:
        """Faster severities whose every factor is above this incident's burn rate."""
        checks = []
        for severity, pairs in self.profile.alerting.burn_by_severity().items():
            if all(p.factor > burn for p in pairs) and line.quiet(severity, t, step):
                checks.append(Check(t, naming.BURN_ALERT, severity, False))
        return checks

    def recovery(self, pair: BurnAlert) -> Scenario | None:
        """A burn sustained for the pair's whole long window, then healthy traffic: the
        alert resets within the short window plus ``for``. The long window alone would
        hold it for most of its length, so the short window's part is shown. The burn is
        the largest multiple of the factor that no slower pair of the severity reaches."""
        step = step_for(pair.short)
        for multiple in RECOVERY_FACTORS:
            if over_100_percent(pair, self.profile, multiple):
                continue
            found = self._recovery_at(pair, step, multiple)
            if found is not None:
                return found
        raise NotSynthesisable(
            "no burn level above this pair's factor lets the alert reset within the short "
            "window: a slower pair of the same severity keeps it firing"
        )

    def _recovery_at(self, pair: BurnAlert, step: int, multiple: Fraction) -> Scenario | None:
        """The recovery proof at ``multiple`` times the threshold, if the pair alone
        fires on it and the alert surely resets within the short window and lag."""
        profile = self.profile
        pre, settle = self.history(pair, step), self.lag(pair, step)
        length = round_up(pair.long + settle, step)
        traffic, ratio = self.incident(pair.threshold(profile.budget) * multiple, at_least=True)
        ended = pre + length + step
        resets_by = ended + pair.short + settle + step
        line = self.oracle_for(
            self.healthy_phase(pre, traffic),
            Phase(length + step, traffic, ratio),
            self.healthy_phase(round_up(resets_by - ended + step, step), traffic),
        )
        at_end = pre + length
        if not line.burning(pair.severity, at_end, step) or not line.alone(pair, at_end, step):
            return None
        reset = first_sure(
            range(ended + step, resets_by + step, step),
            lambda t: line.quiet(pair.severity, t, step),
        )
        if reset is None:
            return None
        return Scenario(
            f"{pair.severity} {pair.windows} recovery: "
            f"{_ratio_to_threshold(ratio, pair, profile)} for {format_duration(length)}, "
            f"then healthy: resets {format_duration(reset - ended)} after it ends (short "
            f"window {format_duration(pair.short)} plus {format_duration(settle)} for and lag)",
            step,
            line.phases,
            (
                Check(pre + length, naming.BURN_ALERT, pair.severity, True),
                Check(reset, naming.BURN_ALERT, pair.severity, False),
            ),
        )

    def quiet(self, pair: BurnAlert) -> Scenario | None:
        """0.8x the pair's factor for its whole long window: this pair never fires."""
        profile, step = self.profile, step_for(pair.short)
        pre = self.history(pair, step)
        threshold = pair.threshold(profile.budget)
        traffic, ratio = self.incident(threshold * QUIET_FACTOR, at_least=False)
        length = round_up(pair.long + pair.short + 2 * step, step)
        line = self.oracle_for(self.healthy_phase(pre, traffic), Phase(length, traffic, ratio))
        times = range(pre + step, pre + length + step, max(step, length // 8 // step * step))
        checks = tuple(
            Check(t, naming.BURN_ALERT, pair.severity, False)
            for t in times
            if line.quiet(pair.severity, t, step)
        )
        if not checks:
            return None
        return Scenario(
            f"{pair.severity} {pair.windows} at {float(QUIET_FACTOR):g}x: "
            f"{_ratio_to_threshold(ratio, pair, profile)} for {format_duration(length)} "
            "never fires",
            step,
            line.phases,
            checks,
        )

    def bracket(self, pair: BurnAlert, above: bool) -> Scenario:
        """A burn held 5% above (or below) the pair's factor until every window sees only
        it: the alert must (must not) fire. Catches a factor a little off, such as a
        30-day factor on a 28-day SLO (14.4 for 13.44)."""
        profile, step = self.profile, step_for(pair.short)
        pre, settle = self.history(pair, step), self.lag(pair, step)
        multiple = 1 + BRACKET if above else 1 - BRACKET
        if above:
            expressible(pair, profile, multiple)
        traffic, ratio = self.incident(pair.threshold(profile.budget) * multiple, at_least=above)
        length = round_up(pair.long + BASE_WINDOW + settle + 2 * step, step)
        line = self.oracle_for(
            self.healthy_phase(pre, traffic), Phase(length + step, traffic, ratio)
        )
        at = pre + length
        if above:
            holds = line.burning(pair.severity, at, step, STEADY_MARGIN)
            holds = holds and line.alone(pair, at, step)
        else:
            holds = line.quiet(pair.severity, at, step, STEADY_MARGIN)
        if not holds:
            raise NotSynthesisable(
                "another pair of the same severity fires at this burn rate, or the ratio "
                "cannot be held close enough to the factor"
            )
        verb = "fires" if above else "stays quiet"
        return Scenario(
            f"{pair.severity} {pair.windows} at {float(multiple):g}x: "
            f"{_ratio_to_threshold(ratio, pair, profile)} held for {format_duration(length)}: "
            f"{verb}",
            step,
            line.phases,
            (Check(at, naming.BURN_ALERT, pair.severity, above),),
        )


def _ratio_to_threshold(ratio: Fraction, pair: BurnAlert, profile: Profile) -> str:
    """An incident's error ratio, and how far it sits from the pair's threshold."""
    multiple = float(ratio / pair.threshold(profile.budget))
    return f"error ratio {float(ratio):.6g} ({multiple:.3g}x the threshold)"
