"""Importing Pyrra ServiceLevelObjectives: mapping, losses reported, services gathered
from several files, refusals, and Pyrra's own files.

The real files come from ../shared/peers/pyrra (its README names the upstream commit);
those tests skip, saying why, where that directory is absent.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, write_spec
from tests.promtool_harness import generate_and_check_rules

PEERS = ROOT.parent / "shared" / "peers" / "pyrra"
needs_peers = pytest.mark.skipif(
    not PEERS.is_dir(), reason=f"Pyrra's example SLOs are not here ({PEERS} is absent)"
)
PYRRA_FILES = sorted(
    [
        *PEERS.glob("examples/**/*.yaml"),
        *PEERS.glob("derived/**/*.input.yaml"),
    ]
)
FIXTURES = PEERS / "derived" / "slo" / "promql_test.fixtures.yaml"

SPEC = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-errors
  namespace: shop
  labels: {app: checkout, pyrra.dev/team: payments, pyrra.dev/tier: "1", prometheus: k8s}
  annotations:
    pyrra.dev/runbook_url: https://runbooks.example.com/checkout
    pyrra.dev/summary: Checkout fails
spec:
  target: "99.5"
  window: 28d
  description: Checkouts without a server error.
  indicator:
    ratio:
      errors: {metric: 'http_requests_total{job="checkout",code=~"5.."}'}
      total: {metric: 'http_requests_total{job="checkout"}'}
      grouping: [cluster]
  alerting:
    name: CheckoutBurn
    absent: false
    severities: {fastBurn: p1, mediumBurn: p2, slowBurn: p3, longTermBurn: p3, absent: p3}
  partial_response_strategy: warn
  performanceOverAccuracy: true
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-latency
  namespace: shop
  labels: {app: checkout}
spec:
  target: "99"
  window: 4w
  indicator:
    latency:
      success: {metric: 'http_request_duration_seconds_bucket{job="checkout",le="0.25"}'}
      total: {metric: 'http_request_duration_seconds_count{job="checkout"}'}
  alerting: {disabled: true}
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-probe
  labels: {app: checkout}
spec:
  target: "99.9"
  window: 7d
  indicator:
    bool_gauge: {metric: 'probe_success{instance="https://shop.example.com"}'}
  alerting: {burnrates: false}
  ruleOutput: {shortRulesLabels: {prometheus: k8s}}
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-native
  labels: {app: checkout}
spec:
  target: "99"
  window: 28d
  indicator:
    latencyNative:
      latency: 200ms
      total: {metric: 'http_request_duration_seconds{job="checkout"}'}
"""

TIERS_28D = [
    {"severity": "page", "factor": 14, "long": "1h", "short": "5m"},
    {"severity": "page", "factor": 7, "long": "6h", "short": "30m"},
    {"severity": "ticket", "factor": 2, "long": "1d", "short": "2h"},
    {"severity": "ticket", "factor": 1, "long": "4d", "short": "6h"},
]
"""Pyrra's four burn tiers for a 28-day window, as an import writes them."""


