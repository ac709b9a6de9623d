"""The report as Markdown, and the wording it shares with the HTML page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slogen.durations import format_approximate, format_duration
from slogen.prometheus_messages import printable
from slogen.promql import number
from slogen.report.figures import Group, Report, SLOReport

NO_PICTURES = (
    "Pictures need matplotlib: pip install 'slogen[report]' (the report has every "
    "number without them)."
)


def percent(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def group_text(group: Group | None) -> str:
    """``cluster=eu`` from the server's label values: control characters escaped, cut."""
    if not group:
        return "-"
    return printable(", ".join(f"{k}={v}" for k, v in group), 120)


def cell(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|")


def summary_lines(report: Report) -> list[str]:
    worst = report.worst
    states = ", ".join(f"{state} {count}" for state, count in report.states.items())
    meeting, breaching = report.services_meeting, report.services_breaching
    return [
        f"- Services meeting their objectives: {len(meeting)} ({', '.join(meeting) or '-'})",
        f"- Services breaching: {len(breaching)} ({', '.join(breaching) or '-'})",
        f"- SLOs by budget policy state at the end: {states}",
        "- Worst SLO: "
        + ("-" if worst is None else f"{worst.name}, {percent(worst.budget_remaining, 1)} left"),
        *_zone_lines(report),
    ]


def _zone_lines(report: Report) -> list[str]:
    """Where calendar SLOs of other zones are judged over their own month or week,
    the summary says so: the period at the top is then not every SLO's."""
    own: dict[str, list[str]] = {}
    for slo in report.slos:
        if slo.period != report.period:
            span = f"{slo.period.name}, {slo.period.iso(slo.period.start)} to "
            own.setdefault(span + slo.period.iso(slo.period.end), []).append(slo.name)
    return [
        f"- Judged over their own zone's period ({span}): {', '.join(names)}"
        for span, names in sorted(own.items())
    ]


def exhaustion(report: Report, slo: SLOReport) -> str:
    if slo.budget_remaining <= 0:
        return "spent"
    left = slo.seconds_to_exhaustion
    if left is None:
        return "not at the current burn rate"
    return f"in {format_approximate(left)} ({report.period.iso(slo.period.end + left)})"


COUNTED = {
    True: "from the raw series; exact when every series is scraped at both ends of the "
    "period and exists throughout",
    False: "from slogen's 5m recordings (the ratio holds, not the event counts)",
}


def _own_period(report: Report, slo: SLOReport) -> list[tuple[str, str]]:
    """A row for a calendar SLO judged over its own zone's month or week."""
    own = slo.period
    if own == report.period:
        return []
    return [
        (
            "Period (the SLO's calendar zone)",
            f"{own.name}: {own.iso(own.start)} to {own.iso(own.end)}",
        )
    ]


def facts(report: Report, slo: SLOReport) -> list[tuple[str, str]]:
    """The SLO's figures as (what, value) rows."""
    verdict = {True: "met", False: "breached", None: "no traffic"}[slo.met]
    rate = slo.current_burn_rate
    current = "-" if rate is None else f"{rate:.2f}x"
    if rate is not None and slo.current_burn_window is not None:
        current += f" over {format_duration(slo.current_burn_window)}"
    times = ", ".join(
        f"{state} {format_approximate(seconds)}"
        for state, seconds in slo.state_seconds.items()
        if seconds
    )
    return [
        *_own_period(report, slo),
        ("Counted", COUNTED[slo.from_raw_series]),
        ("Objective", f"{number(slo.objective * 100)}% (window {format_duration(slo.window)})"),
        ("SLI over the period", f"{percent(slo.sli, 4)} ({verdict})"),
        ("Budget consumed in the period", percent(slo.budget_consumed, 1)),
        ("Budget remaining at the end", percent(slo.budget_remaining, 1)),
        ("Policy state at the end", slo.state),
        ("Time in each state", times or "-"),
        ("Burn rate over the period", f"{slo.budget_consumed:.2f}x"),
        ("Current burn rate", current),
        ("Budget exhausted", exhaustion(report, slo)),
        ("Pages / tickets fired", f"{slo.pages} / {slo.tickets}"),
        ("Top error contributor", group_text(slo.top_contributor)),
    ]


def incident_rows(report: Report, slo: SLOReport) -> list[tuple[str, ...]]:
    return [
        (
            report.period.iso(found.span.start),
            format_approximate(found.span.seconds),
            found.span.severity,
            percent(found.budget_share, 1),
            group_text(found.top_contributor or found.span.group),
        )
        for found in slo.incidents
    ]


INCIDENT_COLUMNS = ("Start (UTC)", "Duration", "Severity", "Budget spent", "Group")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]


def as_markdown(report: Report, pictures: Mapping[str, Sequence[str]] | None) -> str:
    """The report; ``pictures`` names each SLO's picture files (by ``service/slo``),
    None when they could not be drawn."""
    period = report.period
    lines = [
        f"# SLO report: {period.name}",
        "",
        f"From {period.iso(period.start)} to {period.iso(period.end)}.",
        "",
        "## Summary",
        "",
        *summary_lines(report),
        "",
    ]
    if pictures is None:
        lines += [f"_{NO_PICTURES}_", ""]
    for slo in report.slos:
        lines += [f"## {slo.name}", "", *_table(("Figure", "Value"), facts(report, slo)), ""]
        for file in (pictures or {}).get(slo.name, ()):
            lines += [f"![{slo.name}]({file})", ""]
        if slo.incidents:
            lines += ["Incidents:", "", *_table(INCIDENT_COLUMNS, incident_rows(report, slo)), ""]
        else:
            lines += ["No burn alert fired in the period.", ""]
    return "\n".join(lines)
