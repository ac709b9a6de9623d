"""A total outage fires the page on the real Prometheus when ``slogen.detection`` says.

The SLO is the Workbook's example, 99.9% over 30 days, whose fastest page (1h/5m,
factor 14.4) needs a full hour of clean history before the outage; the page has
``for: 0s`` to keep the wait short (the simulation adds ``for`` in whole evaluations,
which tests/test_detection.py checks). Waiting an hour is not an option, so:

1. A loopback exporter serves ``http_requests_total`` as counters that grow steadily
   with time. A first Prometheus scrapes it as twenty targets, which differ only in a
   label, and so each at a phase of its own within the minute (a hash of the target:
   it does not depend on when the server starts). The target scraped first is kept,
   and the history ends at that scrape.
2. A clean history ending at that scrape is backfilled: the raw
   counters at its phase for the last 20 minutes, and the recordings the windows read
   (the 5m rates and, where the rules weigh coverage, the first-seen time) for three
   days, on the grid of the recording group. The rule file's name fixes that grid
   (tests/rule_schedule.py): it is chosen so that the recording group runs late after
   each scrape and the alerting group late after the recordings, the phases at which
   the page fires latest.
3. A second Prometheus starts on that history at once, with the generated rules, and
   scrapes the same target a minute after the history's last scrape: the counters
   continue without a gap. The exporter switches to 100% errors at an instant chosen,
   from the simulation, near the scrape phase at which the page fires latest.

The page's firing evaluation (from ``ALERTS``) must then come when the simulation says
for these phases, and within an evaluation interval below its bound over all phases.
About 6 minutes in all, 5 of them the outage itself.
"""

from __future__ import annotations

import math
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

import slogen
from slogen import detection, naming
from slogen.detection import Condition, Phases
from tests.prometheus_harness import Prometheus, load_history, running_prometheus
from tests.rule_schedule import NANOS_PER_MS, group_offset_ns

SERVICE, SLO = "shop", "availability"
SPEC = f"""\
service: {SERVICE}
team: web
runbook: https://runbooks.example.com/{{service}}#{{slo}}
slos:
  - name: {SLO}
    objective: 99.9
    sli:
      events:
        errors: http_requests_total{{job="shop", code=~"5.."}}
        total: http_requests_total{{job="shop"}}
    alerting:
      page: {{for: 0s}}
"""
MINUTE_MS = 60_000
RATE = 10.0  # requests per second, steady
SUCCESSES_BASE = 5_000_000.0
ERRORS_BASE = 1_000.0  # errors counted long ago: the counter the simulation assumes
PROBES = 20
RAW_HISTORY_MS = 20 * MINUTE_MS
RECORDED_HISTORY_MS = (3 * 24 * 60 + 10) * MINUTE_MS  # every alert window, full
START_MS = 10_000  # at most, for Prometheus to load the history and its rules
LATE = (50.0, 57.0)  # seconds after the previous run at which each group should run
MARGIN_S = 2.0  # the outage starts this far from the phase at which firing jumps
POLL_S = 1.0
PAGE_ALERTS = f'ALERTS{{alertname="{naming.BURN_ALERT}", severity="page"}}'


class _Exporter(ThreadingHTTPServer):
    """``/metrics?slot=N``: empty for every slot but the one chosen, which serves the
    counters as they stand at the moment of the request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.served: str | None = None
        self.outage_s = math.inf

    def counters(self, at_s: float) -> tuple[float, float]:
        """Successes and errors at ``at_s`` (unix seconds)."""
        with self.lock:
            outage = self.outage_s
        successes = SUCCESSES_BASE + RATE * min(at_s, outage)
        return successes, ERRORS_BASE + RATE * max(0.0, at_s - outage)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Exporter

    def do_GET(self) -> None:
        now = time.time()
        slot = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("slot")
        body = ""
        if slot and slot[0] == self.server.served:
            successes, errors = self.server.counters(now)
            body = (
                "# TYPE http_requests_total counter\n"
                f'http_requests_total{{code="200"}} {successes!r}\n'
                f'http_requests_total{{code="500"}} {errors!r}\n'
            )
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def _exporting() -> Iterator[_Exporter]:
    server = _Exporter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _config(path: Path, exporter: _Exporter, slots: list[str], rules: list[Path]) -> Path:
    static = [
        {"targets": [exporter.target], "labels": {"slot": s, "__param_slot": s}} for s in slots
    ]
    config = {
        "global": {"scrape_interval": "1m", "evaluation_interval": "1m"},
        "scrape_configs": [{"job_name": "shop", "scrape_timeout": "10s", "static_configs": static}],
        "rule_files": [str(r) for r in rules],
    }
    path.write_text(yaml.safe_dump(config))
    return path


def _first_scrape(server: Prometheus) -> tuple[str, int]:
    """The probe target scraped first, and when (ms)."""
    for _ in range(400):
        found = [
            (series["metric"]["slot"], round(float(value[0]) * 1000))
            for series in server.query('up{job="shop"}[2m]', int(time.time() * 1000))
            for value in series["values"]
        ]
        if found:
            return max(found, key=lambda scrape: scrape[1])
        time.sleep(0.2)
    pytest.fail("no probe target was scraped within 80 s")


def _compile(directory: Path) -> tuple[slogen.SLO, str]:
    specs = directory / "specs"
    specs.mkdir(parents=True)
    (specs / f"{SERVICE}.yaml").write_text(SPEC)
    loaded = slogen.load([specs])
    slo = next(slogen.compile_model(loaded).slos())
    rules = slogen.compile(loaded).files[f"prometheus/{SERVICE}.rules.yml"].decode()
    return slo, rules


def _groups(rules: str) -> dict[str, dict[str, Any]]:
    return {g["name"].rsplit(":", 1)[1]: g for g in yaml.safe_load(rules)["groups"]}


def _live_offset_ms(group: str, path: Path) -> int:
    """A live server truncates the group's offset to the millisecond."""
    return group_offset_ns(group, path, 60) // NANOS_PER_MS


