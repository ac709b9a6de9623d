"""Latency thresholds on histograms that count milliseconds, microseconds or seconds.

A threshold is a duration; the ``le`` bound it becomes is in the unit the histogram's
name gives (``250ms`` is ``le="250"`` on ``*_milliseconds``). Imported bounds, given in
that unit, come back as the durations they stand for.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

import slogen
from slogen import latency_units, verify
from slogen import model as m
from slogen.docs.sli import describe
from slogen.lint import _classic
from tests.conftest import MINIMAL_SPEC, write_spec

LATENCY = MINIMAL_SPEC.replace(
    '      events:\n        errors: http_requests_total{job="shop", code=~"5.."}\n'
    '        total: http_requests_total{job="shop"}\n',
    "      latency:\n        histogram: {histogram}\n        threshold: {threshold}\n",
)


def _spec(histogram: str, threshold: str) -> str:
    return LATENCY.replace("{histogram}", histogram + '{job="shop"}').replace(
        "{threshold}", threshold
    )


def _sli(tmp_path: Path, histogram: str, threshold: str) -> m.LatencySLI:
    write_spec(tmp_path / "specs", "shop.yaml", _spec(histogram, threshold))
    slo = next(slogen.compile_model(slogen.load(tmp_path / "specs")).slos())
    assert isinstance(slo.sli, m.LatencySLI)
    return slo.sli


def _rules(bundle: Any) -> str:
    """The PromQL of every generated Prometheus rule, one expression a line."""
    exprs = []
    for path, content in bundle.files.items():
        if path.startswith("prometheus/"):
            for group in yaml.safe_load(content)["groups"]:
                exprs += [rule["expr"] for rule in group["rules"]]
    return "\n".join(exprs)


def _le_matchers(bundle: Any) -> set[str]:
    """The regexes of the rules' ``le=~"..."`` matchers, PromQL string escapes undone."""
    found = re.findall(r'le=~"((?:[^"\\]|\\.)*)"', _rules(bundle))
    return {value.replace("\\\\", "\\") for value in found}


@pytest.mark.parametrize(
    ("metric", "unit"),
    [
        ("http_request_duration_seconds", latency_units.SECONDS),
        ("http_request_duration_seconds_bucket", latency_units.SECONDS),
        ("istio_request_duration_milliseconds", latency_units.MILLISECONDS),
        ("istio_request_duration_milliseconds_count", latency_units.MILLISECONDS),
        ("rpc_latency_ms_sum", latency_units.MILLISECONDS),
        ("rpc_duration_microseconds", latency_units.MICROSECONDS),
        ("request_latency", None),
        ("request_latency_bucket", None),
        ("items_s", None),
        ("seconds_total", None),
    ],
)
def test_the_unit_comes_from_the_name_before_the_series_suffix(
    metric: str, unit: latency_units.TimeUnit | None
) -> None:
    assert latency_units.histogram_unit(metric) == unit


@pytest.mark.parametrize(
    ("threshold", "metric", "bound"),
    [
        (Fraction(1, 4), "istio_request_duration_milliseconds", Fraction(250)),
        (Fraction(1, 4), "rpc_duration_microseconds", Fraction(250_000)),
        (Fraction(1, 4), "http_request_duration_seconds", Fraction(1, 4)),
        (Fraction(1, 4), "request_latency", Fraction(1, 4)),
        (Fraction(16384, 1000), "http_request_duration_seconds", Fraction(16384, 1000)),
    ],
)
def test_bucket_bound_and_its_inverse(threshold: Fraction, metric: str, bound: Fraction) -> None:
    assert latency_units.bucket_bound(threshold, metric) == bound
    assert latency_units.threshold_seconds(bound, metric) == threshold


def test_a_milliseconds_histogram_gets_le_in_milliseconds_and_its_proofs_pass(
    tmp_path: Path, promtool: str
) -> None:
    write_spec(
        tmp_path / "specs", "shop.yaml", _spec("istio_request_duration_milliseconds", "250ms")
    )
    bundle = slogen.compile(slogen.load(tmp_path / "specs"))
    patterns = _le_matchers(bundle)
    assert patterns, "no le matcher in the rules"
    for pattern in patterns:
        assert re.fullmatch(pattern, "250") and re.fullmatch(pattern, "250.0"), pattern
        assert not re.fullmatch(pattern, "0.25"), pattern
    series = b"".join(c for p, c in bundle.files.items() if p.startswith("tests/")).decode()
    assert 'le="250"' in series and 'le="0.25"' not in series
    docs = b"".join(c for p, c in bundle.files.items() if p.startswith("docs/")).decode()
    assert "within 250ms" in docs and 'le="250"' in docs
    failed = [str(r) for r in verify.prove(dict(bundle.files), "shop") if not r.ok]
    assert not failed, "\n\n".join(failed)


