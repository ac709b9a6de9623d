"""Importing Sloth specs: mapping, losses reported, refusals, and the real examples.

The real files come from ../shared/peers/sloth (its README names the upstream commit);
those tests skip, saying why, where that directory is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, write_spec
from tests.promtool_harness import generate_and_check_rules

PEERS = ROOT.parent / "shared" / "peers" / "sloth"
needs_peers = pytest.mark.skipif(
    not PEERS.is_dir(), reason=f"Sloth's example specs are not here ({PEERS} is absent)"
)
SLOTH_FILES = sorted(
    [*PEERS.glob("examples/*.y*ml"), *PEERS.glob("test/integration/prometheus/testdata/in-*.yaml")]
)
NOT_SLOTH = {"openslo-getting-started.yml"}  # an OpenSLO file among Sloth's examples

SPEC = """\
version: "prometheus/v1"
service: "checkout"
labels: {owner: payments, tier: "2"}
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Requests without a server error."
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="checkout"}[{{.window}}]))
    alerting:
      name: CheckoutErrors
      annotations: {runbook: "https://runbooks.example.com/checkout", summary: "Errors"}
      page_alert: {labels: {severity: critical, routing_key: payments}}
      ticket_alert: {disable: true}
"""


def test_a_sloth_spec_becomes_a_slogen_spec(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "sloth.yml", SPEC)
    result = run_cli("import", "sloth", "sloth.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out == (
        "wrote specs/checkout.yaml: service checkout, team payments: "
        "1 SLO (requests-availability) from sloth.yml\n"
        "  checkout/requests-availability alerts on: 30d period; "
        "page 1h/5m x14.4, 6h/30m x6; one series for all\n"
    )
    spec = yaml.safe_load((tmp_path / "specs" / "checkout.yaml").read_text())
    assert spec["team"] == "payments" and spec["window"] == "30d"
    slo = spec["slos"][0]
    assert slo["objective"] == 99.9
    assert slo["sli"] == {  # one counter per side: slogen writes the sums itself
        "events": {
            "errors": 'http_requests_total{job="checkout", code=~"5.."}',
            "total": 'http_requests_total{job="checkout"}',
        }
    }
    assert "group_by" not in slo
    assert slo["runbook"] == "https://runbooks.example.com/checkout"
    assert slo["alerting"] == {"page": {"label": "critical"}, "ticket": {"enabled": False}}
    for lost in ("alerting.name", "annotations: summary", "page_alert.labels.routing_key"):
        assert lost in result.err, result.err
    assert (
        "note: period 30d: Sloth's default --default-slo-period; pass --sloth-period if "
        "yours differs\n"
    ) in result.err
    assert run_cli("validate", "specs", cwd=tmp_path).code == 0


@pytest.mark.parametrize(
    ("annotations", "where"),
    [
        ('annotations: {runbook_url: "https://runbooks.example.com/checkout"}', "alerting"),
        (
            'page_alert: {annotations: {runbook_url: "https://runbooks.example.com/checkout"}}',
            "page",
        ),
        (
            'ticket_alert: {annotations: {runbook: "https://runbooks.example.com/checkout"}}',
            "ticket",
        ),
    ],
)
def test_a_runbook_url_annotation_is_the_runbook(  # type: ignore[no-untyped-def]
    tmp_path: Path, run_cli, annotations: str, where: str
) -> None:
    """``runbook_url`` (the community's convention) counts as much as ``runbook``,
    in the SLO's alerting annotations or a severity's."""
    alerting = "\n".join(
        line
        for line in SPEC.splitlines()
        if not line.strip().startswith(("annotations:", "page_alert:", "ticket_alert:"))
    )
    spec = alerting.replace(
        "      name: CheckoutErrors", f"      name: CheckoutErrors\n      {annotations}"
    )
    write_spec(tmp_path, "sloth.yml", spec + "\n")
    result = run_cli("import", "sloth", "sloth.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, (where, result.err)
    slo = yaml.safe_load((tmp_path / "specs" / "checkout.yaml").read_text())["slos"][0]
    assert slo["runbook"] == "https://runbooks.example.com/checkout", where
    assert "no plain runbook URL" not in result.err and "annotations" not in result.err


def test_keys_sloth_does_not_read_are_named_with_the_key_meant(  # type: ignore[no-untyped-def]
    tmp_path: Path, run_cli
) -> None:
    """A misspelt ``ticker_alert`` or a ``disabled`` where Sloth reads ``disable``
    would otherwise vanish, and the alert it meant to switch off would stay on."""
    spec = SPEC.replace("ticket_alert: {disable: true}", "ticker_alert: {disable: true}")
    spec = spec.replace("page_alert: {labels:", "page_alert: {disabled: true, labels:")
    spec = spec.replace("total_query:", "totl_query: x\n        total_query:")
    write_spec(tmp_path, "sloth.yml", spec)
    result = run_cli("import", "sloth", "sloth.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (
        "slos[0].alerting.ticker_alert: not a key Sloth reads here (did you mean 'ticket_alert'?"
        in result.err
    )
    assert (
        "slos[0].alerting.page_alert.disabled: not a key Sloth reads here (did you mean 'disable'?"
        in result.err
    )
    assert "slos[0].sli.events.totl_query" in result.err


@pytest.mark.parametrize(("objective", "kept"), [("80", 2), ("85", 3), ("93.1", 4)])
def test_low_objectives_leave_out_the_windows_that_cannot_fire(  # type: ignore[no-untyped-def]
    tmp_path: Path, run_cli, objective: str, kept: int
) -> None:
    """Sloth accepts 80-90% and writes 14.4x rules that would need more than 100%
    errors; the import leaves those windows out, says so, and the spec validates."""
    write_spec(tmp_path, "sloth.yml", SPEC.replace("objective: 99.9", f"objective: {objective}"))
    result = run_cli("import", "sloth", "sloth.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    slo = yaml.safe_load((tmp_path / "specs" / "checkout.yaml").read_text())["slos"][0]
    policies = slo.get("alerting", {}).get("burn_rate")
    if kept == 4:
        assert policies is None and "more than 100% errors" not in result.err
    else:
        assert len(policies) == kept and "would need more than 100% errors" in result.err
    assert run_cli("validate", "specs", cwd=tmp_path).code == 0


def test_a_file_with_nothing_to_compile_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(
        tmp_path, "plugin.yml", SPEC.replace("events:", "plugin:").replace("error_query", "id")
    )
    write_spec(tmp_path, "other.yml", "apiVersion: openslo/v1\nkind: SLO\n")
    result = run_cli("import", "sloth", "plugin.yml", "other.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 2
    assert "plugin.yml: holds no Sloth SLO that slogen can compile" in result.err
    assert "other.yml: holds no Sloth SLO" in result.err
    assert "only events and raw SLIs can be imported" in result.err
    assert not (tmp_path / "specs").exists()


@needs_peers
@pytest.mark.parametrize("sloth", SLOTH_FILES, ids=[p.name for p in SLOTH_FILES])
def test_sloths_own_examples_import_compile_and_pass_promtool(  # type: ignore[no-untyped-def]
    sloth: Path, tmp_path: Path, run_cli, promtool: str
) -> None:
    result = run_cli("import", "sloth", str(sloth), "-o", str(tmp_path / "specs"))
    if sloth.name in NOT_SLOTH:
        assert result.code == 2 and "holds no Sloth SLO" in result.err
        return
    assert result.code == 0, result.err
    generate_and_check_rules(run_cli, tmp_path / "specs", tmp_path / "out", promtool)


def test_import_does_not_replace_a_spec_unless_forced(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "sloth.yml", SPEC)
    write_spec(tmp_path / "specs", "checkout.yaml", "# edited by hand\n")
    result = run_cli("import", "sloth", "sloth.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 2 and "would replace specs/checkout.yaml" in result.err
    assert (tmp_path / "specs" / "checkout.yaml").read_text() == "# edited by hand\n"
    forced = run_cli("import", "sloth", "sloth.yml", "-o", "specs", "--force", cwd=tmp_path)
    assert forced.code == 0, forced.err
    assert "service: checkout" in (tmp_path / "specs" / "checkout.yaml").read_text()


def test_the_kubernetes_resource_keeps_label_names_as_written(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(
        tmp_path,
        "crd.yml",
        """\
        apiVersion: sloth.slok.dev/v1
        kind: PrometheusServiceLevel
        metadata: {name: checkout}
        spec:
          service: checkout
          labels: {owner: payments, costCenter: "42"}
          slos:
            - name: availability
              objective: 99.5
              sli:
                events:
                  errorQuery: sum(rate(errors_total[{{.window}}]))
                  totalQuery: sum(rate(requests_total[{{.window}}]))
              alerting:
                pageAlert: {disable: true}
        """,
    )
    result = run_cli("import", "sloth", "crd.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    spec = yaml.safe_load((tmp_path / "specs" / "checkout.yaml").read_text())
    assert spec["labels"] == {"owner": "payments", "costCenter": "42"}
    assert spec["slos"][0]["alerting"] == {"page": {"enabled": False}}
    sli = spec["slos"][0]["sli"]
    assert sli == {"events": {"errors": "errors_total", "total": "requests_total"}}


def test_a_runbook_from_the_defaults_beside_the_output_is_kept(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """``runbook: false`` would switch off the runbook the defaults give every SLO."""
    spec = SPEC.replace('runbook: "https://runbooks.example.com/checkout", ', "")
    write_spec(tmp_path, "sloth.yml", spec)
    write_spec(tmp_path, "specs/defaults.yaml", "runbook: https://rb.example.com/{service}/{slo}\n")
    result = run_cli("import", "sloth", "sloth.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    slo = yaml.safe_load((tmp_path / "specs" / "checkout.yaml").read_text())["slos"][0]
    assert "runbook" not in slo
    assert run_cli("generate", "specs", "-o", "out", "--no-verify", cwd=tmp_path).code == 0
    rules = (tmp_path / "out" / "prometheus" / "checkout.rules.yml").read_text()
    assert "https://rb.example.com/checkout/requests-availability" in rules


@pytest.mark.parametrize("existing", ["legacy.yaml", "payments/checkout.yaml"])
def test_import_refuses_a_service_another_file_already_defines(  # type: ignore[no-untyped-def]
    tmp_path: Path, run_cli, existing: str
) -> None:
    """Another name, or the same name in a subdirectory: load reads both."""
    write_spec(tmp_path, "sloth.yml", SPEC)
    write_spec(tmp_path / "specs", existing, "service: checkout\nteam: payments\n")
    for force in ((), ("--force",)):
        result = run_cli("import", "sloth", "sloth.yml", "-o", "specs", *force, cwd=tmp_path)
        assert result.code == 2
        assert result.err.startswith(
            f"specs/{existing}: already defines service 'checkout', which this import "
            "writes to specs/checkout.yaml (import into another directory, or remove or "
            "rename this file first); nothing written"
        ), result.err
        assert not (tmp_path / "specs" / "checkout.yaml").exists()


def test_one_cr_per_slo_merges_into_one_service(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Several PrometheusServiceLevel files of one service, one SLO each (a common
    layout) import as one service with every SLO."""
    write_spec(tmp_path, "availability.yml", SPEC)
    latency = SPEC.replace('"requests-availability"', '"requests-latency"')
    write_spec(tmp_path, "latency.yml", latency)
    result = run_cli(
        "import", "sloth", "availability.yml", "latency.yml", "-o", "specs", cwd=tmp_path
    )
    assert result.code == 0, result.err
    text = (tmp_path / "specs" / "checkout.yaml").read_text()
    assert text.startswith("# Imported by `slogen import` from availability.yml, latency.yml;")
    slos = yaml.safe_load(text)["slos"]
    assert [slo["name"] for slo in slos] == ["requests-availability", "requests-latency"]
    assert run_cli("validate", "specs", cwd=tmp_path).code == 0


def test_a_clashing_service_refuses_the_whole_import(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """An SLO defined in two files, or a service whose files disagree on its team:
    nothing is written, not even the services that did not clash."""
    write_spec(tmp_path, "sloth.yml", SPEC)
    cart = SPEC.replace('service: "checkout"', 'service: "cart"')
    write_spec(tmp_path, "multi.yml", SPEC + "---\n" + cart)
    result = run_cli("import", "sloth", "sloth.yml", "multi.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 2
    assert (
        "multi.yml: service: service 'checkout' was already imported from sloth.yml, and this "
        "file disagrees: SLO 'requests-availability' is also in sloth.yml"
    ) in result.err
    assert "nothing was written" in result.err and not (tmp_path / "specs").exists()
    other_team = SPEC.replace("owner: payments", "owner: growth").replace(
        '"requests-availability"', '"other"'
    )
    write_spec(tmp_path, "team.yml", other_team)
    result = run_cli("import", "sloth", "sloth.yml", "team.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 2 and "team 'growth' where sloth.yml gave 'payments'" in result.err


def test_the_period_sloth_ran_with_is_the_window(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "sloth.yml", SPEC)
    result = run_cli(
        "import", "sloth", "sloth.yml", "-o", "specs", "--sloth-period", "28d", cwd=tmp_path
    )
    assert result.code == 0, result.err
    assert "28d period" in result.out and "--sloth-period" not in result.err
    spec = yaml.safe_load((tmp_path / "specs" / "checkout.yaml").read_text())
    assert spec["window"] == "28d"
    for args, said in (
        (("sloth", "--sloth-period", "30x"), "--sloth-period '30x'"),
        (("pyrra", "--sloth-period", "28d"), "sloth imports only"),
    ):
        refused = run_cli("import", args[0], "sloth.yml", "-o", "other", *args[1:], cwd=tmp_path)
        assert refused.code == 2 and said in refused.err, refused.err
        assert not (tmp_path / "other").exists()
