"""One row of panels per SLO: where it stands now, and how it got there.

Panel ids come from ``naming.panel_id``, so the ``dashboard_url`` of each alert opens
the panel about it: burn alerts the burn rates, budget alerts the budget burn-down,
no-data and vanished-series alerts the SLI.
"""

from __future__ import annotations

from typing import Any

from grafanalib import core as g

from slogen import budget_policy, naming, promql
from slogen.durations import format_duration
from slogen.grafana import compat, queries
from slogen.model import SLO
from slogen.model_calendar import over

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
ROW_HEIGHT = 21
"""Grid units one SLO's row takes: title 1, stats 4, two rows of graphs 8 each."""

BUDGET_STEPS = [
    (float(budget_policy.CRITICAL_BELOW), "orange"),
    (float(budget_policy.WARNING_BELOW), "green"),
]
"""The error budget policy's colours: red below 25% (and when spent), orange to 50%."""
SEVERITY_COLOURS = {"page": "red", "ticket": "orange"}


def target(expr: str, ref: str, legend: str = "", *, instant: bool = False) -> g.Target:
    """A query of the panel's data source (``DATASOURCE``, which every panel with
    queries names): a target without its own queries its panel's."""
    return compat.PrometheusTarget(
        expr=expr,
        refId=ref,
        legendFormat=legend,
        instant=instant,
        format="table" if instant else "time_series",
    )


def _legend(slo: SLO, text: str) -> str:
    """A legend naming the group of each series of a grouped SLO."""
    groups = " ".join(f"{label}={{{{{label}}}}}" for label in slo.group_by)
    return f"{text} {groups}".strip()


def _id(slo: SLO, panel: str) -> int:
    return naming.panel_id(slo.position, panel)


def _pos(slo: SLO, x: int, dy: int, w: int, h: int) -> g.GridPos:
    return g.GridPos(h=h, w=w, x=x, y=slo.position * ROW_HEIGHT + dy)


def _links(slo: SLO) -> list[dict[str, Any]]:
    if not slo.runbook_url:
        return []
    return [{"title": "Runbook", "url": slo.runbook_url, "targetBlank": True}]


STATS = {"objective": (0, 4), "sli": (4, 5), "budget": (9, 5), "history": (14, 5)}
"""x and width of each stat in the row's top line; the burn rate takes the rest."""
BURN_STAT = (19, 5)


def _stat(
    slo: SLO,
    panel: str,
    title: str,
    expr: str,
    steps: list[dict[str, Any]],
    unit: str = "percentunit",
    legend: str | None = None,
    **kw: Any,
) -> g.Stat:
    x, width = STATS.get(panel, BURN_STAT)
    return g.Stat(
        id=_id(slo, panel),
        title=title,
        dataSource=DATASOURCE,
        targets=[target(expr, "A", _legend(slo, "") if legend is None else legend)],
        gridPos=_pos(slo, x, 1, width, 4),
        format=unit,
        reduceCalc="lastNotNull",
        thresholds=steps,
        color={"mode": "thresholds"},
        colorMode="background",
        graphMode="none",
        noValue="no data",
        links=_links(slo),
        **kw,
    )


def slo_row(slo: SLO) -> list[g.Panel]:
    """The row of one SLO, its panels laid out below its title."""
    period = format_duration(slo.period)
    objective = float(slo.objective)
    fastest = _fastest_window(slo)
    panels: list[g.Panel] = [
        g.RowPanel(
            id=_id(slo, "row"),
            title=f"{slo.name}: {promql.number(slo.objective_percent)}% "
            f"{over(slo.period, slo.calendar)}",
            gridPos=_pos(slo, 0, 0, 24, 1),
        ),
        _stat(
            slo,
            "objective",
            "Objective",
            queries.objective(slo),
            compat.threshold_steps("blue", []),
            # one objective per SLO, not per group: no group labels in its name
            legend="objective",
            decimals=3,
            description=slo.description,
        ),
        _stat(
            slo,
            "sli",
            f"SLI over {period}",
            queries.sli_period(slo),
            compat.threshold_steps("red", [(objective, "green")]),
            decimals=3,
            description=f"Good events over the last {period}, or over the history where "
            "it is shorter (see History)",
        ),
        _stat(
            slo,
            "budget",
            "Error budget remaining",
            queries.budget_remaining(slo),
            compat.threshold_steps("red", BUDGET_STEPS),
            decimals=1,
            description=f"Share of the whole {period} period's error budget left. Where the "
            "history is shorter than the period (see History), what it spent counts "
            "against the whole period's budget: a young SLO has had less time to spend it.",
        ),
        _history(slo),
        _sli_series(slo, fastest),
        _budget_series(slo),
        _alerts(slo),
    ]
    if fastest is not None:
        panels += [_burn_now(slo, fastest), _burn_series(slo)]
    return panels


def _fastest_window(slo: SLO) -> int | None:
    """The long window of the fastest burn policy: 'now' for the burn-rate stat."""
    longs = sorted(alert.long for alert in slo.alerting.burn)
    return longs[0] if longs else None