def test_microseconds_and_a_bare_bound_on_milliseconds(tmp_path: Path) -> None:
    micro = _sli(tmp_path / "a", "rpc_duration_microseconds", "250ms")
    assert micro.threshold == Fraction(1, 4) and micro.bound == 250_000
    bare = _sli(tmp_path / "b", "istio_request_duration_milliseconds", "250")
    assert bare.threshold == Fraction(1, 4) and bare.bound == 250
    assert describe(bare).words.startswith("The share of requests that complete within 250ms")
    assert "counts milliseconds, so 250ms is its bound 250" in describe(bare).words


def test_a_seconds_histogram_is_unchanged(tmp_path: Path) -> None:
    sli = _sli(tmp_path, "http_request_duration_seconds", "250ms")
    assert sli.threshold == sli.bound == Fraction(1, 4)
    assert "counts" not in describe(sli).words


def test_a_native_milliseconds_histogram_compares_in_milliseconds(tmp_path: Path) -> None:
    spec = _spec("istio_request_duration_milliseconds", "300ms") + "        native: true\n"
    write_spec(tmp_path / "specs", "shop.yaml", spec)
    bundle = slogen.compile(slogen.load(tmp_path / "specs"))
    rules = _rules(bundle)
    assert "histogram_fraction(0, 300," in rules
    assert "histogram_fraction(0, 0.3," not in rules


