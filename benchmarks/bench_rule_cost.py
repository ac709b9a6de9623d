"""Rule cost, counted: the samples Prometheus reads a minute for one SLO, per rule style.

Every rule of each style (slogen's, Sloth's and Pyrra's for the same SLO, and the
floor: the raw 5m rates of errors and total, once a minute; see rule_styles.py) runs
as an instant query with ``stats=all`` at its group's last evaluation before the check
instant, on the real Prometheus over a backfilled month of counters. Its
``totalQueryableSamples`` times its group's evaluations a minute is its cost; the sum
over a style's rules is the style's. Measured at two instance counts, the cost is
fitted as a + b·N per SLO and extrapolated to 10,000 instances.

What a rule's count depends on, and why one instant and a plain history suffice:
only on how many series its selectors match and how many samples of each its window
holds, never on the values. A range over raw series holds one sample per scrape (1m
here) of each of N errors and 2N total series; a range over a recording holds one per
evaluation of the recording's group (one more when it is the reader's own group: both
ends count in Prometheus 2); an instant selector reads one sample per series. So the
raw history must cover the longest raw window (Pyrra's 30d increase) and every
recording must exist over the windows that read it, which rule_styles.spans sees to.
Prometheus' own query time is printed too, as information: it varies with the machine.

Subqueries are counted apart. Inside a function (``sum_over_time((...)[31d:5m])``)
Prometheus counts a subquery's output points, not the samples its inner query reads
(prometheus/prometheus#16638, open in 2.x and 3.x); a subquery that is the whole query
is counted right. So each subquery of a rule is also queried alone, and the rule's
count takes its inner samples in place of its points (``subqueries``, ``measure``).

A calendar window (``--window "calendar month"``) counts what slogen's period-to-date
rules cost in place of the rolling period's; the peers' rules stay those of 30 days.
The history then spans the longest such period (92 days for a quarter), so a run at
few instances (``--instances 1,10``) is the quick one: the period rules read only
recordings, whose count does not grow with instances.

    python benchmarks/bench_rule_cost.py [--instances 10,100] [--per-rule]
        [--window "calendar quarter"]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.rule_styles import (  # noqa: E402
    PERIOD_DAYS,
    Backfilled,
    Rule,
    backfill_styles,
    evaluation_ms,
    missing_recordings,
    styles,
)
from slogen.model_calendar import parse_window  # noqa: E402
from tests.prometheus_harness import Prometheus, running_prometheus, write_config  # noqa: E402
from tests.synthetic_history import DAY_MINUTES, Scenario, history  # noqa: E402

START_S = 1_699_833_600  # 2023-11-13 00:00 UTC, a Monday


def history_minutes(window: str) -> int:
    """The longest period the rules read back over, and two hours before it."""
    _, calendar = parse_window(window)
    days = PERIOD_DAYS if calendar is None else max(PERIOD_DAYS, calendar.longest // 86400)
    return days * DAY_MINUTES + 120


def check_offset_ms(minutes: int) -> int:
    """The check instant: 20 minutes before the history ends, half-way between scrapes."""
    return (minutes - 20) * 60_000 + 30_000


AT_SCALE = 10_000
STYLE_ORDER = ("floor", "slogen", "sloth", "pyrra")


@dataclass(frozen=True)
class Measured:
    """One rule of one style at one instance count."""

    style: str
    rule: Rule
    samples: int  # per evaluation
    eval_seconds: float  # Prometheus' evalTotalTime for the query

    @property
    def per_minute(self) -> float:
        return self.samples * self.rule.per_minute


def measure(instances: int, workdir: Path, window: str) -> list[Measured]:
    """Every rule of every style on a month (or the longest calendar period) of
    ``instances`` instances' counters."""
    texts = styles(workdir, window)
    minutes = history_minutes(window)
    scenario = Scenario(start_s=START_S, minutes=minutes, instances=instances)
    month = history(scenario)
    at = month.scrape_ms(0) + check_offset_ms(minutes)
    filled: Backfilled = backfill_styles(month, texts, at, at, workdir)
    config = write_config(workdir / "prometheus.yml")
    found = []
    with running_prometheus(filled.data, config, workdir) as server:
        for style in STYLE_ORDER:
            rules, rule_file = filled.rules[style], filled.rule_files[style]
            missing = missing_recordings(server, rules, rule_file, at)
            if missing:
                sys.exit(f"{style}: recordings missing at their evaluation: {missing}")
            for rule in rules:
                when = evaluation_ms(rule, rule_file, at)
                stats = server.stats(rule.expr, when)
                samples = int(stats["samples"]["totalQueryableSamples"])
                for subquery in subqueries(rule.expr):
                    samples += inner_samples(server, subquery, when)
                found.append(
                    Measured(style, rule, samples, float(stats["timings"]["evalTotalTime"]))
                )
    return found


_SUBQUERY_RANGE = re.compile(r"\)\[[0-9a-z]+:[0-9a-z]*\]")
_NAME_CHAR = re.compile(r"[a-zA-Z0-9_:]")


def subqueries(expr: str) -> list[str]:
    """Each subquery of ``expr`` as a query of its own: ``(inner)[31d:5m]``, or with
    the function whose call it ranges over (``rate(x[5m])[1h:1m]``)."""
    found = []
    for match in _SUBQUERY_RANGE.finditer(expr):
        depth, start = 0, match.start()
        while True:
            depth += {")": 1, "(": -1}.get(expr[start], 0)
            if depth == 0:
                break
            start -= 1
        while start > 0 and _NAME_CHAR.match(expr[start - 1]):
            start -= 1
        found.append(expr[start : match.end()])
    return found


