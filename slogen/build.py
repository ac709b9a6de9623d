"""Every generator run on one model, with the two results generators share.

Generators are pure functions of the resolved model, and none imports another. Two
things are built once here and handed to the generators that read them: the proof
plans (the proof files are written from them, and the SLO documents say what they
prove) and each SLO's rule groups (the proofs run exactly the groups the rule files
deploy). The rule, proof and dashboard generators are imported here only: they are
most of slogen's import time, and loading or validating specs needs none of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from slogen.coverage import Coverage
from slogen.model import SLO, Model


@dataclass(frozen=True)
class Built:
    """The artifacts by path (sorted) and what the proofs prove of each SLO."""

    files: dict[str, bytes]
    coverage: tuple[Coverage, ...]


def build(model: Model) -> Built:
    """Run every generator; two generators writing one path is a bug in slogen."""
    from slogen.alertmanager.files import alertmanager_files
    from slogen.docs.files import slo_documents
    from slogen.grafana.files import grafana_files
    from slogen.rules.files import rule_artifacts, slo_group_dicts
    from slogen.testgen.files import test_files
    from slogen.testgen.plan import coverage, proof_plans

    plans = proof_plans(model)
    proven = {key: coverage(plan) for key, plan in plans.items()}
    deployed = {(slo.service, slo.name): slo_group_dicts(slo) for slo in model.slos()}

    def slo_rules(slo: SLO, from_recordings: bool) -> Sequence[Mapping[str, object]]:
        """One SLO's groups as deployed, or less its raw readers (``testgen.files``)."""
        if from_recordings:
            return slo_group_dicts(slo, from_recordings=True)
        return deployed[slo.service, slo.name]

    parts = (
        rule_artifacts(model, deployed),
        test_files(model, plans, slo_rules),
        slo_documents(model, proven),
        alertmanager_files(model),
        grafana_files(model),
    )
    files: dict[str, bytes] = {}
    for part in parts:
        for path, content in part.items():
            if path in files:
                raise AssertionError(f"two generators wrote {path}")
            files[path] = content
    return Built(dict(sorted(files.items())), tuple(proven.values()))


def proof_coverage(model: Model) -> tuple[Coverage, ...]:
    """What the proofs prove of each SLO, in spec order, without writing them."""
    from slogen.testgen.plan import coverage, proof_plans

    return tuple(coverage(plan) for plan in proof_plans(model).values())
