"""Grafana dashboards: valid grafanalib JSON whose every query parses with promtool and
reads only series that the generated rules record (or Prometheus' own ALERTS)."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from tests.conftest import GENERATED, SPECS, write_spec
from tests.promql_names import metric_names
from tests.server_harness import running

DASHBOARDS = sorted((GENERATED / "grafana").glob("*.json"))
GRAFANA_VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in dashboard["panels"] for p in [p, *p.get("panels", [])]]


def _queries(dashboard: dict[str, Any]) -> list[str]:
    """Every PromQL expression of a dashboard: panel targets and variable queries
    (``label_values(selector, label)`` contributes its selector)."""
    found = [t["expr"] for p in _panels(dashboard) for t in p.get("targets") or []]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            inner = re.fullmatch(r"label_values\((.*), *\w+\)", variable["query"])
            assert inner, variable["query"]
            found.append(inner.group(1))
    return found


def _as_promql(expr: str) -> str:
    """What Prometheus receives once Grafana has replaced its variables (All: .*)."""
    return GRAFANA_VARIABLE.sub(".*", expr)


def _recorded_names() -> set[str]:
    names = set()
    for path in (GENERATED / "prometheus").glob("*.rules.yml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            names |= {rule["record"] for rule in group["rules"] if "record" in rule}
    return names


def _specs() -> list[dict[str, Any]]:
    return [
        yaml.safe_load(p.read_text())
        for p in sorted(SPECS.glob("*.yaml"))
        if p.name not in ("defaults.yaml", "routing.yaml")
    ]


def test_every_service_has_a_dashboard_and_there_is_an_overview() -> None:
    names = {p.stem for p in DASHBOARDS}
    assert names == {spec["service"] for spec in _specs()} | {"slo-overview"}
    for path in DASHBOARDS:
        dashboard = _load(path)
        # grafanalib's Dashboard.to_json_data keys, with slogen's stable UID
        assert {"uid", "title", "panels", "templating", "schemaVersion"} <= set(dashboard)
        assert dashboard["uid"] == (
            "slo-overview" if path.stem == "slo-overview" else f"slo-{path.stem}"
        )
        assert "time" in dashboard and "now" in json.dumps(dashboard["time"])


def test_every_query_parses_with_promtool(tmp_path: Path, promtool: str) -> None:
    """All queries of all dashboards as recording rules in one file for promtool."""
    queries = [expr for path in DASHBOARDS for expr in _queries(_load(path))]
    rules = [
        {"record": f"dashboard:query_{i}:check", "expr": _as_promql(expr)}
        for i, expr in enumerate(queries)
    ]
    assert len(rules) > 50
    rule_file = tmp_path / "queries.rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(rule_file)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules)} rules found" in result.stdout


def _recorded_per_slo() -> set[tuple[str, str, str]]:
    """(record, service, SLO) of every recording, from the per-SLO rule groups."""
    found = set()
    for path in (GENERATED / "prometheus").glob("*.rules.yml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            _, service, slo, _ = group["name"].split(":")
            found |= {(r["record"], service, slo) for r in group["rules"] if "record" in r}
    return found


def _scoped_selectors(expr: str) -> list[tuple[str, dict[str, str]]]:
    """(metric, equality matchers) of every selector in a query."""
    found = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            equal = {
                m.name: m.value
                for m in node.matchers.matchers
                if m.op == promql_parser.MatchOp.Equal
            }
            found.append((node.name, equal))
        for child in ("lhs", "rhs", "expr", "vector_selector"):
            if hasattr(node, child):
                visit(getattr(node, child))
        for arg in getattr(node, "args", None) or []:
            visit(arg)

    visit(promql_parser.parse(_as_promql(expr)))
    return found


def test_panels_read_only_series_the_rules_record_for_that_slo() -> None:
    recorded = _recorded_names()
    per_slo = _recorded_per_slo()
    unknown = set()
    for path in DASHBOARDS:
        for expr in _queries(_load(path)):
            for name in metric_names(promql_parser.parse(_as_promql(expr))):
                if name not in recorded and name != "ALERTS":
                    unknown.add((path.name, name))
            for name, equal in _scoped_selectors(expr):
                if name != "ALERTS" and "slo_name" in equal:
                    triple = (name, equal["slo_service"], equal["slo_name"])
                    if triple not in per_slo:
                        unknown.add((path.name, triple))
    assert not unknown, unknown


def test_grouped_slos_filter_every_panel_by_their_variables() -> None:
    for spec in _specs():
        dashboard = _load(GENERATED / "grafana" / f"{spec['service']}.json")
        for slo in spec["slos"]:
            for panel in _panels(dashboard):
                for target in panel.get("targets") or []:
                    expr = target["expr"]
                    if f'slo_name="{slo["name"]}"' not in expr or "slo:objective" in expr:
                        continue
                    for label in slo.get("group_by", []):
                        # the alerts table also keeps alerts without the label (no data)
                        alerts = "ALERTS{" in expr and f'{label}=~"${label}|"' in expr
                        assert f'{label}=~"${label}"' in expr or alerts, (panel["title"], expr)


def test_state_column_maps_every_budget_to_its_policy_state() -> None:
    """Grafana's range mapping (both ends inclusive, an absent end open) applied to the
    overview's mappings gives the states the budget alerts imply."""
    table = _load(GENERATED / "grafana" / "slo-overview.json")["panels"][0]
    override = next(
        o for o in table["fieldConfig"]["overrides"] if o["matcher"]["options"] == "state"
    )
    mappings = next(p["value"] for p in override["properties"] if p["id"] == "mappings")

    def state(value: float) -> str | None:
        for mapping in mappings:
            low = mapping["options"].get("from", float("-inf"))
            high = mapping["options"].get("to", float("inf"))
            if low is not None and high is not None and low <= value <= high:
                return str(mapping["options"]["result"]["text"])
        return None

    assert state(-0.4) == state(-0.000001) == "exhausted"
    assert state(0) == state(0.1) == state(0.2499) == "critical"
    assert state(0.25) == state(0.4999) == "warning"
    assert state(0.5) == state(1) == "healthy"