def inner_samples(server: Prometheus, subquery: str, at_ms: int) -> int:
    """What a subquery inside a rule reads beyond what Prometheus counts for it there:
    the samples its inner query reads (counted right when it is the whole query) less
    the output points it is counted as."""
    data = server.api("query", query=subquery, time=f"{at_ms / 1000:.3f}", stats="all")
    points = sum(len(series["values"]) for series in data["result"])
    return int(data["stats"]["samples"]["totalQueryableSamples"]) - points


def fit(points: dict[int, float]) -> tuple[float, float]:
    """a + b·N through the two instance counts (the counts are exactly linear in N)."""
    (n1, c1), (n2, c2) = sorted(points.items())[:2]
    b = (c2 - c1) / (n2 - n1)
    return c1 - b * n1, b


def _num(value: float) -> str:
    if abs(value) < 0.005:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"


def print_tables(
    runs: dict[int, list[Measured]], per_rule: bool, window: str
) -> dict[str, tuple[float, float]]:
    """The per-style table (and per-rule tables); returns each style's (a, b)."""
    counts = sorted(runs)
    totals = {
        style: {n: sum(m.per_minute for m in runs[n] if m.style == style) for n in counts}
        for style in STYLE_ORDER
    }
    fits = {style: fit(totals[style]) for style in STYLE_ORDER}
    at_scale = {style: a + b * AT_SCALE for style, (a, b) in fits.items()}
    seconds = {
        style: sum(m.eval_seconds * m.rule.per_minute for m in runs[counts[-1]] if m.style == style)
        for style in STYLE_ORDER
    }
    print(
        f"Samples read a minute for one SLO, slogen's over {window}, the peers' over "
        f"{PERIOD_DAYS}d (totalQueryableSamples x evaluations a minute)"
    )
    header = (
        f"| style | a (per SLO) | b (per instance) | N={counts[0]:,} | N={counts[-1]:,} "
        f"| N={AT_SCALE:,} | x floor | % of Sloth's | % of Pyrra's | query time, N={counts[-1]:,} |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for style in STYLE_ORDER:
        a, b = fits[style]
        print(
            f"| {style} | {_num(a)} | {_num(b)} | {_num(totals[style][counts[0]])} "
            f"| {_num(totals[style][counts[-1]])} | {_num(at_scale[style])} "
            f"| {at_scale[style] / at_scale['floor']:.3f} "
            f"| {100 * at_scale[style] / at_scale['sloth']:.4f}% "
            f"| {100 * at_scale[style] / at_scale['pyrra']:.4f}% "
            f"| {1000 * seconds[style]:.1f} ms/min |"
        )
    if per_rule:
        for style in STYLE_ORDER:
            print(f"\n{style}: per rule (samples per evaluation; per minute as a + b·N)")
            print(f"| rule | every | N={counts[0]:,} | N={counts[-1]:,} | a/min | b/min |")
            print("|---|---|---|---|---|---|")
            rows = zip(*(([m for m in runs[n] if m.style == style]) for n in counts), strict=True)
            for row in rows:
                rule = row[0].rule
                a, b = fit({n: m.per_minute for n, m in zip(counts, row, strict=True)})
                print(
                    f"| {rule.name} | {rule.interval_s}s | {row[0].samples:,} "
                    f"| {row[-1].samples:,} | {_num(a)} | {_num(b)} |"
                )
    return fits


def print_goals(fits: dict[str, tuple[float, float]], period_interval_s: int, window: str) -> None:
    """The issue's cost goals, met or missed, with the figures."""
    at = {style: a + b * AT_SCALE for style, (a, b) in fits.items()}
    goals = [
        (
            f"a <= 30,000 for a {window} SLO",
            fits["slogen"][0] <= 30_000,
            _num(fits["slogen"][0]),
        ),
        (
            f"at {AT_SCALE:,} instances <= 1.2x the floor",
            at["slogen"] <= 1.2 * at["floor"],
            f"{at['slogen'] / at['floor']:.3f}x",
        ),
        (
            "<= 0.1% of Sloth's",
            at["slogen"] <= 0.001 * at["sloth"],
            f"{100 * at['slogen'] / at['sloth']:.4f}%",
        ),
        (
            "<= 0.03% of Pyrra's",
            at["slogen"] <= 0.0003 * at["pyrra"],
            f"{100 * at['slogen'] / at['pyrra']:.4f}%",
        ),
    ]
    print("\nGoals (slogen):")
    for text, met, figure in goals:
        print(f"  {'met   ' if met else 'MISSED'} {text}: {figure}")
    print(f"  period rules every {period_interval_s // 60}m: budget figures lag by up to that")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--instances",
        default="10,100",
        help="two instance counts, comma-separated (default 10,100)",
    )
    parser.add_argument("--per-rule", action="store_true", help="also print every rule's count")
    parser.add_argument(
        "--window",
        default=f"{PERIOD_DAYS}d",
        help=f"slogen's window, as a spec writes it (default {PERIOD_DAYS}d)",
    )
    args = parser.parse_args()
    counts = sorted({int(n) for n in args.instances.split(",")})
    if len(counts) < 2:
        sys.exit("--instances needs two different counts")
    runs = {}
    for n in counts:
        with tempfile.TemporaryDirectory(prefix=f"rule-cost-{n}-") as scratch:
            runs[n] = measure(n, Path(scratch), args.window)
    fits = print_tables(runs, args.per_rule, args.window)
    period = max(m.rule.interval_s for m in runs[counts[0]] if m.style == "slogen")
    print_goals(fits, period, args.window)


if __name__ == "__main__":
    main()
