"""The phases and oracles a profile's scenarios are laid out from.

Burn-pair scenarios and whole-SLO scenarios size their traffic, healthy history and
incidents the same way; sharing one maker keeps, say, the healthy ratio or the
request-rate headroom from differing between a pair's proof and the SLO's.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from slogen.model import BurnAlert
from slogen.testgen import oracle
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.profile import Profile
from slogen.testgen.series import Phase, gauge_targets, whole_counts
from slogen.testgen.timing import MARGIN, alert_lag, round_up

FIRING_FACTOR = Fraction(5, 4)
"""An incident this far above a threshold (a pair's, or the request-rate guard's)
must fire the alert."""
QUIET_FACTOR = Fraction(4, 5)
"""An incident this far below a threshold must never fire it."""


@dataclass(frozen=True)
class ProfileTimelines:
    """Lays out timelines for one profile and judges them with its oracle."""

    profile: Profile

    @property
    def traffic(self) -> Fraction:
        """Events per second, well above the request-rate guard when there is one."""
        guard = self.profile.alerting.min_request_rate / self.profile.unit
        return max(Fraction(1), Fraction(-(-4 * guard // 1)))  # ceil(4 x guard)

    def incident(self, ratio: Fraction, at_least: bool) -> tuple[Fraction, Fraction]:
        """(traffic, error ratio) for an incident; gauges round to whole targets."""
        if self.profile.is_gauge:
            bad, total = gauge_targets(min(ratio, Fraction(1)), at_least)
            return Fraction(total), Fraction(bad, total)
        return self.traffic, min(ratio, Fraction(1))

    def healthy_ratio(self) -> Fraction:
        return self.profile.healthy_ratio()

    def oracle_for(self, *phases: Phase, scaled: bool = True) -> oracle.Oracle:
        """The oracle for these phases; ``scaled`` raises their traffic to whole counts
        (``whole_counts``), which all but the request-rate guard may do."""
        line = self.whole(*phases) if scaled else phases
        return oracle.Oracle(self.profile, oracle.Timeline(tuple(line), self.profile.unit))

    def whole(self, *phases: Phase) -> tuple[Phase, ...]:
        """Counter phases at whole counts per interval; gauges count whole targets."""
        return phases if self.profile.is_gauge else whole_counts(phases)

    def healthy_phase(self, seconds: int, traffic: Fraction) -> Phase:
        return Phase(seconds, traffic, self.healthy_ratio())

    def severities(self) -> list[str]:
        return list(self.profile.alerting.burn_by_severity())

    def lag(self, pair: BurnAlert, step: int) -> int:
        """Time from a robust condition to the pair's alert firing."""
        return alert_lag(self.profile.alerting.severity(pair.severity).for_seconds, step)

    def history(self, pair: BurnAlert, step: int) -> int:
        """Healthy history before an incident: the longest window of the severity, so
        every pair of it starts from a full window."""
        pairs = self.profile.alerting.burn_by_severity()[pair.severity]
        return round_up(max(p.long for p in pairs), step)


def over_100_percent(pair: BurnAlert, profile: Profile, multiple: Fraction) -> bool:
    """Whether the oracle would need more than all events failing to vouch for a burn at
    ``multiple`` times the pair's threshold."""
    return pair.threshold(profile.budget) * multiple * (1 + Fraction(MARGIN)) >= 1


def expressible(pair: BurnAlert, profile: Profile, multiple: Fraction) -> None:
    """An error ratio above 100% cannot be synthesised; say so instead of failing."""
    if over_100_percent(pair, profile, multiple):
        raise NotSynthesisable(
            f"{float(multiple):g}x the threshold ({float(pair.threshold(profile.budget)):.3g}) "
            "would need more than 100% errors"
        )


def approx_duration(seconds: Fraction | float) -> str:
    """A model figure that is rarely a whole number of minutes, to one decimal."""
    value = float(seconds)
    if value < 120:
        return f"{value:.0f}s"
    if value < 7200:
        return f"{value / 60:.1f}m"
    return f"{value / 3600:.1f}h"
