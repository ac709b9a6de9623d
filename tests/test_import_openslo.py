"""Importing OpenSLO specs: each indicator shape, objectives, windows, references,
alert policies, refusals, and the real files.

The real files come from ../shared/peers/openslo and Sloth's OpenSLO example (their
READMEs name the upstream commits); those tests skip, saying why, where that directory
is absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, write_spec
from tests.promtool_harness import generate_and_check_rules

PEERS = ROOT.parent / "shared" / "peers"
needs_peers = pytest.mark.skipif(
    not (PEERS / "openslo").is_dir(),
    reason=f"OpenSLO's example specs are not here ({PEERS / 'openslo'} is absent)",
)
REAL_FILES = sorted(
    [
        *(PEERS / "openslo").rglob("*.yaml"),
        PEERS / "sloth" / "examples" / "openslo-getting-started.yml",
    ]
)
PROMETHEUS_FILES = {"v1_slo.yaml", "openslo-getting-started.yml"}
"""The real files with an SLO over Prometheus; the others use `Any`, or hold only SLIs."""

CHECKOUT = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: checkout, labels: {team: [payments]}}
spec: {description: Takes the money.}
---
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prom}
spec: {type: Prometheus, connectionDetails: {url: "http://prometheus:9090"}}
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: requests}
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: prom
        spec: {query: 'http_requests_total{job="checkout", code!~"5.."}'}
    total:
      metricSource: {metricSourceRef: prom, spec: {query: 'http_requests_total{job="checkout"}'}}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: critical
  condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 2m}
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: burn}
spec:
  alertWhenBreaching: true
  conditions: [{conditionRef: fast-burn}]
  notificationTargets: [{targetRef: on-call}]
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata: {name: on-call}
spec: {target: pagerduty}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
  displayName: Checkout availability
  labels: {env: [prod], tier: ["1", "2"], "openslo.com/x": y}
  annotations: {example.com/runbook: "https://runbooks.example.com/checkout"}
spec:
  service: checkout
  indicatorRef: requests
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives:
    - {displayName: Internal, target: 0.999}
    - {displayName: Contract, targetPercent: 99.5}
  alertPolicies: [{alertPolicyRef: burn}]
"""


