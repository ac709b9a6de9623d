"""``slogen report`` against the real Prometheus, over a backfilled month.

November 2026 of diurnal traffic on two instances, failing 0.1% in the background,
with two incidents of known size at known minutes, against 99% over 30d. The history
also holds the ``ALERTS`` series a live server would have written for them: the burn
page over each incident, a burn ticket from an hour into the first one to two hours
after it (one outage, so one incident with the page's severity and the union of the
two spans), and the budget ticket from the second one to the month's end
(that the rules fire and reach Alertmanager is tests/test_e2e_alerting.py's concern).
The scrapes fall on whole minutes and the month starts on one, so Prometheus 2's
ranges (both ends included) hold the scrapes at the period's ends and nothing is
extrapolated: every ratio the report gives equals the history's own, to 1e-9.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

import slogen
from slogen import budget_policy, naming
from slogen.report import pictures
from slogen.report.period import month
from slogen.report.render_json import slo_fields
from tests.prometheus_harness import load_history, running_prometheus, write_config
from tests.synthetic_history import DAY_MINUTES, History, Incident, Scenario, history

NOVEMBER_S = 1_793_491_200  # 2026-11-01T00:00:00Z
MINUTES = 30 * DAY_MINUTES
BUDGET = Fraction(1, 100)
SPEC = """\
service: shop
team: web
window: 30d
runbook: https://runbooks.example.com/{service}#{slo}
slos:
  - name: availability
    objective: 99
    sli:
      events:
        errors: http_requests_total{job="shop", code=~"5.."}
        total: http_requests_total{job="shop"}
    alerting:
      page: {for: 0s}