def _burn_now(slo: SLO, window: int) -> g.Stat:
    """Orange once the budget burns faster than it lasts, red from the fastest page."""
    pages = [alert.factor for alert in slo.alerting.burn if alert.severity == "page"]
    red = [(float(max(pages)), "red")] if pages and max(pages) > 1 else []
    steps = compat.threshold_steps("green", [(1.0, "orange"), *red])
    return _stat(
        slo,
        "burn_rate",
        f"Burn rate over {format_duration(window)}",
        queries.burn_rate(slo, window),
        steps,
        unit="none",
        decimals=2,
        description="1 spends the error budget exactly over the SLO period",
    )


def _history(slo: SLO) -> g.Stat:
    """How much of the period the history covers: blue while shorter, "full" once the
    group has reported for a whole period."""
    period = format_duration(slo.period)
    full = {
        "type": "range",
        "options": {"from": float(slo.period), "result": {"text": f"full {period}", "index": 0}},
    }
    return _stat(
        slo,
        "history",
        f"History of {period}",
        queries.history_seconds(slo),
        compat.threshold_steps("blue", [(float(slo.period), "green")]),
        unit="dtdurations",
        decimals=2,
        mappings=[full],
        description=f"How much of the {period} period the SLO's data covers, per group: "
        "less for a young SLO or a new group. The SLI is over that history, and the "
        "budget remaining weighs what it spent against the whole period's budget.",
    )


def _sli_series(slo: SLO, fastest: int | None) -> g.TimeSeries:
    period = format_duration(slo.period)
    targets = [
        target(queries.sli_period(slo), "A", _legend(slo, f"SLI over {period}")),
        target(queries.objective(slo), "B", "objective"),
    ]
    if fastest is not None:
        legend = _legend(slo, f"SLI over {format_duration(fastest)}")
        targets.append(target(queries.sli_window(slo, fastest), "C", legend))
    floor = max(0.0, 1 - 10 * float(slo.budget))
    return _series(
        slo,
        "sli_series",
        "SLI against its objective",
        targets,
        _pos(slo, 0, 5, 12, 8),
        extraJson=compat.soft_axis(low=floor, high=1.0),
    )


def _series(
    slo: SLO,
    panel: str,
    title: str,
    targets: list[g.Target],
    pos: g.GridPos,
    unit: str = "percentunit",
    **kw: Any,
) -> g.TimeSeries:
    return g.TimeSeries(
        id=_id(slo, panel),
        title=title,
        dataSource=DATASOURCE,
        targets=targets,
        gridPos=pos,
        unit=unit,
        links=_links(slo),
        maxDataPoints=None,
        **kw,
    )


def _budget_series(slo: SLO) -> g.TimeSeries:
    return _series(
        slo,
        "budget_series",
        f"Error budget burn-down {_budget_span(slo)}",
        [target(queries.budget_remaining(slo), "A", _legend(slo, "remaining"))],
        _pos(slo, 12, 5, 12, 8),
        timeFrom=format_duration(slo.period)
        if slo.calendar is None
        else slo.calendar.grafana_start,
        thresholds=compat.threshold_steps("red", BUDGET_STEPS),
        thresholdsStyleMode="line+area",
    )


def _budget_span(slo: SLO) -> str:
    """``over 28d``; ``this calendar month (UTC)``, which the panel shows from its 1st
    (Grafana's ``now/M``, in the dashboard's time zone)."""
    if slo.calendar is None:
        return f"over {format_duration(slo.period)}"
    return slo.calendar.this


def _budget_from(slo: SLO) -> str:
    return format_duration(slo.period) if slo.calendar is None else slo.calendar.grafana_start


def _burn_series(slo: SLO) -> g.TimeSeries:
    """Each alert window's burn rate, with every pair's threshold drawn as a line
    coloured by the severity it pages or tickets."""
    targets = [
        target(
            queries.burn_rate(slo, window), chr(ord("A") + i), _legend(slo, format_duration(window))
        )
        for i, window in enumerate(slo.alert_windows)
    ]
    factors: dict[float, str] = {}
    for alert in sorted(slo.alerting.burn, key=lambda a: a.factor):
        factors.setdefault(float(alert.factor), SEVERITY_COLOURS.get(alert.severity, "red"))
    return _series(
        slo,
        "burn_series",
        "Burn rate per alert window (lines: alert thresholds)",
        targets,
        _pos(slo, 0, 13, 16, 8),
        unit="none",
        thresholds=compat.threshold_steps("transparent", sorted(factors.items())),
        thresholdsStyleMode="line",
    )


def _alerts(slo: SLO) -> g.Table:
    return g.Table(
        id=_id(slo, "alerts"),
        title="Alerts firing",
        dataSource=DATASOURCE,
        targets=[target(queries.firing_alerts(slo), "A", instant=True)],
        gridPos=_pos(slo, 16, 13, 8, 8),
        transformations=[
            {
                "id": "organize",
                "options": {
                    "excludeByName": {
                        name: True
                        for name in ("Time", "Value", "__name__", "alertstate", *queries.SCOPE)
                    }
                },
            }
        ],
        links=_links(slo),
    )
