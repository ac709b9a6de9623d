"""``slogen status`` and ``slogen gate`` against the real Prometheus, with history.

Two services, eight hours of flat traffic ending at the present minute, backfilled
with their recordings. The shop fails 0.1% of requests against a 1% budget over 7d:
a young SLO, whose eight hours cover a 21st of its period, so it has spent a 21st of
a tenth of its budget (healthy, "history: 8h of 7d"). Search fails 5% against a 1%
budget over 6h, which its history covers whole: five budgets, spent. The history
also holds the ``ALERTS`` series Prometheus writes for search's firing page, with
the labels of the generated rule, for the last ten minutes. (A freshly started
server that has backfilled blocks up to the present writes its own ``ALERTS`` only
after a couple of minutes; that the rules fire and reach Alertmanager is shown in
tests/test_e2e_alerting.py.)

The first-seen timestamp reads its own earlier value, which a range query of
``promtool tsdb create-blocks-from rules`` cannot see, so the history holds the
samples a running server would have recorded instead: every minute, the time of the
first 5m rate.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

import slogen
from slogen import naming
from slogen.durations import format_approximate
from tests.e2e_shop import SPEC as SHOP_SPEC
from tests.prometheus_harness import Prometheus, backfill, running_prometheus, write_config
from tests.server_harness import wait_for
from tests.synthetic_history import History, Scenario, history

HOURS = 8
SHOP_PERIOD = 7 * 86400
SEARCH_PERIOD = 6 * 3600
SEARCH_SPEC = """\
service: search
team: web
window: 6h
runbook: https://runbooks.example.com/{service}#{slo}
slos:
  - name: availability
    objective: 99
    sli:
      events:
        errors: http_requests_total{job="search", code=~"5.."}
        total: http_requests_total{job="search"}
    alerting:
      page: {for: 0s}
      burn_rate:
        - {severity: page, budget_spent: 50%, long: 1h, short: 5m}
"""
SEARCH_ERRORS = Fraction(5, 100)


@dataclass(frozen=True)
class Live:
    url: str
    specs: Path
    data: Path
    server: Prometheus
    shop: History
    search: History


def _histories() -> tuple[History, History]:
    now_minute = int(time.time()) // 60 * 60
    flat = {"start_s": now_minute - HOURS * 3600, "minutes": HOURS * 60, "peak": 300, "trough": 300}
    shop = history(Scenario(job="shop", **flat))  # type: ignore[arg-type]
    search = history(
        Scenario(job="search", background_errors=SEARCH_ERRORS, **flat)  # type: ignore[arg-type]
    )
    return shop, search


def _openmetrics(alert: dict[str, str], *histories: History) -> str:
    """One metric family holding every job's series, as OpenMetrics wants it, the
    firing alert's ``ALERTS`` series over the last ten scrapes, and each service's
    first-seen timestamp as its sli group would have recorded it: the first 5m rate
    is one scrape after the first, and every later run keeps that time."""
    texts = [h.openmetrics().removesuffix("# EOF\n") for h in histories]
    first, *rest = texts
    end_s = histories[0].end_ms // 1000
    labels = ",".join(f'{k}="{v}"' for k, v in sorted({**alert, "alertstate": "firing"}.items()))
    alerts = "".join(f"ALERTS{{{labels}}} 1 {end_s - 60 * n}\n" for n in range(10, -1, -1))
    seen = []
    for past in histories:
        start_s = past.scrape_ms(1) // 1000
        identity = f'slo_name="availability",slo_service="{past.scenario.job}"'
        seen += [
            f"{naming.FIRST_SEEN}{{{identity}}} {start_s} {at_s + 30}\n"
            for at_s in range(start_s, end_s, 60)
        ]
    return (
        first
        + "".join(t.split("\n", 1)[1] for t in rest)
        + "# TYPE ALERTS gauge\n"
        + alerts
        + f"# TYPE {naming.FIRST_SEEN} gauge\n"
        + "".join(seen)
        + "# EOF\n"
    )


def _rules(specs: Path) -> tuple[str, dict[str, str]]:
    """Both services' rule groups in one file, but the first-seen timestamp (the
    history holds it), and the labels of search's burn page."""
    bundle = slogen.compile(slogen.load([specs]))
    groups = [
        {**group, "rules": [r for r in group["rules"] if r.get("record") != naming.FIRST_SEEN]}
        for name in ("shop", "search")
        for group in yaml.safe_load(bundle.files[f"prometheus/{name}.rules.yml"])["groups"]
    ]
    [page] = [
        {"alertname": rule["alert"], **rule["labels"]}
        for group in groups
        for rule in group["rules"]
        if rule.get("alert") == "SLOErrorBudgetBurn"
        and rule["labels"] == {**rule["labels"], "slo_service": "search", "severity": "page"}
    ]
    return yaml.safe_dump({"groups": groups}, sort_keys=False), page


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    workdir = tmp_path_factory.mktemp("status")
    specs = workdir / "specs"
    specs.mkdir()
    (specs / "shop.yaml").write_text(SHOP_SPEC)
    (specs / "search.yaml").write_text(SEARCH_SPEC)
    rules, page = _rules(specs)
    shop, search = _histories()
    (workdir / "backfill").mkdir()
    data = backfill(
        _openmetrics(page, shop, search),
        rules,
        workdir / "backfill" / "rules.yml",
        shop.scrape_ms(0),
        shop.end_ms,
        workdir,
    )
    config = write_config(workdir / "prometheus.yml")
    with running_prometheus(data, config, workdir) as server:
        yield Live(server.url, specs, data, server, shop, search)


