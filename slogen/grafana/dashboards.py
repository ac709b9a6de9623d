"""A dashboard per service and one overview of every SLO, as Grafana JSON.

Deterministic: UIDs come from service names (``naming.dashboard_uid``), panel ids
from SLO positions, keys are sorted and nothing records when it was generated.
"""

from __future__ import annotations

from typing import Any

from grafanalib import core as g

from slogen import budget_policy, naming, promql
from slogen.grafana import compat, panels, queries
from slogen.json_writer import dumps_indented
from slogen.model import Model, Service
from slogen.model_calendar import over

OVERVIEW_UID = "slo-overview"
JUST_BELOW = 1e-9
"""Grafana's range mappings include both ends; the policy's states exclude the upper."""
_LOW, _HALF = (value for value, _ in panels.BUDGET_STEPS)
POLICY_STATES: list[tuple[dict[str, float], str, str]] = [
    ({"to": -JUST_BELOW}, budget_policy.EXHAUSTED, "dark-red"),
    ({"from": 0.0, "to": _LOW - JUST_BELOW}, budget_policy.CRITICAL, "red"),
    ({"from": _LOW, "to": _HALF - JUST_BELOW}, budget_policy.WARNING, "orange"),
    ({"from": _HALF}, budget_policy.HEALTHY, "green"),
]
"""The error budget policy's states by budget remaining, as the budget alerts draw
them: exhausted below 0, critical below 25%, warning below 50%. An open end is left
out (Grafana reads a null bound as 0)."""
TAGS = ["slo", "slogen"]


def _datasource_variable() -> g.Template:
    return g.Template(
        name="datasource",
        label="Data source",
        query="prometheus",
        type="datasource",
        default="default",
    )


def _group_variables(service: Service) -> list[g.Template]:
    """One multi-value variable per grouping label used by the service's SLOs."""
    found: dict[str, Any] = {}
    for slo in service.slos:
        for label in slo.group_by:
            found.setdefault(label, slo)
    return [
        g.Template(
            name=label,
            label=label,
            query=queries.group_values(slo, label),
            dataSource=panels.DATASOURCE,
            type="query",
            multi=True,
            includeAll=True,
            allValue=".*",
            default="$__all",
            refresh=2,
            sort=1,
        )
        for label, slo in found.items()
    ]


def _links() -> list[g.DashboardLink]:
    return [
        g.DashboardLink(title="SLO overview", type="link", uri=f"/d/{OVERVIEW_UID}", keepTime=True),
        g.DashboardLink(title="SLO dashboards", type="dashboards", tags=TAGS, asDropdown=True),
    ]


def service_dashboard(service: Service) -> g.Dashboard:
    rows = [panel for slo in service.slos for panel in panels.slo_row(slo)]
    return g.Dashboard(
        title=f"SLOs: {service.name}",
        uid=service.dashboard_uid,
        description=service.description or f"SLOs of {service.name}, owned by {service.team}",
        tags=[*TAGS, f"team:{service.team}"],
        panels=sorted(rows, key=lambda p: p.id),
        templating=g.Templating(list=[_datasource_variable(), *_group_variables(service)]),
        links=_links(),
        time=g.Time("now-2d", "now"),
        refresh="1m",
        timezone="utc",
    )


def overview_dashboard(model: Model) -> g.Dashboard:
    """One table row per SLO: objective, SLI and budget of its worst group, the share
    of the period its youngest group's history covers, policy state, firing alerts and
    team, linking to the service dashboard."""
    targets = [
        panels.target(queries.OVERVIEW_OBJECTIVE, "A", instant=True),
        panels.target(queries.OVERVIEW_SLI, "B", instant=True),
        panels.target(queries.OVERVIEW_BUDGET, "C", instant=True),
        panels.target(queries.OVERVIEW_BUDGET, "D", instant=True),
        panels.target(queries.OVERVIEW_FIRING, "E", instant=True),
        panels.target(queries.OVERVIEW_INFO, "F", instant=True),
        panels.target(queries.OVERVIEW_COVERAGE, "G", instant=True),
    ]
    names = {
        "Value #A": "objective",
        "Value #B": "SLI (period)",
        "Value #C": "budget remaining",
        "Value #G": "period covered",
        "Value #D": "state",
        "Value #E": "alerts firing",
        "slo_service": "service",
        "slo_name": "SLO",
        "slo_team": "team",
        "slo_dashboard": "dashboard",
    }
    table = g.Table(
        id=1,
        title=f"Every SLO ({sum(len(s.slos) for s in model.services)})",
        dataSource=panels.DATASOURCE,
        targets=targets,
        gridPos=g.GridPos(h=16, w=24, x=0, y=0),
        transformations=[
            {"id": "merge", "options": {}},
            {
                "id": "organize",
                "options": {
                    "excludeByName": {"Time": True, "Value #F": True},
                    "indexByName": {name: i for i, name in enumerate(names)},
                    "renameByName": names,
                },
            },
        ],
        overrides=_overview_overrides(),
    )
    return g.Dashboard(
        title="SLO overview",
        uid=OVERVIEW_UID,
        description="Every SLO that slogen generates rules for",
        tags=TAGS,
        panels=[table, _index(model)],
        templating=g.Templating(list=[_datasource_variable()]),
        links=_links()[1:],
        time=g.Time("now-1h", "now"),
        refresh="1m",
        timezone="utc",
    )


