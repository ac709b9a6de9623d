"""The SLO and the histories that the end-to-end tests run on the real Prometheus.

One events SLO, 99% over 7 days (a week keeps the backfill fast while every window
of the default burn policies, up to 3d, and the period still span days), on the
``http_requests_total`` counters of three instances. Pages have no ``for``, so a
burn alert fires on its group's first evaluation instead of minutes later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

import slogen
from tests.prometheus_harness import Prometheus, backfill, running_prometheus, write_config
from tests.rule_schedule import backfill_offset_ms
from tests.synthetic_history import DAY_MINUTES, History, Incident, Quiet, Scenario, history

SERVICE = "shop"
SLO = "availability"
SELECTOR = f'{{slo_service="{SERVICE}", slo_name="{SLO}"}}'
BUDGET = Fraction(1, 100)
PERIOD_MINUTES = 7 * DAY_MINUTES

SPEC = f"""\
service: {SERVICE}
team: web
window: 7d
runbook: https://runbooks.example.com/{{service}}#{{slo}}
slos:
  - name: {SLO}
    objective: 99
    sli:
      events:
        errors: http_requests_total{{job="shop", code=~"5.."}}
        total: http_requests_total{{job="shop"}}
    alerting:
      page: {{for: 0s}}
"""

# A fixed week and a half, starting on a Monday at midnight UTC (2023-11-13).
WEEK_START_S = 1_699_833_600
# The instant the values are checked at: the sli group's last run before 11:30 on
# the eighth day (minute 10,770), half an hour before the history ends.
CHECK_MINUTE = 10_770
# Day 3, 02:00-05:00: no requests at all. Inside the period window at the check, and
# more than 3 days before it, so the 3d window there has traffic all along; and more
# than 3 days after the history starts, so every window inside the gap is complete.
GAP = Quiet(first=3 * DAY_MINUTES + 120, minutes=180)
WEEK = Scenario(
    start_s=WEEK_START_S,
    minutes=CHECK_MINUTE + 30,
    incidents=(
        # Day 3, 14:00: 45 minutes at 4% during the busiest hours.
        Incident(first=3 * DAY_MINUTES + 840, minutes=45, error_ratio=Fraction(4, 100)),
        # Day 5, 03:00: an hour at 20% while traffic is at its lowest.
        Incident(first=5 * DAY_MINUTES + 180, minutes=60, error_ratio=Fraction(20, 100)),
        # Still going on at the check: the last 30 minutes at 5%.
        Incident(first=CHECK_MINUTE - 30, minutes=60, error_ratio=Fraction(5, 100)),
    ),
    quiet=(GAP,),
)


def compile_rules(directory: Path, routing: dict[str, Any] | None = None) -> dict[str, str]:
    """The generated files of the shop spec, by output path (promtool runs later)."""
    specs = directory / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    (specs / f"{SERVICE}.yaml").write_text(SPEC)
    if routing is not None:
        (specs / "routing.yaml").write_text(yaml.safe_dump(routing))
    bundle = slogen.compile(slogen.load([specs]))
    return {path: content.decode() for path, content in bundle.files.items()}


def rules_text(files: dict[str, str]) -> str:
    return files[f"prometheus/{SERVICE}.rules.yml"]


def groups(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The rule groups by their role: ``sli``, ``alerts``, ``period``."""
    parsed = yaml.safe_load(rules_text(files))["groups"]
    return {group["name"].rsplit(":", 1)[1]: group for group in parsed}


def interval_s(group: dict[str, Any]) -> int:
    return {"1m": 60, "5m": 300}[group["interval"]]


@dataclass(frozen=True)
class Backfilled:
    """A running Prometheus holding a history and every recording over it."""

    server: Prometheus
    history: History
    files: dict[str, str]
    rule_file: Path


def _unambiguous_rule_file(directory: Path, files: dict[str, str]) -> Path:
    """A rule file path whose groups never run on a scrape or on each other's runs,
    nor in the last second of their interval.

    The checks count samples per window, and a group that ran exactly on a scrape,
    or a period run on a 1m recording's timestamp, would read one more (both ends of
    a range count in Prometheus 2). And promtool's backfill ends each block's range
    query on the whole second before the block's boundary, so a group running in the
    last second of its interval loses the run at every boundary: for 3 of the 120
    paths pytest gives this fixture, the sli group did, and the week's 5m rates lost
    a sample a block. The offsets hash the path; such paths are skipped rather than
    left to chance.
    """
    by_role = groups(files)
    for n in range(100):
        path = directory / f"{SERVICE}-{n}.rules.yml"
        offsets = {
            role: backfill_offset_ms(group["name"], path, interval_s(group))
            for role, group in by_role.items()
        }
        sli, period = offsets["sli"], offsets["period"]
        clear_of_boundaries = all(
            offset % (interval_s(by_role[role]) * 1000) < interval_s(by_role[role]) * 1000 - 1000
            for role, offset in offsets.items()
        )
        if sli % 60_000 != 0 and period % 60_000 not in (0, sli) and clear_of_boundaries:
            return path
    raise AssertionError("no rule file path with distinct group offsets")


@contextmanager
def backfilled_week(workdir: Path) -> Iterator[Backfilled]:
    """The shop's week of history with its recordings, on a running Prometheus."""
    files = compile_rules(workdir)
    week = history(WEEK)
    rule_file = _unambiguous_rule_file(workdir / "rules", files)
    rule_file.parent.mkdir()
    start_ms, end_ms = week.scrape_ms(0), week.end_ms
    data = backfill(week.openmetrics(), rules_text(files), rule_file, start_ms, end_ms, workdir)
    config = write_config(workdir / "prometheus.yml")
    with running_prometheus(data, config, workdir) as server:
        yield Backfilled(server, week, files, rule_file)