def _late_rule_file(directory: Path, rules: str, scrape_ms: int) -> Path:
    """A rule file path whose recording group runs late after each scrape and whose
    alerting group runs late after the recordings (``LATE``)."""
    groups = _groups(rules)
    for n in range(50_000):
        path = directory / f"{SERVICE}-{n}.rules.yml"
        sli = _live_offset_ms(groups["sli"]["name"], path)
        alerts = _live_offset_ms(groups["alerts"]["name"], path)
        after_scrape = (sli - scrape_ms) % MINUTE_MS / 1000
        after_sli = (alerts - sli) % MINUTE_MS / 1000
        if all(LATE[0] <= late <= LATE[1] for late in (after_scrape, after_sli)):
            return path
    raise AssertionError("no rule file name puts both groups late")


def _grid(offset_ms: int, first_ms: int, last_ms: int) -> range:
    """Times at ``offset_ms`` into each minute, from ``first_ms`` to ``last_ms``."""
    start = first_ms + (offset_ms - first_ms) % MINUTE_MS
    return range(start, last_ms + 1, MINUTE_MS)


def _history(
    exporter: _Exporter, slot: str, rules: str, scrape_ms: int, sli_ms: int, end_ms: int
) -> str:
    """OpenMetrics: the raw counters at the target's scrapes, and the clean recordings
    the windows read on the recording group's grid, up to ``end_ms``."""
    labels = f'instance="{exporter.target}",job="shop",slot="{slot}"'
    lines = ["# TYPE http_requests counter"]
    scrapes = _grid(scrape_ms, end_ms - RAW_HISTORY_MS, end_ms)
    for code, index in (("200", 0), ("500", 1)):
        for at in scrapes:
            value = exporter.counters(at / 1000)[index]
            lines.append(f'http_requests_total{{code="{code}",{labels}}} {value!r} {at / 1000:.3f}')
    evaluations = _grid(sli_ms, end_ms - RECORDED_HISTORY_MS, end_ms)
    values = {
        naming.TOTAL_RATE5M: RATE,
        naming.ERRORS_RATE5M: 0.0,
        getattr(naming, "FIRST_SEEN", ""): evaluations[0] / 1000,
    }
    for rule in _groups(rules)["sli"]["rules"]:
        if rule.get("record") not in values:
            continue
        name = rule["record"]
        matchers = ",".join(f'{k}="{v}"' for k, v in sorted(rule.get("labels", {}).items()))
        lines.append(f"# TYPE {name} gauge")
        lines += [f"{name}{{{matchers}}} {values[name]!r} {at / 1000:.3f}" for at in evaluations]
    return "\n".join([*lines, "# EOF", ""])


def _worst_scrape_phase(
    conditions: tuple[Condition, ...], after_scrape: float, after_sli: float
) -> float:
    """The outage's offset before a scrape at which the page fires latest for these
    group phases, moved ``MARGIN_S`` away from where firing jumps a minute earlier."""

    def firing(sigma: float) -> float:
        found = detection.firing_at(
            conditions, Fraction(1), 0, Phases(sigma, after_scrape, after_sli)
        )
        assert found is not None
        return found.firing

    worst = max((q / 4 for q in range(1, 241)), key=firing)
    sigma = worst - MARGIN_S
    assert sigma > MARGIN_S and firing(worst) - firing(sigma - MARGIN_S / 2) == pytest.approx(
        1.5 * MARGIN_S
    )
    return sigma


def _first_sample_ms(server: Prometheus, selector: str, at_ms: int) -> int | None:
    found = server.query(f"{selector}[20m]", at_ms)
    stamps = [round(float(v[0]) * 1000) for series in found for v in series["values"]]
    return min(stamps) if stamps else None


