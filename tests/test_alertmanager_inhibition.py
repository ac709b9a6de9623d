"""Inhibition on the real Alertmanager with the generated config.

Every team's receivers are webhooks to a recorder in the test. Alerts are posted with
the labels the generated rules give them, and what reaches the recorder is observed:
a ticket alone is delivered (so nothing else explains a missing one), a burn page and
a burn ticket for the same SLO deliver only the page, a page of a service that another
depends on silences the dependant's burn alert, a spent budget silences "budget low"
but never a burn alert, a vanished group silences "no data", and the pages of two
clusters of one grouped SLO are two notifications.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import yaml

from tests.alertmanager_harness import (
    WebhookSink,
    alert_states,
    post_alerts,
    running_alertmanager,
    wait_for,
)
from tests.conftest import SPECS

TEAMS = ("payments", "ml-platform", "data-engineering")


def _routing(sink: WebhookSink) -> str:
    teams = {
        team: {
            key: {"webhook": {"url": sink.url(f"/{team}/{key}"), "send_resolved": False}}
            for key in ("page", "ticket")
        }
        for team in TEAMS
    }
    return yaml.safe_dump(
        {"group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h", "teams": teams}
    )


def _alert(rules: Path, service: str, slo: str, name: str, severity: str) -> dict[str, str]:
    """The labels of one generated alerting rule, read from its rule file."""
    for group in yaml.safe_load((rules / f"{service}.rules.yml").read_text())["groups"]:
        for rule in group["rules"]:
            labels = rule.get("labels", {})
            if (
                rule.get("alert") == name
                and labels.get("slo_name") == slo
                and labels.get("severity") == severity
            ):
                return {"alertname": name, **labels}
    raise AssertionError(f"no {severity} {name} for {service}/{slo}")


def _generate(tmp_path: Path, run_cli, sink: WebhookSink) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """The example specs generated with every receiver a webhook to ``sink``: the rule
    directory and the Alertmanager config."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    (specs / "routing.yaml").write_text(_routing(sink))
    result = run_cli("generate", "specs", "-o", "out", cwd=tmp_path)
    assert result.code == 0, result.err
    return tmp_path / "out" / "prometheus", tmp_path / "out" / "alertmanager" / "alertmanager.yml"


def _inhibited(url: str) -> set[str]:
    """The alert names Alertmanager holds as inhibited."""
    return {a["labels"]["alertname"] for a in alert_states(url) if a["status"]["inhibitedBy"]}


