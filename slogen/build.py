"""Every generator run on one model, with the results generators share, and what a
run may reuse of the previous one.

Generators are pure functions of the resolved model, and none imports another. Two
things are built once here and handed to the generators that read them: the proof
plans (the proof files are written from them, and the SLO documents say what they
prove) and each SLO's rule groups (the proofs run exactly the groups the rule files
deploy).

Output is built in units: one per service (its rule file, manifest, proofs,
recording check, dashboard and document) and one for what reads every service (the
overview dashboard, the documents' index, the Alertmanager config). Each unit has a
recipe: a digest of slogen's own code and of every part of the model its files read
(:mod:`slogen.recipes`). A unit whose recipe the previous run recorded, with its
files unchanged on disk, is taken as it is; so a one-spec edit in a tree of a
thousand SLOs rebuilds one service and the few files that list them all, and gives
the bytes a full build gives (``tests/test_incremental.py`` compares the two).

The rule, proof and dashboard generators are imported here only: they are most of
slogen's import time, and loading or validating specs needs none of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from slogen.coverage import Coverage
from slogen.model import SLO, Model, Service
from slogen.parallel import build_all
from slogen.recipes import MODEL_UNIT, recipes, service_unit

if TYPE_CHECKING:
    from slogen.testgen.plan import Plan

Previous = Mapping[str, Mapping[str, bytes]]
"""What a previous run wrote, by recipe: each unit's files, as they are on disk."""


@dataclass(frozen=True)
class Built:
    """The artifacts by path (sorted), the recipe each was built from, and what the
    proofs prove of each SLO."""

    files: dict[str, bytes]
    coverage: tuple[Coverage, ...]
    recipes: dict[str, str] = field(default_factory=dict)
    reused: int = 0
    """How many units were taken from the previous run rather than built."""
    kept: frozenset[str] = frozenset()
    """The paths of the files those units hold."""


def build(
    model: Model,
    previous: Previous | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Built:
    """Run every generator, or take a unit from ``previous`` where its recipe says
    nothing it reads has changed; ``progress(done, total)`` hears of each unit."""
    from slogen.testgen.plan import coverages, proof_plans

    plans = proof_plans(model)
    proven = coverages(plans)
    planned = recipes(model, proven)
    units = _Units(model, plans, proven).all()
    kept = [(previous or {}).get(planned[unit]) for unit, _ in units]
    reused = sum(k is not None for k in kept)
    counted = itertools.count(reused + 1)

    def one_more() -> None:
        done = next(counted)
        if progress is not None:
            progress(done, len(units))

    made_now = iter(
        build_all([make for (_, make), k in zip(units, kept, strict=True) if k is None], one_more)
    )
    files: dict[str, bytes] = {}
    made: dict[str, str] = {}
    for (unit, _), reuse in zip(units, kept, strict=True):
        part = dict(reuse) if reuse is not None else next(made_now)
        for path, content in part.items():
            if path in files:
                raise AssertionError(f"two generators wrote {path}")
            files[path] = content
            made[path] = planned[unit]
    if progress is not None and reused == len(units):  # nothing was built
        progress(reused, len(units))
    taken = frozenset(path for files_kept in kept if files_kept for path in files_kept)
    return Built(dict(sorted(files.items())), tuple(proven.values()), made, reused, taken)


class _Units:
    """The units of one build, each a function that makes its files."""

    def __init__(
        self,
        model: Model,
        plans: Mapping[tuple[str, str], Plan],
        proven: Mapping[tuple[str, str], Coverage],
    ) -> None:
        from slogen.testgen.series import CounterValues

        self.model = model
        self.plans = plans
        self.proven = proven
        self.values = CounterValues()

    def all(self) -> list[tuple[str, Callable[[], dict[str, bytes]]]]:
        """Each service's unit in name order, then the unit that reads them all."""
        units: list[tuple[str, Callable[[], dict[str, bytes]]]] = [
            (service_unit(service.name), partial(self.service, service))
            for service in self.model.services
        ]
        return [*units, (MODEL_UNIT, self.whole)]

    def service(self, service: Service) -> dict[str, bytes]:
        from slogen.docs.files import service_document
        from slogen.grafana.files import service_dashboard_file
        from slogen.rules.files import service_deployed, service_rule_artifacts
        from slogen.testgen.files import service_test_files

        groups = service_deployed(self.model, service)

        def slo_rules(slo: SLO, from_recordings: bool) -> Sequence[Mapping[str, object]]:
            """The SLO's share of the deployed groups, or less its raw readers
            (``testgen.files``)."""
            return groups.slo_share(slo, from_recordings)

        return {
            **service_rule_artifacts(self.model, service, groups),
            **service_test_files(service, self.plans, slo_rules, self.values),
            **service_document(self.model, service, self.proven),
            **service_dashboard_file(service),
        }

    def whole(self) -> dict[str, bytes]:
        from slogen.alertmanager.files import alertmanager_files
        from slogen.docs.files import index_document
        from slogen.grafana.files import overview_files

        return {
            **index_document(self.model),
            **overview_files(self.model),
            **alertmanager_files(self.model),
        }


def proof_coverage(model: Model) -> tuple[Coverage, ...]:
    """What the proofs prove of each SLO, in spec order, without writing them."""
    from slogen.testgen.plan import coverage, proof_plans

    return tuple(coverage(plan) for plan in proof_plans(model).values())
