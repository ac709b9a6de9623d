"""The PromQL of every panel: only series that slogen's own rules record (and the
built-in ``ALERTS``), filtered by the dashboard's grouping variables.

Reading recordings, never raw series, keeps dashboards cheap and consistent with the
alerts: a panel shows exactly the number an alert compared.
"""

from __future__ import annotations

from slogen import naming, promql
from slogen.model import SLO
from slogen.recorded import recorded

ALERTS = "ALERTS"
SCOPE = (naming.SERVICE_LABEL, naming.SLO_LABEL)
FIRING = promql.Matcher("alertstate", "=", "firing")


def variable(label: str) -> str:
    """The dashboard variable of a grouping label (``$cluster``)."""
    return f"${label}"


def scoped(name: str, slo: SLO) -> str:
    """``name`` of this SLO, narrowed to the groups chosen in the dashboard variables."""
    selector = recorded(name, slo).having(
        *(promql.Matcher(label, "=~", variable(label)) for label in slo.group_by)
    )
    return selector.render()


def objective(slo: SLO) -> str:
    return recorded(naming.OBJECTIVE, slo).render()


def sli_period(slo: SLO) -> str:
    return f"1 - {scoped(naming.ERROR_RATIO_PERIOD, slo)}"


def sli_window(slo: SLO, seconds: int) -> str:
    return f"1 - {scoped(naming.error_ratio(seconds), slo)}"


def budget_remaining(slo: SLO) -> str:
    return scoped(naming.BUDGET_REMAINING, slo)


def history_seconds(slo: SLO) -> str:
    """How much of the period each group's history covers, in seconds."""
    return f"{scoped(naming.PERIOD_COVERAGE, slo)} * {promql.number(slo.period)}"


def burn_rate(slo: SLO, seconds: int) -> str:
    return scoped(naming.burn_rate(seconds), slo)


def firing_alerts(slo: SLO) -> str:
    """The SLO's firing alerts in the groups chosen, and those of no group at all.

    ``SLONoData`` fires when every group is gone, so it carries no group label; an
    empty alternative (``cluster=~"$cluster|"``) keeps it, since a missing label
    matches as empty, while grouped alerts are still narrowed to the chosen groups."""
    selector = promql.Selector(ALERTS, promql.equals(slo.identity)).having(
        FIRING,
        *(promql.Matcher(label, "=~", f"{variable(label)}|") for label in slo.group_by),
    )
    return selector.render()


def group_values(slo: SLO, label: str) -> str:
    """The ``label_values`` query of a grouping variable."""
    service = promql.Selector(naming.TOTAL_RATE5M, promql.equals(slo.identity[:1]))
    return f"label_values({service.render()}, {promql.label_name(label)})"


def worst(expr: str) -> str:
    """The worst group of each SLO: ``min by (slo_service, slo_name) (...)``."""
    return promql.aggregate("min", SCOPE, expr)


OVERVIEW_OBJECTIVE = promql.max_by(SCOPE, naming.OBJECTIVE)
OVERVIEW_SLI = worst(f"1 - {naming.ERROR_RATIO_PERIOD}")
OVERVIEW_BUDGET = worst(naming.BUDGET_REMAINING)
OVERVIEW_COVERAGE = worst(naming.PERIOD_COVERAGE)
"""The share of the period covered by the youngest group's history."""
OVERVIEW_INFO = promql.aggregate("max", (*SCOPE, "slo_team", "slo_dashboard"), naming.INFO)
OVERVIEW_FIRING = (
    promql.count_by(
        SCOPE,
        promql.Selector(
            ALERTS,
            (
                FIRING,
                promql.Matcher(naming.SERVICE_LABEL, "!=", ""),
            ),
        ).render(),
    )
    + " or "
    + promql.count_by(SCOPE, naming.INFO)
    + " * 0"
)
"""Firing alerts per SLO, 0 for an SLO with none (rather than a blank cell)."""
