"""The scenarios that prove an SLO as a whole rather than one burn pair: healthy
traffic, a total outage, the request-rate guard, missing and vanished series, the
budget alerts, and a young SLO judged by what little history it has.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from slogen import naming
from slogen.durations import format_duration
from slogen.model import VANISHED_LOOKBACK, BudgetAlert
from slogen.testgen import oracle
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.profile import Profile
from slogen.testgen.proof import Check, Scenario, ScenarioError, first_sure, last_sure
from slogen.testgen.series import Phase
from slogen.testgen.timelines import (
    FIRING_FACTOR,
    QUIET_FACTOR,
    ProfileTimelines,
)
from slogen.testgen.timing import (
    BUDGET_MARGIN,
    STEPS,
    alert_lag,
    round_up,
    step_for,
)

SERIES_END = 3600
"""Seconds of traffic before the series of the no-data and vanished proofs stop."""


class SloScenarios(ProfileTimelines):
    """The whole-SLO scenarios of one profile."""

    def healthy(self) -> Scenario | None:
        """Traffic at a fraction of the budget for the longest window: nothing fires."""
        profile = self.profile
        pairs = profile.alerting.burn
        if not pairs and not profile.alerting.budget:
            return None
        step = max([step_for(p.short) for p in pairs] or [STEPS[0]])
        length = round_up(max([p.long + p.short for p in pairs] or [3600]) + 2 * step, step)
        line = self.oracle_for(self.healthy_phase(length, self._steady_traffic()))
        checks = self._quiet_checks(line, [length // 2 // step * step, length], step)
        return Scenario(
            f"healthy: {_budget_multiple(self.healthy_ratio(), profile)} of the budget's "
            f"error rate for {format_duration(length)}, no alert",
            step,
            line.phases,
            tuple(checks),
        )

    def guard(self, above: bool) -> Scenario | None:
        """Every event failing at 0.8x the request-rate guard: no burn alert; at 1.25x
        the guard: the alerts fire. The guard's threshold is pinned from both sides."""
        profile = self.profile
        if (
            not profile.counts_traffic
            or profile.alerting.min_request_rate == 0
            or not profile.alerting.burn
        ):
            return None
        step = max(step_for(p.short) for p in profile.alerting.burn)
        length = round_up(max(p.long + p.short for p in profile.alerting.burn) + 2 * step, step)
        multiple = FIRING_FACTOR if above else QUIET_FACTOR
        traffic = profile.alerting.min_request_rate / self.profile.unit * multiple
        line = self.oracle_for(Phase(length + step, traffic, Fraction(1)), scaled=False)
        if above:
            verdict = line.burning
            times: range | list[int] = [length]
        else:
            verdict = line.quiet
            times = range(step * 2, length + step, max(step, length // 6 // step * step))
        checks = tuple(
            Check(t, naming.BURN_ALERT, severity, above)
            for t in times
            for severity in self.severities()
            if verdict(severity, t, step)
        )
        outcome = "the burn alerts fire" if above else "no burn alert"
        return Scenario(
            f"traffic at {float(multiple):g}x min_request_rate, every event failing: {outcome}",
            step,
            line.phases,
            checks,
        )

    def no_data(self) -> Scenario | None:
        """The SLI's series vanish: the no-data alert fires after its delay."""
        profile = self.profile
        if profile.alerting.no_data is None:
            return None
        step = STEPS[0]
        before = SERIES_END
        traffic = self._steady_traffic()
        fires_at = before + alert_lag(profile.alerting.no_data.after, step)
        severity = profile.alerting.no_data.severity
        return Scenario(
            f"no data: the series end at {format_duration(before)}, {naming.NO_DATA_ALERT} "
            f"fires by {format_duration(fires_at)}",
            step,
            self.whole(self.healthy_phase(before, traffic), Phase(round_up(fires_at, step), None)),
            (
                Check(before - step, naming.NO_DATA_ALERT, severity, False),
                Check(round_up(fires_at, step), naming.NO_DATA_ALERT, severity, True),
            ),
        )

    def never_seen(self) -> Scenario | None:
        """An SLI whose series never appear raises the no-data alert and nothing else:
        with no history there is nothing that vanished."""
        profile = self.profile
        no_data = profile.alerting.no_data
        if no_data is None:
            return None
        step = STEPS[0]
        fires_at = round_up(no_data.after + 2 * step, step)
        checks = [Check(fires_at, naming.NO_DATA_ALERT, no_data.severity, True)]
        if profile.alerting.vanished is not None:
            severity = profile.alerting.vanished.severity
            checks.append(Check(fires_at, naming.VANISHED_ALERT, severity, False))
        return Scenario(
            f"never seen: no series at all; {naming.NO_DATA_ALERT} fires by "
            f"{format_duration(fires_at)}, nothing else",
            step,
            (Phase(fires_at + step, None),),
            tuple(checks),
        )

    def vanished(self) -> Scenario | None:
        """The group's series stop after an hour of traffic while any other group keeps
        reporting: the vanished alert fires for this group alone, within the 5m rate's
        fade plus ``for``, and resolves once the last sample is an hour old."""
        profile = self.profile
        policy = profile.alerting.vanished
        if policy is None:
            return None
        step = STEPS[0]
        before = SERIES_END
        traffic = self._steady_traffic()
        for_seconds = profile.alerting.severity(policy.severity).for_seconds
        fires_at = round_up(before + alert_lag(for_seconds, step), step)
        # resolving waits out the look-back as firing waits out ``for``
        gone = round_up(before + alert_lag(VANISHED_LOOKBACK, step), step)
        checks = [
            Check(before - step, naming.VANISHED_ALERT, policy.severity, False),
            Check(fires_at, naming.VANISHED_ALERT, policy.severity, True),
            Check(gone, naming.VANISHED_ALERT, policy.severity, False),
        ]
        no_data = profile.alerting.no_data
        if profile.grouped and no_data is not None:  # the other group still reports
            checks.append(Check(gone, naming.NO_DATA_ALERT, no_data.severity, False))
        return Scenario(
            f"vanished: the series stop at {format_duration(before)}"
            + (" while another group reports" if profile.grouped else "")
            + f"; {naming.VANISHED_ALERT} fires by {format_duration(fires_at)} and "
            f"resolves by {format_duration(gone)}",
            step,
            self.whole(self.healthy_phase(before, traffic), Phase(gone + step - before, None)),
            tuple(checks),
            others_report=True,
        )

    def budget(self) -> Scenario | None:
        """Errors after a clean start: the budget alerts fire one after another as the
        share of the period's budget spent crosses each threshold. The error ratio is
        the largest that leaves an alert lag between consecutive crossings."""
        profile = self.profile
        policies = sorted(profile.alerting.budget, key=lambda b: -b.below)
        if not policies:
            return None
        # A calendar period's sums read the 5m recordings every 5 minutes, so they
        # count every slice only where the rules are evaluated that often.
        step = STEPS[0] if profile.calendar is not None else STEPS[1]
        clean = 2 * step
        wanted, levels = _budget_burn(profile, policies, step)
        traffic, ratio = self.incident(wanted, at_least=False)
        if ratio == 0:
            raise NotSynthesisable("the burn rate this SLI can express never spends the budget")
        last = levels[-1] * profile.period * float(profile.budget) / float(ratio)
        length = round_up(clean + last + _budget_lag(step) + 4 * step, step)
        if length > profile.horizon:
            raise NotSynthesisable("the budget thresholds are too close together to tell apart")
        line = self.oracle_for(
            Phase(clean, traffic, Fraction(0)), Phase(length - clean, traffic, ratio)
        )
        return Scenario(
            f"budget: error ratio {float(ratio):.6g} after {format_duration(clean)}; "
            + ", then ".join(f"below {float(p.below) * 100:g}%" for p in policies)
            + " fire in that order",
            step,
            line.phases,
            tuple(self._budget_checks(policies, line, range(clean, length + step, step))),
        )

    def _budget_checks(
        self, policies: list[BudgetAlert], line: oracle.Oracle, times: range
    ) -> list[Check]:
        """Each policy, from the highest threshold down, fires after the one before it;
        it is quiet at the last sure time before, and the later ones are quiet as it
        fires."""
        step = times.step
        checks: list[Check] = []
        previous = 0
        for index, policy in enumerate(policies):
            fired = first_sure(
                times,
                lambda t, p=policy: self._below(p, line, t, step),  # type: ignore[misc]
            )
            if fired is None or fired <= previous:
                raise ScenarioError("budget alerts do not fire in order")
            checks.append(Check(fired, policy.alert_name, policy.severity, True))
            before = last_sure(
                range(times.start, fired, step),
                lambda t, p=policy: self._below(p, line, t, step) is False,  # type: ignore[misc]
            )
            if before is not None:  # and not before the budget got there
                checks.append(Check(before, policy.alert_name, policy.severity, False))
            for later in policies[index + 1 :]:
                if self._below(later, line, fired, step) is False:
                    checks.append(Check(fired, later.alert_name, later.severity, False))
            previous = fired
        return checks

    def _below(self, policy: BudgetAlert, line: oracle.Oracle, t: int, step: int) -> bool | None:
        """Budget alerts have no ``for`` (``slogen.rules.alerts.budget_alert``)."""
        return line.budget_below(float(policy.below), 0, t, step)

    def young(self) -> Scenario | None:
        """A young SLO whose first quarter hour runs at 20x the budget's error rate:
        judged by what that quarter hour costs out of the whole period, it spends no
        budget worth an alert and burns no ticket, where judged by its two hours of
        history alone it would show the budget spent and page."""
        profile = self.profile
        if not profile.alerting.burn and not profile.alerting.budget:
            return None
        step = STEPS[0]
        traffic, ratio = self.incident(min(Fraction(1), 20 * profile.budget), at_least=False)
        bad, length = 900, 8100
        line = self.oracle_for(
            Phase(bad, traffic, ratio), self.healthy_phase(length - bad, traffic)
        )
        checks = self._quiet_checks(line, [bad + 2 * step, 3600, length], step)
        return Scenario(
            f"young SLO: {_ratio_to_budget(ratio, profile)} for its first "
            f"{format_duration(bad)}, then healthy: no burn or budget alert through "
            f"{format_duration(length)}",
            step,
            line.phases,
            tuple(checks),
        )

    def _quiet_checks(self, line: oracle.Oracle, times: list[int], step: int) -> list[Check]:
        """Every burn and budget alert the oracle is sure stays quiet at each time."""
        checks = [
            Check(t, naming.BURN_ALERT, severity, False)
            for t in times
            for severity in self.severities()
            if line.quiet(severity, t, step)
        ]
        checks += [
            Check(t, b.alert_name, b.severity, False)
            for t in times
            for b in self.profile.alerting.budget
            if self._below(b, line, t, step) is False
        ]
        return checks

    def _steady_traffic(self) -> Fraction:
        if self.profile.is_gauge:
            return self.incident(Fraction(0), at_least=False)[0]
        return self.traffic


def _budget_lag(step: int) -> int:
    """The longest time from a robust budget state to a firing budget alert: budget
    alerts have no ``for``."""
    return alert_lag(0, step)


def _budget_burn(
    profile: Profile, policies: list[BudgetAlert], step: int
) -> tuple[Fraction, list[float]]:
    """The error ratio for the budget scenario, and the shares of the budget spent at
    which each policy surely fires (its threshold plus the oracle's margin).

    Burning at ``r`` after a clean start, the share spent after ``d`` seconds is
    ``r x d / (period x budget)`` whatever the clean stretch (coverage weighs it), so
    level ``L`` is crossed at ``d = L x period x budget / r``: consecutive levels are an
    alert lag apart for ``r`` up to ``gap x period x budget / lag``.
    """
    levels = [1 - float(p.below) + BUDGET_MARGIN for p in policies]
    gaps = [later - earlier for earlier, later in itertools.pairwise(levels)]
    needed = _budget_lag(step) + 2 * step
    spendable = profile.period * profile.budget
    wanted = min([Fraction(1)] + [Fraction(gap) * spendable / needed for gap in gaps if gap > 0])
    return wanted, levels


def _ratio_to_budget(ratio: Fraction, profile: Profile) -> str:
    """An incident's error ratio, and how many budgets' worth of errors it is."""
    return f"error ratio {float(ratio):.6g} ({float(ratio / profile.budget):.3g}x the budget)"


def _budget_multiple(ratio: Fraction, profile: Profile) -> str:
    return f"{float(ratio / profile.budget):g}x"
