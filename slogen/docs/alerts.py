"""An SLO's alerts for the people they reach: when each fires, how soon, where it goes,
and the runbook and dashboard panel to open. The figures are ``slogen explain``'s."""

from __future__ import annotations

from dataclasses import dataclass

from slogen import naming, promql
from slogen.docs import delivery, links
from slogen.docs import markdown as md
from slogen.durations import format_duration
from slogen.explain import FIGURES_NOTE, HEADINGS, burn_rows, seconds
from slogen.model import SLO, VANISHED_LOOKBACK, BurnAlert, Model
from slogen.readable import percent, readable

PANEL_TITLES = {"burn_series": "burn rates", "budget_series": "budget", "sli_series": "SLI"}
"""The dashboard panel each kind of alert links to (as its ``dashboard_url`` does)."""


@dataclass(frozen=True)
class AlertLine:
    """One alert rule of an SLO, as the alerts table shows it."""

    alert: str
    severity: str
    fires_when: str
    wait: str
    panel: str


def alert_lines(slo: SLO) -> list[AlertLine]:
    """Every alert rule the SLO has, in the order the rule files list them."""
    lines = [
        AlertLine(naming.BURN_ALERT, key, _burn_condition(pairs), _for(slo, key), "burn_series")
        for key, pairs in slo.alerting.burn_by_severity().items()
    ]
    for policy in slo.alerting.budget:
        when = (
            "the error budget is spent (remaining below 0%)"
            if policy.exhausted
            else f"less than {percent(policy.below)} of the error budget remains"
        )
        lines.append(
            AlertLine(
                policy.alert_name,
                policy.severity,
                when,
                seconds(0),  # budget alerts have no ``for`` (slogen.rules.alerts)
                "budget_series",
            )
        )
    no_data = slo.alerting.no_data
    if no_data is not None:
        when = "the SLI's total series is absent: the SLO cannot be measured"
        lines.append(
            AlertLine(
                naming.NO_DATA_ALERT,
                no_data.severity,
                when,
                format_duration(no_data.after),
                "sli_series",
            )
        )
    vanished = slo.alerting.vanished
    if vanished is not None:
        lines.append(
            AlertLine(
                naming.VANISHED_ALERT,
                vanished.severity,
                f"a group that had traffic within the last "
                f"{format_duration(VANISHED_LOOKBACK)} has no total series: the service "
                "or its scraping may be down",
                _for(slo, vanished.severity),
                "sli_series",
            )
        )
    return lines


def _burn_condition(pairs: tuple[BurnAlert, ...]) -> str:
    parts = [
        f"{percent(pair.budget_spent)} of the budget spent in {format_duration(pair.long)} "
        f"(burn rate {readable(pair.factor)}, budget gone in "
        f"{seconds(pair.exhaustion_seconds)}) and still burning over the last "
        f"{format_duration(pair.short)}"
        for pair in pairs
    ]
    return "; or ".join(parts)


def _for(slo: SLO, key: str) -> str:
    return seconds(slo.alerting.severity(key).for_seconds)


def alerts_block(model: Model, slo: SLO) -> list[str]:
    """The alerts section: a row per alert rule, notes, and the burn figures."""
    runbook = md.link("runbook", slo.runbook_url) if slo.runbook_url else "none"
    rows = []
    for line in alert_lines(slo):
        target = links.panel_url(slo, line.panel)
        rows.append(
            (
                f"`{line.alert}`",
                _severity(slo, line.severity),
                line.fires_when,
                line.wait,
                _goes_to(model, slo, line.severity),
                runbook,
                md.link(PANEL_TITLES[line.panel], target) if target else "none",
            )
        )
    headings = ("alert", "severity", "fires when", "for", "goes to", "runbook", "dashboard")
    blocks = ["### Alerts", md.table(headings, rows)]
    blocks += _alert_notes(model, slo)
    if has_burn_figures(slo):
        blocks += [
            f"What the burn alerts mean for the people they reach (see {links.to_reading()}):",
            md.table(HEADINGS, burn_rows(slo)),
        ]
    return blocks


def has_burn_figures(slo: SLO) -> bool:
    """Whether the SLO has burn alerts, and so a table of their figures."""
    return bool(slo.alerting.burn_by_severity())


BURN_NOTE = "**Burn figures.** " + FIGURES_NOTE


def _severity(slo: SLO, key: str) -> str:
    label = slo.severity_label(key)
    return md.text(label) if label == key else f"{md.text(label)} ({key})"


def _goes_to(model: Model, slo: SLO, key: str) -> str:
    found = delivery.receiver(model, slo.team, key)
    if found is None:
        return delivery.NO_ROUTING if model.routing is None else "default receiver"
    kinds = ", ".join(delivery.integrations(found))
    muted = delivery.muted_by(model, slo.team, key)
    where = f"`{found.name}` ({kinds})"
    if muted:
        where += "; muted during " + ", ".join(f"`{name}`" for name in muted)
    return where


def _alert_notes(model: Model, slo: SLO) -> list[str]:
    notes = []
    if slo.counts_traffic and slo.alerting.min_request_rate > 0:
        notes.append(
            "Burn alerts stay quiet below "
            f"{promql.number(slo.alerting.min_request_rate)} events per second."
        )
    if model.routing is not None and {"page", "ticket"} <= slo.alert_severities:
        notes.append(
            "While a page of this SLO fires, its tickets (of the same group) are held back."
        )
    if model.routing is None:
        notes.append(
            f'The alerts carry `team="{slo.team}"` and `severity`; with no routing.yaml, '
            "your Alertmanager decides where they go."
        )
    notes += [
        md.text(left_out[:1].upper() + left_out[1:] + ".") for left_out in slo.alerting.left_out
    ]
    return [md.bullets(notes)] if notes else []