@pytest.mark.parametrize(
    ("histogram", "threshold", "noted"),
    [
        ("request_latency", "250ms", True),
        ("request_latency", "0.25", False),
        ("istio_request_duration_milliseconds", "250ms", False),
        ("http_request_duration_seconds", "250ms", False),
    ],
)
def test_a_duration_on_a_histogram_with_no_unit_is_noted(
    tmp_path: Path, run_cli: Any, histogram: str, threshold: str, noted: bool
) -> None:
    write_spec(tmp_path, "specs/shop.yaml", _spec(histogram, threshold))
    result = run_cli("validate", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert ("has no unit in its name" in result.err) is noted, result.err
    if noted:
        assert 'taken as le="0.25" in seconds' in result.err


class _Server:
    """The two calls lint's bucket check makes, answered from fixed bounds."""

    url = "http://prometheus.invalid"

    def __init__(self, bounds: list[str]) -> None:
        self.bounds = bounds

    def label_values(self, name: str, selector: str) -> list[str]:
        return self.bounds

    def series(self, selector: str) -> list[dict[str, str]]:
        return []


def _lint(tmp_path: Path, histogram: str, threshold: str, bounds: list[str]) -> str:
    write_spec(tmp_path / "specs", "shop.yaml", _spec(histogram, threshold))
    slo = next(slogen.compile_model(slogen.load(tmp_path / "specs")).slos())
    assert isinstance(slo.sli, m.LatencySLI)
    finding = _classic(slo, slo.sli, _Server(bounds))  # type: ignore[arg-type]
    return str(finding)


def test_lint_checks_the_bound_in_the_histograms_unit(tmp_path: Path) -> None:
    found = _lint(tmp_path, "istio_request_duration_milliseconds", "250ms", ["100", "250", "+Inf"])
    assert found == (
        "ok: shop/availability: threshold 250ms (le 250 in milliseconds) is a bucket bound "
        '(le="250")'
    )


def test_lint_says_the_histogram_counts_milliseconds(tmp_path: Path) -> None:
    named = _lint(tmp_path / "a", "istio_request_duration_milliseconds", "300ms", ["100", "250"])
    assert named.startswith(
        "problem: shop/availability: this histogram counts milliseconds (by its name "
        "istio_request_duration_milliseconds), so 300ms is the bound 300; threshold 300ms"
    ), named
    unnamed = _lint(tmp_path / "b", "request_latency", "250ms", ["100", "250", "+Inf"])
    assert (
        "this histogram seems to count milliseconds: its name gives no unit, but its bounds "
        "include 250, which is 250ms in milliseconds; if so, write threshold: 250"
    ) in unnamed, unnamed
    misnamed = _lint(tmp_path / "c", "api_seconds", "250ms", ["100", "250", "+Inf"])
    assert "its name says seconds, but its bounds include 250" in misnamed, misnamed


# Importers: a bound in the histogram's unit becomes the duration it stands for.

PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: {name}
  labels: {{app: shop, pyrra.dev/team: web}}
spec:
  target: "99"
  window: 28d
  indicator:
    latency:
      success: {{metric: '{metric}_bucket{{job="shop",le="{le}"}}'}}
      total: {{metric: '{metric}_count{{job="shop"}}'}}
"""

PYRRA_CASES = [
    ("big-seconds", "http_request_duration_seconds", "16.384", "16.384s", Fraction(16384, 1000)),
    ("small-seconds", "http_request_duration_seconds", "0.25", 0.25, Fraction(1, 4)),
    ("millis", "istio_request_duration_milliseconds", "250", "250ms", Fraction(250)),
    ("micros", "rpc_duration_microseconds", "250000", "250ms", Fraction(250_000)),
    ("no-unit", "request_latency", "250", 250, Fraction(250)),
]


def _imported(tmp_path: Path, service: str) -> dict[str, dict[str, Any]]:
    loaded = yaml.safe_load((tmp_path / "specs" / f"{service}.yaml").read_text())
    return {slo["name"]: slo for slo in loaded["slos"]}


def _bounds(tmp_path: Path) -> dict[str, Fraction]:
    model = slogen.compile_model(slogen.load(tmp_path / "specs"))
    return {slo.name: slo.sli.bound for slo in model.slos() if isinstance(slo.sli, m.LatencySLI)}


def test_pyrra_native_latency_on_milliseconds_is_said(tmp_path: Path, run_cli: Any) -> None:
    write_spec(
        tmp_path,
        "slos.yaml",
        """\
        apiVersion: pyrra.dev/v1alpha1
        kind: ServiceLevelObjective
        metadata: {name: native, labels: {app: shop, pyrra.dev/team: web}}
        spec:
          target: "99"
          window: 28d
          indicator:
            latencyNative:
              latency: 200ms
              total: {metric: 'istio_request_duration_milliseconds{job="shop"}'}
        """,
    )
    result = run_cli("import", "pyrra", "slos.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert _imported(tmp_path, "shop")["native"]["sli"]["latency"]["threshold"] == "200ms"
    assert "Pyrra compares 0.2 (seconds)" in result.err, result.err
    assert _bounds(tmp_path)["native"] == 200


OPENSLO = """\
- apiVersion: openslo/v1
  kind: SLO
  metadata: {{name: {name}, labels: {{team: web}}}}
  spec:
    service: shop
    indicator:
      metadata: {{name: {name}}}
      spec:
        thresholdMetric:
          metricSource:
            type: prometheus
            spec: {{query: '{metric}_bucket{{job="shop"}}'}}
    timeWindow: [{{duration: 1w, isRolling: true}}]
    budgetingMethod: Occurrences
    objectives: [{{target: 0.99, op: lte, value: {le}}}]
"""


@pytest.mark.parametrize(
    ("tool", "template", "joiner"), [("pyrra", PYRRA, "---\n"), ("openslo", OPENSLO, "")]
)
def test_imported_latency_bounds_keep_their_unit(
    tmp_path: Path, run_cli: Any, tool: str, template: str, joiner: str
) -> None:
    """Pyrra's and OpenSLO's ``le`` is in the histogram's own unit: read that way, with
    one note for the histogram whose name gives none, and no note once imported."""
    text = joiner.join(
        template.format(name=name, metric=metric, le=le) for name, metric, le, _, _ in PYRRA_CASES
    )
    write_spec(tmp_path, "slos.yaml", text)
    result = run_cli("import", tool, "slos.yaml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    slos = _imported(tmp_path, "shop")
    for name, _, _, threshold, _ in PYRRA_CASES:
        assert slos[name]["sli"]["latency"]["threshold"] == threshold, name
    assert result.err.count("has no unit in its name") == 1, result.err
    assert "request_latency has no unit in its name" in result.err
    bounds = _bounds(tmp_path)
    for name, _, _, _, bound in PYRRA_CASES:
        assert bounds[name] == bound, name
    validated = run_cli("validate", "specs", cwd=tmp_path)
    assert validated.code == 0, validated.err
    assert "means" not in validated.err and "no unit" not in validated.err, validated.err