def _index(model: Model) -> g.Text:
    """Every service and SLO with a link to its row, whether or not data flows yet."""
    lines = []
    for service in model.services:
        lines.append(f"**[{service.name}](/d/{service.dashboard_uid})** (team {service.team})")
        lines += [
            f"- [{slo.name}](/d/{service.dashboard_uid}?viewPanel="
            f"{naming.panel_id(slo.position, 'sli_series')}): "
            f"{promql.number(slo.objective_percent)}% {over(slo.period, slo.calendar)}"
            for slo in service.slos
        ]
        lines.append("")
    return g.Text(
        id=2,
        title="Services and SLOs",
        content="\n".join(lines),
        mode="markdown",
        gridPos=g.GridPos(h=8 + 2 * len(lines) // 3, w=24, x=0, y=16),
    )


def _override(field: str, properties: list[dict[str, Any]]) -> dict[str, Any]:
    return {"matcher": {"id": "byName", "options": field}, "properties": properties}


def _overview_overrides() -> list[dict[str, Any]]:
    budget_colours = {
        "id": "thresholds",
        "value": {"mode": "absolute", "steps": compat.threshold_steps("red", panels.BUDGET_STEPS)},
    }
    mappings = [
        {
            "type": "range",
            "options": {**bounds, "result": {"text": text, "color": colour, "index": i}},
        }
        for i, (bounds, text, colour) in enumerate(POLICY_STATES)
    ]
    percent: list[dict[str, Any]] = [
        {"id": "unit", "value": "percentunit"},
        {"id": "decimals", "value": 3},
    ]
    coloured: dict[str, Any] = {"id": "custom.displayMode", "value": "color-background"}
    dashboard_link: dict[str, Any] = {
        "id": "links",
        "value": [{"title": "SLO dashboard", "url": "/d/${__data.fields.dashboard}"}],
    }
    return [
        _override("objective", percent),
        _override("SLI (period)", percent),
        _override("budget remaining", [*percent[:1], budget_colours, coloured]),
        _override("period covered", [percent[0], {"id": "decimals", "value": 1}]),
        _override("state", [{"id": "mappings", "value": mappings}, coloured]),
        _override("service", [dashboard_link]),
    ]


def dashboard_json(dashboard: g.Dashboard) -> bytes:
    """Grafana's JSON for a grafanalib dashboard: corrected, sorted, short objects on one
    line (``json_writer``), one trailing newline."""
    text = dumps_indented(_without_nulls(dashboard.to_json_data()), default=_json_data, width=100)
    return (text + "\n").encode()


def _json_data(obj: object) -> Any:
    """What ``json.dumps`` with grafanalib's ``DashboardEncoder`` writes for a panel,
    target or other grafanalib object: its ``to_json_data()``."""
    to_json_data = getattr(obj, "to_json_data", None)
    if to_json_data is None:
        raise TypeError(f"{type(obj).__name__} is not JSON")
    data = _without_nulls(to_json_data())
    return compat.without_defaults(data) if isinstance(obj, g.Panel) else data


def _without_nulls(data: Any) -> Any:
    """An object's fields without those grafanalib sets to None: a panel carries a
    dozen (``cacheTimeout``, ``span``, ``repeat``, ...), which Grafana reads as unset,
    as it does a missing field. Nested values keep their nulls: a threshold step's
    ``value: null`` means minus infinity."""
    if isinstance(data, dict):
        return {key: value for key, value in data.items() if value is not None}
    return data
