"""Alert annotation text: Go templates with user-written text made inert.

A description or runbook URL from a spec is literal text. If it contained ``{{`` it
would be parsed as a template action by Prometheus, so it is escaped here.
"""

from __future__ import annotations

from slogen import naming, promql
from slogen.model import SLO
from slogen.model_calendar import over


def literal(text: str) -> str:
    """User text, safe inside a Prometheus alert template."""
    return text.replace("{{", '{{ "{{" }}')


def group_suffix(slo: SLO) -> str:
    """`` in cluster=eu-1`` for grouped SLOs: which group an alert is about."""
    if not slo.group_by:
        return ""
    parts = ", ".join(f"{name}={{{{ $labels.{name} }}}}" for name in slo.group_by)
    return f" in {parts}"


def subject(slo: SLO, *, grouped: bool = True) -> str:
    """The SLO as people say it: ``checkout/requests-availability (99.95% over 28d)``;
    ``grouped`` adds the alert's group labels, for alerts whose series carry them."""
    return (
        f"{literal(slo.service)}/{literal(slo.name)} "
        f"({promql.number(slo.objective_percent)}% {over(slo.period, slo.calendar)})"
        f"{group_suffix(slo) if grouped else ''}"
    )


def links(slo: SLO, panel: str, *, grouped: bool = True) -> tuple[tuple[str, str], ...]:
    """``runbook_url``, and ``dashboard_url`` opening the SLO's ``panel`` on its service
    dashboard; ``grouped`` alerts also set the dashboard's variables to their group."""
    out = []
    if slo.dashboard_url:
        url = f"{literal(slo.dashboard_url)}?viewPanel={naming.panel_id(slo.position, panel)}"
        if grouped:
            url += "".join(f"&var-{g}={{{{ $labels.{g} | urlquery }}}}" for g in slo.group_by)
        out.append(("dashboard_url", url))
    if slo.runbook_url:
        out.append(("runbook_url", literal(slo.runbook_url)))
    return tuple(out)
