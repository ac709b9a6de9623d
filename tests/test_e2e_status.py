"""``slogen status`` and ``slogen gate`` against the real Prometheus, with history.

Two services, eight hours of flat traffic ending at the present minute, backfilled
with their recordings: the shop fails 0.1% of requests (a tenth of its 1% budget:
healthy), search 5% all along (five budgets: spent). The history also holds the
``ALERTS`` series Prometheus writes for search's firing page, with the labels of the
generated rule, for the last ten minutes. (A freshly started server that has
backfilled blocks up to the present writes its own ``ALERTS`` only after a couple of
minutes; that the rules fire and reach Alertmanager is shown in
tests/test_e2e_alerting.py.)
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

import slogen
from tests.e2e_shop import SPEC as SHOP_SPEC
from tests.prometheus_harness import Prometheus, backfill, running_prometheus, write_config
from tests.synthetic_history import History, Scenario, history

HOURS = 8
SEARCH_SPEC = SHOP_SPEC.replace("service: shop", "service: search").replace(
    'job="shop"', 'job="search"'
)
SEARCH_ERRORS = Fraction(5, 100)


@dataclass(frozen=True)
class Live:
    url: str
    specs: Path
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
    """One metric family holding every job's series, as OpenMetrics wants it, and the
    firing alert's ``ALERTS`` series over the last ten scrapes."""
    texts = [h.openmetrics().removesuffix("# EOF\n") for h in histories]
    first, *rest = texts
    end_s = histories[0].end_ms // 1000
    labels = ",".join(f'{k}="{v}"' for k, v in sorted({**alert, "alertstate": "firing"}.items()))
    alerts = "".join(f"ALERTS{{{labels}}} 1 {end_s - 60 * n}\n" for n in range(10, -1, -1))
    return (
        first
        + "".join(t.split("\n", 1)[1] for t in rest)
        + "# TYPE ALERTS gauge\n"
        + alerts
        + "# EOF\n"
    )


def _rules(specs: Path) -> tuple[str, dict[str, str]]:
    """Both services' rule groups in one file, and the labels of search's burn page."""
    bundle = slogen.compile(slogen.load([specs]))
    groups = [
        group
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
        yield Live(server.url, specs, server, shop, search)


def test_status_reads_each_slo_from_the_recordings(live: Live) -> None:
    statuses = {s.service: s for s in slogen.status(slogen.load([live.specs]), live.url)}
    shop, search = statuses["shop"], statuses["search"]
    # The period ratio over what exists of the week: the plain error share, up to the
    # edge minutes a rolling 5m rate counts fewer times (well under 1% here).
    for status, past in ((shop, live.shop), (search, live.search)):
        exact = float(past.count_ratio(1, past.scenario.minutes))
        assert status.sli == pytest.approx(1 - exact, rel=1e-4)
        assert status.remaining == pytest.approx(1 - exact / 0.01, rel=1e-2, abs=1e-3)
    assert shop.state == "healthy" and search.state == "exhausted"
    assert shop.burn_window == 3600 and shop.burn_rate == pytest.approx(0.1, rel=0.05)
    assert search.burn_rate == pytest.approx(5, rel=0.05)
    assert shop.firing == () and search.firing == ("SLOErrorBudgetBurn/page",)


def test_status_prints_a_table_and_json(live: Live, run_cli) -> None:  # type: ignore[no-untyped-def]
    table = run_cli("status", str(live.specs), "--prometheus", live.url)
    assert table.code == 0, table.err
    header, *rows = table.out.splitlines()
    assert header.split()[:3] == ["SLO", "OBJECTIVE", "SLI"]
    by_slo = {row.split()[0]: row for row in rows}
    assert set(by_slo) == {"shop/availability", "search/availability"}
    assert "healthy" in by_slo["shop/availability"]
    assert "exhausted" in by_slo["search/availability"]
    assert by_slo["search/availability"].rstrip().endswith("spent")
    only = run_cli("status", str(live.specs), "--prometheus", live.url, "--service", "search")
    assert [r.split()[0] for r in only.out.splitlines()[1:]] == ["search/availability"]
    reply = run_cli("status", str(live.specs), "--prometheus", live.url, "--json")
    parsed = json.loads(reply.out)
    assert {(s["service"], s["state"]) for s in parsed} == {
        ("shop", "healthy"),
        ("search", "exhausted"),
    }


def test_the_gate_freezes_only_the_service_that_spent_its_budget(
    live: Live,
    run_cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    def gate(*args: str) -> tuple[int, str]:
        result = run_cli("gate", str(live.specs), "--prometheus", live.url, *args)
        return result.code, result.out + result.err

    assert gate("--service", "shop") == (0, "gate open: shop may release\n")
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
