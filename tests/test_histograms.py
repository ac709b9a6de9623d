"""Latency SLIs on a real Prometheus: every `le` spelling and a native histogram agree.

A real ``prometheus`` (with native histograms enabled) scrapes the loopback exporter in
``histogram_exporter``: the same distribution printed as client_golang prints it
(``le="1"``), as the Python and Java clients and Prometheus 3 store it (``le="1.0"``),
both at once, and as a native histogram over protobuf. It evaluates slogen's generated
rules for one SLO per target, every second instead of every minute (nothing else in
the rules is changed), and the SLIs must be the same.

The generated promtool proofs print bounds the Go way; they are also run with the
buckets printed the other ways, and must hold, and with the threshold bucket missing,
and must fail.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import slogen
from slogen import model as m
from slogen.rules import sli as sli_rules
from slogen.testgen.shapes import NATIVE_GAP
from tests.conftest import CliResult, write_spec
from tests.histogram_exporter import METRIC, exporting
from tests.server_harness import running, wait_for

RunCli = Callable[..., CliResult]
SPEC = f"""\
service: shop
team: web
runbook: false
slos:
  - name: go
    objective: 99
    sli:
      latency:
        histogram: {METRIC}{{job="go"}}
        threshold: 1s
  - name: python
    objective: 99
    sli:
      latency:
        histogram: {METRIC}{{job="python"}}
        threshold: 1
  - name: mixed
    objective: 99
    sli:
      latency:
        histogram: {METRIC}_bucket{{job="mixed"}}
        threshold: 1000ms
  - name: native
    objective: 99
    sli:
      latency:
        histogram: {METRIC}{{job="native"}}
        threshold: 1s
        native: true
  - name: native-between-bounds
    objective: 99
    sli:
      latency:
        histogram: {METRIC}{{job="native"}}
        threshold: 750ms
        native: true
