"""The generated tree: valid for promtool, byte-stable, fresh, and cheap by construction."""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

import slogen
from slogen import naming
from tests.conftest import GENERATED, MINIMAL_SPEC, ROOT, SPECS, snapshot, write_spec
from tests.promql_names import metric_names


@pytest.fixture(scope="module")
def bundle() -> slogen.Bundle:
    return slogen.compile(slogen.load([SPECS]))


def test_committed_generated_tree_is_fresh(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("generate", "specs", "-o", "generated", "--check", cwd=ROOT)
    assert result.code == 0, result.err


def test_every_committed_rule_file_and_manifest_passes_promtool(
    promtool: str, tmp_path: Path
) -> None:
    rule_files = sorted(GENERATED.glob("prometheus/*.rules.yml"))
    manifests = sorted(GENERATED.glob("kubernetes/*.yaml"))
    assert (
        len(rule_files) == len(manifests) == len(list(SPECS.glob("*.yaml"))) - 2
    )  # defaults, routing
    extracted = []
    for manifest in manifests:
        document = yaml.safe_load(manifest.read_text())
        assert document["kind"] == "PrometheusRule"
        target = tmp_path / manifest.name
        target.write_text(yaml.safe_dump({"groups": document["spec"]["groups"]}))
        extracted.append(target)
    result = subprocess.run(
        [promtool, "check", "rules", *map(str, rule_files + extracted)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(rule_files) * 2


def test_bundle_check_runs_promtool(bundle: slogen.Bundle, promtool: str) -> None:
    results = bundle.check()
    assert results and all(r.ok for r in results), "\n".join(map(str, results))


def test_generate_twice_gives_identical_bytes(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(SPECS, tmp_path / "specs")
    assert run_cli("generate", "specs", "-o", "one", cwd=tmp_path).code == 0
    assert run_cli("generate", "specs", "-o", "two", cwd=tmp_path).code == 0
    first = snapshot(tmp_path / "one")
    assert first == snapshot(tmp_path / "two")
    assert first == snapshot(GENERATED)
    second_run = run_cli("generate", "specs", "-o", "one", cwd=tmp_path)
    assert second_run.out.endswith("files, none changed\n"), second_run.out
    assert snapshot(tmp_path / "one") == first


def test_check_exits_1_after_a_spec_edit_and_names_the_files(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(SPECS, tmp_path / "specs")
    assert run_cli("generate", "specs", "-o", "generated", cwd=tmp_path).code == 0
    assert run_cli("generate", "specs", "-o", "generated", "--check", cwd=tmp_path).code == 0

    spec = tmp_path / "specs" / "orders-pipeline.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.5", "objective: 99.7"))
    before = snapshot(tmp_path / "generated")
    result = run_cli("generate", "specs", "-o", "generated", "--check", cwd=tmp_path)

    assert result.code == 1
    assert "changed: generated/prometheus/orders-pipeline.rules.yml" in result.err
    assert "changed: generated/kubernetes/orders-pipeline.yaml" in result.err
    changed = [line for line in result.err.splitlines() if line.lstrip().startswith("changed:")]
    assert not [line for line in changed if "checkout-api" in line], changed
    assert "changed: generated/grafana/slo-overview.json" in result.err  # it lists objectives
    # a diff excerpt shows what changed: the budget went from 0.5% to 0.3%
    assert "/ 0.005" in result.err and "/ 0.003" in result.err
    assert snapshot(tmp_path / "generated") == before


def test_removed_spec_removes_its_output(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(SPECS, tmp_path / "specs")
    assert run_cli("generate", "specs", "-o", "generated", cwd=tmp_path).code == 0
    (tmp_path / "specs" / "training-pipeline.yaml").unlink()
    stale = run_cli("generate", "specs", "-o", "generated", "--check", cwd=tmp_path)
    assert stale.code == 1 and "not generated any more" in stale.err
    regenerated = run_cli("generate", "specs", "-o", "generated", cwd=tmp_path)
    assert regenerated.code == 0
    assert not (tmp_path / "generated/prometheus/training-pipeline.rules.yml").exists()
    # its nine files go (three proof files, its recording check and the rules that
    # check runs); the overview, the docs index and the routing change
    assert regenerated.out.endswith(", 4 updated, 9 removed\n"), regenerated.out


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "slogen", "validate", "specs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 4 services, 7 SLOs")


def _rules(bundle: slogen.Bundle) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path, content in bundle.files.items():
        if path.startswith("prometheus/"):
            for group in yaml.safe_load(content)["groups"]:
                out.extend((group["name"], rule) for rule in group["rules"])
    return out


def test_only_the_5m_recordings_read_raw_series(bundle: slogen.Bundle) -> None:
    raw_readers = {naming.TOTAL_RATE5M, naming.ERRORS_RATE5M}
    for _, rule in _rules(bundle):
        names = metric_names(promql_parser.parse(rule["expr"]))
        raw = [n for n in names if not n.startswith("slo:")]
        if rule.get("record") in raw_readers:
            assert raw, rule
        else:
            assert not raw, f"{rule.get('record') or rule.get('alert')} reads raw {raw}"


def test_alerts_carry_routing_labels_and_no_window_label(bundle: slogen.Bundle) -> None:
    alerts = [rule for _, rule in _rules(bundle) if "alert" in rule]
    assert alerts
    for rule in alerts:
        labels = rule["labels"]
        assert {"severity", "team", "slo_service", "slo_name"} <= set(labels), rule
        assert not any("window" in name or name in ("long", "short") for name in labels)
        assert {"summary", "description", "dashboard_url"} <= set(rule["annotations"])


def test_groups_are_small_and_one_set_per_slo(bundle: slogen.Bundle) -> None:
    groups = [
        group
        for path, content in bundle.files.items()
        if path.startswith("prometheus/")
        for group in yaml.safe_load(content)["groups"]
    ]
    slos = list(bundle.model.slos())
    names = [g["name"] for g in groups]
    assert len(names) == len(set(names))
    assert {n.rsplit(":", 1)[1] for n in names} == {"sli", "alerts", "period"}
    assert len(groups) <= 3 * len(slos)
    period = [g for g in groups if g["name"].endswith(":period")]
    assert all(g["interval"] == "5m" for g in period)


def test_no_float_noise_in_output() -> None:
    for file in GENERATED.rglob("*.y*ml"):
        text = file.read_text()
        assert "99999999" not in text and "00000000" not in text, file


@pytest.mark.parametrize("kind", ["service", "defaults", "routing"])
def test_published_json_schema_matches_the_models(kind: str, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("schema", kind, cwd=ROOT)
    published = (ROOT / "docs" / "schema" / f"{kind}.schema.json").read_text()
    assert result.out == published, "run `make schema` and commit docs/schema/"


def test_user_files_in_the_output_directory_are_kept(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(SPECS, tmp_path / "specs")
    assert run_cli("generate", "specs", "-o", "generated", cwd=tmp_path).code == 0
    kustomization = tmp_path / "generated" / "kubernetes" / "kustomization.yaml"
    kustomization.write_text("resources: [checkout-api.yaml]\n")
    assert run_cli("generate", "specs", "-o", "generated", "--check", cwd=tmp_path).code == 0
    spec = tmp_path / "specs" / "orders-pipeline.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.5", "objective: 99.7"))
    assert run_cli("generate", "specs", "-o", "generated", cwd=tmp_path).code == 0
    assert kustomization.read_text() == "resources: [checkout-api.yaml]\n"


def test_rules_promtool_rejects_are_not_written(tmp_path: Path, run_cli, promtool: str) -> None:  # type: ignore[no-untyped-def]
    """RE2 caps repetition at 1000; the in-process parser does not, promtool does."""
    shutil.copytree(SPECS, tmp_path / "specs")
    assert run_cli("generate", "specs", "-o", "generated", cwd=tmp_path).code == 0
    before = snapshot(tmp_path / "generated")
    spec = tmp_path / "specs" / "checkout-api.yaml"
    spec.write_text(spec.read_text().replace('code=~"5.."', 'code=~"5.{1,1001}"'))

    result = run_cli("generate", "specs", "-o", "generated", cwd=tmp_path)

    assert result.code == 1
    assert "generated/prometheus/checkout-api.rules.yml" in result.err
    assert "slogen-verify" not in result.err
    assert "generated was not changed" in result.err
    assert snapshot(tmp_path / "generated") == before


def test_api_accepts_a_single_path() -> None:
    by_str = slogen.compile(slogen.load(str(SPECS)))
    by_path = slogen.compile(slogen.load(SPECS))
    assert by_str.files == by_path.files


def test_prometheus_rule_metadata_follows_defaults() -> None:
    manifest = yaml.safe_load((GENERATED / "kubernetes" / "checkout-api.yaml").read_text())
    metadata = manifest["metadata"]
    assert metadata["name"] == "slo-checkout-api"
    assert metadata["namespace"] == "monitoring"
    assert metadata["labels"]["role"] == "alert-rules"
    assert metadata["labels"]["app.kubernetes.io/name"] == "checkout-api"
    assert all(len(value) <= 63 for value in metadata["labels"].values())


def test_dashboard_links_need_a_grafana_url(tmp_path: Path) -> None:
    (tmp_path / "shop.yaml").write_text(MINIMAL_SPEC)
    bundle = slogen.compile(slogen.load(tmp_path))
    rules = yaml.safe_load(bundle.files["prometheus/shop.rules.yml"])["groups"]
    alerts = [r for g in rules for r in g["rules"] if "alert" in r]
    assert alerts and not any("dashboard_url" in a["annotations"] for a in alerts)
    assert all(a["annotations"]["runbook_url"].startswith("https://") for a in alerts)


def test_each_slos_proofs_run_its_own_deployed_groups_in_order(tmp_path: Path) -> None:
    """An SLO's proofs evaluate that SLO's groups alone (a service's whole rule file at
    every step of every test costs the square of its SLO count), and those groups are
    the deployed ones: the service's rule file itself, or a copy of its groups for the
    SLO, equal to them, in the rule file's order."""
    silent = MINIMAL_SPEC.replace("availability", "silent") + (
        "    alerting:\n"
        "      page: {enabled: false}\n"
        "      ticket: {enabled: false}\n"
        "      no_data: {enabled: false}\n"
    )
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC + silent.split("slos:\n")[1])
    for specs in (tmp_path / "specs", SPECS):
        files = slogen.compile(slogen.load(specs)).files
        for path, content in sorted(files.items()):
            if not path.endswith(".test.yml") or path.endswith(".recordings.test.yml"):
                continue  # recording checks: tests/test_proof_sharing.py
            service, slo = path.split("/")[1:3]
            deployed = yaml.safe_load(files[f"prometheus/{service}.rules.yml"])["groups"]
            mine = [
                g
                for g in deployed
                if g["name"].startswith(f"slogen:{service}:{slo.split('.')[0]}:")
            ]
            proof = yaml.safe_load(content)
            [rules] = proof["rule_files"]
            ran = yaml.safe_load(
                files[posixpath.normpath(posixpath.join(posixpath.dirname(path), rules))]
            )
            assert proof["group_eval_order"] == [group["name"] for group in ran["groups"]], path
            if ".from-5m." not in path:
                assert ran["groups"] == mine, path
        if specs != SPECS:  # an SLO without alerts has nothing to prove: no file
            assert "tests/shop/availability.rules.yml" in files
            assert not [path for path in files if path.startswith("tests/shop/silent")]


def test_a_manifest_whose_groups_differ_from_its_rule_file_is_checked_itself(
    bundle: slogen.Bundle, promtool: str
) -> None:
    """Verification checks a manifest's groups through its rule file only where they
    are the same bytes; a manifest edited apart from it is parsed and checked alone."""
    from slogen import verify

    files = dict(bundle.files)
    path = "kubernetes/checkout-api.yaml"
    files[path] = files[path].replace(b"expr: ", b"expr: sum(", 1)
    results = verify.verify(files)
    assert not all(result.ok for result in results)
    assert any(f"{path} (spec.groups)" in result.output for result in results)
    assert all(result.ok for result in verify.verify(dict(bundle.files)))
