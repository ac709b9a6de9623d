"""What each alert means, in numbers an on-call engineer can read.

The figures come from the model (``BurnAlert.figures``, which asks ``slogen.detection``
when an alert fires on Prometheus); this module only lays them out: as plain text for
``slogen explain``, and as the rows that the SLO documents (``slogen.docs``) put in their
alert tables.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from fractions import Fraction

from slogen import naming, promql
from slogen.durations import format_duration
from slogen.model import SLO, VANISHED_LOOKBACK
from slogen.model_calendar import over
from slogen.readable import percent, readable

HEADINGS = (
    "severity",
    "long/short",
    "burn rate",
    "error ratio",
    "budget spent",
    "outage fires",
    "at 2x",
    "at 10x",
    "resets",
    "for",
)


FIGURES_NOTE = (
    "Firing times are how long after a constant incident starts the alert fires on "
    "Prometheus, at the latest: for a full outage, and for an error ratio of 2x and 10x "
    "the alert's threshold (the error ratio column), after a clean, full history with "
    "steady traffic. They include the 5-minute rates filling up (scraped every minute), "
    "the rule groups running once a minute (recordings, then the alert) and `for`, with "
    "scrapes and evaluations at their worst against the incident's start; at their best "
    "the alert fires up to 3 minutes sooner. Budget spent is the share of the period's "
    "error budget the long window must see spent, in brackets as seconds of full outage: "
    "the SRE Workbook's detection time, which leaves out those delays. An alert can "
    "outlive its incident by up to the short window (resets)."
)


def seconds(value: Fraction | int | None) -> str:
    """A span for people: ``52s``, ``2m52s``, ``4h48m``; fractions of a second rounded;
    None (an alert that cannot fire) as ``never``."""
    if value is None:
        return "never"
    whole = round(value)
    return format_duration(whole) if whole > 0 else "0s"


def burn_rows(slo: SLO) -> list[tuple[str, ...]]:
    """One row per burn pair, fastest first."""
    rows = []
    for severity, pairs in slo.alerting.burn_by_severity().items():
        for pair in pairs:
            for_seconds = slo.alerting.severity(severity).for_seconds
            figures = pair.figures(slo.budget, for_seconds, slo.counts_traffic)
            rows.append(
                (
                    severity,
                    pair.windows,
                    readable(pair.factor),
                    percent(figures.threshold),
                    f"{percent(figures.budget_spent)} "
                    f"({seconds(figures.workbook_outage_detection)})",
                    seconds(figures.outage_firing),
                    seconds(figures.firing_at_2x),
                    seconds(figures.firing_at_10x),
                    seconds(figures.reset),
                    seconds(for_seconds),
                )
            )
    return sorted(rows, key=lambda row: float(row[2]), reverse=True)


def summary(slo: SLO) -> list[str]:
    """The SLO in sentences: objective, budget, and the non-burn alerts."""
    budget_time = slo.budget * slo.period
    lines = [
        f"{slo.service}/{slo.name}: {percent(slo.objective)} {over(slo.period, slo.calendar)} "
        f"(team {slo.team})",
        f"error budget: {percent(slo.budget)} of events, {seconds(budget_time)} of full outage "
        f"per {format_duration(slo.period)}",
    ]
    if slo.calendar is not None:
        lines.append(
            f"the budget starts afresh with each {slo.calendar.name}; burn factors and the "
            f"outage time above take it as {format_duration(slo.period)}; the budget "
            "remaining weighs the errors so far against the whole period in progress"
        )
    if slo.description:
        lines.append(slo.description)
    for policy in slo.alerting.budget:
        lines.append(
            f"{policy.alert_name} ({policy.severity}): budget remaining below "
            f"{percent(policy.below)}"
        )
    if slo.alerting.no_data:
        lines.append(
            f"{naming.NO_DATA_ALERT} ({slo.alerting.no_data.severity}): no total series for "
            f"{format_duration(slo.alerting.no_data.after)}"
        )
    if slo.alerting.vanished:
        lines.append(
            f"{naming.VANISHED_ALERT} ({slo.alerting.vanished.severity}): a group that had "
            f"traffic within the last {format_duration(VANISHED_LOOKBACK)} has no total series"
        )
    if slo.alerting.min_request_rate and slo.counts_traffic:
        lines.append(
            f"burn alerts stay quiet below {promql.number(slo.alerting.min_request_rate)} "
            "events per second"
        )
    if slo.runbook_url:
        lines.append(f"runbook: {slo.runbook_url}")
    lines += [f"note: {note}" for note in (*slo.notes, *slo.alerting.left_out)]
    return lines


def text_table(rows: Iterable[tuple[str, ...]], headings: tuple[str, ...] = HEADINGS) -> str:
    table = [headings, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headings))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    )


def explain(slos: Sequence[SLO]) -> str:
    """``slogen explain``: every chosen SLO with its alert figures."""
    blocks = []
    for slo in slos:
        block = summary(slo)
        rows = burn_rows(slo)
        if rows:
            block += ["", text_table(rows)]
        blocks.append("\n".join(block))
    if any(burn_rows(slo) for slo in slos):
        blocks.append(textwrap.fill(FIGURES_NOTE, 88))
    return "\n\n".join(blocks) + "\n"
