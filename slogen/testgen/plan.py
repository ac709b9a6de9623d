"""What proves each SLO's alerts, decided once for the proof files, the SLO documents
and the run's summary.

An SLO is proven from its raw series where slogen can synthesise them. Where it
cannot (a raw query that is not a sum of rates of one counter, a native histogram
that promtool's series notation cannot write), the proofs feed the SLO's two 5m
recordings instead: every rule from those recordings on (windows, burn rates, period,
budget and every alert) is proven the same way, and only the two rules that read the
raw query are not. That part is named, never passed over: a proof file with no test
would print SUCCESS and prove nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from slogen.model import SLO, Model
from slogen.rules.groups import has_alerts
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.scenarios import Scenario, scenarios
from slogen.testgen.series import Shape, group_labels, recorded_shape, shape


@dataclass(frozen=True)
class Plan:
    """How one SLO's alerts are proven."""

    slo: SLO
    form: Shape
    groups: tuple[tuple[str, str], ...]
    """The grouping labels every synthetic series carries."""
    scenarios: tuple[Scenario, ...]
    gaps: tuple[str, ...]
    """Scenarios that could not be built, each ``not covered: <what>: <why>``."""
    unproven: str | None = None
    """Why the raw query is not proven, when the proofs start at the 5m recordings."""

    @property
    def from_recordings(self) -> bool:
        return self.unproven is not None


def plan(slo: SLO) -> Plan:
    """The proofs of one SLO; the scenario search is cached per profile, so asking for
    the same SLO's plan again costs little."""
    unproven = None
    try:
        form = shape(slo)
        groups = group_labels(slo, form)
    except NotSynthesisable as reason:
        unproven = str(reason)
        form = recorded_shape(slo)
        groups = group_labels(slo, form)
    made, gaps = scenarios(slo, form)
    return Plan(slo, form, tuple(sorted(groups.items())), made, gaps, unproven)


@dataclass(frozen=True)
class Coverage:
    """What the generated proofs say of one SLO, as data for summaries and gates."""

    service: str
    slo: str
    scenarios: int
    gaps: tuple[str, ...]
    unproven: str | None
    """Why the raw queries are not proven (the alerting logic after them is)."""
    alerts: bool
    """The SLO has any alert to prove."""

    @property
    def proven(self) -> bool:
        """Every alert of the SLO is proven from its raw series by at least one scenario;
        scenario gaps are listed but do not make an SLO unproven."""
        return not self.alerts or (self.unproven is None and self.scenarios > 0)

    def named_gaps(self) -> tuple[str, ...]:
        """The gaps as ``service/slo: not covered: what: why``, one line each."""
        return tuple(f"{self.service}/{self.slo}: {gap}" for gap in self.gaps)

    def summary(self) -> str:
        """One line for the run's summary, naming the SLO and what is unproven."""
        name = f"{self.service}/{self.slo}"
        if self.scenarios == 0:
            return f"{name}: no alert proof could be built"
        return f"{name}: proven from its 5m recordings on; its queries are not: {self.unproven}"


def coverage(model: Model) -> tuple[Coverage, ...]:
    """Every SLO's proof coverage, in spec order."""
    found = []
    for slo in model.slos():
        made = plan(slo)
        found.append(
            Coverage(
                slo.service,
                slo.name,
                len(made.scenarios),
                made.gaps,
                made.unproven,
                has_alerts(slo),
            )
        )
    return tuple(found)