"""
CLASSIC = ("go", "python", "mixed")
JOBS = ("go", "python", "mixed", "native")
RATIOS = ("slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate1h")


def _query(url: str, expr: str) -> list[dict[str, Any]]:
    address = f"{url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    with urllib.request.urlopen(address, timeout=10) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def _by_slo(url: str, record: str) -> dict[str, float]:
    return {
        str(s["metric"]["slo_name"]): float(s["value"][1])
        for s in _query(url, f'{record}{{slo_service="shop"}}')
    }


def _listening(flags: list[str]) -> Callable[[int], list[str]]:
    return lambda port: [*flags, f"--web.listen-address=127.0.0.1:{port}"]


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> slogen.Specs:
    directory = tmp_path_factory.mktemp("specs")
    write_spec(directory, "shop.yaml", SPEC)
    return slogen.load([directory])


@pytest.fixture(scope="module")
def prometheus(specs: slogen.Specs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Prometheus scraping every target each second and evaluating the rules."""
    workdir = tmp_path_factory.mktemp("prometheus")
    rules = yaml.safe_load(slogen.compile(specs).files["prometheus/shop.rules.yml"])
    for group in rules["groups"]:
        group["interval"] = "1s"
    (workdir / "rules.yml").write_text(yaml.safe_dump(rules))
    with exporting() as exporter:
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": ["rules.yml"],
            "scrape_configs": [
                {
                    "job_name": job,
                    "metrics_path": f"/{job}",
                    "static_configs": [{"targets": [exporter]}],
                }
                for job in JOBS
            ],
        }
        (workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
        flags = [
            f"--config.file={workdir / 'prometheus.yml'}",
            f"--storage.tsdb.path={workdir / 'data'}",
            "--enable-feature=native-histograms",
        ]
        with running("prometheus", _listening(flags), workdir) as url:
            wanted = {"go", "python", "mixed", "native", "native-between-bounds"}
            wait_for(
                lambda: all(set(_by_slo(url, r)) == wanted for r in RATIOS),
                60,
                lambda: (
                    f"SLIs never appeared: {[_by_slo(url, r) for r in RATIOS]}\n"
                    + (workdir / "prometheus.log").read_text()[-3000:]
                ),
            )
            yield url


def test_the_exporter_really_serves_each_spelling(prometheus: str) -> None:
    """Prometheus 2 kept what each target printed, and the native target is native."""
    stored = {
        str(s["metric"]["job"]): str(s["metric"]["le"])
        for s in _query(prometheus, f'{METRIC}_bucket{{le=~"1|1.0"}}')
    }
    assert stored["go"] == "1"
    assert stored["python"] == "1.0"
    spellings = _query(prometheus, f'count by (le) ({METRIC}_bucket{{job="mixed", le=~"1|1.0"}})')
    assert {s["metric"]["le"] for s in spellings} == {"1", "1.0"}
    assert not _query(prometheus, f'{METRIC}_bucket{{job="native"}}')
    assert _query(prometheus, f'histogram_count({METRIC}{{job="native"}})')


@pytest.mark.parametrize("record", RATIOS)
def test_every_spelling_and_the_native_histogram_give_the_same_sli(
    prometheus: str, record: str
) -> None:
    """10% of requests are slower than 1s on every target; each reads exactly that."""
    ratios = _by_slo(prometheus, record)
    for name in (*CLASSIC, "native"):
        assert math.isclose(ratios[name], 0.1, rel_tol=1e-9), (name, ratios)
    assert math.isclose(ratios["go"], ratios["python"], rel_tol=1e-12)


def test_a_native_threshold_between_bucket_bounds_is_interpolated(prometheus: str) -> None:
    """750ms falls inside the (0.5s, 1s] bucket: the share slower than it is estimated
    between the shares slower than the bucket's bounds (10% and 50%), not read as 0."""
    ratio = _by_slo(prometheus, "slo:sli_error:ratio_rate5m")["native-between-bounds"]
    assert 0.1 < ratio < 0.5


def test_lint_finds_every_histogram_on_the_live_server(
    prometheus: str, specs: slogen.Specs
) -> None:
    every = slogen.lint(specs, prometheus)
    findings = [f for f in every if f.check == "latency"]
    slos = ["shop/go", "shop/python", "shop/mixed", "shop/native", "shop/native-between-bounds"]
    assert [f.slo for f in findings] == slos
    # Prometheus' default retention, 15d, is shorter than the SLOs' 30d period
    assert [f.slo for f in every if f.check == "retention" and not f.ok] == slos
    assert all(f.ok for f in findings), [str(f) for f in findings]
    assert 'le="1", le="1.0"' in findings[2].message


def _native_slo(specs: slogen.Specs) -> m.SLO:
    return next(s for s in slogen.compile_model(specs).slos() if s.name == "native")


def test_native_rules_read_the_histogram_with_fraction_times_count(specs: slogen.Specs) -> None:
    total, errors = (r.expr for r in sli_rules.sli_recordings(_native_slo(specs)))
    rate = f'sum(rate({METRIC}{{job="native"}}[5m]))'
    assert total == f"histogram_count({rate})"
    assert f"histogram_fraction(0, 1, {rate}) * histogram_count({rate})" in errors
    assert "_bucket" not in total + errors


def test_native_slos_are_proven_from_their_recordings_and_say_what_is_not(
    specs: slogen.Specs,
) -> None:
    bundle = slogen.compile(specs)
    coverage = {c.slo: c for c in bundle.coverage()}
    assert coverage["native"].unproven == NATIVE_GAP
    assert coverage["native"].scenarios > 0 and not coverage["native"].proven
    assert coverage["go"].proven and coverage["python"].proven
    assert not [g for g in bundle.gaps() if g.startswith(("shop/go:", "shop/python:"))]
    assert all(result.ok for result in bundle.check_rules()), bundle.check_rules()


def test_native_is_checked_with_the_spec(tmp_path: Path, run_cli: RunCli) -> None:
    spec = SPEC.replace(
        f'{METRIC}{{job="native"}}\n        threshold: 1s',
        f"{METRIC}_bucket\n        threshold: 1s",
        1,
    )
    write_spec(tmp_path, "specs/shop.yaml", spec)
    result = run_cli("validate", "specs", cwd=tmp_path)
    assert result.code == 2
    assert "a native histogram does not have" in result.err


PROVEN = """\
service: shop
team: web
runbook: false
slos:
  - name: latency
    objective: 99
    sli:
      latency:
        histogram: request_seconds{job="shop"}
        threshold: 1s
"""
GO_BOUND = re.compile(r'(le=")(1|10)(")')


def _respelled(content: bytes, respell: Callable[[str], list[str]]) -> bytes:
    """A generated test file whose bucket series are printed another way."""
    document = yaml.safe_load(content)
    for test in document["tests"]:
        series = []
        for entry in test["input_series"]:
            for labels in respell(entry["series"]):
                series.append({**entry, "series": labels})
        test["input_series"] = series
    return yaml.safe_dump(document).encode()


def _prove(tmp_path: Path, promtool: str, respell: Callable[[str], list[str]]) -> list[str]:
    """Run every generated proof of PROVEN on respelled series; the failing files."""
    directory = tmp_path / "specs"
    write_spec(directory, "shop.yaml", PROVEN)
    bundle = slogen.compile(slogen.load([directory]))
    failed = []
    for path, content in bundle.files.items():
        if not path.startswith(("prometheus/", "tests/")):
            continue
        target = tmp_path / "out" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        proof = path.startswith("tests/") and path.endswith(".test.yml")
        target.write_bytes(_respelled(content, respell) if proof else content)
        if proof:
            result = subprocess.run(
                [promtool, "test", "rules", target.name],
                cwd=target.parent,
                capture_output=True,
                text=True,
            )
            failed += [path] if result.returncode else []
    return failed


@pytest.mark.parametrize(
    ("client", "respell"),
    [
        ("python, java, prometheus 3", lambda s: [GO_BOUND.sub(r"\1\2.0\3", s)]),
        ("go and prometheus 3 at once", lambda s: sorted({s, GO_BOUND.sub(r"\1\2.0\3", s)})),
    ],
)
def test_generated_proofs_hold_for_every_classic_spelling(
    tmp_path: Path, promtool: str, client: str, respell: Callable[[str], list[str]]
) -> None:
    """The generated promtool tests print bounds as Go does (le="1"); the same alerts
    fire at the same times when the buckets are printed another way."""
    assert _prove(tmp_path, promtool, respell) == []


def test_generated_proofs_fail_when_the_threshold_bucket_is_missing(
    tmp_path: Path, promtool: str
) -> None:
    """The control: with the 1s bucket printed as 2s, the same proofs fail."""
    failed = _prove(tmp_path, promtool, lambda s: [s.replace('le="1"', 'le="2"')])
    assert failed
