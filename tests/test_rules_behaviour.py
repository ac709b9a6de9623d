"""What the generated recordings compute, shown by promtool on synthetic series.

Rates are chosen so that every expected value is exact in floating point: error
shares are powers of two, so sums over windows scale exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.promtool_harness import compile_tree, expect, run_promtool_test

SHOP = """\
service: shop
team: web
runbook: false
labels: {domain: retail}
slos:
  - name: availability
    objective: 99.9
    group_by: [cluster]
    sli:
      events:
        errors: http_requests_total{job="shop", code=~"5.."}
        total: http_requests_total{job="shop"}
  - name: success
    objective: 99
    sli:
      events:
        good: jobs_total{job="worker", result="ok"}
        total: jobs_total{job="worker"}
  - name: latency
    objective: 95
    sli:
      latency:
        histogram: request_seconds{job="shop"}
        threshold: 100ms
  - name: probe
    objective: 99.9
    sli:
      up:
        metric: probe_success{job="blackbox"}
  - name: fresh
    objective: 99.5
    sli:
      freshness:
        timestamp: last_success_timestamp_seconds{pipeline="orders"}
        max_age: 10m
  - name: custom
    objective: 90
    sli:
      ratio:
        errors: sum(rate(batch_failed_total[$window]))
        total: sum(rate(batch_total[$window]))
    alerting:
      page: {enabled: false}