"""
# Day 9 from 10:00, six hours at 30%; day 19 from 12:00, three hours at 50%.
FIRST = Incident(first=9 * DAY_MINUTES + 600, minutes=360, error_ratio=Fraction(30, 100))
SECOND = Incident(first=19 * DAY_MINUTES + 720, minutes=180, error_ratio=Fraction(50, 100))
MONTH = Scenario(start_s=NOVEMBER_S, minutes=MINUTES, instances=2, incidents=(FIRST, SECOND))


@dataclass(frozen=True)
class Live:
    url: str
    specs: Path
    past: History


def _labels(specs: Path) -> dict[str, dict[str, str]]:
    """The labels of the generated burn page, burn ticket and budget-low ticket."""
    bundle = slogen.compile(slogen.load([specs]))
    rules = [
        {"alertname": rule["alert"], **rule["labels"]}
        for group in yaml.safe_load(bundle.files["prometheus/shop.rules.yml"])["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]
    burn = {r["severity"]: r for r in rules if r["alertname"] == naming.BURN_ALERT}
    [ticket] = [r for r in rules if r["alertname"] == naming.BUDGET_LOW_ALERT]
    return {"page": burn["page"], "burn_ticket": burn["ticket"], "ticket": ticket}


def _alerts(past: History, spans: list[tuple[dict[str, str], int, int]]) -> str:
    """``ALERTS`` samples half a minute into each minute ``first .. last`` of each span,
    as an alerting group evaluating then writes them."""
    lines = ["# TYPE ALERTS gauge\n"]
    for labels, first, last in spans:
        text = ",".join(f'{k}="{v}"' for k, v in sorted({**labels, "alertstate": "firing"}.items()))
        lines += [
            f"ALERTS{{{text}}} 1 {past.scrape_ms(m) // 1000 + 30}\n" for m in range(first, last + 1)
        ]
    return "".join(lines)


def _spans() -> list[tuple[str, int, int]]:
    """Which alert fires over which minutes: the pages over the incidents, a burn ticket
    overlapping the first, the ticket from the second incident's end to the month's end."""
    end_first, end_second = FIRST.first + FIRST.minutes - 1, SECOND.first + SECOND.minutes - 1
    return [
        ("page", FIRST.first, end_first),
        ("burn_ticket", FIRST.first + 60, end_first + 120),
        ("page", SECOND.first, end_second),
        ("ticket", end_second + 1, MINUTES - 1),
    ]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    workdir = tmp_path_factory.mktemp("report")
    specs = workdir / "specs"
    specs.mkdir()
    (specs / "shop.yaml").write_text(SPEC)
    labels = _labels(specs)
    past = history(MONTH)
    alerts = _alerts(past, [(labels[kind], first, last) for kind, first, last in _spans()])
    text = past.openmetrics().removesuffix("# EOF\n") + alerts + "# EOF\n"
    (workdir / "history.om").write_text(text)
    data = load_history(workdir / "history.om", workdir)
    config = write_config(workdir / "prometheus.yml")
    with running_prometheus(data, config, workdir) as server:
        yield Live(server.url, specs, past)


def _exact(past: History, first: int, last: int) -> tuple[int, int]:
    """Errors and requests of minutes ``first .. last``, every instance."""
    n = past.scenario.instances
    return sum(past.errors[first : last + 1]) * n, sum(past.requests[first : last + 1]) * n


def test_the_report_equals_the_history(live: Live) -> None:
    found = slogen.api.report_period(slogen.load([live.specs]), live.url, month("2026-11"))
    [slo] = found.slos
    errors, total = _exact(live.past, 1, MINUTES)
    assert slo.from_raw_series and (slo.errors, slo.total) == pytest.approx(
        (errors, total), rel=1e-9
    )
    ratio = Fraction(errors, total)
    assert slo.sli == pytest.approx(float(1 - ratio), rel=1e-9, abs=1e-12)
    assert slo.budget_consumed == pytest.approx(float(ratio / BUDGET), rel=1e-9)
    assert slo.met is (ratio <= BUDGET)
    assert slo.state == budget_policy.state(float(1 - ratio / BUDGET))
    # The incidents: the pages' spans, the first joined with its burn ticket's, to the
    # minute, and the budget their minutes spent, charged once.
    [first_page, second_page] = [(f, t) for kind, f, t in _spans() if kind == "page"]
    [burn_ticket] = [(f, t) for kind, f, t in _spans() if kind == "burn_ticket"]
    outages = [(first_page[0], max(first_page[1], burn_ticket[1])), second_page]
    assert len(slo.incidents) == len(outages)
    assert [i.span.severity for i in slo.incidents] == ["page", "page"]
    for incident, (first, last) in zip(slo.incidents, outages, strict=True):
        assert incident.span.start == live.past.scrape_ms(first) / 1000
        assert incident.span.end == live.past.scrape_ms(last + 1) / 1000
        spent, _ = _exact(live.past, first + 1, last + 1)
        assert incident.budget_share == pytest.approx(float(spent / (BUDGET * total)), rel=1e-9)
    assert (slo.pages, slo.tickets) == (2, 2)
    # The burn-down: an hour a step, each point what the minutes up to it spent.
    down = slo.burn_down
    assert down.step == 3600 and len(down.times) == 30 * 24 + 1
    for k in range(0, len(down.times), 37):
        spent, _ = _exact(live.past, 1, 60 * k)
        assert down.remaining[k] == pytest.approx(float(1 - spent / (BUDGET * total)), abs=1e-9)
    assert down.remaining[-1] == pytest.approx(slo.budget_remaining, abs=1e-12)
    assert sum(slo.state_seconds.values()) == 30 * 86400
    assert found.worst is slo
    assert found.services_meeting == (() if ratio > BUDGET else ("shop",))


def test_pictures_plot_the_reports_numbers(live: Live, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    reply = run_cli(
        "report", str(live.specs), "--prometheus", live.url, "--month", "2026-11",
        "-o", str(tmp_path), "--format", "html",
    )  # fmt: skip
    assert reply.code == 0, reply.err
    found = slogen.api.report_period(slogen.load([live.specs]), live.url, month("2026-11"))
    [slo] = found.slos
    burn, sli = pictures.pictures(slo)
    for picture in (burn, sli):
        svg = (tmp_path / picture.name).read_bytes()
        assert svg == picture.svg  # deterministic: drawn again, the same bytes
        assert b'width="576pt" height="216pt"' in svg
        assert picture.x[-1] == 30 and len(picture.x) == len(slo.burn_down.times)
    assert burn.y == tuple(100 * r for r in slo.burn_down.remaining)
    assert sli.y[-1] == pytest.approx(100 * (slo.sli or 0), rel=1e-12)
    # The burn-down's line in the SVG has a vertex per step.
    path = re.search(rb'<g id="burn-down">\s*<path d="([^"]*)"', burn.svg)
    assert path is not None and len(re.findall(rb"[ML] ", path[1])) == len(burn.x)
    page = (tmp_path / "report.html").read_text()
    assert page.count("<svg") == 2 and "shop/availability" in page
    data = json.loads(run_cli("report", str(live.specs), "--prometheus", live.url,
                              "--month", "2026-11", "--format", "json").out)  # fmt: skip
    assert data["slos"][0] == json.loads(json.dumps(slo_fields(found, slo)))
    assert data["summary"]["worst"] == "shop/availability"
    markdown = run_cli("report", str(live.specs), "--prometheus", live.url, "--week", "2026-W47")
    assert markdown.code == 0 and markdown.out.startswith("# SLO report: 2026-W47")
