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

from collections.abc import Mapping
from dataclasses import dataclass, replace

from slogen.coverage import Coverage
from slogen.layout import proof_file, recording_check_file
from slogen.model import SLO, Model
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.profile import Profile
from slogen.testgen.scenarios import Scenario, scenarios
from slogen.testgen.shapes import Shape, group_labels, recorded_shape, shape

RECORDINGS_CHECK = "its 5m recordings from its raw series"
"""How the recording check is named in an SLO's list of proofs."""


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
    proven_as: SLO | None = None
    """The SLO whose proofs prove this one's alerts, when an earlier SLO shares its
    :func:`proof_key`; None when this SLO's own proof files are written."""

    @property
    def from_recordings(self) -> bool:
        return self.unproven is not None

    @property
    def key(self) -> ProofKey:
        """What this SLO's rules from its 5m recordings on are a function of, besides
        its names: SLOs with one key have those rules alike but for names and labels
        (``tests/test_proof_sharing.py`` holds the rule generator to that)."""
        slo = self.slo
        return (Profile.of(slo, self.form), type(slo.sli), slo.group_by, self.from_recordings)


ProofKey = tuple[object, ...]


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


def proof_plans(model: Model) -> dict[tuple[str, str], Plan]:
    """Every SLO's plan by ``(service, slo)``, in spec order: decided once per run and
    shared by the proof files and the coverage the documents and summary read.

    The first SLO of each :attr:`Plan.key` is proven by its own files; a later one is
    proven as that one (``proven_as``), since its alert rules are the same rules with
    other names, and only its two raw recordings are checked on its own series
    (``testgen.recording_checks``). A thousand SLOs that share their defaults then
    cost the proofs of a few, not of a thousand."""
    plans: dict[tuple[str, str], Plan] = {}
    first: dict[ProofKey, SLO] = {}
    for slo in model.slos():
        found = plan(slo)
        shared = first.setdefault(found.key, slo)
        if shared is not slo:
            found = replace(found, proven_as=shared)
        plans[slo.service, slo.name] = found
    return plans


def coverages(plans: Mapping[tuple[str, str], Plan]) -> dict[tuple[str, str], Coverage]:
    """Every plan's coverage; SLOs proven as one owner share its list of proof files,
    spelled once (a thousand SLOs share a handful)."""
    spelled: dict[tuple[str, str, bool], ProofFiles] = {}
    return {key: coverage(plan, spelled) for key, plan in plans.items()}


ProofFiles = tuple[tuple[str, tuple[str, ...]], ...]
"""Proof files by path, each with the scenarios it holds."""


def coverage(
    found: Plan, spelled: dict[tuple[str, str, bool], ProofFiles] | None = None
) -> Coverage:
    """What the plan proves, as the data the documents and the run's summary read;
    ``spelled`` remembers each owner's proof files across the plans of one run."""
    slo = found.slo
    owner = found.proven_as or slo
    key = (owner.service, owner.name, found.from_recordings)
    files = (spelled or {}).get(key) or _proof_files(found, owner)
    if spelled is not None:
        spelled[key] = files
    if not found.from_recordings:
        files += ((recording_check_file(slo.service), (RECORDINGS_CHECK,)),)
    shared = None if found.proven_as is None else f"{owner.service}/{owner.name}"
    return Coverage(
        slo.service, slo.name, files, found.gaps, found.unproven, slo.has_alerts, shared
    )


def _proof_files(found: Plan, owner: SLO) -> ProofFiles:
    by_step: dict[int, list[str]] = {}
    for scenario in found.scenarios:
        by_step.setdefault(scenario.step, []).append(scenario.name.split(": ", 1)[0])
    return tuple(
        (proof_file(owner.service, owner.name, step, found.from_recordings), tuple(by_step[step]))
        for step in sorted(by_step)
    )
