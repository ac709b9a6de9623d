"""Which generated promtool tests prove an SLO's alerts, and what they leave out.

The scenarios, gaps and the proofs' starting point come from
:func:`slogen.testgen.plan.plan`, the same plan the test files are written from; this
module only groups the scenarios by the file (one per SLO and evaluation step) that
holds them.
"""

from __future__ import annotations

from dataclasses import dataclass

from slogen.model import SLO
from slogen.testgen.files import proof_file
from slogen.testgen.plan import plan


@dataclass(frozen=True)
class Proofs:
    """An SLO's scenarios by test file (path relative to the output) and its gaps."""

    files: tuple[tuple[str, tuple[str, ...]], ...]
    gaps: tuple[str, ...]
    unproven: str | None
    """Why the raw queries are not proven, when the proofs start at the 5m recordings."""


def proofs(slo: SLO) -> Proofs:
    """The scenarios proving this SLO's alerts, by file, in the order testgen runs them."""
    found = plan(slo)
    by_step: dict[int, list[str]] = {}
    for scenario in found.scenarios:
        by_step.setdefault(scenario.step, []).append(scenario.name.split(": ", 1)[0])
    files = tuple(
        (proof_file(slo.service, slo.name, step, found.from_recordings), tuple(by_step[step]))
        for step in sorted(by_step)
    )
    return Proofs(files, found.gaps, found.unproven)