"""

SERIES = {
    # cluster a: 1/s of which 0.25/s are 5xx; cluster b: 2/s, no 5xx series at all
    'http_requests_total{job="shop", cluster="a", code="200"}': "0+45x200",
    'http_requests_total{job="shop", cluster="a", code="500"}': "0+15x200",
    'http_requests_total{job="shop", cluster="b", code="200"}': "0+120x200",
    # no good series exists yet: every job counts as an error
    'jobs_total{job="worker", result="failed"}': "0+60x200",
    # 0.5/s at or below 100ms of 1/s; Go spells the bound 0.1
    'request_seconds_bucket{job="shop", le="0.1"}': "0+30x200",
    'request_seconds_bucket{job="shop", le="+Inf"}': "0+60x200",
    'request_seconds_count{job="shop"}': "0+60x200",
    # four probed targets, one down
    'probe_success{job="blackbox", instance="a"}': "1x200",
    'probe_success{job="blackbox", instance="b"}': "1x200",
    'probe_success{job="blackbox", instance="c"}': "1x200",
    'probe_success{job="blackbox", instance="d"}': "0x200",
    # last success at t=0, never again: stale from minute 10 on
    'last_success_timestamp_seconds{pipeline="orders"}': "0x200",
    "batch_total": "0+60x200",
    "batch_failed_total": "0+30x200",
}


def _id(slo: str, **extra: str) -> str:
    """Labels of a recorded series: identity and groups; static labels are not on them."""
    labels = {"slo_name": slo, "slo_service": "shop", **extra}
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return compile_tree(tmp_path_factory.mktemp("specs"), {"shop.yaml": SHOP})


def _check(promtool: str, tmp_path: Path, bundle, tests) -> None:  # type: ignore[no-untyped-def]
    result = run_promtool_test(promtool, tmp_path, bundle, SERIES, tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_error_series_counts_zero_per_group(promtool: str, tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    _check(
        promtool,
        tmp_path,
        bundle,
        [
            expect(
                'slo:sli_errors:rate5m{slo_name="availability"}',
                "90m",
                ("slo:sli_errors:rate5m" + _id("availability", cluster="a"), 0.25),
                ("slo:sli_errors:rate5m" + _id("availability", cluster="b"), 0),
            ),
            expect(
                'slo:sli_error:ratio_rate1h{slo_name="availability"}',
                "90m",
                ("slo:sli_error:ratio_rate1h" + _id("availability", cluster="a"), 0.25),
                ("slo:sli_error:ratio_rate1h" + _id("availability", cluster="b"), 0),
            ),
            expect(
                'slo:burn_rate:ratio_rate1h{slo_name="availability", cluster="a"}',
                "90m",
                ("slo:burn_rate:ratio_rate1h" + _id("availability", cluster="a"), 0.25 / 0.001),
            ),
        ],
    )


def test_each_sli_kind_records_errors_and_total(promtool: str, tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    def both(slo: str, errors: float, total: float) -> list[dict[str, object]]:
        return [
            expect(
                f'slo:sli_errors:rate5m{{slo_name="{slo}"}}',
                "30m",
                ("slo:sli_errors:rate5m" + _id(slo), errors),
            ),
            expect(
                f'slo:sli_total:rate5m{{slo_name="{slo}"}}',
                "30m",
                ("slo:sli_total:rate5m" + _id(slo), total),
            ),
        ]

    _check(
        promtool,
        tmp_path,
        bundle,
        both("success", 1, 1)
        + both("latency", 0.5, 1)
        + both("probe", 1, 4)
        + both("fresh", 1, 1)
        + both("custom", 0.5, 1),
    )


def test_fresh_timestamp_is_good_until_max_age(promtool: str, tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    _check(
        promtool,
        tmp_path,
        bundle,
        [
            expect(
                'slo:sli_errors:rate5m{slo_name="fresh"}',
                "9m",
                ("slo:sli_errors:rate5m" + _id("fresh"), 0),
            )
        ],
    )


def test_budget_remaining_over_the_period(promtool: str, tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    # The probe SLO: a quarter of the targets down all along, budget 0.1%.
    _check(
        promtool,
        tmp_path,
        bundle,
        [
            expect(
                'slo:sli_error:ratio_period{slo_name="probe"}',
                "2h",
                ("slo:sli_error:ratio_period" + _id("probe"), 0.25),
            ),
            expect(
                'slo:error_budget_remaining:ratio{slo_name="probe"}',
                "2h",
                # Two hours (and the first sample's minute) of a 30d period's budget.
                (
                    "slo:error_budget_remaining:ratio" + _id("probe"),
                    1 - 0.25 * (7260 / 2592000) / 0.001,
                ),
            ),
            expect(
                'slo:objective:ratio{slo_name="probe"}',
                "2h",
                ("slo:objective:ratio" + _id("probe"), 0.999),
            ),
        ],
    )


def test_burn_alerts_carry_identity_but_no_window(promtool: str, tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    """Cluster a burns at 250x: its page and ticket alerts fire, with exactly these
    labels; cluster b has no errors and raises nothing."""

    def labels(severity: str) -> str:
        return "ALERTS" + _id(
            "availability",
            domain="retail",  # alerts carry the spec's static labels
            cluster="a",
            severity=severity,
            team="web",
            alertname="SLOErrorBudgetBurn",
            alertstate="firing",
        )

    _check(
        promtool,
        tmp_path,
        bundle,
        [
            expect(
                'ALERTS{alertname="SLOErrorBudgetBurn", slo_name="availability"}',
                "90m",
                (labels("page"), 1),
                (labels("ticket"), 1),
            )
        ],
    )


QUIET_THEN_BAD = """\
service: quiet
team: web
runbook: false
slos:
  - name: availability
    objective: 99
    sli:
      events:
        errors: req_total{code="500"}
        total: req_total
