"""Accuracy: the 30-day error ratio and budget remaining each rule style reports, against
the exact figures of the synthetic history.

The history (tests/synthetic_history.py) is a month of diurnal traffic whose errors are
concentrated in the quiet hours: a background of 1 in 2,000 requests (``--background``),
and on every third night two hours (02:00-04:00 UTC) at 5%. Each style (rule_styles.py) is
backfilled on the real Prometheus and read at two instants, as a dashboard would read
it then (each style's period recording at its group's last evaluation):

- ``A``: day 30, 10:00 UTC, a month of traffic with no gap in it;
- ``B``: a day after a 90-minute stretch with no traffic at all (from A + 1h).

The exact ratio is errors / requests over the 30 days of minutes ending at the last
scrape before the instant, from the history's counts. Two errors are printed: against
the exact figure for the time the style's period rule last ran (the method's error),
and against the exact figure at the instant itself (adds the age of the figure: a
group that runs every 5 minutes reports up to 5 minutes late). Pyrra records no
budget; its budget is computed from pyrra_availability as Pyrra's UI does,
``1 - (1 - availability) / (1 - objective)``.

    python benchmarks/bench_accuracy.py [--instances 3]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.rule_styles import (  # noqa: E402
    OBJECTIVE,
    PERIOD_DAYS,
    Rule,
    backfill_styles,
    evaluation_ms,
    styles,
)
from tests.prometheus_harness import Prometheus, running_prometheus, write_config  # noqa: E402
from tests.synthetic_history import (  # noqa: E402
    DAY_MINUTES,
    History,
    Incident,
    Quiet,
    Scenario,
    history,
)

START_S = 1_699_833_600  # 2023-11-13 00:00 UTC, a Monday
PERIOD_MINUTES = PERIOD_DAYS * DAY_MINUTES
CHECK_A = PERIOD_MINUTES + 10 * 60  # day 30, 10:00
GAP = Quiet(first=CHECK_A + 60, minutes=90)
CHECK_B = GAP.first + GAP.minutes + DAY_MINUTES  # a day after the gap ends
BUDGET = Fraction(1, 1000)
NIGHTS = tuple(
    Incident(first=day * DAY_MINUTES + 120, minutes=120, error_ratio=Fraction(5, 100))
    for day in range(1, PERIOD_DAYS + 1, 3)
)


def scenario(instances: int, background: Fraction) -> Scenario:
    return Scenario(
        start_s=START_S,
        minutes=CHECK_B + 20,
        instances=instances,
        background_errors=background,
        incidents=NIGHTS,
        quiet=(GAP,),
    )


@dataclass(frozen=True)
class Reading:
    """Where a style keeps its period figures."""

    ratio: str  # record name of the period error ratio, or of the availability
    budget: str | None  # record name of the budget remaining, when it records one
    availability: bool = False  # ``ratio`` is 1 - the error ratio


READINGS = {
    "slogen": Reading("slo:sli_error:ratio_period", "slo:error_budget_remaining:ratio"),
    "sloth": Reading("slo:sli_error:ratio_rate30d", "slo:period_error_budget_remaining:ratio"),
    "pyrra": Reading("pyrra_availability", None, availability=True),
}


def exact(month: History, at_ms: int) -> Fraction:
    """errors / requests over the 30 days of minutes ending at the last scrape."""
    last = month.minute_at(at_ms)
    return month.count_ratio(last - PERIOD_MINUTES + 1, last)


def value_at(server: Prometheus, rule: Rule, at_ms: int) -> float | None:
    """The recording's sample at exactly ``at_ms``; None when there is none."""
    found = server.query(f"{rule.selector}[1ms]", at_ms)
    values = [v for series in found for v in series["values"]]
    return float(values[0][1]) if len(values) == 1 else None


def relative(actual: float | None, expected: Fraction) -> str:
    if actual is None:
        return "empty"
    if math.isnan(actual):
        return "NaN"
    return f"{100 * (actual - float(expected)) / float(expected):+.4f}%"


def _fmt(value: float | None, percent: bool = True) -> str:
    if value is None:
        return "empty"
    if math.isnan(value):
        return "NaN"
    return f"{100 * value:.5f}%" if percent else f"{value:.5f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument(
        "--background",
        type=Fraction,
        default=Fraction(1, 2000),
        help="share of requests failing outside the night incidents (default 1/2000)",
    )
    args = parser.parse_args()
    month = history(scenario(args.instances, args.background))
    checks = {
        "A (no gap in 30d)": month.scrape_ms(CHECK_A) + 30_000,
        "B (a day after a 90m gap)": month.scrape_ms(CHECK_B) + 30_000,
    }
    with tempfile.TemporaryDirectory(prefix="accuracy-") as scratch:
        workdir = Path(scratch)
        texts = {style: styles(workdir)[style] for style in READINGS}
        wanted = {s: {r.ratio, *([r.budget] if r.budget else [])} for s, r in READINGS.items()}
        first, last = min(checks.values()), max(checks.values())
        filled = backfill_styles(month, texts, first, last, workdir, measured=wanted)
        config = write_config(workdir / "prometheus.yml")
        rows = []
        with running_prometheus(filled.data, config, workdir) as server:
            for check, at in checks.items():
                truth = exact(month, at)
                rows.append((check, "exact", None, float(truth), float(1 - truth / BUDGET), "", ""))
                for style, reading in READINGS.items():
                    by_name = {r.name: r for r in filled.rules[style]}
                    rule = by_name[reading.ratio]
                    ran = evaluation_ms(rule, filled.rule_files[style], at)
                    value = value_at(server, rule, ran)
                    ratio = value
                    if reading.availability and value is not None:
                        ratio = 1 - value
                    if reading.budget:
                        rule = by_name[reading.budget]
                        budget_ran = evaluation_ms(rule, filled.rule_files[style], at)
                        budget = value_at(server, rule, budget_ran)
                    else:
                        budget = None if ratio is None else 1 - ratio / (1 - OBJECTIVE)
                    rows.append(
                        (
                            check,
                            style,
                            (at - ran) / 1000,
                            ratio,
                            budget,
                            relative(ratio, exact(month, ran)),
                            relative(ratio, truth),
                        )
                    )
    print(
        f"{PERIOD_DAYS}-day error ratio and budget remaining (99.9%), {args.instances} instances; "
        f"errors {args.background} of requests, and 5% 02:00-04:00 every third night"
    )
    print(
        "| instant | style | age (s) | error ratio | budget remaining "
        "| vs exact when it ran | vs exact at the instant |"
    )
    print("|---|---|---|---|---|---|---|")
    for check, style, age, ratio, budget, own, now in rows:
        age_text = "" if age is None else f"{age:.0f}"
        print(
            f"| {check} | {style} | {age_text} | {_fmt(ratio)} | {_fmt(budget)} | {own} | {now} |"
        )


if __name__ == "__main__":
    main()
