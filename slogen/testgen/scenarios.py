"""The scenarios that prove an SLO's alerts, each a timeline and the checks on it.

Incident sizes come from the model (1.25x and 0.8x of each burn factor, a total
outage); check times come from the oracle, and each is compared with the detection
and reset times the model promises, so a scenario that cannot show what it claims
fails at generation rather than passing vacuously.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from slogen import naming
from slogen.durations import format_duration
from slogen.model import SLO, VANISHED_LOOKBACK, BudgetAlert, BurnAlert
from slogen.testgen import oracle
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.profile import Profile
from slogen.testgen.series import Phase, Shape, gauge_targets, whole_counts

STEPS = (300, 900, 3600, 10800)
"""Evaluation steps to choose from; a longer short window tolerates a coarser step."""
FAST_STEP = 60
FIRING_FACTOR = Fraction(5, 4)
QUIET_FACTOR = Fraction(4, 5)
BRACKET = Fraction(1, 20)
"""Sustained burns 5% either side of a factor: a factor off by more must fail."""
STEADY_MARGIN = 0.01
RECOVERY_FACTORS = tuple(Fraction(x) for x in ("10", "5", "3", "2", "1.75", "1.5", "1.25"))


@dataclass(frozen=True)
class Check:
    """At ``at`` seconds, the alert of this severity is (or is not) firing."""

    at: int
    alert: str
    severity: str
    firing: bool


@dataclass(frozen=True)
class Scenario:
    name: str
    step: int
    phases: tuple[Phase, ...]
    checks: tuple[Check, ...]
    others_report: bool = False
    """A grouped SLO's other group keeps reporting where this one has no series."""

    @property
    def interval(self) -> int:
        """Input samples every minute for 1m steps, else every 5m: the 5m rate needs a
        sample at each end of its window, and finer samples only cost time."""
        return FAST_STEP if self.step < STEPS[0] else STEPS[0]


class ScenarioError(AssertionError):
    """The oracle and the model disagree: the scenario cannot show what it claims."""