def _spec(directory: Path, service: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((directory / f"{service}.yaml").read_text())
    return loaded


def test_a_v1_spec_with_references_becomes_a_slogen_spec(
    tmp_path: Path, run_cli, promtool: str
) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "checkout.yaml", CHECKOUT)
    result = run_cli("import", "openslo", "checkout.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    spec = _spec(tmp_path / "specs", "checkout")
    assert spec["team"] == "payments" and spec["description"] == "Takes the money."
    internal, contract = spec["slos"]
    assert internal["name"] == "availability-internal" and internal["objective"] == 99.9
    assert contract["name"] == "availability-contract" and contract["objective"] == 99.5
    assert internal["window"] == "30d"
    assert internal["sli"] == {
        "events": {
            "good": 'http_requests_total{job="checkout", code!~"5.."}',
            "total": 'http_requests_total{job="checkout"}',
        }
    }
    assert internal["runbook"] == "https://runbooks.example.com/checkout"
    assert internal["labels"] == {"env": "prod", "tier": "1,2"}
    # Burn rate 14.4 over 1h spends exactly 2% of a 30d budget.
    assert internal["alerting"] == {
        "burn_rate": [{"severity": "page", "budget_spent": "2%", "long": "1h", "short": "5m"}],
        "page": {"for": "2m", "label": "critical"},
    }
    for lost in (
        "openslo.com/x: not a label name",
        "tier: several values ['1', '2']",
        "target 'on-call': slogen routes alerts",
    ):
        assert lost in result.err, result.err
    generate_and_check_rules(run_cli, tmp_path / "specs", tmp_path / "out", promtool)


def _slo(name: str, indicator: str, objective: str = "{target: 0.99}", extra: str = "") -> str:
    """One v1 SLO of service `shapes` with an inline indicator (YAML flow text)."""
    return f"""\
- apiVersion: openslo/v1
  kind: SLO
  metadata: {{name: {name}, labels: {{team: shapes-team}}}}
  spec:
    service: shapes
    indicator: {{metadata: {{name: {name}}}, spec: {indicator}}}
    timeWindow: [{{duration: 1w, isRolling: true}}]
    budgetingMethod: Occurrences
    objectives: [{objective}]
{extra}"""


def _prom(query: str) -> str:
    return f"{{metricSource: {{type: prometheus, spec: {{query: '{query}'}}}}}}"


def _ratio(first: str, query: str, total: str, counter: str = "") -> str:
    return (
        "{ratioMetric: {"
        + counter
        + first
        + ": "
        + _prom(query)
        + ", total: "
        + _prom(total)
        + "}}"
    )


SHAPES = "".join(
    [
        _slo(
            "bad-total",
            _ratio(
                "bad",
                'sum by (cluster) (errors_total{job="a"})',
                'sum by (cluster) (requests_total{job="a"})',
            ),
        ),
        _slo("gauges", _ratio("good", "queue_ok", "sum(queue_all)", "counter: false, ")),
        _slo(
            "raw-success",
            "{ratioMetric: {rawType: success, raw: "
            + _prom("avg(rate(ok_total[{{.window}}]) / rate(all_total[{{.window}}]))")
            + "}}",
        ),
        _slo(
            "latency",
            "{thresholdMetric: " + _prom('http_request_duration_seconds_bucket{job="a"}') + "}",
            "{op: lte, value: 0.25, target: 0.95}",
        ),
        _slo(
            "lag",
            "{thresholdMetric: " + _prom('max(kafka_lag{group="g"})') + "}",
            "{op: lt, value: 100, targetPercent: 99}",
        ),
        _slo(
            "no-window",
            _ratio("good", "sum(rate(ok_total[5m]))", "sum(rate(all_total[5m]))"),
        ),
    ]
)


def test_each_indicator_shape_maps_or_says_why_not(tmp_path: Path, run_cli, promtool: str) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "shapes.yaml", SHAPES)
    result = run_cli("import", "openslo", "shapes.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    spec = _spec(tmp_path / "specs", "shapes")
    assert spec["team"] == "shapes-team"
    slos = {slo["name"]: slo for slo in spec["slos"]}
    assert set(slos) == {"bad-total", "gauges", "raw-success", "latency", "lag"}
    assert slos["bad-total"]["sli"] == {
        "events": {"errors": 'errors_total{job="a"}', "total": 'requests_total{job="a"}'}
    }
    assert slos["bad-total"]["group_by"] == ["cluster"]
    assert slos["gauges"]["sli"]["ratio"] == {
        "good": "sum_over_time((queue_ok)[$window:1m])",
        "total": "sum_over_time((sum(queue_all))[$window:1m])",
    }
    raw = slos["raw-success"]["sli"]["ratio"]
    assert raw["errors"].startswith("(1 - (avg(rate(ok_total[$window])")
    assert raw["total"].endswith(") * 0 + 1")
    assert slos["latency"]["sli"] == {
        "latency": {"histogram": 'http_request_duration_seconds{job="a"}', "threshold": 0.25}
    }
    assert slos["latency"]["objective"] == 95
    assert slos["lag"]["sli"]["ratio"] == {
        "errors": 'sum_over_time(((max(kafka_lag{group="g"})) >= bool 100)[$window:1m])',
        "total": 'count_over_time((max(kafka_lag{group="g"}))[$window:1m])',
    }
    assert "SLO/no-window indicator.ratioMetric.good.metricSource.spec.query:" in result.err
    assert "without a {{.window}} range" in result.err and "SLO skipped" in result.err
    assert "good while it is < 100" in result.err
    generate_and_check_rules(run_cli, tmp_path / "specs", tmp_path / "out", promtool)


V1ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: search, displayName: Search}
spec:
  service: search
  budgetingMethod: Occurrences
  timeWindows: [{count: 2, unit: Week, isRolling: true}]
  objectives:
    - displayName: Available
      target: 0.9995
      ratioMetrics:
        incremental: true
        good: {source: prometheus, queryType: promql, query: 'search_requests_total{code="200"}'}
        total: {source: prometheus, queryType: promql, query: search_requests_total}
    - displayName: Elsewhere
      target: 0.99
      ratioMetrics:
        good: {source: datadog, queryType: query, query: 'sum:requests.ok{*}'}
        total: {source: datadog, queryType: query, query: 'sum:requests.total{*}'}
"""


def test_a_v1alpha_spec_maps_per_objective(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "search.yaml", V1ALPHA)
    result = run_cli(
        "import", "openslo", "search.yaml", "-o", "specs", "--team", "web", cwd=tmp_path
    )
    assert result.code == 0, result.err
    spec = _spec(tmp_path / "specs", "search")
    (slo,) = spec["slos"]
    assert spec["team"] == "web"
    assert slo["name"] == "search-available" and slo["window"] == "14d"
    assert (
        slo["objective"] == 99.95
        and "objective: 99.95\n" in (tmp_path / "specs" / "search.yaml").read_text()
    )
    assert slo["sli"] == {
        "events": {"good": 'search_requests_total{code="200"}', "total": "search_requests_total"}
    }
    assert "metric source type 'datadog': slogen reads Prometheus only; objective skipped" in (
        result.err
    )


CALENDAR = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: monthly, labels: {owner: ops}}
spec:
  service: billing
  indicator:
    spec:
      ratioMetric:
        good: {metricSource: {type: Prometheus, spec: {query: 'jobs_total{ok="true"}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: jobs_total}}}
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar: {startTime: 2022-01-01 12:00:00, timeZone: America/New_York}
  budgetingMethod: Timeslices
  objectives:
    - {displayName: Good, op: gt, target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 1m}
"""