def _exact_ratio(past: History, period_s: int) -> float:
    """The plain error share of the minutes the period holds (all of them for a young
    SLO), up to the edge minutes a rolling 5m rate counts fewer times."""
    last = past.scenario.minutes
    return float(past.count_ratio(max(1, last - period_s // 60 + 1), last))


YOUNG_HISTORY = re.compile(r"(8h|7h5[5-9]m) of 7d")
"""The shop's history at the last run of its period group: up to 5 minutes short of
the eight hours."""


def test_status_reads_each_slo_from_the_recordings(live: Live) -> None:
    statuses = {s.service: s for s in slogen.status(slogen.load([live.specs]), live.url)}
    shop, search = statuses["shop"], statuses["search"]
    for status, past, period in (
        (shop, live.shop, SHOP_PERIOD),
        (search, live.search, SEARCH_PERIOD),
    ):
        exact = _exact_ratio(past, period)
        assert status.sli == pytest.approx(1 - exact, rel=1e-4)
        assert status.coverage is not None
        covered = status.coverage
        assert status.remaining == pytest.approx(1 - exact * covered / 0.01, abs=1e-4)
    # The shop's eight hours (less at most one 5m run of the period group) of its 7d.
    assert shop.coverage is not None and search.coverage is not None
    assert (HOURS * 3600 - 300) / SHOP_PERIOD <= shop.coverage <= HOURS * 3600 / SHOP_PERIOD
    assert shop.short_history and shop.history_seconds == shop.coverage * SHOP_PERIOD
    # ... so it has spent about a 21st of the tenth of its budget that 0.1% costs.
    assert shop.remaining == pytest.approx(1 - 0.1 / 21, abs=1e-3)
    # Search's history covers its 6h whole: five budgets.
    assert search.coverage == 1 and not search.short_history
    assert search.remaining == pytest.approx(-4, rel=1e-3)
    assert shop.state == "healthy" and search.state == "exhausted"
    assert shop.burn_window == 3600 and shop.burn_rate == pytest.approx(0.1, rel=0.05)
    assert search.burn_rate == pytest.approx(5, rel=0.05)
    assert shop.firing == () and search.firing == ("SLOErrorBudgetBurn/page",)


def test_status_prints_a_table_and_json(live: Live, run_cli) -> None:  # type: ignore[no-untyped-def]
    table = run_cli("status", str(live.specs), "--prometheus", live.url)
    assert table.code == 0, table.err
    columns, note = table.out.split("\n\n")
    header, *rows = columns.splitlines()
    assert header.split()[:3] == ["SLO", "OBJECTIVE", "SLI"] and "HISTORY" in header
    by_slo = {row.split()[0]: row for row in rows}
    assert set(by_slo) == {"shop/availability", "search/availability"}
    assert "healthy" in by_slo["shop/availability"]
    assert "exhausted" in by_slo["search/availability"]
    assert by_slo["search/availability"].rstrip().endswith("spent")
    # The young shop says how short its history is; search's covers its period.
    [shop] = [s for s in slogen.status(slogen.load([live.specs]), live.url) if s.service == "shop"]
    assert shop.coverage is not None
    said = f"{format_approximate(shop.coverage * SHOP_PERIOD)} of 7d"
    assert YOUNG_HISTORY.fullmatch(said)
    assert f"  {said}  " in by_slo["shop/availability"]
    assert "  full  " in by_slo["search/availability"]
    assert note.startswith("HISTORY shorter than the period")
    only = run_cli("status", str(live.specs), "--prometheus", live.url, "--service", "search")
    assert [r.split()[0] for r in only.out.splitlines()[1:]] == ["search/availability"]
    reply = run_cli("status", str(live.specs), "--prometheus", live.url, "--json")
    parsed = {s["service"]: s for s in json.loads(reply.out)}
    assert {(name, s["state"]) for name, s in parsed.items()} == {
        ("shop", "healthy"),
        ("search", "exhausted"),
    }
    assert parsed["search"]["period_coverage"] == 1
    assert parsed["search"]["history_seconds"] == SEARCH_PERIOD
    young = parsed["shop"]
    assert young["period_coverage"] == pytest.approx(HOURS / (7 * 24), rel=0.011)
    assert young["history_seconds"] == young["period_coverage"] * SHOP_PERIOD


def test_the_gate_freezes_only_the_service_that_spent_its_budget(
    live: Live,
    run_cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    def gate(*args: str) -> tuple[int, str]:
        result = run_cli("gate", str(live.specs), "--prometheus", live.url, *args)
        return result.code, result.out + result.err

    # The young shop is judged by its budget as it stands, and its history is named.
    code, said = gate("--service", "shop")
    assert code == 0
    first, second = said.splitlines()
    assert first == "gate open: shop may release"
    assert re.fullmatch(
        r"short history: shop/availability \(99\.\d% left, history: (8h|7h5[5-9]m) of 7d; "
        r"judged as it stands, against the whole period's budget\)",
        second,
    ), second
    code, said = gate("--service", "search")
    assert code == 1 and "budget spent: search/availability" in said
    assert gate()[0] == 1  # every service: search closes it
    log = tmp_path / "overrides.jsonl"
    code, said = gate("--service", "search", "--override", "CVE fix", "--override-log", str(log))
    assert code == 0 and "gate overridden" in said
    nowhere = str(tmp_path / "missing" / "log.jsonl")
    code, said = gate("--service", "search", "--override", "CVE fix", "--override-log", nowhere)
    assert code == 2 and "the gate stays closed" in said and "gate overridden" not in said
    record = json.loads(log.read_text())
    assert record["reason"] == "CVE fix" and record["overridden"] == ["search/availability"]
    assert gate("--service", "nope")[0] == 2


def _alerts_group_ran(server: Prometheus, name: str) -> bool:
    groups = server.api("rules")["groups"]
    return any(g["name"] == name and not g["lastEvaluation"].startswith("0001-") for g in groups)


def test_budget_alerts_fire_at_the_first_evaluation_after_each_restart(
    live: Live, tmp_path: Path
) -> None:
    """Budget alerts have no ``for`` and read the period group's last recording within
    15 minutes, so a restarted server has them in ``ALERTS`` at the alerts group's
    first evaluation, not after the 10 minutes a 5m group with ``for`` took to restore
    them. Shown on two restarts of a real server holding search's spent budget."""
    bundle = slogen.compile(slogen.load([live.specs]))
    rules = tmp_path / "search.rules.yml"
    rules.write_bytes(bundle.files["prometheus/search.rules.yml"])
    config = write_config(tmp_path / "prometheus.yml", [rules])
    data = tmp_path / "data"
    shutil.copytree(live.data, data, ignore=shutil.ignore_patterns("lock", "wal", "chunks_head"))
    group = "slogen:search:availability:alerts"
    for restart in (1, 2):
        with running_prometheus(data, config, tmp_path) as server:
            wait_for(
                lambda server=server: _alerts_group_ran(server, group),  # type: ignore[misc]
                150,
                lambda restart=restart: f"restart {restart}: the alerts group never ran",  # type: ignore[misc]
            )
            firing = {
                a["labels"]["alertname"]
                for a in server.alerts()
                if a["state"] == "firing" and a["labels"].get("slo_service") == "search"
            }
            assert {naming.BUDGET_EXHAUSTED_ALERT, naming.BUDGET_LOW_ALERT} <= firing, (
                restart,
                firing,
            )
