"""A run that reuses the previous output gives the bytes of a full build.

``slogen.compile(specs, reuse=DIR)`` (``generate``'s default) takes each unit of
output whose recipe the manifest in DIR records, with its files unchanged, from DIR.
Each test edits a tree of shared defaults (the mix of benchmarks/bench_compile.py) the
way a user does, regenerates with reuse and compares with a full build of the same
specs, byte for byte, and checks that the reuse really happened.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import slogen
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_compile import write_specs

SERVICES = 8


def _edit_objective(specs: Path) -> None:
    path = specs / "svc-00030.yaml"
    path.write_text(path.read_text().replace("objective: 99.9", "objective: 99.95", 1))


def _add_slo(specs: Path) -> None:
    path = specs / "svc-00050.yaml"
    path.write_text(
        path.read_text()
        + "  - name: slo-new\n    objective: 98\n    sli:\n      up:\n"
        + '        metric: probe_success{job="blackbox", instance="new"}\n'
    )


def _remove_service(specs: Path) -> None:
    (specs / "svc-00070.yaml").unlink()


def _add_dependency(specs: Path) -> None:
    path = specs / "svc-00010.yaml"
    path.write_text(path.read_text().replace("slos:\n", "depends_on: [svc-00020]\nslos:\n", 1))


def _change_defaults(specs: Path) -> None:
    (specs / "defaults.yaml").write_text("kubernetes:\n  namespace: monitoring\n")


def _change_an_owner(specs: Path) -> None:
    """The first SLO of a proof key changes: later SLOs of the old key, in other
    services, are proven as another SLO now, and their documents say so."""
    path = specs / "svc-00000.yaml"
    path.write_text(path.read_text().replace("objective: 99.5", "objective: 99.4", 1))


EDITS: dict[str, tuple[Callable[[Path], None], int]] = {
    # edit: (how, services rebuilt besides the unit that reads them all)
    "objective": (_edit_objective, 1),
    "new SLO": (_add_slo, 1),
    "service removed": (_remove_service, 0),  # no other service depends on it
    "dependency": (_add_dependency, 2),  # the two services, each names the other
    "defaults": (_change_defaults, SERVICES),
    # every service has an `up` SLO proven as the one whose objective changed
    "proof owner": (_change_an_owner, SERVICES),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incremental")
    write_specs(root / "specs", SERVICES * 10)
    slogen.compile(slogen.load([root / "specs"])).write(root / "out")
    return root


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_reusing_run_after_an_edit_equals_a_full_build(
    edit: str, built: Path, tmp_path: Path
) -> None:
    specs, out = tmp_path / "specs", tmp_path / "out"
    shutil.copytree(built / "specs", specs)
    shutil.copytree(built / "out", out)
    how, rebuilt = EDITS[edit]
    how(specs)
    calls: list[tuple[int, int]] = []
    reusing = slogen.compile(slogen.load([specs]), reuse=out, progress=lambda *a: calls.append(a))
    full = slogen.compile(slogen.load([specs]))
    assert dict(reusing.files) == dict(full.files)
    assert dict(reusing.recipes) == dict(full.recipes)
    services = len(full.model.services)
    assert calls[-1] == (services + 1, services + 1)
    assert reusing.reused == services - rebuilt
    reusing.write(out)
    assert not full.compare(out).stale


def test_nothing_changed_reuses_everything_and_a_hand_edit_is_rebuilt(
    built: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(built / "out", out)
    specs = slogen.load([built / "specs"])
    again = slogen.compile(specs, reuse=out)
    assert again.reused == len(again.model.services) + 1
    rules = out / "prometheus/svc-00040.rules.yml"
    rules.write_text(rules.read_text().replace("14.4", "1.44"))
    edited = slogen.compile(specs, reuse=out)
    assert edited.reused == len(edited.model.services)
    assert edited.files == slogen.compile(specs).files
    assert edited.compare(out).changed == ("prometheus/svc-00040.rules.yml",)


def test_a_manifest_without_recipes_means_a_full_build(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built / "out", out)
    manifest = out / ".slogen-manifest"
    manifest.write_text(
        "".join(line.split("\t")[0] + "\n" for line in manifest.read_text().splitlines())
    )
    again = slogen.compile(slogen.load([built / "specs"]), reuse=out)
    assert again.reused == 0
