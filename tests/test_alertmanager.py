"""The generated Alertmanager config, complete and merged, judged by the real amtool.

Expected receivers are worked out here from the rule files and routing.yaml as a
user reads them (team label, severity label), not from slogen's own code, and every
alerting rule of the example specs is routed, not a sample.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import GENERATED, MINIMAL_SPEC, SPECS, snapshot, write_spec

CONFIG = "alertmanager/alertmanager.yml"

BASE_CONFIG = """\
global:
  resolve_timeout: 5m
  smtp_smarthost: smtp.example.com:587
  smtp_from: alertmanager@example.com
templates:
  - /etc/alertmanager/templates/*.tmpl
route:
  receiver: ops-catch-all
  group_by: [alertname]
  routes:
    - matchers: ['job="node"']
      receiver: ops-infra
    - matchers: ['slo_service=~".+"']
      receiver: ops-catch-all
      routes:
        - matchers: ['slo_name="maintenance-override"']
          receiver: ops-infra
    - matchers: ['team="payments"']
      receiver: ops-infra
receivers:
  - name: ops-catch-all
    email_configs: [{to: ops@example.com}]
  - name: ops-infra
    webhook_configs: [{url: "http://infra-hooks.example.com/alertmanager"}]
inhibit_rules:
  - source_matchers: ['alertname="NodeDown"']
    target_matchers: ['job="node"']
    equal: [instance]
"""

WEB_ROUTING = """\
teams:
  web:
    page: {webhook: {url: "http://pager.example.com/hook"}}
    ticket: {webhook: {url: "http://tickets.example.com/hook"}}
"""


def generated_alerts(rules_dir: Path) -> list[dict[str, str]]:
    """Labels of every alerting rule in the rule files, as Alertmanager receives them."""
    alerts = []
    for path in sorted(rules_dir.glob("*.rules.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    alerts.append({"alertname": rule["alert"], **rule["labels"]})
    return alerts


def group_labels(specs: Path) -> dict[tuple[str, str], list[str]]:
    found = {}
    for path in specs.glob("*.yaml"):
        spec = yaml.safe_load(path.read_text())
        for slo in spec.get("slos", []):
            found[(spec["service"], slo["name"])] = slo.get("group_by", [])
    return found


def route(amtool: str, config: Path, labels: dict[str, str]) -> list[str]:
    """The receivers amtool resolves for an alert with these labels."""
    completed = subprocess.run(
        [amtool, "config", "routes", "test", f"--config.file={config}"]
        + [f'{name}="{_escaped(value)}"' for name, value in sorted(labels.items())],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.split()


def _escaped(value: str) -> str:
    """A label value inside amtool's double quotes (Go string escapes)."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def assert_every_alert_routed(amtool: str, config: Path, specs: Path, rules: Path) -> int:
    routing = yaml.safe_load((specs / "routing.yaml").read_text())
    grouping = group_labels(specs)
    alerts = generated_alerts(rules)
    wrong = []
    for labels in alerts:
        assert labels["severity"] in ("page", "ticket"), labels
        assert labels["severity"] in routing["teams"][labels["team"]], labels
        for name in grouping[(labels["slo_service"], labels["slo_name"])]:
            labels[name] = "eu-west-1"
        expected = [f"slogen/{labels['team']}/{labels['severity']}"]
        got = route(amtool, config, labels)
        if got != expected:
            wrong.append(f"{labels}: expected {expected}, amtool says {got}")
    assert not wrong, "\n".join(wrong)
    return len(alerts)


def test_complete_config_passes_amtool_check_config(amtool: str) -> None:
    result = subprocess.run(
        [amtool, "check-config", str(GENERATED / CONFIG)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_example_alert_reaches_its_team_receiver(amtool: str) -> None:
    count = assert_every_alert_routed(amtool, GENERATED / CONFIG, SPECS, GENERATED / "prometheus")
    assert count >= 30  # every burn, budget and no-data alert of the four example services


@pytest.fixture
def merged_tree(tmp_path: Path, run_cli) -> Path:  # type: ignore[no-untyped-def]
    """The example specs with routing.yaml pointing at a base config the user owns."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    (tmp_path / "alertmanager.base.yml").write_text(BASE_CONFIG)
    with (specs / "routing.yaml").open("a") as routing:
        routing.write("\nalertmanager:\n  base: ../alertmanager.base.yml\n")
    return tmp_path


def test_merged_config_keeps_the_users_config_and_routes_every_alert(
    merged_tree: Path, run_cli, amtool: str
) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("generate", "specs", "-o", "out", cwd=merged_tree)
    # The base's own team="payments" route comes after the marked route: no alert of
    # slogen's can reach it, so generating (which routes every alert) succeeds.
    assert result.code == 0, result.err
    merged_path = merged_tree / "out" / CONFIG
    checked = subprocess.run([amtool, "check-config", str(merged_path)], capture_output=True)
    assert checked.returncode == 0, checked.stdout
    assert_every_alert_routed(
        amtool, merged_path, merged_tree / "specs", merged_tree / "out" / "prometheus"
    )

    base = yaml.safe_load(BASE_CONFIG)
    merged = yaml.safe_load(merged_path.read_text())
    assert merged["global"] == base["global"]
    assert merged["templates"] == base["templates"]
    assert merged["receivers"][:2] == base["receivers"]
    assert merged["inhibit_rules"][0] == base["inhibit_rules"][0]
    routes = merged["route"]["routes"]
    assert routes[0] == base["route"]["routes"][0]
    assert routes[2] == base["route"]["routes"][2]
    marked = routes[1]
    assert marked["receiver"] == "ops-catch-all"
    assert marked["routes"][0] == base["route"]["routes"][1]["routes"][0]  # the user's child
    assert [r["matchers"] for r in marked["routes"][1:]] == [
        ['team="data-engineering"'],
        ['team="ml-platform"'],
        ['team="payments"'],
    ]
    # The user's override under the marked route still wins for its SLO.
    override = {
        "slo_service": "checkout-api",
        "slo_name": "maintenance-override",
        "team": "payments",
        "severity": "page",
        "alertname": "SLOErrorBudgetBurn",
    }
    assert route(amtool, merged_path, override) == ["ops-infra"]


def test_merging_again_changes_nothing(merged_tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    base = merged_tree / "alertmanager.base.yml"
    live = merged_tree / "live.yml"
    shutil.copy(base, live)
    first = run_cli("merge-alertmanager", str(live), "specs", "-o", str(live), cwd=merged_tree)
    assert first.code == 0, first.err
    once = live.read_bytes()
    assert first.err.endswith(f"wrote {live}\n"), first.err
    second = run_cli("merge-alertmanager", str(live), "specs", "-o", str(live), cwd=merged_tree)
    assert second.code == 0, second.err
    assert live.read_bytes() == once
    assert second.err.endswith(f"{live} is unchanged\n"), second.err
    # Merging into the pristine base gives the same config as merging into the result.
    third = run_cli("merge-alertmanager", str(base), "specs", cwd=merged_tree)
    assert third.code == 0, third.err
    assert yaml.safe_load(third.out) == yaml.safe_load(once)
    # And the same as `generate` with alertmanager.base in routing.yaml.
    generated = run_cli("generate", "specs", "-o", "out", cwd=merged_tree)
    assert generated.code == 0, generated.err
    assert yaml.safe_load((merged_tree / "out" / CONFIG).read_text()) == yaml.safe_load(once)


def test_merge_after_a_spec_change_replaces_what_slogen_added(merged_tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    live = merged_tree / "live.yml"
    shutil.copy(merged_tree / "alertmanager.base.yml", live)
    assert (
        run_cli("merge-alertmanager", str(live), "specs", "-o", str(live), cwd=merged_tree).code
        == 0
    )
    training = merged_tree / "specs" / "training-pipeline.yaml"
    training.write_text(training.read_text().replace("depends_on: [orders-pipeline]\n", ""))
    routing = merged_tree / "specs" / "routing.yaml"
    routing.write_text(routing.read_text().replace("name: release-window", "name: release-freeze"))
    assert (
        run_cli("merge-alertmanager", str(live), "specs", "-o", str(live), cwd=merged_tree).code
        == 0
    )
    merged = yaml.safe_load(live.read_text())
    names = [t["name"] for t in merged["time_intervals"]]
    assert names == ["slogen/payments/release-freeze"]
    services = [m for rule in merged["inhibit_rules"] for m in rule["source_matchers"]]
    assert 'slo_service="orders-pipeline"' not in services
    # The user's own, and the three within an SLO (burn page over burn ticket, exhausted
    # over low, vanished over no data).
    assert len(merged["inhibit_rules"]) == 4


def test_a_base_route_that_steals_slogen_alerts_fails_the_check(merged_tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    base = merged_tree / "alertmanager.base.yml"
    # Move the user's team="payments" route in front of the marked route.
    data = yaml.safe_load(base.read_text())
    routes = data["route"]["routes"]
    data["route"]["routes"] = [routes[2], routes[0], routes[1]]
    base.write_text(yaml.safe_dump(data))
    before = snapshot(merged_tree / "specs")
    result = run_cli("generate", "specs", "-o", "out", cwd=merged_tree)
    assert result.code == 1
    assert "slogen/payments/page" in result.err and "ops-infra" in result.err
    assert not (merged_tree / "out").exists()
    assert snapshot(merged_tree / "specs") == before


def test_specs_without_routing_still_generate_everything_else(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    (specs / "routing.yaml").unlink()
    result = run_cli("generate", "specs", "-o", "out", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "no routing.yaml" in result.err and "no Alertmanager config" in result.err
    assert not (tmp_path / "out" / "alertmanager").exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        ".slogen-manifest",
        "docs",
        "grafana",
        "kubernetes",
        "prometheus",
        "tests",
    ]


def test_custom_severity_labels_are_routed_and_inhibited(
    tmp_path: Path, run_cli, amtool: str
) -> None:  # type: ignore[no-untyped-def]
    specs = tmp_path / "specs"
    severities = "alerting: {page: {label: critical}, ticket: {label: warning}}\n"
    write_spec(specs, "shop.yaml", MINIMAL_SPEC.replace("team: web\n", "team: web\n" + severities))
    write_spec(specs, "routing.yaml", WEB_ROUTING)
    result = run_cli("generate", "specs", "-o", "out", cwd=tmp_path)
    assert result.code == 0, result.err
    config = yaml.safe_load((tmp_path / "out" / CONFIG).read_text())
    team = config["route"]["routes"][0]["routes"][0]
    assert [c["matchers"] for c in team["routes"]] == [
        ['severity="critical"'],
        ['severity="warning"'],
    ]
    assert config["inhibit_rules"][0]["source_matchers"][2] == 'severity="critical"'
    assert config["inhibit_rules"][0]["target_matchers"][2] == 'severity="warning"'
    labels = {
        "slo_service": "shop",
        "slo_name": "availability",
        "team": "web",
        "severity": "warning",
        "alertname": "SLOErrorBudgetLow",
    }
    assert route(amtool, tmp_path / "out" / CONFIG, labels) == ["slogen/web/ticket"]


def test_severity_labels_with_quotes_and_regex_characters_route_exactly(
    tmp_path: Path, run_cli, amtool: str
) -> None:  # type: ignore[no-untyped-def]
    """Label values reach Alertmanager matchers escaped: two SLOs of one team page with
    different labels (one regex matcher), and the values hold quotes, backslashes and
    regex metacharacters that must match themselves and nothing else."""
    odd_page = 'p"1\\x.*'  # one backslash; single-quoted YAML keeps it as written
    specs = tmp_path / "specs"
    for name, page in (("shop", odd_page), ("cart", "sev(1)")):
        write_spec(
            specs,
            f"{name}.yaml",
            MINIMAL_SPEC.replace("service: shop", f"service: {name}").replace(
                "team: web\n", f"team: web\nalerting: {{page: {{label: '{page}'}}}}\n"
            ),
        )
    write_spec(specs, "routing.yaml", WEB_ROUTING)
    result = run_cli("generate", "specs", "-o", "out", cwd=tmp_path)
    assert result.code == 0, result.err
    config = tmp_path / "out" / CONFIG
    base = {"slo_name": "availability", "team": "web", "alertname": "SLOErrorBudgetBurn"}
    assert route(amtool, config, {**base, "slo_service": "shop", "severity": 'p"1\\x.*'}) == [
        "slogen/web/page"
    ]
    assert route(amtool, config, {**base, "slo_service": "cart", "severity": "sev(1)"}) == [
        "slogen/web/page"
    ]
    # Regex metacharacters are literal: a value the unescaped pattern would match does not.
    assert route(amtool, config, {**base, "slo_service": "shop", "severity": 'p"1\\xANY'}) == [
        "slogen/default"
    ]


def test_maintenance_windows_mute_only_the_severities_they_name() -> None:
    config = yaml.safe_load((GENERATED / CONFIG).read_text())
    teams = {r["matchers"][0]: r for r in config["route"]["routes"][0]["routes"]}
    payments = {c["receiver"]: c for c in teams['team="payments"']["routes"]}
    assert payments["slogen/payments/ticket"]["mute_time_intervals"] == [
        "slogen/payments/release-window"
    ]
    assert "mute_time_intervals" not in payments["slogen/payments/page"]
    assert [t["name"] for t in config["time_intervals"]] == ["slogen/payments/release-window"]


def test_check_routes_every_alert_with_amtool(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "specs", cwd=SPECS.parent)
    assert result.code == 0, result.out + result.err
    assert "amtool check-config" in result.out
    assert "alerts reach their team's receiver" in result.out


def test_merge_keeps_the_meaning_of_what_it_copies(merged_tree: Path, run_cli, amtool: str) -> None:  # type: ignore[no-untyped-def]
    """Go reads unquoted 17:00 and on as text where Alertmanager wants text; YAML 1.1
    (PyYAML) reads them as 1020 and true. The merge writes them back as they were."""
    base = merged_tree / "alertmanager.base.yml"
    text = base.read_text().replace(
        "    - matchers: ['team=\"payments\"']\n",
        "    - match: {backup: on}\n      receiver: ops-infra\n"
        "      mute_time_intervals: [evenings]\n"
        "    - matchers: ['team=\"payments\"']\n",
    )
    text += (
        "time_intervals:\n  - name: evenings\n    time_intervals:\n"
        "      - times: [{start_time: 17:00, end_time: 23:59}]\n"
    )
    # A rule of the user's that names slo_service on both sides is still theirs.
    text = text.replace(
        "inhibit_rules:\n",
        "inhibit_rules:\n"
        "  - source_matchers: ['alertname=\"DBDown\"', 'slo_service=\"checkout-api\"']\n"
        "    target_matchers: ['slo_service=\"checkout-api\"', 'severity=\"ticket\"']\n",
    )
    base.write_text(text)
    result = run_cli("generate", "specs", "-o", "out", cwd=merged_tree)
    assert result.code == 0, result.err
    merged = merged_tree / "out" / CONFIG
    written = merged.read_text()
    assert "start_time: 17:00" in written and "backup: on" in written
    checked = subprocess.run([amtool, "check-config", str(merged)], capture_output=True)
    assert checked.returncode == 0, checked.stdout
    assert route(amtool, merged, {"backup": "on"}) == ["ops-infra"]
    sources = [rule["source_matchers"] for rule in yaml.safe_load(written)["inhibit_rules"]]
    assert ['alertname="DBDown"', 'slo_service="checkout-api"'] in sources


def test_merge_follows_a_symlink_and_writes_a_readable_file(merged_tree: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    target = merged_tree / "real.yml"
    link = merged_tree / "link.yml"
    target.write_text((merged_tree / "alertmanager.base.yml").read_text())
    link.symlink_to(target.name)
    result = run_cli("merge-alertmanager", "link.yml", "specs", "-o", "link.yml", cwd=merged_tree)
    assert result.code == 0, result.err
    assert link.is_symlink() and "slogen/payments/page" in target.read_text()
    fresh = run_cli("merge-alertmanager", "real.yml", "specs", "-o", "new.yml", cwd=merged_tree)
    assert fresh.code == 0, fresh.err
    assert (merged_tree / "new.yml").stat().st_mode & 0o044 == 0o044  # group and others read


def test_a_file_given_alone_may_depend_on_its_siblings(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("validate", "specs/training-pipeline.yaml", cwd=SPECS.parent)
    assert result.code == 0, result.err


def test_dependencies_that_silence_nothing_are_noted(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    (specs / "routing.yaml").unlink()
    result = run_cli("validate", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "no routing.yaml" in result.err and "depends_on silences nothing" in result.err
    shutil.copy(SPECS / "routing.yaml", specs / "routing.yaml")
    checkout = specs / "checkout-api.yaml"
    checkout.write_text(
        checkout.read_text().replace(
            "team: payments\n", "team: payments\ndepends_on: [training-pipeline]\n"
        )
    )
    result = run_cli("validate", "specs", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "checkout-api depends on training-pipeline, which never pages for a burn" in result.err


def _generated_config(tmp_path: Path, run_cli, amtool: str, routing: str = "") -> dict:  # type: ignore[no-untyped-def, type-arg]
    """The example specs generated afresh (``routing`` replacing their routing.yaml),
    with the config checked by amtool; the config as data."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    if routing:
        (specs / "routing.yaml").write_text(routing)
    result = run_cli("generate", "specs", "-o", "out", cwd=tmp_path)
    assert result.code == 0, result.err
    config = tmp_path / "out" / CONFIG
    checked = subprocess.run([amtool, "check-config", str(config)], capture_output=True)
    assert checked.returncode == 0, checked.stdout
    return dict(yaml.safe_load(config.read_text()))


def test_inhibitions_within_an_slo_are_narrow(tmp_path: Path, run_cli, amtool: str) -> None:  # type: ignore[no-untyped-def]
    """Only burn pages silence burn tickets; exhausted silences low; vanished silences no
    data (compared without group labels, which SLONoData lacks); then the dependency."""
    rules = _generated_config(tmp_path, run_cli, amtool)["inhibit_rules"]
    same = ["slo_service", "slo_name", "cluster"]  # cluster: checkout-api groups by it
    assert rules == [
        {
            "source_matchers": [
                'slo_service=~".+"',
                'alertname="SLOErrorBudgetBurn"',
                'severity="page"',
            ],
            "target_matchers": [
                'slo_service=~".+"',
                'alertname="SLOErrorBudgetBurn"',
                'severity="ticket"',
            ],
            "equal": same,
        },
        {
            "source_matchers": ['slo_service=~".+"', 'alertname="SLOErrorBudgetExhausted"'],
            "target_matchers": ['slo_service=~".+"', 'alertname="SLOErrorBudgetLow"'],
            "equal": same,
        },
        {
            "source_matchers": ['slo_service=~".+"', 'alertname="SLOSeriesVanished"'],
            "target_matchers": ['slo_service=~".+"', 'alertname="SLONoData"'],
            "equal": ["slo_service", "slo_name"],
        },
        {
            "source_matchers": [
                'alertname="SLOErrorBudgetBurn"',
                'slo_service="orders-pipeline"',
                'severity="page"',
            ],
            "target_matchers": [
                'alertname="SLOErrorBudgetBurn"',
                'slo_service="training-pipeline"',
            ],
        },
    ]


def test_no_budget_alert_silences_a_burn_alert(tmp_path: Path, run_cli, amtool: str) -> None:  # type: ignore[no-untyped-def]
    """Whatever silences a burn alert is a burn alert; every rule compares only alerts
    that carry slo_service; and with inhibit_equal its labels are compared too."""
    routing = (SPECS / "routing.yaml").read_text() + "inhibit_equal: [environment]\n"
    rules = _generated_config(tmp_path, run_cli, amtool, routing)["inhibit_rules"]
    burn = 'alertname="SLOErrorBudgetBurn"'
    for rule in rules:
        sides = (rule["source_matchers"], rule["target_matchers"])
        assert all(any(m.startswith("slo_service=") for m in side) for side in sides), rule
        assert "environment" in rule["equal"], rule
        if burn in rule["target_matchers"]:
            assert burn in rule["source_matchers"], rule
        for budget in ("SLOErrorBudgetLow", "SLOErrorBudgetExhausted"):
            assert f'alertname="{budget}"' not in rule["target_matchers"] or (
                budget == "SLOErrorBudgetLow"
                and rule["source_matchers"][1] == 'alertname="SLOErrorBudgetExhausted"'
            ), rule
    vanished = next(r for r in rules if 'alertname="SLONoData"' in r["target_matchers"])
    assert vanished["equal"] == ["slo_service", "slo_name", "environment"]


def _team_group_by(config: dict) -> dict[str, list[str]]:  # type: ignore[type-arg]
    return {
        route["matchers"][0]: route["group_by"] for route in config["route"]["routes"][0]["routes"]
    }


def test_team_routes_group_by_their_slos_labels(tmp_path: Path, run_cli, amtool: str) -> None:  # type: ignore[no-untyped-def]
    """payments owns an SLO grouped by cluster: its notifications are per cluster. The
    other teams' SLOs are ungrouped, so their routes keep routing.yaml's group_by."""
    config = _generated_config(tmp_path, run_cli, amtool)
    assert _team_group_by(config) == {
        'team="data-engineering"': ["slo_service", "slo_name", "alertname"],
        'team="ml-platform"': ["slo_service", "slo_name", "alertname"],
        'team="payments"': ["slo_service", "slo_name", "alertname", "cluster"],
    }
    assert config["route"]["group_by"] == ["slo_service", "slo_name", "alertname"]


def test_a_set_group_by_is_extended_not_replaced(tmp_path: Path, run_cli, amtool: str) -> None:  # type: ignore[no-untyped-def]
    """What routing.yaml says comes first and stays; a label it lists already is not
    added twice; ``['...']`` groups by every label already and is kept as written."""
    routing = yaml.safe_load((SPECS / "routing.yaml").read_text())
    routing["group_by"] = ["alertname"]
    routing["teams"]["payments"]["group_by"] = ["cluster", "slo_name"]
    routing["teams"]["ml-platform"]["group_by"] = ["..."]
    config = _generated_config(tmp_path, run_cli, amtool, yaml.safe_dump(routing))
    assert _team_group_by(config) == {
        'team="data-engineering"': ["alertname"],
        'team="ml-platform"': ["..."],
        'team="payments"': ["cluster", "slo_name"],
    }
    routing["teams"]["payments"]["group_by"] = ["slo_name", "zone"]
    checkout = (SPECS / "checkout-api.yaml").read_text()
    assert "    group_by: [cluster]\n" in checkout
    (tmp_path / "specs" / "checkout-api.yaml").write_text(
        checkout.replace("    group_by: [cluster]\n", "    group_by: [region, cluster]\n", 1)
    )
    (tmp_path / "specs" / "routing.yaml").write_text(yaml.safe_dump(routing))
    result = run_cli("generate", "specs", "-o", "out", cwd=tmp_path)
    assert result.code == 0, result.err
    checked = subprocess.run([amtool, "check-config", str(tmp_path / "out" / CONFIG)])
    assert checked.returncode == 0
    config = yaml.safe_load((tmp_path / "out" / CONFIG).read_text())
    assert _team_group_by(config)['team="payments"'] == ["slo_name", "zone", "cluster", "region"]


OLD_SLOGEN_RULE = """\
  - source_matchers: ['slo_service=~".+"', 'severity="page"']
    target_matchers: ['slo_service=~".+"', 'severity="ticket"']
    equal: [slo_service, slo_name, cluster]
"""
"""The inhibition earlier versions wrote: any page silenced any ticket of the SLO."""


def test_merge_replaces_the_inhibitions_earlier_versions_wrote(
    merged_tree: Path, run_cli, amtool: str
) -> None:  # type: ignore[no-untyped-def]
    live = merged_tree / "live.yml"
    live.write_text(
        (merged_tree / "alertmanager.base.yml")
        .read_text()
        .replace("inhibit_rules:\n", "inhibit_rules:\n" + OLD_SLOGEN_RULE)
    )
    result = run_cli("merge-alertmanager", str(live), "specs", "-o", str(live), cwd=merged_tree)
    assert result.code == 0, result.err
    merged = yaml.safe_load(live.read_text())
    old = yaml.safe_load(OLD_SLOGEN_RULE)[0]
    assert old not in merged["inhibit_rules"]
    assert merged["inhibit_rules"][0] == yaml.safe_load(BASE_CONFIG)["inhibit_rules"][0]
    assert len(merged["inhibit_rules"]) == 5  # the user's, three within an SLO, a dependency
    # Merging again recognises every shape written now: nothing is added twice.
    again = run_cli("merge-alertmanager", str(live), "specs", "-o", str(live), cwd=merged_tree)
    assert again.code == 0, again.err
    assert again.err.endswith(f"{live} is unchanged\n"), again.err
    checked = subprocess.run([amtool, "check-config", str(live)], capture_output=True)
    assert checked.returncode == 0, checked.stdout


def test_the_model_copies_every_receiver_and_interval_field_in_spec_order() -> None:
    """The config is written in the model's field order, which must stay the spec's."""
    from dataclasses import fields

    from slogen.resolve_routing import MODEL_TYPES

    for spec, model in MODEL_TYPES.items():
        assert list(spec.model_fields) == [f.name for f in fields(model)], spec


RICH_RECEIVER = """\
pagerduty:
  - {routing_key_file: /s/a, url: "https://events.example.com/v2", severity: critical,
     send_resolved: false}
  - {service_key_file: /s/b}
opsgenie:
  api_key_file: /s/c
  api_url: https://api.opsgenie.example.com
  priority: P1
  responders: [{type: team, name: sre}, {type: user, username: ann}]
  tags: slo
slack: {api_url_file: /s/d, channel: "#ops", username: bot, title: T, text: X}
email: {to: a@example.com, from: b@example.com, smarthost: "smtp.example.com:587",
        auth_username: b, auth_password_file: /s/e, require_tls: true}
webhook:
  - {url: "https://relay.example.com/a", authorization: {credentials_file: /s/f}}
  - {url: "https://relay.example.com/b", basic_auth: {username: u, password_file: /s/g},
     max_alerts: 3}
"""

RICH_INTERVAL = """\
times: [{start_time: "22:00", end_time: "24:00"}]
weekdays: [monday:friday]
days_of_month: [1, "-3:-1"]
months: [january:march, 6]
years: [2026]
location: Europe/Berlin
"""


def test_receivers_and_intervals_are_written_as_the_spec_dumps_them() -> None:
    """Every field of every integration and of a time interval reaches the config as
    pydantic's own dump of the spec would write it (the bytes before the model had
    its own types), webhook authentication moved under ``http_config``."""
    from typing import Any

    from slogen import model as m
    from slogen.alertmanager.config import parts, receiver_config
    from slogen.resolve_routing import _model, _receiver
    from slogen.spec.routing import ReceiverSpec, WebhookSpec
    from slogen.spec.time_intervals import TimeIntervalSpec

    spec = ReceiverSpec.model_validate(yaml.safe_load(RICH_RECEIVER))
    expected: dict[str, Any] = {"name": "slogen/x"}
    for kind, configs in spec.integrations():
        dumped = []
        for config in configs:
            data = config.model_dump(exclude_none=True, by_alias=True)
            http = {k: data.pop(k) for k in ("authorization", "basic_auth") if k in data}
            if isinstance(config, WebhookSpec) and http:
                data["http_config"] = http
            dumped.append(data)
        expected[f"{kind}_configs"] = dumped
    assert list(expected) == [
        "name",
        *(f"{k}_configs" for k in ("pagerduty", "opsgenie", "slack", "email", "webhook")),
    ]
    written = receiver_config(_receiver("slogen/x", spec))
    assert yaml.safe_dump(written, sort_keys=False) == yaml.safe_dump(expected, sort_keys=False)

    interval = TimeIntervalSpec.model_validate(yaml.safe_load(RICH_INTERVAL))
    timing = m.Timing(("alertname",), "30s", "5m", "4h")
    window = m.Maintenance("slogen/w", ("page",), (_model(m.TimeInterval, interval),))
    routing = m.Routing("r", timing, m.Receiver("slogen/default"), (), (window,))
    written_intervals = parts(m.Model(()), routing).time_intervals
    assert written_intervals == (
        {"name": "slogen/w", "time_intervals": [interval.model_dump(exclude_none=True)]},
    )
    assert list(written_intervals[0]["time_intervals"][0]) == list(
        interval.model_dump(exclude_none=True)
    )
