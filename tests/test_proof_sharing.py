"""SLOs that share a proof key share one set of alert proofs.

The proofs of an SLO whose key (profile, SLI kind, grouping, starting point) an
earlier SLO has are not written again: it is proven as that SLO, and its own two raw
recordings are checked on its own series. That is sound only if the rule generator
writes, for two SLOs of one key, the same rules from the 5m recordings on but for
their names, labels and annotations: the first tests hold it to that, on the seeded
random set and on a tree where many SLOs share their defaults.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

import slogen
from slogen import naming
from slogen.model import SLO, Model
from slogen.promql import escape_string
from slogen.rules.groups import slo_groups
from slogen.testgen.plan import proof_plans
from slogen.testgen.recording_checks import RAW_READERS
from tests.conftest import ROOT
from tests.random_specs import write_random_specs

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_compile import write_specs


def _shared_tree(directory: Path, slos: int = 80) -> Model:
    """Eight services of ten SLOs over four SLI kinds, as a large repository holds them."""
    write_specs(directory, slos)
    return slogen.validate(slogen.load([directory]))


def _named_apart(slo: SLO) -> list[dict[str, Any]]:
    """The SLO's rules from its 5m recordings on with its names taken out: identity
    values and group names replaced; owner, static labels, links and annotations dropped."""
    swaps = {
        escape_string(slo.service): '"SERVICE"',
        escape_string(slo.name): '"SLO"',
        f"slogen:{slo.service}:{slo.name}:": "slogen:SERVICE:SLO:",
    }
    # who owns the SLO and where to read about it: on alerts and on slo:info
    own = {naming.TEAM_LABEL, "slo_team", "slo_dashboard", "slo_runbook"}
    own |= {key for key, _ in slo.labels}

    def text(value: str) -> str:
        for old, new in swaps.items():
            value = value.replace(old, new)
        return value

    groups = []
    for group in slo_groups(slo, from_recordings=True):
        data = group.as_dict()
        rules = []
        for rule in data["rules"]:  # type: ignore[union-attr]
            rule = {k: v for k, v in rule.items() if k != "annotations"}
            rule["expr"] = text(rule["expr"])
            labels = {k: v for k, v in rule.get("labels", {}).items() if k not in own}
            rule["labels"] = {
                k: (
                    "SERVICE"
                    if k == naming.SERVICE_LABEL
                    else "SLO"
                    if k == naming.SLO_LABEL
                    else v
                )
                for k, v in labels.items()
            }
            rules.append(rule)
        groups.append({**data, "name": text(str(data["name"])), "rules": rules})
    return groups


def _sharing(model: Model) -> dict[str, list[SLO]]:
    shared: dict[str, list[SLO]] = defaultdict(list)
    for plan in proof_plans(model).values():
        owner = plan.proven_as or plan.slo
        shared[f"{owner.service}/{owner.name}"].append(plan.slo)
    return shared


@pytest.mark.parametrize("tree", ["random set", "shared defaults"])
def test_slos_proven_as_another_have_its_rules_but_for_names(tree: str, tmp_path: Path) -> None:
    if tree == "random set":
        write_random_specs(tmp_path)
        model = slogen.validate(slogen.load([tmp_path]))
    else:
        model = _shared_tree(tmp_path / "specs")
    shared = _sharing(model)
    pairs = [(slos[0], other) for slos in shared.values() for other in slos[1:]]
    assert pairs, "no two SLOs share a proof key: the test proves nothing"
    for owner, other in pairs:
        assert _named_apart(other) == _named_apart(owner), (owner.name, other.name)


def test_a_large_tree_proves_each_key_once(tmp_path: Path) -> None:
    model = _shared_tree(tmp_path / "specs")
    bundle = slogen.compile(slogen.load([tmp_path / "specs"]))
    shared = _sharing(model)
    # four SLI kinds, events and latency grouped or not: six keys for 80 SLOs
    assert len(shared) == 6
    proofs = [p for p in bundle.files if p.startswith("tests/") and p.endswith(".test.yml")]
    owners = {f"tests/{key}." for key in shared}
    per_slo = [p for p in proofs if not p.endswith(".recordings.test.yml")]
    assert per_slo and all(any(p.startswith(o) for o in owners) for p in per_slo)
    assert len([p for p in proofs if p.endswith(".recordings.test.yml")]) == 8
    for found in bundle.coverage():
        owner = found.proven_as or f"{found.service}/{found.slo}"
        assert owner in shared and found.proven
        assert any(path == f"tests/{found.service}.recordings.test.yml" for path, _ in found.files)


def test_a_broken_raw_recording_of_a_shared_slo_fails_its_check(
    tmp_path: Path, promtool: str
) -> None:
    """An SLO proven as another still has its own raw recordings proven: break the
    errors rule of a later SLO in the check's rules and the check fails."""
    specs, out = tmp_path / "specs", tmp_path / "out"
    _shared_tree(specs, slos=10)
    slogen.compile(slogen.load([specs])).write(out)
    rules = out / "tests/svc-00000.recordings.rules.yml"
    checks = out / "tests/svc-00000.recordings.test.yml"
    ok = subprocess.run([promtool, "test", "rules", str(checks)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    text = rules.read_text()
    broken = text.replace('handler="/api/4", code=~"5.."', 'handler="/api/4", code=~"4.."')
    assert broken != text
    rules.write_text(broken)
    failed = subprocess.run(
        [promtool, "test", "rules", str(checks)], capture_output=True, text=True
    )
    assert failed.returncode != 0
    said = failed.stdout + failed.stderr
    assert 'slo:sli_errors:rate5m", slo_name="slo-04"' in said and "got:" in said


def test_recording_checks_run_the_deployed_raw_readers(tmp_path: Path) -> None:
    """The rules a recording check runs are each SLO's two raw readers, as deployed,
    in the deployed order, and every SLO whose series can be synthesised is checked."""
    specs = tmp_path / "specs"
    _shared_tree(specs, slos=20)
    for tree in (specs, ROOT / "specs"):
        bundle = slogen.compile(slogen.load([tree]))
        for path, content in bundle.files.items():
            if not path.endswith(".recordings.rules.yml"):
                continue
            service = path.removeprefix("tests/").removesuffix(".recordings.rules.yml")
            deployed = yaml.safe_load(bundle.files[f"prometheus/{service}.rules.yml"])
            readers = [
                {**g, "rules": [r for r in g["rules"] if r.get("record") in RAW_READERS]}
                for g in deployed["groups"]
            ]
            assert yaml.safe_load(content)["groups"] == [g for g in readers if g["rules"]]
            checks = yaml.safe_load(bundle.files[f"tests/{service}.recordings.test.yml"])
            checked = {test["name"].split(":")[0] for test in checks["tests"]}
            slos = {f.slo for f in bundle.coverage() if f.service == service and not f.unproven}
            assert checked == slos


def test_every_recording_check_of_the_random_set_passes(tmp_path: Path, promtool: str) -> None:
    """Every SLI kind, grouping and unit of the seeded random set: the recordings the
    rules make from synthetic raw series are the exact rates the checks expect."""
    (tmp_path / "specs").mkdir()
    write_random_specs(tmp_path / "specs")
    slogen.compile(slogen.load([tmp_path / "specs"])).write(tmp_path / "out")
    checks = sorted((tmp_path / "out/tests").glob("*.recordings.test.yml"))
    assert len(checks) > 40
    result = subprocess.run(
        [promtool, "test", "rules", *(p.name for p in checks)],
        cwd=tmp_path / "out/tests",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