def test_a_spent_budget_never_silences_a_burn_ticket_on_the_real_alertmanager(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    """SLOErrorBudgetExhausted is a ticket by default and lasts for weeks: a new slow
    burn of the same SLO still opens its ticket; SLOErrorBudgetLow, which it implies,
    does not. A burn page of the same SLO then silences the burn ticket."""
    with WebhookSink() as sink:
        rules, config = _generate(tmp_path, run_cli, sink)
        slo = ("checkout-api", "requests-latency")
        exhausted = _alert(rules, *slo, "SLOErrorBudgetExhausted", "ticket")
        low = _alert(rules, *slo, "SLOErrorBudgetLow", "ticket")
        burn_ticket = _alert(rules, *slo, "SLOErrorBudgetBurn", "ticket")
        burn_page = _alert(rules, *slo, "SLOErrorBudgetBurn", "page")

        with running_alertmanager(config, tmp_path) as url:
            post_alerts(url, [exhausted, low, burn_ticket])
            wait_for(
                lambda: len(sink.alerts("/payments/ticket")) == 2,
                30,
                lambda: f"not delivered: {sink.received}",
            )
            wait_for(
                lambda: _inhibited(url) == {"SLOErrorBudgetLow"},
                30,
                lambda: f"inhibited: {_inhibited(url)}",
            )
            time.sleep(4)  # several group intervals: an inhibited alert is never sent
            tickets = sink.alerts("/payments/ticket")
            assert sorted(tickets, key=lambda a: a["alertname"]) == [burn_ticket, exhausted]
            assert _inhibited(url) == {"SLOErrorBudgetLow"}

            post_alerts(url, [burn_page])
            wait_for(
                lambda: _inhibited(url) == {"SLOErrorBudgetLow", "SLOErrorBudgetBurn"},
                30,
                lambda: f"inhibited: {_inhibited(url)}",
            )
            states = {
                (a["labels"]["alertname"], a["labels"]["severity"]): a["status"]["inhibitedBy"]
                for a in alert_states(url)
            }
            page_fingerprint = next(
                a["fingerprint"] for a in alert_states(url) if a["labels"] == burn_page
            )
            assert states[("SLOErrorBudgetBurn", "ticket")] == [page_fingerprint]
            assert states[("SLOErrorBudgetBurn", "page")] == []
            assert states[("SLOErrorBudgetExhausted", "ticket")] == []
            wait_for(lambda: bool(sink.alerts("/payments/page")), 30, lambda: "no page")

        assert sink.alerts("/payments/page") == [burn_page]


def test_two_clusters_pages_are_two_notifications_on_the_real_alertmanager(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    """checkout-api/requests-availability groups by cluster: the team route groups by
    cluster too, so two clusters burning at once page twice, each with its own alert."""
    with WebhookSink() as sink:
        rules, config = _generate(tmp_path, run_cli, sink)
        page = _alert(rules, "checkout-api", "requests-availability", "SLOErrorBudgetBurn", "page")
        east, west = ({**page, "cluster": name} for name in ("us-east-1", "eu-west-1"))

        with running_alertmanager(config, tmp_path) as url:
            post_alerts(url, [east, west])
            wait_for(
                lambda: len(sink.alerts("/payments/page")) == 2,
                30,
                lambda: f"not delivered: {sink.received}",
            )
            time.sleep(4)  # several group intervals: nothing is sent twice or merged

        notifications = sink.notifications("/payments/page")
        assert sorted(notifications, key=lambda n: n[0]["cluster"]) == [[west], [east]]


def test_a_vanished_group_silences_no_data_on_the_real_alertmanager(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    """SLOSeriesVanished pages per group when a cluster stops reporting; SLONoData of
    the same SLO (every group gone, so no group labels) says nothing more and is
    silenced. Another SLO's SLONoData is delivered."""
    with WebhookSink() as sink:
        rules, config = _generate(tmp_path, run_cli, sink)
        slo = ("checkout-api", "requests-availability")
        no_data = _alert(rules, *slo, "SLONoData", "ticket")
        # The labels the vanished alert carries: the SLO's page labels and its group.
        page = _alert(rules, *slo, "SLOErrorBudgetBurn", "page")
        vanished = {**page, "alertname": "SLOSeriesVanished", "cluster": "eu-west-1"}
        other = _alert(rules, "checkout-api", "requests-latency", "SLONoData", "ticket")

        with running_alertmanager(config, tmp_path) as url:
            post_alerts(url, [vanished, no_data, other])
            wait_for(
                lambda: bool(sink.alerts("/payments/ticket") and sink.alerts("/payments/page")),
                30,
                lambda: f"not delivered: {sink.received}",
            )
            wait_for(
                lambda: _inhibited(url) == {"SLONoData"},
                30,
                lambda: f"inhibited: {_inhibited(url)}",
            )
            inhibited = [a["labels"] for a in alert_states(url) if a["status"]["inhibitedBy"]]
            assert inhibited == [no_data]
            time.sleep(4)  # several group intervals: an inhibited alert is never sent

        assert sink.alerts("/payments/ticket") == [other]
        assert sink.alerts("/payments/page") == [vanished]


def test_pages_silence_tickets_and_dependants_on_the_real_alertmanager(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    with WebhookSink() as sink:
        specs = tmp_path / "specs"
        shutil.copytree(SPECS, specs)
        (specs / "routing.yaml").write_text(_routing(sink))
        result = run_cli("generate", "specs", "-o", "out", cwd=tmp_path)
        assert result.code == 0, result.err
        rules = tmp_path / "out" / "prometheus"
        burn = "SLOErrorBudgetBurn"
        lone_ticket = _alert(rules, "model-inference", "predictions-success", burn, "ticket")
        page = _alert(rules, "checkout-api", "requests-latency", burn, "page")
        ticket = _alert(rules, "checkout-api", "requests-latency", burn, "ticket")
        upstream_page = _alert(rules, "orders-pipeline", "orders-freshness", burn, "page")
        dependant = _alert(rules, "training-pipeline", "runs-success", burn, "ticket")

        with running_alertmanager(
            tmp_path / "out" / "alertmanager" / "alertmanager.yml", tmp_path
        ) as url:
            post_alerts(url, [lone_ticket, page, ticket, upstream_page, dependant])

            def delivered() -> bool:
                return bool(
                    sink.alerts("/ml-platform/ticket")
                    and sink.alerts("/payments/page")
                    and sink.alerts("/data-engineering/page")
                )

            wait_for(delivered, 30, lambda: f"not delivered: {sink.received}")

            def inhibited() -> dict[str, list[str]]:
                return {
                    a["labels"]["slo_service"]: a["status"]["inhibitedBy"]
                    for a in alert_states(url)
                    if a["status"]["inhibitedBy"]
                }

            wait_for(
                lambda: set(inhibited()) == {"checkout-api", "training-pipeline"},
                30,
                lambda: f"inhibited: {inhibited()}",
            )
            # Several group intervals more: an inhibited alert must never be sent.
            time.sleep(4)

        assert sink.alerts("/payments/page") == [page]
        assert sink.alerts("/payments/ticket") == []
        assert sink.alerts("/data-engineering/page") == [upstream_page]
        assert sink.alerts("/ml-platform/ticket") == [lone_ticket]


def test_inhibit_equal_keeps_one_environments_pages_from_silencing_anothers(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    """With ``inhibit_equal: [environment]`` (an external label each Prometheus adds),
    a staging page silences staging's alerts only; prod's are delivered."""
    with WebhookSink() as sink:
        specs = tmp_path / "specs"
        shutil.copytree(SPECS, specs)
        (specs / "routing.yaml").write_text(_routing(sink) + "inhibit_equal: [environment]\n")
        result = run_cli("generate", "specs", "-o", "out", cwd=tmp_path)
        assert result.code == 0, result.err
        config = yaml.safe_load((tmp_path / "out/alertmanager/alertmanager.yml").read_text())
        assert all("environment" in rule["equal"] for rule in config["inhibit_rules"])
        rules = tmp_path / "out" / "prometheus"
        burn = "SLOErrorBudgetBurn"

        def alert(service: str, slo: str, severity: str, environment: str) -> dict[str, str]:
            return {**_alert(rules, service, slo, burn, severity), "environment": environment}

        staging_page = alert("checkout-api", "requests-latency", "page", "staging")
        prod_ticket = alert("checkout-api", "requests-latency", "ticket", "prod")
        staging_ticket = alert("checkout-api", "requests-latency", "ticket", "staging")
        upstream_staging = alert("orders-pipeline", "orders-freshness", "page", "staging")
        dependant_prod = alert("training-pipeline", "runs-success", "ticket", "prod")
        dependant_staging = alert("training-pipeline", "runs-success", "ticket", "staging")

        with running_alertmanager(
            tmp_path / "out" / "alertmanager" / "alertmanager.yml", tmp_path
        ) as url:
            post_alerts(
                url,
                [
                    staging_page,
                    prod_ticket,
                    staging_ticket,
                    upstream_staging,
                    dependant_prod,
                    dependant_staging,
                ],
            )

            def inhibited() -> set[tuple[str, str]]:
                return {
                    (a["labels"]["slo_service"], a["labels"]["environment"])
                    for a in alert_states(url)
                    if a["status"]["inhibitedBy"]
                }

            expected = {("checkout-api", "staging"), ("training-pipeline", "staging")}
            wait_for(lambda: inhibited() == expected, 30, lambda: f"inhibited: {inhibited()}")
            wait_for(
                lambda: bool(
                    sink.alerts("/payments/ticket") and sink.alerts("/ml-platform/ticket")
                ),
                30,
                lambda: f"not delivered: {sink.received}",
            )
            time.sleep(4)  # several group intervals: an inhibited alert is never sent

        assert sink.alerts("/payments/ticket") == [prod_ticket]
        assert sink.alerts("/ml-platform/ticket") == [dependant_prod]
