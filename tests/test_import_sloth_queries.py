"""Importing Sloth queries keeps what one SLO series stands for.

Sloth alerts on ``error_query / total_query`` as written, so ``by (request_host)``
means one SLO per host. Each imported spec here is compiled with slogen's public API
(and its rules checked or run by promtool), so what the import writes is proven to load
and to keep the grouping.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

import slogen
from slogen.importers import Imported, spec_files
from slogen.importers.sloth import check_period, import_sloth
from tests.promtool_harness import expect, run_promtool_test

WINDOW = "{{.window}}"
RUNBOOK = "https://runbooks.example.com/api"


def sloth(error_query: str, total_query: str) -> dict[str, Any]:
    """A one-SLO Sloth spec with these queries, to change and then import."""
    return {
        "version": "prometheus/v1",
        "service": "api",
        "labels": {"owner": "web"},
        "slos": [
            {
                "name": "requests",
                "objective": 99.9,
                "sli": {"events": {"error_query": error_query, "total_query": total_query}},
                "alerting": {"annotations": {"runbook": RUNBOOK}},
            }
        ],
    }


def imported(
    tmp_path: Path, source: dict[str, Any] | str, period: str | None = None
) -> tuple[dict[str, Any], Imported, slogen.Bundle]:
    """The spec the import writes, what it reported, and the spec compiled."""
    result = Imported()
    import_sloth("sloth.yml", text(source), result, period=period)
    specs = tmp_path / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    for name, content in spec_files(result).items():
        (specs / name).write_bytes(content)
    bundle = slogen.compile(slogen.load([specs]))
    return yaml.safe_load((specs / "api.yaml").read_text()), result, bundle


def text(source: dict[str, Any] | str) -> str:
    return source if isinstance(source, str) else yaml.safe_dump(source, sort_keys=False)


def check_rules(promtool: str, tmp_path: Path, bundle: slogen.Bundle) -> None:
    """promtool accepts every rule file the imported spec compiles to."""
    rules = []
    for path, content in bundle.files.items():
        if path.startswith("prometheus/"):
            target = tmp_path / "out" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            rules.append(str(target))
    checked = subprocess.run([promtool, "check", "rules", *rules], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def alert_labels(bundle: slogen.Bundle) -> list[dict[str, str]]:
    """The labels of every alert rule the bundle holds."""
    return [
        rule["labels"]
        for path, content in bundle.files.items()
        if path.startswith("prometheus/")
        for group in yaml.safe_load(content)["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def report(result: Imported) -> str:
    return "\n".join([*result.notes.values(), *result.report()])


ERRORS = 'http_requests_total{job="api", code=~"5.."}'
TOTAL = 'http_requests_total{job="api"}'


@pytest.mark.parametrize(
    ("error_query", "total_query", "group_by"),
    [
        (f"sum(rate({ERRORS}[{WINDOW}]))", f"sum(rate({TOTAL}[{WINDOW}]))", None),
        (
            f"sum(rate({ERRORS}[{WINDOW}])) by (request_host)",
            f"sum(rate({TOTAL}[{WINDOW}])) by (request_host)",
            ["request_host"],
        ),
        (
            f"sum by (request_host) (rate({ERRORS}[{WINDOW}]))",
            f"sum(rate({TOTAL}[{WINDOW}])) by (request_host)",
            ["request_host"],
        ),
        (
            f"sum(increase({ERRORS}[{WINDOW}])) by (request_host)",
            f"sum by (request_host) (increase({TOTAL}[{WINDOW}]))",
            ["request_host"],
        ),
        (
            f"(\n  sum by (cluster_id, namespace) (\n    rate({ERRORS}[{{{{ .window }}}}])\n  )\n)",
            f"((sum(rate({TOTAL}[{WINDOW}])) by (namespace, cluster_id)))",
            ["cluster_id", "namespace"],
        ),
    ],
    ids=["no-by", "by-after", "by-before", "increase", "multi-line-any-order"],
)
def test_one_counter_per_side_becomes_an_events_sli_with_its_grouping(
    tmp_path: Path, promtool: str, error_query: str, total_query: str, group_by: list[str] | None
) -> None:
    """increase/increase and rate/rate over one window are the same ratio, the one
    slogen's events SLI records from 5m rates, per the queries' by labels."""
    spec, result, bundle = imported(tmp_path, sloth(error_query, total_query))
    slo = spec["slos"][0]
    assert slo["sli"] == {"events": {"errors": ERRORS, "total": TOTAL}}
    assert slo.get("group_by") == group_by
    (compiled,) = bundle.model.slos()
    assert compiled.group_by == tuple(group_by or ())
    if group_by:
        labels = ", ".join(group_by)
        assert (
            f"sloth.yml: slos[0].sli: events SLI per {labels}, as Sloth's queries group by "
            f"({labels}); group_by: [{labels}]"
        ) in report(result)
    else:
        assert "SLI per" not in report(result)
    assert "SLO skipped" not in report(result)
    check_rules(promtool, tmp_path, bundle)


APISERVER_ERRORS = f"""\
(sum(rate(apiserver_request_total{{code=~"5.."}}[{WINDOW}])) by (cluster_id))
or
clamp_min(1 - sum(up{{job="apiserver"}}) by (cluster_id), 0)
"""
APISERVER_TOTAL = f"sum(rate(apiserver_request_total[{WINDOW}])) by (cluster_id)"


def test_an_error_query_with_an_up_fallback_stays_per_cluster(
    tmp_path: Path, promtool: str
) -> None:
    """The apiserver pattern: errors, or a down apiserver counting as errors. It stays a
    ratio per cluster_id (not one diluted fleet-wide ratio), and the ``up`` term, which
    Sloth reads at the alert's instant and slogen averages over each window, is said."""
    spec, result, bundle = imported(tmp_path, sloth(APISERVER_ERRORS, APISERVER_TOTAL))
    slo = spec["slos"][0]
    assert slo["group_by"] == ["cluster_id"]
    assert slo["sli"]["ratio"]["errors"].startswith("(sum(rate(apiserver_request_total")
    assert "clamp_min(1 - sum(up" in slo["sli"]["ratio"]["errors"]
    said = report(result)
    assert "slos[0].sli: ratio SLI per cluster_id, as Sloth's queries group by (cluster_id)" in said
    assert (
        "sloth.yml: slos[0].sli.events.error_query: reads up other than as a rate or count "
        "over {{.window}}: Sloth reads it at the alert's instant, slogen averages it over "
        "each alert window"
    ) in said
    assert "total_query: reads" not in said
    (compiled,) = bundle.model.slos()
    assert compiled.group_by == ("cluster_id",)
    # cluster a: 1/s, a quarter 5xx; cluster b: 1/s, no 5xx series, its apiserver down
    series = {
        'apiserver_request_total{cluster_id="a", code="200"}': "0+45x60",
        'apiserver_request_total{cluster_id="a", code="500"}': "0+15x60",
        'apiserver_request_total{cluster_id="b", code="200"}': "0+60x60",
        'up{job="apiserver", cluster_id="a"}': "1x60",
        'up{job="apiserver", cluster_id="b"}': "0x60",
    }
    labels = '{cluster_id="%s", slo_name="requests", slo_service="api"}'
    ran = run_promtool_test(
        promtool,
        tmp_path,
        bundle,
        series,
        [
            expect(
                "slo:sli_errors:rate5m",
                "30m",
                ("slo:sli_errors:rate5m" + labels % "a", 0.25),
                ("slo:sli_errors:rate5m" + labels % "b", 1),
            )
        ],
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_a_per_host_import_records_one_series_per_host(tmp_path: Path, promtool: str) -> None:
    """What Sloth alerted on per host stays per host: host a's errors do not dilute
    into b's traffic."""
    spec, _, bundle = imported(
        tmp_path,
        sloth(
            f"sum(rate({ERRORS}[{WINDOW}])) by (request_host)",
            f"sum(rate({TOTAL}[{WINDOW}])) by (request_host)",
        ),
    )
    assert spec["slos"][0]["group_by"] == ["request_host"]
    series = {
        'http_requests_total{job="api", request_host="a", code="200"}': "0+30x60",
        'http_requests_total{job="api", request_host="a", code="500"}': "0+30x60",
        'http_requests_total{job="api", request_host="b", code="200"}': "0+180x60",
    }
    labels = '{request_host="%s", slo_name="requests", slo_service="api"}'
    ran = run_promtool_test(
        promtool,
        tmp_path,
        bundle,
        series,
        [
            expect(
                "slo:sli_errors:rate5m / slo:sli_total:rate5m",
                "30m",
                (labels % "a", 0.5),
                (labels % "b", 0),
            )
        ],
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


@pytest.mark.parametrize(
    ("error_query", "total_query", "group_by", "said"),
    [
        (  # two counters in the total: not one counter, still one grouping
            f"sum by (route) (rate({ERRORS}[{WINDOW}]))",
            f"sum by (route) (rate({TOTAL}[{WINDOW}])) + sum by (route) (rate(x[{WINDOW}]))",
            ["route"],
            "ratio SLI per route",
        ),
        (  # topk keeps the labels of what it picks
            f"topk(5, sum by (route) (rate({ERRORS}[{WINDOW}])))",
            f"sum by (route) (rate({TOTAL}[{WINDOW}]))",
            ["route"],
            "ratio SLI per route",
        ),
        (  # rate over increase: not the same counting, so not an events SLI
            f"sum(rate({ERRORS}[{WINDOW}]))",
            f"sum(increase({TOTAL}[{WINDOW}]))",
            None,
            "",
        ),
        (  # a fixed range is not Sloth's window: read as it is, and said
            f"sum(rate({ERRORS}[{WINDOW}])) by (route) + sum(rate(retries_total[1h])) by (route)",
            f"sum(rate({TOTAL}[{WINDOW}])) by (route)",
            ["route"],
            "error_query: reads retries_total other than as a rate or count over",
        ),
    ],
    ids=["two-counters", "topk", "rate-over-increase", "fixed-range"],
)
def test_other_queries_stay_ratio_slis_with_their_grouping(
    tmp_path: Path, error_query: str, total_query: str, group_by: list[str] | None, said: str
) -> None:
    spec, result, bundle = imported(tmp_path, sloth(error_query, total_query))
    slo = spec["slos"][0]
    assert set(slo["sli"]) == {"ratio"}
    assert slo.get("group_by") == group_by
    (compiled,) = bundle.model.slos()
    assert compiled.group_by == tuple(group_by or ())
    assert said in report(result)


@pytest.mark.parametrize(
    ("error_query", "total_query", "reason"),
    [
        (
            f"sum(rate({ERRORS}[{WINDOW}])) by (request_host)",
            f"sum(rate({TOTAL}[{WINDOW}])) by (job)",
            "error_query groups by (request_host) and total_query groups by (job): Sloth "
            "divides them matching every label, so the ratio is empty wherever the label "
            "sets differ; give both queries the same by (...)",
        ),
        (
            f"sum(rate({ERRORS}[{WINDOW}])) by (request_host)",
            f"sum(rate({TOTAL}[{WINDOW}]))",
            "error_query groups by (request_host) and total_query has one series for all",
        ),
        (
            f"sum without (instance) (rate({ERRORS}[{WINDOW}]))",
            f"sum without (instance) (rate({TOTAL}[{WINDOW}]))",
            "error_query aggregates with sum without (instance), which keeps every other "
            "label of the raw series; slogen cannot tell which labels one SLO series stands "
            "for, and importing it as one series for all would merge what Sloth alerted on "
            "separately",
        ),
        (
            f"rate({ERRORS}[{WINDOW}])",
            f"rate({TOTAL}[{WINDOW}])",
            "error_query reads http_requests_total without aggregating, so its result has a "
            "series per label set of the raw series",
        ),
        (
            f"sum by (route) (rate({ERRORS}[{WINDOW}])) or sum(rate(y[{WINDOW}]))",
            f"sum by (route) (rate({TOTAL}[{WINDOW}]))",
            "error_query has parts that group differently: by (route), by ()",
        ),
        (
            f"sum by (severity) (rate({ERRORS}[{WINDOW}]))",
            f"sum by (severity) (rate({TOTAL}[{WINDOW}]))",
            "the queries group by severity, a label slogen sets on what it generates",
        ),
        (
            f"sum(rate({ERRORS}[1h])) by (route)",
            f"sum(rate({TOTAL}[{WINDOW}])) by (route)",
            "error_query cannot be a slogen ratio query: raw query "
            f"'sum(rate({ERRORS}[1h])) by (route)' has no $window placeholder",
        ),
    ],
    ids=[
        "other-labels",
        "grouped-over-fleet",
        "without",
        "not-aggregated",
        "mixed",
        "reserved",
        "no-window",
    ],
)
def test_a_grouping_that_cannot_be_kept_refuses_the_slo_with_the_reason(
    tmp_path: Path, error_query: str, total_query: str, reason: str
) -> None:
    """Never one fleet-wide ratio in place of Sloth's per-group ones: the SLO is left
    out, saying why; the file's other SLOs import."""
    source = sloth(error_query, total_query)
    fleet = sloth(f"sum(rate({ERRORS}[{WINDOW}]))", f"sum(rate({TOTAL}[{WINDOW}]))")["slos"][0]
    source["slos"].insert(0, {**fleet, "name": "fleet"})
    spec, result, _ = imported(tmp_path, source)
    assert [slo["name"] for slo in spec["slos"]] == ["fleet"]
    said = report(result)
    assert f"sloth.yml: slos[1].sli: {reason}" in said, said
    assert "SLO skipped" in said


def test_a_file_of_refused_slos_is_refused() -> None:
    source = sloth(f"rate({ERRORS}[{WINDOW}])", f"rate({TOTAL}[{WINDOW}])")
    result = Imported()
    with pytest.raises(slogen.SpecError, match="holds no Sloth SLO that slogen can compile"):
        import_sloth("sloth.yml", text(source), result)
    assert "without aggregating" in report(result)


def raw_sloth(query: str) -> dict[str, Any]:
    source = sloth("", "")
    source["slos"][0]["sli"] = {"raw": {"error_ratio_query": query}}
    return source


def test_a_raw_error_ratio_keeps_its_grouping(tmp_path: Path, promtool: str) -> None:
    query = (
        f"sum by (cluster) (rate({ERRORS}[{WINDOW}]))\n/\n"
        f"sum by (cluster) (rate({TOTAL}[{WINDOW}]))"
    )
    spec, result, bundle = imported(tmp_path, raw_sloth(query))
    slo = spec["slos"][0]
    assert slo["group_by"] == ["cluster"]
    assert slo["sli"]["ratio"]["total"].endswith(" * 0 + 1")
    said = report(result)
    assert "ratio SLI per cluster" in said and "a ready error ratio" in said
    check_rules(promtool, tmp_path, bundle)


def test_a_raw_error_ratio_without_a_clear_grouping_is_refused() -> None:
    query = f"rate({ERRORS}[{WINDOW}]) / rate({TOTAL}[{WINDOW}])"
    result = Imported()
    with pytest.raises(slogen.SpecError):
        import_sloth("sloth.yml", text(raw_sloth(query)), result)
    assert "slos[0].sli: error_ratio_query reads http_requests_total without aggregating" in (
        report(result)
    )


PER_HOST = (
    f"sum(rate({ERRORS}[{WINDOW}])) by (request_host)",
    f"sum(rate({TOTAL}[{WINDOW}])) by (request_host)",
)


@pytest.mark.parametrize("template", ["{{ .Labels.request_host }}", "{{ $labels.request_host }}"])
def test_a_templated_copy_of_a_group_by_label_is_dropped_as_redundant(
    tmp_path: Path, template: str
) -> None:
    """slogen's alerts carry the group_by labels already."""
    source = sloth(*PER_HOST)
    source["slos"][0]["labels"] = {"tier": "1"}
    source["slos"][0]["alerting"].update(
        labels={"request_host": template, "category": "availability"},
        page_alert={"labels": {"severity": "critical", "host": template}},
    )
    spec, result, bundle = imported(tmp_path, source)
    slo = spec["slos"][0]
    assert slo["labels"] == {"tier": "1", "category": "availability"}
    assert slo["alerting"]["page"] == {"label": "critical"}
    said = report(result)
    assert (
        f"sloth.yml: slos[0].alerting.labels.request_host: alert label request_host: "
        f"{template!r} is a template of the series label request_host, a group_by label of "
        "this SLO, which slogen's alerts carry already; dropped as redundant"
    ) in said
    assert (
        f"slos[0].alerting.page_alert.labels.host: alert label host: {template!r} is a "
        "template; slogen alert labels are static, and its alerts carry request_host (a "
        "group_by label of this SLO) but cannot copy it to host; left out"
    ) in said
    assert not [labels for labels in alert_labels(bundle) if "{{" in str(labels)]


def test_a_templated_label_not_in_group_by_is_left_out_not_made_literal(tmp_path: Path) -> None:
    source = sloth(f"sum(rate({ERRORS}[{WINDOW}]))", f"sum(rate({TOTAL}[{WINDOW}]))")
    source["labels"]["region"] = "{{ $labels.region }}"
    source["slos"][0]["alerting"].update(
        labels={
            "cluster_id": "{{ .Labels.cluster_id }}",
            "pair": "{{ $labels.a }}-{{ $labels.b }}",
        },
        ticket_alert={"labels": {"severity": "{{ $labels.level }}"}},
    )
    spec, result, bundle = imported(tmp_path, source)
    slo = spec["slos"][0]
    assert "labels" not in slo and spec["labels"] == {"owner": "web"}
    assert "ticket" not in slo.get("alerting", {})
    said = report(result)
    assert (
        "sloth.yml: slos[0].alerting.labels.cluster_id: alert label cluster_id: "
        "'{{ .Labels.cluster_id }}' is a template; slogen alert labels are static, and "
        "cluster_id is not a group_by label of this SLO; left out"
    ) in said
    assert (
        "slos[0].alerting.labels.pair: alert label pair: '{{ $labels.a }}-{{ $labels.b }}' is "
        "a template other than one series label; slogen alert labels are static; left out"
    ) in said
    assert "slos[0].alerting.ticket_alert.labels.severity: alert label severity:" in said
    assert (
        "sloth.yml: labels.region: alert label region: '{{ $labels.region }}' is a template; "
        "slogen alert labels are static, and region is not a group_by label of every SLO of "
        "this service; left out"
    ) in said
    assert {"cluster_id", "pair", "region"}.isdisjoint(set().union(*alert_labels(bundle)))


def test_a_templated_runbook_is_named_as_such(tmp_path: Path) -> None:
    source = sloth(*PER_HOST)
    runbook = "https://rb.example.com/{{ $labels.request_host }}"
    source["slos"][0]["alerting"]["annotations"]["runbook"] = runbook
    spec, result, _ = imported(tmp_path, source)
    assert spec["slos"][0]["runbook"] is False
    assert (
        "slos[0].alerting.annotations: runbook 'https://rb.example.com/{{ $labels.request_host }}' "
        "is a template, which slogen does not expand"
    ) in report(result)


def test_the_period_is_sloths_default_unless_given(tmp_path: Path) -> None:
    source = sloth(*PER_HOST)
    spec, result, _ = imported(tmp_path, source)
    assert spec["window"] == "30d"
    assert (
        "period 30d: Sloth's default --default-slo-period; pass --sloth-period if yours differs"
    ) in result.notes.values()
    assert (check_period("4w"), check_period("720h"), check_period("7d")) == ("28d", "30d", "7d")
    spec, result, bundle = imported(tmp_path / "28d", source, period="4w")
    assert spec["window"] == "28d" and not result.notes.keys() - {"sloth.yml: slos[0].sli"}
    (slo,) = bundle.model.slos()
    assert slo.period == 28 * 86400
    assert sorted(float(p.factor) for p in slo.alerting.burn) == pytest.approx(
        [0.933333, 2.8, 5.6, 13.44], rel=1e-5
    )


def test_a_period_without_sloths_built_in_windows_is_said(tmp_path: Path, promtool: str) -> None:
    """Sloth needs a windows file for any period but 28d and 30d, which the import does
    not read; windows a short period cannot hold are left out, saying so."""
    spec, result, bundle = imported(tmp_path, sloth(*PER_HOST), period="2d")
    assert spec["window"] == "2d"
    said = report(result)
    assert "period 2d: Sloth has built-in alert windows for 28d and 30d only" in said
    assert (
        "slos[0]: with period 2d, Sloth's 3d/6h ticket window cannot work: long window 3d "
        "is not shorter than the SLO period 2d; left out"
    ) in said
    assert "Sloth's 1h/5m page window cannot work: this page would fire at burn rate 0.96" in said
    (slo,) = bundle.model.slos()
    assert [(p.severity, p.long) for p in slo.alerting.burn] == [("ticket", 86400)]
    check_rules(promtool, tmp_path, bundle)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("30", "'30' is not a duration"),
        ("30m", "'30m' is shorter than 1h, the shortest SLO period (window) slogen accepts"),
        ("10y", "'10y' is longer than 5y (1825d)"),
    ],
)
def test_a_period_slogen_cannot_use_refuses_the_file(period: str, message: str) -> None:
    """Also what the CLI's --sloth-period can check once, before any file is read."""
    with pytest.raises(ValueError, match=re.escape(message)):
        check_period(period)
    with pytest.raises(slogen.SpecError) as raised:
        import_sloth("sloth.yml", text(sloth(*PER_HOST)), Imported(), period=period)
    (problem,) = raised.value.problems
    assert str(problem).startswith(f"sloth.yml: period: Sloth period: {message}"), str(problem)
    assert "give the --default-slo-period Sloth ran with" in str(problem)


def test_the_cli_says_the_grouping_beside_the_alerts(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "sloth.yml").write_text(text(sloth(*PER_HOST)))
    result = run_cli("import", "sloth", "sloth.yml", "-o", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out.endswith(
        "api/requests alerts on: 30d period; page 1h/5m x14.4, 6h/30m x6; "
        "ticket 1d/2h x3, 3d/6h x1; per request_host\n"
    )
    assert "note: sloth.yml: slos[0].sli: events SLI per request_host" in result.err