def test_a_panel_naming_an_unrecorded_series_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a misspelt recording is not among the recorded names."""
    assert "slo:sli_error:ratio_rate7m" not in _recorded_names()
    assert metric_names(promql_parser.parse("1 - slo:sli_error:ratio_rate7m")) == [
        "slo:sli_error:ratio_rate7m"
    ]


def test_every_slo_has_its_row_in_its_service_dashboard_and_in_the_overview() -> None:
    overview = json.dumps(_load(GENERATED / "grafana" / "slo-overview.json"))
    for spec in _specs():
        dashboard = _load(GENERATED / "grafana" / f"{spec['service']}.json")
        rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
        assert [row.split(":")[0] for row in rows] == [slo["name"] for slo in spec["slos"]]
        variables = {v["name"] for v in dashboard["templating"]["list"]}
        grouped = {label for slo in spec["slos"] for label in slo.get("group_by", [])}
        assert variables == {"datasource"} | grouped
        for slo in spec["slos"]:
            assert f"[{slo['name']}](/d/slo-{spec['service']}?viewPanel=" in overview


def test_alert_links_open_the_panel_about_the_alert() -> None:
    for path in (GENERATED / "prometheus").glob("*.rules.yml"):
        dashboard = _load(GENERATED / "grafana" / f"{path.name.split('.')[0]}.json")
        titles = {p["id"]: p["title"] for p in _panels(dashboard)}
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if "alert" not in rule:
                    continue
                url = rule["annotations"]["dashboard_url"]
                assert f"/d/{dashboard['uid']}/" in url
                panel = int(re.search(r"viewPanel=(\d+)", url).group(1))
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
                grouped = {f"var-{v['name']}" for v in dashboard["templating"]["list"]}
                grouped.discard("var-datasource")
                slo_groups = {
                    f"var-{label}"
                    for spec in _specs()
                    for slo in spec["slos"]
                    if slo["name"] == rule["labels"]["slo_name"]
                    and spec["service"] == rule["labels"]["slo_service"]
                    for label in slo.get("group_by", [])
                }
                assert slo_groups <= grouped
                expected_vars = set() if rule["alert"] == "SLONoData" else slo_groups
                assert {k for k in query if k.startswith("var-")} == expected_vars, url
                for name in expected_vars:
                    label = name.removeprefix("var-")
                    assert query[name] == [f"{{{{ $labels.{label} | urlquery }}}}"]
                expected = {
                    "SLOErrorBudgetBurn": "Burn rate",
                    "SLOErrorBudgetLow": "Error budget burn-down",
                    "SLOErrorBudgetExhausted": "Error budget burn-down",
                    "SLONoData": "SLI against its objective",
                    "SLOSeriesVanished": "SLI against its objective",
                }[rule["alert"]]
                assert titles[panel].startswith(expected), (rule["alert"], titles[panel])
                # and the panel belongs to the alert's SLO: its queries name it
                panel_json = next(p for p in _panels(dashboard) if p["id"] == panel)
                slo = rule["labels"]["slo_name"]
                assert all(f'slo_name="{slo}"' in t["expr"] for t in panel_json["targets"])


def test_burn_rate_panels_draw_every_alert_threshold() -> None:
    dashboard = _load(GENERATED / "grafana" / "checkout-api.json")
    burn = next(p for p in dashboard["panels"] if p["id"] == 107)
    steps = [s["value"] for s in burn["fieldConfig"]["defaults"]["thresholds"]["steps"]]
    assert steps == [None, 0.9333333333333333, 5.6, 13.44]  # 28d: 3d/6h, 6h/30m, 1h/5m
    assert burn["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] == "line"


def test_grafanalib_rough_edges_are_corrected() -> None:
    for path in DASHBOARDS:
        text = path.read_text()
        assert '"value": "null"' not in text  # base thresholds are JSON null
        for panel in _panels(_load(path)):
            for target in panel.get("targets") or []:
                assert not {"intervalFactor", "step", "metric", "target"} & set(target)
    sli = next(
        p for p in _load(GENERATED / "grafana" / "checkout-api.json")["panels"] if p["id"] == 105
    )
    custom = sli["fieldConfig"]["defaults"]["custom"]
    assert custom["axisSoftMin"] == pytest.approx(0.995)  # a float bound, and a soft one
    assert sli.get("maxDataPoints") is None  # one point per pixel, not grafanalib's 100


def test_every_query_runs_on_its_panels_data_source() -> None:
    """Targets carry no data source of their own, so each runs on its panel's: every
    panel with queries must name one, the dashboard's ``datasource`` variable."""
    for path in DASHBOARDS:
        for panel in _panels(_load(path)):
            if panel.get("targets"):
                assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
                assert all("datasource" not in target for target in panel["targets"])


