"""VictoriaMetrics' vmalert loads every rule file slogen writes.

``vmalert -dryRun`` parses the rule files as vmalert would at start-up: the YAML of
every group, each expression with the MetricsQL parser, each label and annotation
template with vmalert's template engine. It runs on the committed
``generated/prometheus/`` and on the rules of the seeded random spec set
(tests/random_specs.py), which covers every SLI kind, grouping and alerting option.
Debian's ``victoria-metrics`` package ships vmalert; ``make tools`` unpacks it when
it is missing (tests/victoriametrics_harness.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import slogen
from slogen import tools
from tests.random_specs import write_random_specs
from tests.victoriametrics_harness import require

ROOT = Path(__file__).resolve().parents[1]
RANDOM_SLOS = 60
SLI_KINDS = {"EventsSLI", "LatencySLI", "RatioSLI", "UpSLI", "FreshnessSLI"}


@pytest.fixture(scope="module", autouse=True)
def _vmalert() -> None:
    require("vmalert")


def _dry_run(files: list[Path]) -> None:
    assert files, "no rule files to check"
    result = tools.vmalert_dry_run(files)
    assert result.ok, str(result)


def test_vmalert_loads_the_committed_rules() -> None:
    _dry_run(sorted((ROOT / "generated" / "prometheus").glob("*.yml")))


def test_vmalert_loads_the_rules_of_random_specs(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    write_random_specs(specs, slos=RANDOM_SLOS)
    bundle = slogen.compile(slogen.load([specs]))
    kinds = Counter(type(slo.sli).__name__ for slo in bundle.model.slos())
    assert set(kinds) == SLI_KINDS, kinds
    files = []
    for path, content in sorted(bundle.files.items()):
        if path.startswith("prometheus/"):
            target = tmp_path / "out" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            files.append(target)
    _dry_run(files)


def test_the_dry_run_rejects_what_vmalert_cannot_run(tmp_path: Path) -> None:
    """The check has teeth: a rule file vmalert cannot parse fails, naming the file."""
    broken = tmp_path / "broken.rules.yml"
    broken.write_text(
        "groups:\n- name: g\n  rules:\n  - record: r\n    expr: sum(rate(x[5m])) by (\n"
    )
    result = tools.vmalert_dry_run([broken])
    assert not result.ok
    assert str(broken) in result.output