def _import(tmp_path: Path, run_cli, *files: str, extra: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return run_cli("import", "pyrra", *files, "-o", "specs", *extra, cwd=tmp_path)


def _spec(tmp_path: Path, service: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((tmp_path / "specs" / f"{service}.yaml").read_text())
    return loaded


def test_each_indicator_kind_becomes_its_slogen_sli(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "slos.yaml", SPEC)
    result = _import(tmp_path, run_cli, "slos.yaml")
    assert result.code == 0, result.err
    spec = _spec(tmp_path, "checkout")
    assert spec["team"] == "payments"
    errors, latency, probe, native = spec["slos"]
    assert errors == {
        "name": "checkout-errors",
        "objective": 99.5,
        "window": "28d",
        "description": "Checkouts without a server error.",
        "group_by": ["cluster"],
        "labels": {"tier": "1"},
        "runbook": "https://runbooks.example.com/checkout",
        "sli": {
            "events": {
                "errors": 'http_requests_total{job="checkout", code=~"5.."}',
                "total": 'http_requests_total{job="checkout"}',
            }
        },
        "alerting": {
            "page": {"label": "p1", "for": "2m"},
            "ticket": {"label": "p3", "for": "1h"},
            "no_data": {"enabled": False, "severity": "ticket"},
            "burn_rate": TIERS_28D,
        },
    }
    assert latency["sli"] == {
        "latency": {"histogram": 'http_request_duration_seconds{job="checkout"}', "threshold": 0.25}
    }
    assert latency["objective"] == 99 and latency["window"] == "4w"
    # Alerts off, as Pyrra's disabled says; Pyrra's tiers stay written for when they are on.
    assert latency["alerting"] == {
        "page": {"enabled": False, "for": "2m"},
        "ticket": {"enabled": False, "for": "1h"},
        "burn_rate": TIERS_28D,
    }
    assert probe["sli"] == {"up": {"metric": 'probe_success{instance="https://shop.example.com"}'}}
    assert probe["alerting"] == {"burn_rate": []}
    assert native["sli"] == {
        "latency": {
            "histogram": 'http_request_duration_seconds{job="checkout"}',
            "threshold": "200ms",
            "native": True,
        }
    }
    assert run_cli("validate", "specs", cwd=tmp_path).code == 0


def test_what_does_not_carry_over_is_reported_per_file_and_field(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "slos.yaml", SPEC)
    err = _import(tmp_path, run_cli, "slos.yaml").err
    for line, field in [
        (1, "spec.alerting.name"),
        (1, "spec.alerting.severities.mediumBurn"),
        (1, "spec.partial_response_strategy"),
        (1, "spec.performanceOverAccuracy"),
        (1, "metadata.annotations.pyrra.dev/summary"),
        (1, "metadata.labels: prometheus: labels of the Kubernetes object"),
        (41, "spec.ruleOutput.shortRulesLabels"),
    ]:
        assert f"not carried over: slos.yaml:{line}: {field}" in err, err
    # Said of several SLOs: once, with the places.
    [runbooks] = [line for line in err.splitlines() if "no plain pyrra.dev/runbook_url" in line]
    assert "(3 places: slos.yaml:26: metadata.annotations;" in runbooks
    assert "SLO skipped" not in err, err


def test_a_latency_whose_selectors_differ_is_imported_as_pyrra_computes_it(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    differing = SPEC.replace('le="0.25"}', 'code="200",le="0.25"}')
    write_spec(tmp_path, "slos.yaml", differing)
    result = _import(tmp_path, run_cli, "slos.yaml")
    assert result.code == 0, result.err
    assert 'success also selects code="200": imported as a ratio SLI' in result.err
    ratio = _spec(tmp_path, "checkout")["slos"][1]["sli"]["ratio"]
    assert ratio["good"].startswith('rate(http_request_duration_seconds_bucket{job="checkout", ')
    assert 'code="200", le=~"0\\\\.250*|' in ratio["good"]
    assert ratio["total"] == 'rate(http_request_duration_seconds_count{job="checkout"}[$window])'
    assert run_cli("validate", "specs", cwd=tmp_path).code == 0


def test_the_team_option_and_the_fallbacks_name_the_owner(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "slos.yaml", SPEC)
    result = _import(tmp_path, run_cli, "slos.yaml", extra=("--team", "web"))
    assert result.code == 0 and _spec(tmp_path, "checkout")["team"] == "web"
    unlabelled = SPEC.replace("pyrra.dev/team: payments, ", "").replace("app: checkout", "x: y")
    write_spec(tmp_path, "bare.yaml", unlabelled)
    result = _import(tmp_path, run_cli, "bare.yaml", extra=("--force",))
    assert result.code == 0, result.err
    by_namespace, by_name = _spec(tmp_path, "shop"), _spec(tmp_path, "checkout-probe")
    assert [s["name"] for s in by_namespace["slos"]] == ["checkout-errors", "checkout-latency"]
    assert by_namespace["team"] == by_name["team"] == "unowned"
    assert "service 'shop' gets team 'unowned' (use --team)" in result.err
    said = (
        "note: SLOs with no pyrra.dev/service, app.kubernetes.io/name, app or service label "
        "in namespace 'shop' form one service named after it"
    )
    assert result.err.count(said) == 1, result.err
    assert "wrote specs/shop.yaml: service shop, team unowned: 2 SLOs" in result.out


def test_slos_of_one_service_are_gathered_from_several_files(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    first, second = SPEC.split("---\n", 1)
    write_spec(tmp_path, "first.yaml", first)
    write_spec(tmp_path, "second.yaml", second)
    result = _import(tmp_path, run_cli, "first.yaml", "second.yaml")
    assert result.code == 0, result.err
    text = (tmp_path / "specs" / "checkout.yaml").read_text()
    assert text.startswith("# Imported by `slogen import` from first.yaml, second.yaml;")
    assert len(_spec(tmp_path, "checkout")["slos"]) == 4


def test_an_slo_name_taken_in_its_service_refuses_the_file(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "slos.yaml", SPEC)
    write_spec(tmp_path, "again.yaml", SPEC.split("---\n")[2])
    result = _import(tmp_path, run_cli, "slos.yaml", "again.yaml")
    assert result.code == 2
    assert (
        "again.yaml:1: metadata.name: service 'checkout' already has an SLO 'checkout-probe' "
        "(from slos.yaml)"
    ) in result.err
    assert "nothing was written" in result.err and not (tmp_path / "specs").exists()


def test_a_file_with_nothing_to_compile_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # Pyrra reads durations as whole numbers of each unit, so it rejects 1.5s too.
    fractional = SPEC.split("---\n")[3].replace("latency: 200ms", "latency: 1.5s")
    write_spec(tmp_path, "fractional.yaml", fractional)
    write_spec(tmp_path, "other.yaml", "apiVersion: openslo/v1\nkind: SLO\n")
    write_spec(tmp_path, "broken.yaml", SPEC.split("---\n")[2].replace('target: "99.9"', ""))
    result = _import(tmp_path, run_cli, "fractional.yaml", "other.yaml", "broken.yaml")
    assert result.code == 2
    assert (
        "fractional.yaml: holds no Pyrra SLO that slogen can compile (checkout-native: "
        "spec.indicator.latencyNative.latency: '1.5s' is not a duration Pyrra reads"
    ) in result.err
    assert (
        "other.yaml: holds no Pyrra SLO that slogen can compile (it has no pyrra.dev/v1alpha1"
        in (result.err)
    )
    assert (
        "broken.yaml: holds no Pyrra SLO that slogen can compile (checkout-probe: spec.target:"
        in (result.err)
    )
    assert "other.yaml:1: document: not a pyrra.dev/v1alpha1 ServiceLevelObjective" in result.err
    assert not (tmp_path / "specs").exists()


def test_pyrra_tiers_that_cannot_work_for_the_window_or_target_are_left_out(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    """A 1d window keeps three of Pyrra's tiers (it used to keep no burn alert at all);
    a 90% target rules out the 14x tier, as it can never fire."""
    short = (
        SPEC.split("---\n")[2]
        .replace("window: 7d", "window: 1d")
        .replace("  alerting: {burnrates: false}\n", "")
    )
    loose = SPEC.split("---\n")[1].replace('target: "99"', 'target: "90"')
    write_spec(tmp_path, "slos.yaml", short + "---\n" + loose)
    result = _import(tmp_path, run_cli, "slos.yaml")
    assert result.code == 0, result.err
    probe, latency = _spec(tmp_path, "checkout")["slos"]
    assert probe["alerting"]["burn_rate"] == [
        {"severity": "page", "factor": 7, "long": "13m", "short": "5m"},
        {"severity": "ticket", "factor": 2, "long": "51m", "short": "5m"},
        {"severity": "ticket", "factor": 1, "long": "3h26m", "short": "13m"},
    ]
    assert (
        "slos.yaml:1: spec.window: Pyrra's fastBurn (14x over 2m/0s: 1d/672, 1d/8064) left "
        "out: its long window 2m is not longer than a 5m short window" in result.err
    )
    assert (
        "slos.yaml:1: spec.window: short windows below 5m raised to 5m, as slogen computes "
        "every window from 5-minute rates: mediumBurn (7x over 13m/1m: 1d/112, 1d/1344) is "
        "13m/5m; slowBurn (2x over 51m/4m: 1d/28, 1d/336) is 51m/5m"
    ) in result.err
    assert latency["alerting"]["burn_rate"] == TIERS_28D[1:]
    assert (
        "slos.yaml:13: spec.target: Pyrra's fastBurn (14x over 1h/5m: 28d/672, 28d/8064) left "
        "out: this alert can never fire: burn factor 14 needs an error ratio of 140%"
    ) in result.err
    assert "checkout/checkout-probe alerts on: 1d period; page 13m/5m x7; ticket" in result.out
    assert run_cli("validate", "specs", cwd=tmp_path).code == 0


def test_a_kubectl_list_imports_item_by_item(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    items = [yaml.safe_load(document) for document in SPEC.split("---\n")]
    listed = {"apiVersion": "v1", "kind": "List", "items": items}
    write_spec(tmp_path, "list.yaml", yaml.safe_dump(listed, sort_keys=False))
    result = _import(tmp_path, run_cli, "list.yaml")
    assert result.code == 0, result.err
    assert len(_spec(tmp_path, "checkout")["slos"]) == 4
    assert "SLO skipped" not in result.err, result.err


def test_a_native_latency_imports_exactly_and_compiles(
    tmp_path: Path, run_cli, promtool: str
) -> None:  # type: ignore[no-untyped-def]
    native = SPEC.split("---\n")[3]
    compound = native.replace("checkout-native", "checkout-native-slow").replace(
        "latency: 200ms", "latency: 1s500ms"
    )
    write_spec(tmp_path, "native.yaml", native + "---\n" + compound)
    result = _import(tmp_path, run_cli, "native.yaml")
    assert result.code == 0, result.err
    fast, slow = _spec(tmp_path, "checkout")["slos"]
    histogram = 'http_request_duration_seconds{job="checkout"}'
    assert fast["sli"] == {
        "latency": {"histogram": histogram, "threshold": "200ms", "native": True}
    }
    # Pyrra's compound duration, in one unit slogen reads: 1.5s, not a rounded float.
    assert slow["sli"]["latency"]["threshold"] == "1500ms"
    generate_and_check_rules(run_cli, tmp_path / "specs", tmp_path / "out", promtool)
    rules = (tmp_path / "out" / "prometheus" / "checkout.rules.yml").read_text()
    assert f"histogram_fraction(0, 0.2, sum(rate({histogram}[5m])))" in rules
    assert f"histogram_fraction(0, 1.5, sum(rate({histogram}[5m])))" in rules


@needs_peers
@pytest.mark.parametrize("pyrra", PYRRA_FILES, ids=[p.name for p in PYRRA_FILES])
def test_pyrras_own_files_import(pyrra: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("import", "pyrra", str(pyrra), "-o", str(tmp_path / "specs"))
    assert result.code == 0, result.err
    assert "SLO skipped" not in result.err, result.err


@needs_peers
def test_pyrras_own_files_together_generate_and_pass_promtool(
    tmp_path: Path, run_cli, promtool: str
) -> None:  # type: ignore[no-untyped-def]
    files = [str(p) for p in PYRRA_FILES]
    result = run_cli("import", "pyrra", *files, "-o", str(tmp_path / "specs"))
    assert result.code == 0, result.err
    monitoring = yaml.safe_load((tmp_path / "specs" / "monitoring.yaml").read_text())
    # nginx (2), pyrra-connect-errors, pyrra-connect-latency, kubernetes/ (3)
    assert len(monitoring["slos"]) == 7
    native = next(s for s in monitoring["slos"] if s["name"] == "pyrra-connect-latency")
    assert native["sli"]["latency"]["native"] is True
    assert native["sli"]["latency"]["threshold"] == "200ms"
    generate_and_check_rules(run_cli, tmp_path / "specs", tmp_path / "out", promtool)


def _fixture_objectives() -> list[dict[str, Any]]:
    """The transcribed Go fixtures as ServiceLevelObjectives, each under its own name.

    Entries that only describe their change in a note cannot be rebuilt and are left
    out; the others are their base with their own fields merged over it."""
    fixtures = yaml.safe_load(FIXTURES.read_text())

    def merged(base: Any, over: Any) -> Any:
        if isinstance(base, dict) and isinstance(over, dict):
            return {**base, **{k: merged(base.get(k), v) for k, v in over.items()}}
        return over

    def resolved(key: str) -> dict[str, Any]:
        entry = fixtures[key]
        own = {k: v for k, v in entry.items() if k in ("metadata", "spec")}
        return merged(resolved(entry["base"]), own) if "base" in entry else own

    kebab = re.compile(r"(?<=[a-z])(?=[A-Z])")
    return [
        {
            "apiVersion": "pyrra.dev/v1alpha1",
            "kind": "ServiceLevelObjective",
            **merged(resolved(key), {"metadata": {"name": kebab.sub("-", key).lower()}}),
        }
        for key, entry in fixtures.items()
        if "spec" in entry
    ]


@needs_peers
def test_pyrras_rule_fixtures_import_generate_and_pass_promtool(
    tmp_path: Path, run_cli, promtool: str
) -> None:  # type: ignore[no-untyped-def]
    objectives = _fixture_objectives()
    assert len(objectives) >= 20
    write_spec(tmp_path, "fixtures.yaml", yaml.safe_dump_all(objectives, sort_keys=False))
    result = run_cli("import", "pyrra", "fixtures.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "SLO skipped" not in result.err, result.err
    imported = sorted((tmp_path / "specs").glob("*.yaml"))
    assert len(imported) == len(objectives)
    generate_and_check_rules(run_cli, tmp_path / "specs", tmp_path / "out", promtool)
