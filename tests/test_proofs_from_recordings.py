"""SLOs whose raw series slogen cannot synthesise are still proven, from their two 5m
recordings on: the proofs pass, catch broken rules after the recordings, say what they
leave unproven, and never come as a file without a test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import slogen
from slogen import verify
from slogen.testgen.shapes import NATIVE_GAP
from tests.conftest import GENERATED, CliResult, write_spec

RunCli = Callable[..., CliResult]

SPEC = """\
service: api
team: web
runbook: false
window: 7d
slos:
  - name: hosts
    objective: 99
    group_by: [request_host]
    sli:
      ratio:
        errors: >-
          sum by (request_host) (rate(x_total{code=~"5.."}[$window]))
          or on (request_host) clamp_min(1 - sum by (request_host) (up{job="a"}), 0)
        total: sum by (request_host) (rate(x_total[$window]))
  - name: plain
    objective: 99.9
    sli:
      events:
        errors: y_total{code="5xx"}
        total: y_total
  - name: native
    objective: 99
    sli:
      latency:
        histogram: z_seconds{job="a"}
        threshold: 250ms
        native: true
"""
RECORDED_RULES = "tests/api/hosts.from-5m.rules.yml"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> slogen.Bundle:
    directory = tmp_path_factory.mktemp("recorded")
    write_spec(directory, "api.yaml", SPEC)
    return slogen.compile(slogen.load(directory))


def _passes(files: dict[str, bytes]) -> bool:
    results = verify.prove(files)
    assert results
    return all(result.ok for result in results)


def test_the_proofs_from_recordings_pass(bundle: slogen.Bundle, promtool: str) -> None:
    assert _passes(dict(bundle.files))


def test_the_proof_rules_are_the_real_rules_less_the_two_raw_readers(bundle: slogen.Bundle) -> None:
    real = yaml.safe_load(bundle.files["prometheus/api.rules.yml"])["groups"]
    for slo in ("hosts", "native"):
        path = f"tests/api/{slo}.from-5m.rules.yml"
        proof = yaml.safe_load(bundle.files[path])["groups"]
        expected = []
        for group in real:
            if not group["name"].startswith(f"slogen:api:{slo}:"):
                continue
            if group["name"].endswith(":sli"):
                records = [rule.get("record") for rule in group["rules"][:2]]
                assert records == ["slo:sli_total:rate5m", "slo:sli_errors:rate5m"]
                group = {**group, "rules": group["rules"][2:]}
            expected.append(group)
        assert proof == expected, slo
        assert "do not deploy" in bundle.files[path].decode()


def test_each_slo_says_where_its_proofs_start(bundle: slogen.Bundle) -> None:
    coverage = {c.slo: c for c in bundle.coverage()}
    assert coverage["plain"].proven and coverage["plain"].unproven is None
    assert "not a sum of rate() or increase() of one counter" in str(coverage["hosts"].unproven)
    assert coverage["native"].unproven == NATIVE_GAP
    for name in ("hosts", "native"):
        assert coverage[name].scenarios > 0 and not coverage[name].proven
    header = bundle.files["tests/api/native.from-5m.1m.test.yml"].decode()
    assert "# not proven: " + NATIVE_GAP in header
    assert "the\n# queries that make the two recordings are not" in header


HOSTS_1H = 'slo:sli_errors:rate5m{slo_service="api", slo_name="hosts"}[1h]'


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("> 3.36 and", "> 4.2 and", id="page-factor-too-high"),
        pytest.param("for: 2m", "for: 1h", id="page-for-too-long"),
        pytest.param(HOSTS_1H, HOSTS_1H.replace("[1h]", "[40m]"), id="1h-window-shortened"),
        pytest.param("< 0.25 and", "< 0.4 and", id="budget-low-threshold-loose"),
        pytest.param(
            "sum by (request_host) (sum_over_time(",
            "sum(sum_over_time(",
            id="groups-merged",
        ),
    ],
)
def test_a_broken_rule_after_the_recordings_fails_the_proofs(
    bundle: slogen.Bundle, promtool: str, old: str, new: str
) -> None:
    text = bundle.files[RECORDED_RULES].decode()
    assert old in text, old
    files = dict(bundle.files)
    files[RECORDED_RULES] = text.replace(old, new).encode()
    assert not _passes(files)


def test_no_proof_file_is_without_a_test(bundle: slogen.Bundle) -> None:
    trees = [
        dict(bundle.files),
        {
            p.relative_to(GENERATED).as_posix(): p.read_bytes()
            for p in GENERATED.rglob("tests/**/*.test.yml")
        },
    ]
    for files in trees:
        proofs = [p for p in files if p.endswith(".test.yml")]
        assert proofs
        for path in proofs:
            assert yaml.safe_load(files[path])["tests"], path


def test_check_strict_fails_on_an_slo_left_partly_unproven(
    tmp_path: Path, run_cli: RunCli, promtool: str
) -> None:
    write_spec(tmp_path, "api.yaml", SPEC)
    lenient = run_cli("check", str(tmp_path))
    assert lenient.code == 0, lenient.err
    assert "proofs: 2 of 3 SLOs not fully proven:" in lenient.err
    assert "api/native: proven from its 5m recordings on; its queries are not: " in lenient.err
    strict = run_cli("check", "--strict", str(tmp_path))
    assert strict.code == 1
    assert "check --strict: 2 SLOs not fully proven" in strict.err


def test_check_strict_passes_when_every_slo_is_proven_from_raw_series(
    tmp_path: Path, run_cli: RunCli, promtool: str
) -> None:
    head, rest = SPEC.split("  - name: hosts")
    plain = head + "  - name: plain" + rest.split("  - name: plain")[1].split("  - name: native")[0]
    write_spec(tmp_path, "api.yaml", plain)
    result = run_cli("check", "--strict", str(tmp_path))
    assert result.code == 0, result.err
    assert "not fully proven" not in result.err
