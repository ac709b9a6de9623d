"""Which generated promtool tests prove an SLO's alerts, and what they leave out.

The scenarios and gaps come from :mod:`slogen.testgen`, as the test files are written;
this module only says which file (one per evaluation step) holds each scenario. A test
holds the two in step: every file named here is generated, and every gap named here is
one that ``Bundle.gaps`` reads from the test files.
"""

from __future__ import annotations

from dataclasses import dataclass

from slogen.durations import format_duration
from slogen.model import SLO
from slogen.testgen.files import TESTS_DIR
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.scenarios import scenarios
from slogen.testgen.series import group_labels, shape


@dataclass(frozen=True)
class Proofs:
    """An SLO's scenarios by test file (path relative to the output) and its gaps."""

    files: tuple[tuple[str, tuple[str, ...]], ...]
    gaps: tuple[str, ...]


def proof_file(service: str, step: int) -> str:
    """Where testgen writes the tests of one service and evaluation step."""
    return f"{TESTS_DIR}/{service}.{format_duration(step)}.test.yml"


def proofs(slo: SLO) -> Proofs:
    """The scenarios proving this SLO's alerts, by file, in the order testgen runs them."""
    try:
        form = shape(slo)
        group_labels(slo, form)
    except NotSynthesisable as reason:
        return Proofs((), (f"not covered: {reason}",))
    made, gaps = scenarios(slo, form)
    by_step: dict[int, list[str]] = {}
    for scenario in made:
        by_step.setdefault(scenario.step, []).append(scenario.name.split(": ", 1)[0])
    files = tuple((proof_file(slo.service, step), tuple(by_step[step])) for step in sorted(by_step))
    return Proofs(files, tuple(gaps))
