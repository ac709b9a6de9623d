"""`slogen lint` against a real Prometheus holding backfilled histograms.

The histograms are written as OpenMetrics text, turned into TSDB blocks with
``promtool tsdb create-blocks-from openmetrics`` and served by a real ``prometheus``
started on that data directory: bounds printed the Go way (``le="1"``) for one job
and the Java/Python way (``le="1.0"``, ``1000000.0``) for another.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_SPEC, CliResult, write_spec
from tests.server_harness import free_port, running

BOUNDS = {
    "go": ("0.1", "0.25", "1", "2.5", "1e+06"),
    "java": ("0.1", "0.25", "1.0", "2.5", "1000000.0"),
}


def _openmetrics(start: int) -> str:
    lines = ["# TYPE api_seconds histogram"]
    for minute in range(10):
        stamp = start + minute * 60
        for job, bounds in BOUNDS.items():
            for index, le in enumerate((*bounds, "+Inf")):
                count = minute * (index + 1)
                lines.append(f'api_seconds_bucket{{job="{job}",le="{le}"}} {count} {stamp}')
            lines.append(f'api_seconds_count{{job="{job}"}} {minute * 6} {stamp}')
            lines.append(f'api_seconds_sum{{job="{job}"}} {minute} {stamp}')
    return "\n".join([*lines, "# EOF"]) + "\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory, promtool: str) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("lint")
    data = workdir / "data"
    source = workdir / "histograms.om"
    source.write_text(_openmetrics(int(time.time()) - 3 * 3600))
    backfill = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
        capture_output=True,
        text=True,
    )
    assert backfill.returncode == 0, backfill.stdout + backfill.stderr
    (workdir / "prometheus.yml").write_text("global: {}\n")
    config = workdir / "prometheus.yml"
    with running(
        "prometheus",
        lambda port: [
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        workdir,
    ) as url:
        yield url


RunCli = Callable[..., CliResult]
SPEC = """\
service: api
team: web
runbook: false
slos:
  - name: go-1s
    objective: 99
    sli:
      latency: {histogram: 'api_seconds{job="go"}', threshold: 1s}
  - name: java-1s
    objective: 99
    sli:
      latency: {histogram: 'api_seconds_bucket{job="java"}', threshold: 1}
  - name: java-1e6
    objective: 99
    sli:
      latency: {histogram: 'api_seconds{job="java"}', threshold: 1000000}
  - name: availability
    objective: 99
    sli:
      events: {errors: 'requests_total{code="500"}', total: requests_total}
"""

PROBLEMS = """\
  - name: go-500ms
    objective: 99
    sli:
      latency: {histogram: 'api_seconds{job="go"}', threshold: 500ms}
  - name: missing
    objective: 99
    sli:
      latency: {histogram: 'nothing_seconds{job="go"}', threshold: 1s}
  - name: native-but-classic
    objective: 99
    sli:
      latency: {histogram: 'api_seconds{job="java"}', threshold: 1s, native: true}
"""


def test_thresholds_that_are_bucket_bounds_pass(
    tmp_path: Path,
    run_cli: RunCli,
    prometheus: str,
) -> None:
    write_spec(tmp_path, "specs/api.yaml", SPEC)
    result = run_cli("lint", "--prometheus", prometheus, "specs", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert result.out.splitlines() == [
        'ok: api/go-1s: threshold 1s is a bucket bound (le="1")',
        'ok: api/java-1s: threshold 1s is a bucket bound (le="1.0")',
        'ok: api/java-1e6: threshold 1000000s is a bucket bound (le="1000000.0")',
    ]


def test_a_missing_bucket_is_named_with_the_bounds_that_exist(
    tmp_path: Path,
    run_cli: RunCli,
    prometheus: str,
) -> None:
    write_spec(tmp_path, "specs/api.yaml", SPEC + PROBLEMS)
    result = run_cli("lint", "--prometheus", prometheus + "/", "specs", cwd=tmp_path)
    assert result.code == 1
    lines = {line.split(": ")[1]: line for line in result.out.splitlines()}
    assert lines["api/go-1s"].startswith("ok: ")
    assert lines["api/go-500ms"] == (
        "problem: api/go-500ms: threshold 0.5s is not a bucket bound of "
        'api_seconds_bucket{job="go"}, so no request would count as good; its bounds are '
        "0.1, 0.25, 1, 2.5, 1000000, +Inf: use one of them as the threshold, add the bucket "
        "to the histogram, or use a native histogram"
    )
    assert "no series match nothing_seconds_bucket" in lines["api/missing"]
    assert "it is a classic histogram here" in lines["api/native-but-classic"]
    assert "0.1, 0.25, 1, 2.5, 1000000, +Inf" in lines["api/native-but-classic"]
    assert "3 of 6 latency SLOs have problems" in result.err


def test_specs_without_latency_slos_have_nothing_to_check(
    tmp_path: Path,
    run_cli: RunCli,
    prometheus: str,
) -> None:
    write_spec(tmp_path, "specs/shop.yaml", MINIMAL_SPEC)
    result = run_cli("lint", "--prometheus", prometheus, "specs", cwd=tmp_path)
    assert result.code == 0
    assert result.out == "no latency SLOs to check\n"


def test_an_unreachable_server_is_said_plainly(tmp_path: Path, run_cli: RunCli) -> None:
    write_spec(tmp_path, "specs/api.yaml", SPEC)
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("lint", "--prometheus", url, "specs", cwd=tmp_path)
    assert result.code == 3
    assert f"cannot reach Prometheus at {url}" in result.err
    assert result.out == ""


def test_a_url_that_is_not_http_is_bad_input(tmp_path: Path, run_cli: RunCli) -> None:
    write_spec(tmp_path, "specs/api.yaml", SPEC)
    result = run_cli("lint", "--prometheus", "localhost:9090", "specs", cwd=tmp_path)
    assert result.code == 2
    assert "is not an http(s) URL" in result.err


def test_a_server_that_is_not_prometheus_is_named(
    tmp_path: Path,
    run_cli: RunCli,
    prometheus: str,
) -> None:
    write_spec(tmp_path, "specs/api.yaml", SPEC)
    result = run_cli("lint", "--prometheus", prometheus + "/nowhere", "specs", cwd=tmp_path)
    assert result.code == 3
    assert "refused /api/v1/label/le/values" in result.err