def step_for(short: int) -> int:
    """The coarsest step that samples the short window at least twice."""
    return max([s for s in STEPS if s <= short // 2] or [STEPS[0]])


def _round_up(seconds: float | Fraction, step: int) -> int:
    return int(-(-seconds // step) * step)


def _first(times: range, holds: Callable[[int], bool | None]) -> int | None:
    """The first time at which the oracle's verdict is a robust yes."""
    return next((t for t in times if holds(t) is True), None)


def _last(times: range, holds: Callable[[int], bool | None]) -> int | None:
    """The last time at which the oracle's verdict is a robust yes."""
    return _first(times[::-1], holds)


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

    def checks(self) -> list[Check]:
        """Quiet at the outage's start where the oracle is sure, firing by the lived
        figure (the promise made to on-call) and by the oracle's robust time."""
        severity = self.pair.severity
        checks = []
        if self.line.quiet(severity, self.start, self.step):
            checks.append(Check(self.start, naming.BURN_ALERT, severity, False))
        if self.lived is not None and self.start + self.lived < self.fired:
            lived_at = self.start + _round_up(self.lived, self.step)
            checks.append(Check(lived_at, naming.BURN_ALERT, severity, True))
        checks.append(Check(self.fired, naming.BURN_ALERT, severity, True))
        return checks


@dataclass(frozen=True)
class _Builder:
    profile: Profile

    @property
    def traffic(self) -> Fraction:
        """Events per second, well above the request-rate guard when there is one."""
        guard = self.profile.alerting.min_request_rate / self.profile.unit
        return max(Fraction(1), Fraction(-(-4 * guard // 1)))  # ceil(4 x guard)

    def _incident(self, ratio: Fraction, at_least: bool) -> tuple[Fraction, Fraction]:
        """(traffic, error ratio) for an incident; gauges round to whole targets."""
        if self.profile.is_gauge:
            bad, total = gauge_targets(min(ratio, Fraction(1)), at_least)
            return Fraction(total), Fraction(bad, total)
        return self.traffic, min(ratio, Fraction(1))

    def healthy_ratio(self) -> Fraction:
        return self.profile.healthy_ratio()

    def _line(self, *phases: Phase, scaled: bool = True) -> oracle.Oracle:
        """The oracle for these phases; ``scaled`` raises their traffic to whole counts
        (``whole_counts``), which all but the request-rate guard may do."""
        line = self._whole(*phases) if scaled else phases
        return oracle.Oracle(self.profile, oracle.Timeline(tuple(line), self.profile.unit))

    def _whole(self, *phases: Phase) -> tuple[Phase, ...]:
        """Counter phases at whole counts per interval; gauges count whole targets."""
        return phases if self.profile.is_gauge else whole_counts(phases)

    def _healthy(self, seconds: int, traffic: Fraction) -> Phase:
        return Phase(seconds, traffic, self.healthy_ratio())

    def severities(self) -> list[str]:
        return list(self.profile.alerting.burn_by_severity())

    def _others_quiet(self, line: oracle.Oracle, t: int, step: int, burn: Fraction) -> list[Check]:
        """Faster severities whose every factor is above this incident's burn rate."""
        checks = []
        for severity, pairs in self.profile.alerting.burn_by_severity().items():
            if all(p.factor > burn for p in pairs) and line.quiet(severity, t, step):
                checks.append(Check(t, naming.BURN_ALERT, severity, False))
        return checks

    def _settle(self, pair: BurnAlert, step: int) -> int:
        """Time from a robust condition to a firing alert: for, evaluation and rate lag."""
        return (
            self.profile.alerting.severity(pair.severity).for_seconds
            + 2 * step
            + oracle.RATE_WINDOW
        )

    def _history(self, pair: BurnAlert, step: int) -> int:
        """Healthy history before an incident: the longest window of the severity, so
        every pair of it starts from a full window."""
        pairs = self.profile.alerting.burn_by_severity()[pair.severity]
        return _round_up(max(p.long for p in pairs), step)

    def firing(self, pair: BurnAlert) -> Scenario:
        """1.25x the pair's factor after healthy history: fires by the expected detection
        time, and faster severities whose factors are not reached stay quiet."""
        profile, step = self.profile, step_for(pair.short)
        pre, settle = self._history(pair, step), self._settle(pair, step)
        _expressible(pair, profile, FIRING_FACTOR)
        traffic, ratio = self._incident(pair.factor * profile.budget * FIRING_FACTOR, at_least=True)
        expected = pair.detection_seconds(ratio, profile.budget)
        limit = pre + _with_margin(expected, pair) + settle + step
        probe = self._line(
            self._healthy(pre, traffic), Phase(_round_up(limit, step), traffic, ratio)
        )
        fired = _first(
            range(pre + step, int(limit) + step, step),
            lambda t: probe.burning(pair.severity, t, step),
        )
        if fired is None:
            raise ScenarioError(
                f"{pair.severity} at {float(FIRING_FACTOR)}x burn "
                f"rate {float(pair.factor)} does not fire within {format_duration(int(limit))}"
            )
        line = self._line(self._healthy(pre, traffic), Phase(fired + step - pre, traffic, ratio))
        if not line.alone(pair, fired, step):
            raise NotSynthesisable(
                "another pair of the same severity fires as early at this burn rate, so the "
                "alert would not tell them apart"
            )
        checks = [Check(fired, naming.BURN_ALERT, pair.severity, True)]
        checks += self._others_quiet(line, fired, step, pair.factor * FIRING_FACTOR)
        before = _last(
            range(pre + step, fired, step),
            lambda t: line.quiet(pair.severity, t, step),
        )
        if before is not None:  # not early either: a shortened window would fire here
            checks.append(Check(before, naming.BURN_ALERT, pair.severity, False))
        return Scenario(
            f"{pair.severity} {_pair(pair)} at {float(FIRING_FACTOR):g}x: "
            f"{_x(ratio, pair, profile)} fires by {format_duration(fired - pre)} "
            f"(expected {_seconds(expected)}, plus margins and {format_duration(settle)} "
            "for, evaluation and rate lag)",
            step,
            line.phases,
            tuple(checks),
        )

    def recovery(self, pair: BurnAlert) -> Scenario | None:
        """A burn sustained for the pair's whole long window, then healthy traffic: the
        alert resets within the short window plus ``for``. The long window alone would
        hold it for most of its length, so the short window's part is shown. The burn is
        the largest multiple of the factor that no slower pair of the severity reaches."""
        profile, step = self.profile, step_for(pair.short)
        pre, settle = self._history(pair, step), self._settle(pair, step)
        length = _round_up(pair.long + settle, step)
        for multiple in RECOVERY_FACTORS:
            if _over_100_percent(pair, profile, multiple):
                continue
            traffic, ratio = self._incident(pair.factor * profile.budget * multiple, at_least=True)
            ended = pre + length + step
            resets_by = ended + pair.short + settle + step
            line = self._line(
                self._healthy(pre, traffic),
                Phase(length + step, traffic, ratio),
                self._healthy(_round_up(resets_by - ended + step, step), traffic),
            )
            at_end = pre + length
            if not line.burning(pair.severity, at_end, step):
                continue
            if not line.alone(pair, at_end, step):
                continue
            reset = _first(
                range(ended + step, resets_by + step, step),
                lambda t, line=line: line.quiet(pair.severity, t, step),  # type: ignore[misc]
            )
            if reset is None:
                continue
            return Scenario(
                f"{pair.severity} {_pair(pair)} recovery: {_x(ratio, pair, profile)} for "
                f"{format_duration(length)}, then healthy: resets {format_duration(reset - ended)} "
                f"after it ends (short window {format_duration(pair.short)} plus "
                f"{format_duration(settle)} for and lag)",
                step,
                line.phases,
                (
                    Check(pre + length, naming.BURN_ALERT, pair.severity, True),
                    Check(reset, naming.BURN_ALERT, pair.severity, False),
                ),
            )
        raise NotSynthesisable(
            "no burn level above this pair's factor lets the alert reset within the short "
            "window: a slower pair of the same severity keeps it firing"
        )

    def quiet(self, pair: BurnAlert) -> Scenario | None:
        """0.8x the pair's factor for its whole long window: this pair never fires."""
        profile, step = self.profile, step_for(pair.short)
        pre = self._history(pair, step)
        traffic, ratio = self._incident(pair.factor * profile.budget * QUIET_FACTOR, at_least=False)
        length = _round_up(pair.long + pair.short + 2 * step, step)
        line = self._line(self._healthy(pre, traffic), Phase(length, traffic, ratio))
        times = range(pre + step, pre + length + step, max(step, length // 8 // step * step))
        checks = tuple(
            Check(t, naming.BURN_ALERT, pair.severity, False)
            for t in times
            if line.quiet(pair.severity, t, step)
        )
        if not checks:
            return None
        return Scenario(
            f"{pair.severity} {_pair(pair)} at {float(QUIET_FACTOR):g}x: "
            f"{_x(ratio, pair, profile)} for {format_duration(length)} never fires",
            step,
            line.phases,
            checks,
        )

    def bracket(self, pair: BurnAlert, above: bool) -> Scenario:
        """A burn held 5% above (or below) the pair's factor until every window sees only
        it: the alert must (must not) fire. Catches a factor a little off, such as a
        30-day factor on a 28-day SLO (14.4 for 13.44)."""
        profile, step = self.profile, step_for(pair.short)
        pre, settle = self._history(pair, step), self._settle(pair, step)
        multiple = 1 + BRACKET if above else 1 - BRACKET
        if above:
            _expressible(pair, profile, multiple)
        traffic, ratio = self._incident(pair.factor * profile.budget * multiple, at_least=above)
        length = _round_up(pair.long + oracle.RATE_WINDOW + settle + 2 * step, step)
        line = self._line(self._healthy(pre, traffic), Phase(length + step, traffic, ratio))
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
            f"{pair.severity} {_pair(pair)} at {float(multiple):g}x: {_x(ratio, pair, profile)} "
            f"held for {format_duration(length)}: {verb}",
            step,
            line.phases,
            (Check(at, naming.BURN_ALERT, pair.severity, above),),
        )

    def _outage_after(self, lead: Callable[[BurnAlert, int], int]) -> _Outage | None:
        """A total outage after ``lead(pair, step)`` seconds of healthy traffic, and the
        first time the fastest page robustly fires on it."""
        profile = self.profile
        pair = _fastest_page(profile)
        if pair is None:
            return None
        _expressible(pair, profile, Fraction(1))
        step = FAST_STEP if pair.short <= STEPS[0] else step_for(pair.short)
        start, settle = lead(pair, step), self._settle(pair, step)
        traffic, ratio = self._incident(Fraction(1), at_least=True)
        expected = pair.detection_seconds(ratio, profile.budget)
        limit = _round_up(_with_margin(expected, pair) + settle + step, step)
        line = self._line(self._healthy(start, traffic), Phase(limit, traffic, ratio))
        fired = _first(
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
        found = self._outage_after(self._history)
        if found is None:
            return None
        pair, step, pre = found.pair, found.step, found.start
        return Scenario(
            f"total outage: quiet at its start, {pair.severity} fires by "
            f"{format_duration(found.fired - pre)}{_lived(found)} (the {_pair(pair)} pair's "
            "detection time "
            f"{_seconds(found.expected)}, plus margins and {format_duration(found.settle)} "
            "for and lag)",
            step,
            found.line.phases,
            tuple(found.checks()),
        )

    def healthy(self) -> Scenario | None:
        """Traffic at a fraction of the budget for the longest window: nothing fires."""
        profile = self.profile
        pairs = profile.alerting.burn
        if not pairs and not profile.alerting.budget:
            return None
        step = max([step_for(p.short) for p in pairs] or [STEPS[0]])
        length = _round_up(max([p.long + p.short for p in pairs] or [3600]) + 2 * step, step)
        line = self._line(self._healthy(length, self._steady_traffic()))
        checks = self._quiet_checks(line, [length // 2 // step * step, length], step)
        return Scenario(
            f"healthy: {_share(self.healthy_ratio(), profile)} of the budget's error rate for "
            f"{format_duration(length)}, no alert",
            step,
            line.phases,
            tuple(checks),
        )

    def _below(self, policy: BudgetAlert, line: oracle.Oracle, t: int, step: int) -> bool | None:
        """Budget alerts have no ``for`` (``slogen.rules.alerts.budget_alert``)."""
        return line.budget_below(float(policy.below), 0, t, step)

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
        length = _round_up(max(p.long + p.short for p in profile.alerting.burn) + 2 * step, step)
        multiple = FIRING_FACTOR if above else QUIET_FACTOR
        traffic = profile.alerting.min_request_rate / self.profile.unit * multiple
        line = self._line(Phase(length + step, traffic, Fraction(1)), scaled=False)
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
        before = 3600
        traffic = self._steady_traffic()
        fires_at = before + oracle.RATE_WINDOW + profile.alerting.no_data.after + 2 * step
        severity = profile.alerting.no_data.severity
        return Scenario(
            f"no data: the series end at {format_duration(before)}, {naming.NO_DATA_ALERT} "
            f"fires by {format_duration(fires_at)}",
            step,
            self._whole(self._healthy(before, traffic), Phase(_round_up(fires_at, step), None)),
            (
                Check(before - step, naming.NO_DATA_ALERT, severity, False),
                Check(_round_up(fires_at, step), naming.NO_DATA_ALERT, severity, True),
            ),
        )

    def budget(self) -> Scenario | None:
        """Errors after a clean start: the budget alerts fire one after another as the
        share of the period's budget spent crosses each threshold. The error ratio is
        the largest that leaves an alert lag between consecutive crossings."""
        profile = self.profile
        policies = sorted(profile.alerting.budget, key=lambda b: -b.below)
        if not policies:
            return None
        step = STEPS[1]
        clean = 2 * step
        wanted, levels = _budget_burn(profile, policies, step)
        traffic, ratio = self._incident(wanted, at_least=False)
        if ratio == 0:
            raise NotSynthesisable("the burn rate this SLI can express never spends the budget")
        last = levels[-1] * profile.period * float(profile.budget) / float(ratio)
        length = _round_up(clean + last + _budget_lag(step) + 4 * step, step)
        if length > profile.period:
            raise NotSynthesisable("the budget thresholds are too close together to tell apart")
        line = self._line(Phase(clean, traffic, Fraction(0)), Phase(length - clean, traffic, ratio))
        checks: list[Check] = []
        previous = 0
        for index, policy in enumerate(policies):
            fired = _first(
                range(clean, length + step, step),
                lambda t, p=policy: self._below(p, line, t, step),  # type: ignore[misc]
            )
            if fired is None or fired <= previous:
                raise ScenarioError("budget alerts do not fire in order")
            checks.append(Check(fired, _budget_alert(policy.below), policy.severity, True))
            before = _last(
                range(clean, fired, step),
                lambda t, p=policy: self._below(p, line, t, step) is False,  # type: ignore[misc]
            )
            if before is not None:  # and not before the budget got there
                checks.append(Check(before, _budget_alert(policy.below), policy.severity, False))
            for later in policies[index + 1 :]:
                if self._below(later, line, fired, step) is False:
                    checks.append(Check(fired, _budget_alert(later.below), later.severity, False))
            previous = fired
        return Scenario(
            f"budget: error ratio {float(ratio):.6g} after {format_duration(clean)}; "
            + ", then ".join(f"below {float(p.below) * 100:g}%" for p in policies)
            + " fire in that order",
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
            Check(t, _budget_alert(b.below), b.severity, False)
            for t in times
            for b in self.profile.alerting.budget
            if self._below(b, line, t, step) is False
        ]
        return checks

    def young(self) -> Scenario | None:
        """A young SLO whose first quarter hour runs at 20x the budget's error rate:
        judged by what that quarter hour costs out of the whole period, it spends no
        budget worth an alert and burns no ticket, where judged by its two hours of
        history alone it would show the budget spent and page."""
        profile = self.profile
        if not profile.alerting.burn and not profile.alerting.budget:
            return None
        step = STEPS[0]
        traffic, ratio = self._incident(min(Fraction(1), 20 * profile.budget), at_least=False)
        bad, length = 900, 8100
        line = self._line(Phase(bad, traffic, ratio), self._healthy(length - bad, traffic))
        checks = self._quiet_checks(line, [bad + 2 * step, 3600, length], step)
        return Scenario(
            f"young SLO: {_x_budget(ratio, profile)} for its first {format_duration(bad)}, "
            f"then healthy: no burn or budget alert through {format_duration(length)}",
            step,
            line.phases,
            tuple(checks),
        )

    def young_outage(self) -> Scenario | None:
        """A total outage 10 minutes after the SLO first reports pages no later than on
        a long history: the short history is weighed, not stretched to the window."""
        found = self._outage_after(lambda _pair, step: _round_up(600, step))
        if found is None:
            return None
        pair, step, start = found.pair, found.step, found.start
        return Scenario(
            f"young SLO, total outage {format_duration(start)} after it first reports: "
            f"{pair.severity} fires by {format_duration(found.fired - start)}"
            f"{_lived(found)}, as on a long history",
            step,
            found.line.phases,
            tuple(found.checks()),
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
        before = 3600
        traffic = self._steady_traffic()
        lag = oracle.RATE_WINDOW + profile.alerting.severity(policy.severity).for_seconds
        fires_at = _round_up(before + lag + 2 * step, step)
        gone = _round_up(before + oracle.RATE_WINDOW + VANISHED_LOOKBACK + 2 * step, step)
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
            self._whole(self._healthy(before, traffic), Phase(gone + step - before, None)),
            tuple(checks),
            others_report=True,
        )

    def never_seen(self) -> Scenario | None:
        """An SLI whose series never appear raises the no-data alert and nothing else:
        with no history there is nothing that vanished."""
        profile = self.profile
        no_data = profile.alerting.no_data
        if no_data is None:
            return None
        step = STEPS[0]
        fires_at = _round_up(no_data.after + 2 * step, step)
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

    def _steady_traffic(self) -> Fraction:
        if self.profile.is_gauge:
            return self._incident(Fraction(0), at_least=False)[0]
        return self.traffic


def scenarios(slo: SLO, form: Shape) -> tuple[tuple[Scenario, ...], tuple[str, ...]]:
    """Every scenario for one SLO in a stable order, and notes on what is not covered."""
    return _search(Profile.of(slo, form))


@functools.lru_cache(maxsize=1024)
def _search(profile: Profile) -> tuple[tuple[Scenario, ...], tuple[str, ...]]:
    """Most of compile time is spent here, and both the proof files and the SLO
    documents need it, for SLOs that mostly share a few profiles; the result depends
    only on the frozen profile, so it is kept for the most recent profiles rather than
    searched for again."""
    build = _Builder(profile)
    makers: list[tuple[str, Callable[[], Scenario | None]]] = [("healthy", build.healthy)]
    for pair in sorted(profile.alerting.burn, key=lambda p: (p.long, p.short)):
        label = f"{pair.severity} {_pair(pair)}"
        makers += [
            (f"{label} at {float(FIRING_FACTOR):g}x", lambda p=pair: build.firing(p)),  # type: ignore[misc]
            (f"{label} at {float(QUIET_FACTOR):g}x", lambda p=pair: build.quiet(p)),  # type: ignore[misc]
            (f"{label} recovery", lambda p=pair: build.recovery(p)),  # type: ignore[misc]
            (f"{label} at 1.05x", lambda p=pair: build.bracket(p, above=True)),  # type: ignore[misc]
            (f"{label} at 0.95x", lambda p=pair: build.bracket(p, above=False)),  # type: ignore[misc]
        ]
    makers += [
        ("total outage", build.outage),
        ("low traffic", lambda: build.guard(above=False)),
        ("traffic just above the guard", lambda: build.guard(above=True)),
        ("no data", build.no_data),
        ("never seen", build.never_seen),
        ("vanished", build.vanished),
        ("budget", build.budget),
        ("young SLO", build.young),
        ("young SLO outage", build.young_outage),
    ]
    made, notes = [], []
    for what, make in makers:
        try:
            scenario = make()
        except NotSynthesisable as reason:
            notes.append(f"not covered: {what}: {reason}")
            continue
        except ScenarioError as error:  # the model and the oracle disagree: say so loudly
            notes.append(f"not covered: {what}: slogen could not build it ({error})")
            continue
        if scenario is not None and scenario.checks:
            made.append(scenario)
    return tuple(made), tuple(notes)


def _budget_lag(step: int) -> int:
    """The longest time from a robust budget state to a firing budget alert (no ``for``)."""
    return 2 * step + oracle.RATE_WINDOW


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
    levels = [1 - float(p.below) + oracle.BUDGET_MARGIN for p in policies]
    gaps = [later - earlier for earlier, later in itertools.pairwise(levels)]
    needed = _budget_lag(step) + 2 * step
    spendable = profile.period * profile.budget
    wanted = min([Fraction(1)] + [Fraction(gap) * spendable / needed for gap in gaps if gap > 0])
    return wanted, levels


def _fastest_page(profile: Profile) -> BurnAlert | None:
    """The pair that detects a total outage first among the pages (else any pair)."""
    if not profile.alerting.burn:
        return None
    pages = [p for p in profile.alerting.burn if p.severity == "page"] or list(
        profile.alerting.burn
    )
    return min(pages, key=lambda p: p.detection_seconds(Fraction(1), profile.budget))


def _over_100_percent(pair: BurnAlert, profile: Profile, multiple: Fraction) -> bool:
    """Whether the oracle would need more than all events failing to vouch for a burn at
    ``multiple`` times the pair's threshold."""
    return pair.factor * profile.budget * multiple * (1 + Fraction(oracle.MARGIN)) >= 1


def _expressible(pair: BurnAlert, profile: Profile, multiple: Fraction) -> None:
    """An error ratio above 100% cannot be synthesised; say so instead of failing."""
    if _over_100_percent(pair, profile, multiple):
        raise NotSynthesisable(
            f"{float(multiple):g}x the threshold ({float(pair.factor * profile.budget):.3g}) would "
            "need more than 100% errors"
        )


def _with_margin(detection: Fraction, pair: BurnAlert) -> float:
    """The detection time the oracle can vouch for: the ratio must clear the threshold by
    its margin, over a window up to one rate window longer."""
    stretch = (pair.long + oracle.RATE_WINDOW) / pair.long
    return float(detection) * (1 + oracle.MARGIN) * stretch


def _lived(found: _Outage) -> str:
    """The lived figure the outage proof also checks, as the scenario's name says it."""
    if found.lived is None or found.start + found.lived >= found.fired:
        return ""
    return f" and within {format_duration(_round_up(found.lived, found.step))} as explain says"


def _budget_alert(below: Fraction) -> str:
    return naming.BUDGET_EXHAUSTED_ALERT if below == 0 else naming.BUDGET_LOW_ALERT


def _pair(pair: BurnAlert) -> str:
    return f"{format_duration(pair.long)}/{format_duration(pair.short)}"


def _x(ratio: Fraction, pair: BurnAlert, profile: Profile) -> str:
    multiple = float(ratio / (pair.factor * profile.budget))
    return f"error ratio {float(ratio):.6g} ({multiple:.3g}x the threshold)"


def _x_budget(ratio: Fraction, profile: Profile) -> str:
    return f"error ratio {float(ratio):.6g} ({float(ratio / profile.budget):.3g}x the budget)"


def _share(ratio: Fraction, profile: Profile) -> str:
    return f"{float(ratio / profile.budget):g}x"


def _seconds(seconds: Fraction | float) -> str:
    value = float(seconds)
    if value < 120:
        return f"{value:.0f}s"
    if value < 7200:
        return f"{value / 60:.1f}m"
    return f"{value / 3600:.1f}h"