def test_calendar_windows_and_timeslices_import_as_rolling_occurrences_and_say_so(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "billing.yaml", CALENDAR)
    result = run_cli("import", "openslo", "billing.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    spec = _spec(tmp_path / "specs", "billing")
    assert spec["team"] == "ops" and spec["slos"][0]["window"] == "30d"
    assert spec["slos"][0]["labels"] == {"owner": "ops"}
    for said in (
        "1M counts calendar months; taken as 30d",
        "a calendar-aligned window (from 2022-01-01 12:00:00 America/New_York) is imported "
        "as a rolling 30d window; the calendar alignment is lost (slogen's calendar windows "
        "are 1w, 1M or 1Q in UTC",
        "Timeslices budgeting (timeSliceTarget 0.95, timeSliceWindow 1m) is counted as "
        "occurrences; the per-timeslice budget is lost",
        "op and value compare a threshold metric; a ratio has none, ignored",
    ):
        assert said in result.err, result.err


@pytest.mark.parametrize(
    ("duration", "start", "window"),
    [
        ("1M", "2022-01-01 00:00:00", "calendar month"),
        ("1Q", "2022-04-01 00:00:00", "calendar quarter"),
        ("1w", "2022-01-03 00:00:00", "calendar week"),
    ],
)
def test_calendar_windows_in_utc_import_as_calendar_windows(
    tmp_path: Path, run_cli, duration: str, start: str, window: str
) -> None:  # type: ignore[no-untyped-def]
    text = (
        CALENDAR.replace("duration: 1M", f"duration: {duration}")
        .replace("2022-01-01 12:00:00", start)
        .replace("America/New_York", "UTC")
    )
    write_spec(tmp_path, "billing.yaml", text)
    result = run_cli("import", "openslo", "billing.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert _spec(tmp_path / "specs", "billing")["slos"][0]["window"] == window
    assert "calendar alignment is lost" not in result.err
    assert "counts calendar" not in result.err


SLI_FILE = """\
- apiVersion: openslo/v1
  kind: SLI
  metadata: {name: orders}
  spec:
    ratioMetric:
      bad: {metricSource: {type: Prometheus, spec: {query: 'orders_failed_total'}}}
      total: {metricSource: {type: Prometheus, spec: {query: 'orders_total'}}}
"""


def _slo_file(name: str) -> str:
    return f"""\
apiVersion: openslo/v1
kind: SLO
metadata: {{name: {name}}}
spec:
  service: orders
  indicatorRef: orders
  budgetingMethod: Occurrences
  objectives: [{{target: 0.995}}]
"""


def test_references_resolve_across_the_files_of_one_import(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "a.yaml", _slo_file("placed"))
    write_spec(tmp_path, "b.yaml", _slo_file("paid"))
    write_spec(tmp_path, "slis.yaml", SLI_FILE)
    args = ("import", "openslo", "a.yaml", "b.yaml", "slis.yaml", "-o", "specs", "--team", "shop")
    result = run_cli(*args, cwd=tmp_path)
    assert result.code == 0, result.err
    spec = _spec(tmp_path / "specs", "orders")
    assert [slo["name"] for slo in spec["slos"]] == ["placed", "paid"]
    assert spec["slos"][0]["sli"] == {
        "events": {"errors": "orders_failed_total", "total": "orders_total"}
    }
    assert "from a.yaml, b.yaml;" in (tmp_path / "specs" / "orders.yaml").read_text()


def test_an_object_name_given_twice_is_a_located_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "a.yaml", _slo_file("placed") + "---\n" + SLI_FILE)
    write_spec(tmp_path, "b.yaml", _slo_file("placed"))
    result = run_cli("import", "openslo", "a.yaml", "b.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 2
    assert (
        "b.yaml: SLO/placed metadata.name: SLO 'placed' is defined twice; first in a.yaml"
        in result.err
    )
    assert "nothing was written" in result.err and not (tmp_path / "specs").exists()


def test_an_slo_name_given_twice_for_a_service_is_a_located_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    two = _slo_file("placed").replace(
        "[{target: 0.995}]", "[{displayName: EU, target: 0.995}, {displayName: US, target: 0.99}]"
    )
    write_spec(tmp_path, "a.yaml", two + "---\n" + SLI_FILE)
    write_spec(tmp_path, "b.yaml", _slo_file("placed-eu"))
    result = run_cli("import", "openslo", "a.yaml", "b.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 2
    assert (
        "b.yaml: SLO placed-eu: service 'orders' already has an SLO 'placed-eu', from a.yaml"
        in result.err
    )
    assert "nothing was written" in result.err and not (tmp_path / "specs").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            CALENDAR.replace("type: Prometheus", "type: Any"),
            "holds no OpenSLO SLO that slogen can compile: SLO 'monthly': indicator.ratioMetric."
            "good.metricSource.type: metric source type 'Any': slogen reads Prometheus only",
        ),
        (SLI_FILE, "holds no OpenSLO SLO that slogen can compile: it holds no SLO (only SLI)"),
        ("version: prometheus/v1\nservice: x\n", "holds no OpenSLO object"),
        ("apiVersion: openslo/v1\nkind: [", "invalid YAML"),
        (
            _slo_file("lonely"),
            "holds no OpenSLO SLO that slogen can compile: SLO 'lonely': spec.indicatorRef: "
            "no SLI named 'orders' in the files of this import",
        ),
    ],
    ids=["any-source", "only-slis", "not-openslo", "bad-yaml", "unresolved-ref"],
)
def test_a_file_with_nothing_to_compile_is_refused(
    text: str, message: str, tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "in.yaml", text)
    result = run_cli("import", "openslo", "in.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 2
    assert f"in.yaml: {message}" in result.err, result.err
    assert "nothing was written" in result.err
    assert not (tmp_path / "specs").exists()


@needs_peers
@pytest.mark.parametrize("path", REAL_FILES, ids=[p.name for p in REAL_FILES])
def test_the_real_files_import_compile_and_pass_promtool_or_are_refused(
    path: Path, tmp_path: Path, run_cli, promtool: str
) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("import", "openslo", str(path), "-o", str(tmp_path / "specs"))
    if path.name not in PROMETHEUS_FILES:
        assert result.code == 2
        assert "holds no OpenSLO SLO that slogen can compile" in result.err
        assert "metric source type 'Any'" in result.err or "no SLO (only SLI)" in result.err
        assert not (tmp_path / "specs").exists()
        return
    assert result.code == 0, result.err
    generate_and_check_rules(run_cli, tmp_path / "specs", tmp_path / "out", promtool)


@needs_peers
def test_the_go_sdk_file_keeps_its_burn_policy_and_reports_the_rest(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    path = PEERS / "openslo/go-sdk/pkg/openslosdk/test_data/inline/inputs/v1_slo.yaml"
    result = run_cli("import", "openslo", str(path), "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    first, second = _spec(tmp_path / "specs", "web")["slos"]
    assert "alerting" not in first and first["window"] == "7d"
    assert second["alerting"] == {
        "burn_rate": [{"severity": "page", "budget_spent": "1.19%", "long": "1h", "short": "5m"}],
        "page": {"for": "5m"},
    }
    for said in (
        "condition.op: 'lte': a burn alert fires above its threshold (gt); condition not imported",
        "burn rate 2 over 1h is budget_spent 1.19%, burn rate 1.9992",
        "no team or owner label; team set to 'unowned'",
    ):
        assert said in result.err, result.err


def test_a_quoted_target_is_the_number_it_says(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """``target: '0.99'``, as YAML writers quote it, imports as 0.99 (Pyrra's quoted
    ``'99'`` does too); a word is still refused."""
    quoted = _slo_file("placed").replace("{target: 0.995}", "{target: '0.995'}")
    write_spec(tmp_path, "a.yaml", quoted + "---\n" + SLI_FILE)
    result = run_cli("import", "openslo", "a.yaml", "-o", "specs", "--team", "shop", cwd=tmp_path)
    assert result.code == 0, result.err
    assert _spec(tmp_path / "specs", "orders")["slos"][0]["objective"] == 99.5
    worded = _slo_file("placed").replace("{target: 0.995}", "{target: 'high'}")
    write_spec(tmp_path, "b.yaml", worded + "---\n" + SLI_FILE)
    refused = run_cli("import", "openslo", "b.yaml", "-o", "out", "--team", "shop", cwd=tmp_path)
    assert refused.code == 2 and "'high' is not a number" in refused.err


def test_an_api_version_slogen_does_not_read_is_named(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write_spec(tmp_path, "a.yaml", _slo_file("placed").replace("openslo/v1", "openslo.com/v1"))
    result = run_cli("import", "openslo", "a.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 2
    assert "apiVersion 'openslo.com/v1': not an OpenSLO object slogen reads" in result.err
