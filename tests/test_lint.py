"""`slogen lint` against a real Prometheus holding backfilled histograms.

The histograms are written as OpenMetrics text, turned into TSDB blocks with
``promtool tsdb create-blocks-from openmetrics`` and served by a real ``prometheus``
started on that data directory: bounds printed the Go way (``le="1"``) for one job
and the Java/Python way (``le="1.0"``, ``1000000.0``) for another. The retention
check runs against real servers started with short retention flags.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from slogen.lint import parse_retention
from tests.conftest import MINIMAL_SPEC, CliResult, write_spec
from tests.prometheus_harness import running_prometheus
from tests.server_harness import free_port

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
    # a month: the SLOs' period (30d by default), so the retention check passes
    with running_prometheus(
        data, config, workdir, retention=["--storage.tsdb.retention.time=30d"]
    ) as server:
        yield server.url


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
        "ok: retention: Prometheus keeps 30d of data (storage retention 30d), at least "
        "the longest SLO period (30d)",
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
    assert result.out.splitlines()[1:] == ["no latency SLOs to check"]


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


PERIODS = """\
service: shop
team: web
runbook: false
slos:
  - name: monthly
    window: 30d
    objective: 99
    sli:
      events: {errors: 'requests_total{code="500"}', total: requests_total}
  - name: weekly
    window: 7d
    objective: 99
    sli:
      events: {errors: 'requests_total{code="500"}', total: requests_total}
"""

WEEKLY_ONLY = (
    PERIODS[: PERIODS.index("  - name: monthly")] + PERIODS[PERIODS.index("  - name: weekly") :]
)


def _lint_with_retention(
    tmp_path: Path, run_cli: RunCli, retention: Sequence[str], spec: str = PERIODS
) -> CliResult:
    """``slogen lint`` against a real, empty Prometheus started with ``retention``."""
    write_spec(tmp_path, "specs/shop.yaml", spec)
    config = tmp_path / "prometheus.yml"
    config.write_text("global: {}\n")
    with running_prometheus(tmp_path / "data", config, tmp_path, retention) as server:
        return run_cli("lint", "--prometheus", server.url, "specs", cwd=tmp_path)


def test_a_retention_shorter_than_a_period_is_a_problem(tmp_path: Path, run_cli: RunCli) -> None:
    result = _lint_with_retention(tmp_path, run_cli, ["--storage.tsdb.retention.time=10d"])
    assert result.code == 1
    assert result.out.splitlines() == [
        "problem: shop/monthly: its 30d period is longer than the 10d Prometheus keeps "
        "(storage retention 10d), so the period's error ratio and budget would forget "
        "every error older than 10d; start Prometheus with "
        "--storage.tsdb.retention.time=30d or more (the longest SLO period)",
        "no latency SLOs to check",
    ]
    assert result.err == "1 SLO has a period longer than Prometheus keeps data\n"


def test_the_time_part_of_a_time_or_size_retention_is_judged(
    tmp_path: Path, run_cli: RunCli
) -> None:
    flags = ["--storage.tsdb.retention.time=10d", "--storage.tsdb.retention.size=1GB"]
    short = _lint_with_retention(tmp_path / "short", run_cli, flags)
    assert short.code == 1
    assert short.out.startswith("problem: shop/monthly: its 30d period is longer than the 10d")
    assert "(storage retention 10d or 1GiB)" in short.out and "shop/weekly" not in short.out
    enough = _lint_with_retention(tmp_path / "enough", run_cli, flags, WEEKLY_ONLY)
    assert enough.code == 0, enough.out + enough.err
    assert enough.out.splitlines()[0] == (
        "ok: retention: Prometheus keeps 10d of data (storage retention 10d or 1GiB), at "
        "least the longest SLO period (7d); its size limit (1GiB) may delete data sooner"
    )


def test_a_retention_by_size_only_cannot_be_judged(tmp_path: Path, run_cli: RunCli) -> None:
    result = _lint_with_retention(tmp_path, run_cli, ["--storage.tsdb.retention.size=512MB"])
    assert result.code == 0, result.out + result.err
    assert result.out.splitlines()[0] == (
        "note: retention: Prometheus limits its storage by size only (512MiB), so whether "
        "it keeps the longest SLO period (30d) cannot be judged here: make sure 512MiB "
        "holds 30d of samples, or set --storage.tsdb.retention.time=30d and a size that "
        "holds it"
    )


@pytest.mark.parametrize(
    ("reported", "keeps", "sizes"),
    [
        ("15d", 15 * 86400, []),
        ("1w3d", 10 * 86400, []),
        ("100y", 100 * 365 * 86400, []),
        ("15d or 10GiB", 15 * 86400, ["10GiB"]),
        ("10GiB", None, ["10GiB"]),
    ],
)
def test_retention_as_prometheus_reports_it(
    reported: str, keeps: int | None, sizes: list[str]
) -> None:
    assert parse_retention(reported) == (keeps, sizes)


@pytest.fixture
def query_api_only() -> Iterator[str]:
    """A server with Prometheus' query API but no runtimeinfo (as Thanos or Mimir)."""

    class QueryOnly(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if "/status/" in self.path:
                self.send_error(404)
                return
            body = b'{"status": "success", "data": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", free_port()), QueryOnly)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_does_not_report_its_retention_is_noted(
    tmp_path: Path, run_cli: RunCli, query_api_only: str
) -> None:
    write_spec(tmp_path, "specs/shop.yaml", PERIODS)
    result = run_cli("lint", "--prometheus", query_api_only, "specs", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert result.out.splitlines() == [
        f"note: retention: {query_api_only} does not report its retention "
        "(--storage.tsdb.retention.time and .size; a Prometheus says it at "
        "/api/v1/status/runtimeinfo): make sure it keeps the longest SLO period, 30d",
        "no latency SLOs to check",
    ]