def test_dashboards_are_identical_on_every_run(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("generate", str(SPECS), "-o", str(tmp_path / "out"), "--no-verify")
    assert result.code == 0, result.err
    for path in DASHBOARDS:
        assert (tmp_path / "out" / "grafana" / path.name).read_bytes() == path.read_bytes()
    assert b"timestamp" not in (GENERATED / "grafana" / "slo-overview.json").read_bytes()


def test_provisioning_file_points_grafana_at_the_dashboards() -> None:
    provider = yaml.safe_load((GENERATED / "grafana" / "provisioning" / "slogen.yaml").read_text())
    assert provider["apiVersion"] == 1
    assert provider["providers"][0]["type"] == "file"


def test_a_dashboard_without_grouping_has_no_group_variables(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import MINIMAL_SPEC

    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    assert run_cli("generate", "specs", "-o", "out", "--no-verify", cwd=tmp_path).code == 0
    dashboard = _load(tmp_path / "out" / "grafana" / "shop.json")
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]
    assert "$" not in json.dumps(
        [t["expr"] for p in dashboard["panels"] for t in p.get("targets") or []]
    )


def test_every_query_evaluates_on_a_real_prometheus_with_the_rules(tmp_path: Path) -> None:
    """The real server, loaded with the generated rules, runs every panel and variable
    query without error. It holds no data: values over real history are the
    end-to-end suite's concern; here Prometheus itself judges syntax, functions and
    label matching of what Grafana will send."""
    rules = sorted(str(p) for p in (GENERATED / "prometheus").glob("*.rules.yml"))
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({"rule_files": rules}))
    queries = sorted({_as_promql(e) for p in DASHBOARDS for e in _queries(_load(p))})
    with running(
        "prometheus",
        lambda port: [
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        tmp_path,
    ) as url:
        failures = []
        for query in queries:
            address = f"{url}/api/v1/query?{urllib.parse.urlencode({'query': query})}"
            try:
                with urllib.request.urlopen(address, timeout=10) as response:
                    status = json.loads(response.read())["status"]
            except urllib.error.HTTPError as error:
                status = f"{error.code}: {error.read().decode()}"
            if status != "success":
                failures.append(f"{query}: {status}")
        with urllib.request.urlopen(f"{url}/api/v1/rules", timeout=10) as response:
            groups = json.loads(response.read())["data"]["groups"]
    assert not failures, "\n".join(failures)
    assert len(groups) == sum(
        len(yaml.safe_load(Path(r).read_text())["groups"]) for r in rules
    )  # the rules were loaded


@pytest.fixture(scope="module")
def compiled() -> dict[str, Any]:
    """The example specs' dashboards and rules as this checkout compiles them."""
    import slogen

    bundle = slogen.compile(slogen.load([SPECS]))
    return {
        path: json.loads(content) if path.endswith(".json") else yaml.safe_load(content)
        for path, content in bundle.files.items()
        if path.startswith(("grafana/", "prometheus/"))
    }


def _panel(dashboard: dict[str, Any], panel_id: int) -> dict[str, Any]:
    return next(p for p in _panels(dashboard) if p["id"] == panel_id)


def test_panel_ids_stay_put_and_the_history_stat_is_appended(compiled: dict[str, Any]) -> None:
    """Alert links name panel ids, so a new panel takes the next id, not another's."""
    from slogen import naming

    old = ("row", "objective", "sli", "budget", "burn_rate", "sli_series", "budget_series")
    assert naming.SLO_PANELS[: len(old) + 2] == (*old, "burn_series", "alerts")
    assert naming.SLO_PANELS[-1] == "history"
    dashboard = compiled["grafana/checkout-api.json"]
    titles = {p["id"]: p["title"] for p in _panels(dashboard)}
    assert titles[101] == "Objective" and titles[103] == "Error budget remaining"
    assert titles[108] == "Alerts firing" and titles[109] == "History of 28d"
    history = _panel(dashboard, 109)
    assert history["type"] == "stat"
    [target] = history["targets"]
    assert target["expr"] == (
        'slo:sli_coverage:ratio_period{slo_service="checkout-api", '
        'slo_name="requests-availability", cluster=~"$cluster"} * 2419200'
    )
    assert target["legendFormat"] == "cluster={{cluster}}"
    defaults = history["fieldConfig"]["defaults"]
    assert defaults["unit"] == "dtdurations"
    [full] = defaults["mappings"]
    assert full["options"] == {"from": 2419200.0, "result": {"index": 0, "text": "full 28d"}}
    assert "whole period" in _panel(dashboard, 103)["description"]
    # the top line of stats still fits the row: no two overlap, none past 24
    stats = sorted(
        (p["gridPos"]["x"], p["gridPos"]["w"])
        for p in _panels(dashboard)
        if p["type"] == "stat" and 100 < p["id"] < 200
    )
    assert [x for x, _ in stats] == [0, 4, 9, 14, 19]
    assert all(x + w <= nxt for (x, w), (nxt, _) in zip(stats, [*stats[1:], (24, 0)], strict=True))


def test_the_objective_stat_names_no_group(compiled: dict[str, Any]) -> None:
    """The objective is one series per SLO: a group legend would read ``cluster=``."""
    dashboard = compiled["grafana/checkout-api.json"]
    [objective] = _panel(dashboard, 101)["targets"]
    assert objective["legendFormat"] == "objective"
    assert "cluster" not in objective["expr"]
    [sli] = _panel(dashboard, 102)["targets"]
    assert sli["legendFormat"] == "cluster={{cluster}}"  # per group, as before


def test_the_overview_shows_how_much_of_the_period_is_covered(compiled: dict[str, Any]) -> None:
    table = compiled["grafana/slo-overview.json"]["panels"][0]
    exprs = {t["refId"]: t["expr"] for t in table["targets"]}
    assert exprs["G"] == "min by (slo_service, slo_name) (slo:sli_coverage:ratio_period)"
    organize = table["transformations"][1]["options"]
    assert organize["renameByName"]["Value #G"] == "period covered"
    assert organize["indexByName"]["Value #G"] == organize["indexByName"]["Value #C"] + 1


def _alerts_history(labels: list[dict[str, str]], now_s: int) -> str:
    lines = ["# TYPE ALERTS gauge"]
    for alert in labels:
        text = ",".join(f'{k}="{v}"' for k, v in sorted(alert.items()))
        lines += [f"ALERTS{{{text}}} 1 {now_s - 60 * n}" for n in range(5, -1, -1)]
    return "\n".join([*lines, "# EOF"]) + "\n"


def test_the_alerts_table_keeps_ungrouped_alerts_when_a_group_is_chosen(
    compiled: dict[str, Any], tmp_path: Path
) -> None:
    """On the real Prometheus: with one cluster chosen, the table shows that cluster's
    alerts (a vanished series among them) and SLONoData, which carries no group label,
    and not another cluster's alerts."""
    import time

    from tests.prometheus_harness import load_history, running_prometheus, write_config

    rules = [
        rule
        for group in compiled["prometheus/checkout-api.rules.yml"]["groups"]
        for rule in group["rules"]
        if "alert" in rule and rule["labels"]["slo_name"] == "requests-availability"
    ]
    by_name = {rule["alert"]: {"alertname": rule["alert"], **rule["labels"]} for rule in rules}
    assert {"SLOSeriesVanished", "SLONoData", "SLOErrorBudgetBurn"} <= set(by_name)
    firing = [
        {**by_name["SLONoData"], "alertstate": "firing"},
        {**by_name["SLOSeriesVanished"], "alertstate": "firing", "cluster": "eu-1"},
        {**by_name["SLOErrorBudgetBurn"], "alertstate": "firing", "cluster": "us-1"},
        {**by_name["SLOErrorBudgetBurn"], "alertstate": "pending", "cluster": "eu-1"},
    ]
    now_s = int(time.time()) // 60 * 60
    source = tmp_path / "alerts.om"
    source.write_text(_alerts_history(firing, now_s))
    data = load_history(source, tmp_path)
    [expr] = [t["expr"] for t in _panel(compiled["grafana/checkout-api.json"], 108)["targets"]]
    assert expr.endswith('cluster=~"$cluster|"}')

    def shown(server: Any, chosen: str) -> set[tuple[str, str]]:
        query = expr.replace("$cluster", chosen)
        return {
            (r["metric"]["alertname"], r["metric"].get("cluster", ""))
            for r in server.query(query, now_s * 1000)
        }

    with running_prometheus(data, write_config(tmp_path / "prometheus.yml"), tmp_path) as server:
        assert shown(server, "eu-1") == {("SLONoData", ""), ("SLOSeriesVanished", "eu-1")}
        assert (
            shown(server, "(eu-1|us-1)")
            == shown(server, ".*")
            == {
                ("SLONoData", ""),
                ("SLOSeriesVanished", "eu-1"),
                ("SLOErrorBudgetBurn", "us-1"),
            }
        )