"""


def test_long_windows_are_traffic_weighted_and_survive_zero_traffic(
    promtool: str, tmp_path: Path
) -> None:
    """30 busy minutes without errors, then 30 quiet minutes at 100% errors with a tenth
    of the traffic, then silence. An average of 5m ratios would say about 50% at the
    hour; traffic weighting says 1800 / 19800, about 9%. In the silence the 5m ratio is
    0/0, but the hour still holds traffic and stays a number."""
    bundle = compile_tree(tmp_path, {"quiet.yaml": QUIET_THEN_BAD})
    series = {
        'req_total{code="200"}': "0+600x30 18000x50",
        'req_total{code="500"}': "0x30 0+60x30 1800x20",
    }
    labels = '{slo_name="availability", slo_service="quiet"}'

    def between(low: float, high: float, at: str) -> list[dict[str, object]]:
        ratio = 'slo:sli_error:ratio_rate1h{slo_service="quiet"}'
        return [
            expect(f"{ratio} > bool {low}", at, (labels, 1)),
            expect(f"{ratio} < bool {high}", at, (labels, 1)),
        ]

    tests = [
        *between(0.07, 0.11, "60m"),
        expect('slo:sli_error:ratio_rate5m{slo_service="quiet"} >= bool 0', "75m", (labels, 0)),
        *between(0.14, 0.19, "75m"),
    ]
    result = run_promtool_test(promtool, tmp_path, bundle, series, tests)
    assert result.returncode == 0, result.stdout + result.stderr


def _run(promtool: str, tmp_path: Path, spec: str, series: dict[str, str], tests) -> None:  # type: ignore[no-untyped-def]
    bundle = compile_tree(tmp_path, {"spec.yaml": spec})
    result = run_promtool_test(promtool, tmp_path, bundle, series, tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_history_under_other_labels_merges_into_one_series(promtool: str, tmp_path: Path) -> None:
    """Recordings written earlier with an extra label (an older static label, a ruler's
    replica label) are summed with today's, not reported as a colliding second series."""
    old = '{slo_service="quiet", slo_name="availability", domain="old"}'
    series = {
        f"slo:sli_errors:rate5m{old}": "1x10",
        f"slo:sli_total:rate5m{old}": "2x10",
        'req_total{code="200"}': "0x10 0+60x60",
        'req_total{code="500"}': "0x10 0+60x60",
    }
    labels = 'slo:sli_error:ratio_rate1h{slo_name="availability", slo_service="quiet"}'
    _run(
        promtool,
        tmp_path,
        QUIET_THEN_BAD,
        series,
        [expect('slo:sli_error:ratio_rate1h{slo_service="quiet"}', "40m", (labels, 0.5))],
    )


def test_two_spellings_of_one_bucket_count_once(promtool: str, tmp_path: Path) -> None:
    """After an upgrade to Prometheus 3 the same bucket is briefly visible as le="1" and
    le="1.0"; good requests must not be counted twice."""
    spec = """\
service: api
team: web
runbook: false
slos:
  - name: latency
    objective: 95
    sli:
      latency:
        histogram: request_seconds
        threshold: 1s
"""
    series = {
        'request_seconds_bucket{le="1"}': "0+30x20",
        'request_seconds_bucket{le="1.0"}': "0+30x20",
        "request_seconds_count": "0+60x20",
    }
    labels = 'slo:sli_errors:rate5m{slo_name="latency", slo_service="api"}'
    _run(promtool, tmp_path, spec, series, [expect("slo:sli_errors:rate5m", "15m", (labels, 0.5))])


def test_a_vanished_group_stops_budget_alerts(promtool: str, tmp_path: Path) -> None:
    """Cluster b burns its whole budget (1% of a week: 100.8 minutes of errors) and is
    then drained: its frozen period ratio must not keep paging for the rest of the
    period."""
    spec = """\
service: api
team: web
runbook: false
slos:
  - name: availability
    objective: 99
    window: 7d
    group_by: [cluster]
    sli:
      events:
        errors: req_total{code="500"}
        total: req_total
"""
    series = {
        'req_total{cluster="a", code="200"}': "0+60x300",
        'req_total{cluster="b", code="500"}': "0+60x120",
    }
    budget = 'ALERTS{alertname="SLOErrorBudgetExhausted", alertstate="firing"}'
    firing_b = (
        'ALERTS{alertname="SLOErrorBudgetExhausted", alertstate="firing", cluster="b", '
        'severity="ticket", slo_name="availability", slo_service="api", team="web"}'
    )
    _run(
        promtool,
        tmp_path,
        spec,
        series,
        [
            expect(budget, "115m", (firing_b, 1)),
            {"expr": budget, "eval_time": "3h", "exp_samples": []},
        ],
    )


def test_up_sli_smooths_its_5m_window(promtool: str, tmp_path: Path) -> None:
    """A probe flapping every minute has a 5m error ratio near one half, not 0 and 1 in
    turn, so a 5m short window can hold an alert's `for`."""
    spec = """\
service: web
team: web
runbook: false
slos:
  - name: probe
    objective: 99
    sli:
      up:
        metric: probe_success
"""
    labels = '{slo_name="probe", slo_service="web"}'
    ratio = "slo:sli_error:ratio_rate5m"
    tests = [
        expect(f"{ratio} > bool 0.3 and {ratio} < bool 0.7", at, (labels, 1))
        for at in ("30m", "31m")
    ]
    _run(promtool, tmp_path, spec, {"probe_success": "0 1 " * 30}, tests)