def test_a_total_outage_fires_the_page_when_the_simulation_says(tmp_path: Path) -> None:
    started_ms = int(time.time() * 1000)
    slo, rules = _compile(tmp_path)
    page = tuple(detection.condition(slo, pair) for pair in slo.alerting.burn_by_severity()["page"])
    (tmp_path / "probe").mkdir()
    (tmp_path / "live").mkdir()
    (tmp_path / "rules").mkdir()
    with _exporting() as exporter:
        # 1. The probe target scraped first: the history ends at that scrape.
        probe = _config(tmp_path / "probe.yml", exporter, [str(n) for n in range(PROBES)], [])
        with running_prometheus(tmp_path / "probe" / "data", probe, tmp_path / "probe") as server:
            slot, end_ms = _first_scrape(server)
        scrape_ms = end_ms % MINUTE_MS

        # 2. The rules' grid, the outage's start, and the history up to the scrape.
        rule_file = _late_rule_file(tmp_path / "rules", rules, scrape_ms)
        rule_file.write_text(rules)
        groups = _groups(rules)
        sli_ms = _live_offset_ms(groups["sli"]["name"], rule_file)
        alerts_ms = _live_offset_ms(groups["alerts"]["name"], rule_file)
        after_scrape = (sli_ms - scrape_ms) % MINUTE_MS / 1000
        after_sli = (alerts_ms - sli_ms) % MINUTE_MS / 1000
        sigma = _worst_scrape_phase(page, after_scrape, after_sli)
        first_live_scrape_ms = end_ms + MINUTE_MS
        outage_ms = first_live_scrape_ms - round(sigma * 1000)
        predicted = detection.firing_at(
            page,
            Fraction(1),
            0,
            Phases((first_live_scrape_ms - outage_ms) / 1000, after_scrape, after_sli),
        )
        bound = detection.detection(page, Fraction(1), 0)
        assert predicted is not None and bound is not None
        history = tmp_path / "history.om"
        history.write_text(_history(exporter, slot, rules, scrape_ms, sli_ms, end_ms))
        data = load_history(history, tmp_path)
        with exporter.lock:
            exporter.served, exporter.outage_s = slot, outage_ms / 1000

        # 3. Live, from the history's last scrape on: the server must be up before the
        # recording group's first evaluation after it (and scrape the next minute).
        late_ms = end_ms + round(after_scrape * 1000) - START_MS
        assert time.time() * 1000 < late_ms, "the history took too long to build"
        live = _config(tmp_path / "live.yml", exporter, [slot], [rule_file])
        with running_prometheus(data, live, tmp_path / "live") as server:
            firing_ms = _wait_for_page(server, outage_ms + round(bound.latest * 1000) + 30_000)
            now_ms = int(time.time() * 1000)
            first_alert_ms = _first_sample_ms(server, PAGE_ALERTS, now_ms)
            scraped = server.query(
                f'http_requests_total{{code="200"}}[{(now_ms - end_ms) // 1000}s]', now_ms
            )
            window = server.query(
                f'count_over_time({naming.TOTAL_RATE5M}{{slo_service="{SERVICE}"}}[1h])',
                firing_ms - round(after_sli * 1000),
            )

    # The live server ran on the grid the test built: scrapes continue the history's.
    stamps = [round(float(v[0]) * 1000) for series in scraped for v in series["values"]]
    live_scrapes = [at for at in stamps if at > end_ms]
    assert live_scrapes and abs(live_scrapes[0] - first_live_scrape_ms) < 100, (
        live_scrapes,
        end_ms,
    )
    assert [float(s["value"][1]) for s in window] == [61.0]  # a full, clean hour
    assert first_alert_ms == firing_ms  # nothing before: no pending, no earlier page

    measured = (firing_ms - outage_ms) / 1000
    print(  # shown with -s: the figures behind the assertions
        f"scrape {sigma:.3f}s after the outage starts, recordings {after_scrape:.3f}s after "
        f"each scrape, alerts {after_sli:.3f}s after them; the page fired {measured:.3f}s "
        f"into the outage, simulated {predicted.firing:.3f}s, within "
        f"{bound.earliest:.3f}..{bound.latest:.3f}s over all phases; the outage started "
        f"{(outage_ms - started_ms) / 1000:.1f}s after the test"
    )
    assert measured == pytest.approx(predicted.firing, abs=1.0), (
        measured,
        predicted,
        sigma,
        after_scrape,
        after_sli,
    )
    assert bound.latest - 60 <= measured <= bound.latest, (measured, bound)
    fastest = min(slo.alerting.burn_by_severity()["page"], key=lambda pair: pair.long)
    assert measured <= detection.lived_firing_seconds(slo, fastest, Fraction(1))


def _wait_for_page(server: Prometheus, deadline_ms: int) -> int:
    """The timestamp of the page's first firing evaluation, polling the alerts API once
    a second until ``deadline_ms``."""
    for _ in range(int((deadline_ms - time.time() * 1000) / 1000 / POLL_S) + 2):
        for alert in server.alerts():
            labels = alert["labels"]
            if (
                labels.get("alertname") == naming.BURN_ALERT
                and labels.get("severity") == "page"
                and alert["state"] == "firing"
            ):
                firing = f'{PAGE_ALERTS[:-1]}, alertstate="firing"}}'
                found = _first_sample_ms(server, firing, int(time.time() * 1000))
                assert found is not None
                return found
        if time.time() * 1000 > deadline_ms:
            break
        time.sleep(POLL_S)
    pytest.fail(f"the page did not fire; Prometheus holds {server.alerts()}")
