"""The scenarios that prove an SLO's alerts, each a timeline and the checks on it.

What the search guarantees
--------------------------
Incidents are sized from the model: 1.25x and 0.8x of each burn pair's threshold
(``BurnAlert.threshold``, the factor times the budget), 1.05x and 0.95x of it held
until every window sees only the burn, a total outage, and 1.25x and 0.8x of the
request-rate guard with every event failing. Each scenario is judged by the oracle
(``slogen.testgen.oracle``), which computes in continuous time what the rules sample
as 5m rates on the evaluation grid, so a check is written only where its verdict is
sure (``slogen.testgen.timing`` holds every figure below):

- A burn (or the guard) counts as over or under its threshold only when it is
  ``MARGIN`` (10%) past it, relatively, in every window the rules read and in that
  window one 5m rate longer; ``STEADY_MARGIN`` (1%) suffices for the 1.05x/0.95x
  brackets, where every window sees one constant ratio and smoothing cannot matter.
  The share of the budget remaining counts only ``BUDGET_MARGIN`` (5 points) past a
  budget alert's level.
- A firing verdict must hold at every moment (each minute, or a fifth of a coarse
  step) of the alert lag before the check: ``for``, two evaluations and the 5m rate
  (``alert_lag``). A quiet verdict must hold over the last step and 5m rate
  (``quiet_lookback``). Anywhere in between, the generated test claims nothing.
- Every check sits on the step grid. A firing check is at the first sure time, and
  no later than the model's detection time stretched by the margin and by a window
  5m longer (``with_margin``), plus the alert lag and one step; a scenario that
  cannot show what the model promises raises ``ScenarioError`` and is noted as not
  covered, loudly, rather than passing vacuously. One the synthetic series cannot
  express (above 100% errors, pairs that cannot be told apart) is noted as not
  covered with the reason; one with no sure check at all is dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from slogen.model import SLO, BurnAlert
from slogen.run_cache import remembered
from slogen.testgen.burn_scenarios import BRACKET, BurnScenarios
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.outage_scenarios import OutageScenarios
from slogen.testgen.profile import Profile
from slogen.testgen.proof import Check, Scenario, ScenarioError
from slogen.testgen.shapes import Shape
from slogen.testgen.slo_scenarios import SloScenarios
from slogen.testgen.timelines import FIRING_FACTOR, QUIET_FACTOR

__all__ = ["Check", "Scenario", "ScenarioError", "scenarios"]

_Maker = tuple[str, Callable[[], Scenario | None]]
"""What a scenario is called in a not-covered note, and how to build it."""


def scenarios(slo: SLO, form: Shape) -> tuple[tuple[Scenario, ...], tuple[str, ...]]:
    """Every scenario for one SLO in a stable order, and notes on what is not covered."""
    return _search(Profile.of(slo, form))


@functools.lru_cache(maxsize=1024)
def _search(profile: Profile) -> tuple[tuple[Scenario, ...], tuple[str, ...]]:
    """Most of compile time is spent here, and both the proof files and the SLO
    documents need it, for SLOs that mostly share a few profiles; the result depends
    only on the frozen profile, so it is kept for the most recent profiles rather than
    searched for again, and between runs (``slogen.run_cache``)."""
    return remembered("scenarios", profile, lambda: _searched(profile))


def _searched(profile: Profile) -> tuple[tuple[Scenario, ...], tuple[str, ...]]:
    made, notes = [], []
    for what, make in _catalogue(profile):
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


def _catalogue(profile: Profile) -> list[_Maker]:
    """Every scenario the profile may have, in the order the proofs list them: healthy
    traffic, each burn pair from the shortest windows up, then the whole-SLO ones."""
    slo, outages = SloScenarios(profile), OutageScenarios(profile)
    makers: list[_Maker] = [("healthy", slo.healthy)]
    burn = BurnScenarios(profile)
    for pair in sorted(profile.alerting.burn, key=lambda p: (p.long, p.short)):
        makers += _pair_makers(burn, pair)
    makers += [
        ("total outage", outages.outage),
        ("low traffic", lambda: slo.guard(above=False)),
        ("traffic just above the guard", lambda: slo.guard(above=True)),
        ("no data", slo.no_data),
        ("never seen", slo.never_seen),
        ("vanished", slo.vanished),
        ("budget", slo.budget),
        ("young SLO", slo.young),
        ("young SLO outage", outages.young_outage),
    ]
    return makers


def _pair_makers(burn: BurnScenarios, pair: BurnAlert) -> list[_Maker]:
    """The five scenarios that pin one burn pair."""
    label = f"{pair.severity} {pair.windows}"
    return [
        (f"{label} at {float(FIRING_FACTOR):g}x", lambda: burn.firing(pair)),
        (f"{label} at {float(QUIET_FACTOR):g}x", lambda: burn.quiet(pair)),
        (f"{label} recovery", lambda: burn.recovery(pair)),
        (f"{label} at {float(1 + BRACKET):g}x", lambda: burn.bracket(pair, above=True)),
        (f"{label} at {float(1 - BRACKET):g}x", lambda: burn.bracket(pair, above=False)),
    ]
