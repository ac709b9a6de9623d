"""A burn incident, evaluated live by the real Prometheus with the generated rules,
pages the team that owns the SLO through the real Alertmanager with the generated
routing, and nobody else.

Eight hours of flat traffic end at the present minute; the last 20 minutes fail at
15%. Against the 1%-budget week SLO (tests/e2e_shop.py) the 1h/5m page pair burns at
about 5 and 15 times the budget, above its factor 3.36, while the 6h/30m pair (1.4),
the period budget (about 0.7% of 1% spent) and the tickets (15 minutes of ``for``)
stay quiet. The recordings are backfilled up to the last scrape, so when Prometheus
starts, its alerting group finds an hour of burn rates already recorded and fires on
its first evaluation (pages have no ``for`` in this spec). The rule file is named so
that this first evaluation comes seconds after start-up rather than up to a minute
later (tests/rule_schedule.py); a late start only makes the test wait longer.
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from tests.alertmanager_harness import WebhookSink, running_alertmanager, wait_for
from tests.e2e_shop import compile_rules, groups, rules_text
from tests.prometheus_harness import backfill, running_prometheus, write_config
from tests.rule_schedule import path_evaluated_soon
from tests.synthetic_history import Incident, Scenario, history

TEAMS = ("web", "search")  # the shop belongs to web
HOURS = 8
INCIDENT = Incident(first=HOURS * 60 - 19, minutes=20, error_ratio=Fraction(15, 100))
# How long after start-up the alerting group should first run. Prometheus opens the
# backfill in well under a second, but learns its Alertmanager from service discovery,
# which passes on targets every 5 s: an alert sent before then is dropped, and sent
# again only after the resend delay (1m) has passed between two evaluations.
START_UP_MS = 8000


def _routing(sink: WebhookSink) -> dict[str, Any]:
    teams = {
        team: {
            key: {"webhook": {"url": sink.url(f"/{team}/{key}"), "send_resolved": False}}
            for key in ("page", "ticket")
        }
        for team in TEAMS
    }
    return {"group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h", "teams": teams}


def _burn_page(files: dict[str, str]) -> dict[str, str]:
    """The labels the generated page burn alert carries."""
    [rule] = [
        rule
        for rule in groups(files)["alerts"]["rules"]
        if rule.get("alert") == "SLOErrorBudgetBurn" and rule["labels"]["severity"] == "page"
    ]
    return {"alertname": rule["alert"], **rule["labels"]}


def test_a_burn_incident_pages_the_owning_team(tmp_path: Path) -> None:
    with WebhookSink() as sink:
        files = compile_rules(tmp_path, _routing(sink))
        alertmanager_config = tmp_path / "alertmanager.yml"
        alertmanager_config.write_text(files["alertmanager/alertmanager.yml"])
        now_minute = int(time.time()) // 60 * 60
        scenario = Scenario(
            start_s=now_minute - HOURS * 3600,
            minutes=HOURS * 60,
            peak=300,
            trough=300,
            incidents=(INCIDENT,),
        )
        past = history(scenario)
        (tmp_path / "backfill").mkdir()
        data = backfill(
            past.openmetrics(),
            rules_text(files),
            tmp_path / "backfill" / "shop.rules.yml",
            past.scrape_ms(0),
            past.end_ms,
            tmp_path,
        )
        with running_alertmanager(alertmanager_config, tmp_path) as alertmanager:
            alerts_group = groups(files)["alerts"]["name"]
            soon = int(time.time() * 1000) + START_UP_MS
            rule_file = path_evaluated_soon(tmp_path, alerts_group, 60, soon)
            rule_file.write_text(rules_text(files))
            config = write_config(tmp_path / "prometheus.yml", [rule_file], alertmanager)
            with running_prometheus(data, config, tmp_path) as prometheus:
                wait_for(
                    lambda: bool(sink.alerts("/web/page")),
                    90,
                    lambda: f"no page; Prometheus holds {prometheus.alerts()}",
                )
                time.sleep(2)  # a few group intervals: anything else routed would arrive
                held = prometheus.alerts()

    page = _burn_page(files)
    assert sink.alerts("/web/page") == [page]
    assert {path for path, _ in sink.received} == {"/web/page"}
    [firing] = [alert for alert in held if alert["state"] == "firing"]
    assert firing["labels"] == page
    assert float(firing["value"]) > 3.36, yaml.safe_dump(held)
