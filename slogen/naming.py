"""Names of everything slogen puts into Prometheus: records, labels, groups, alerts.

Identity labels carry an ``slo_`` prefix because plain ``service`` or ``name`` labels
are common on scraped series (Kubernetes service discovery adds ``service``) and
would collide when an SLO groups by them. Alerts add the two labels that routing
conventionally matches on, ``severity`` and ``team``; specs may not use any of these
names for their own labels, so nothing user-written can overwrite them.
"""

from __future__ import annotations

import hashlib

from slogen.durations import format_duration

SERVICE_LABEL = "slo_service"
SLO_LABEL = "slo_name"
SEVERITY_LABEL = "severity"
TEAM_LABEL = "team"
RESERVED_LABELS = frozenset({SEVERITY_LABEL, TEAM_LABEL, "alertname", "alertstate"})
RESERVED_PREFIXES = ("slo_", "__")

ERRORS_RATE5M = "slo:sli_errors:rate5m"
TOTAL_RATE5M = "slo:sli_total:rate5m"
ERROR_RATIO_PERIOD = "slo:sli_error:ratio_period"
BUDGET_REMAINING = "slo:error_budget_remaining:ratio"
OBJECTIVE = "slo:objective:ratio"
FIRST_SEEN = "slo:sli_first_seen:timestamp"
PERIOD_COVERAGE = "slo:sli_coverage:ratio_period"
"""The share of the period (0 to 1) that the SLI's history covers, per group: 1 once
the group has reported for a whole period, less for a young SLO or a new group."""
INFO = "slo:info"

BURN_ALERT = "SLOErrorBudgetBurn"
BUDGET_LOW_ALERT = "SLOErrorBudgetLow"
BUDGET_EXHAUSTED_ALERT = "SLOErrorBudgetExhausted"
NO_DATA_ALERT = "SLONoData"
VANISHED_ALERT = "SLOSeriesVanished"


def error_ratio(window_seconds: int) -> str:
    """Record name of the error ratio over a window: ``slo:sli_error:ratio_rate1h``."""
    return f"slo:sli_error:ratio_rate{format_duration(window_seconds)}"


def burn_rate(window_seconds: int) -> str:
    """Record name of the burn rate over a window: ``slo:burn_rate:ratio_rate1h``."""
    return f"slo:burn_rate:ratio_rate{format_duration(window_seconds)}"


def is_reserved_label(name: str) -> bool:
    """True for label names that slogen owns on the series and alerts it generates."""
    return name in RESERVED_LABELS or name.startswith(RESERVED_PREFIXES)


def group_name(service: str, slo: str, part: str) -> str:
    """Rule group name; one small group per SLO and part so rulers can shard them."""
    return f"slogen:{service}:{slo}:{part}"


SLO_PANELS = (
    "row",
    "objective",
    "sli",
    "budget",
    "burn_rate",
    "sli_series",
    "budget_series",
    "burn_series",
    "alerts",
    "history",
)
"""The panels of one SLO's row on its service dashboard. Ids follow this order, so a
new panel is appended: the ids of the others, which alert links open, stay put."""


def panel_id(position: int, panel: str) -> int:
    """Grafana panel id of one SLO panel: stable, so alert links can point at it.

    The SLO at ``position`` (0-based, in spec order) owns ids 100(position+1) and up."""
    return (position + 1) * 100 + SLO_PANELS.index(panel)


def dashboard_uid(service: str) -> str:
    """Grafana dashboard UID for a service: stable, readable, at most 40 characters."""
    uid = f"slo-{service}"
    if len(uid) <= 40:
        return uid
    digest = hashlib.sha256(service.encode()).hexdigest()[:12]
    return f"slo-{service[:23]}-{digest}"


ALERTMANAGER_PREFIX = "slogen/"
"""Receivers and time intervals slogen writes into an Alertmanager config carry this
prefix; on a merge, the ones already there are slogen's to replace."""
DEFAULT_RECEIVER = f"{ALERTMANAGER_PREFIX}default"


def receiver_name(team: str, severity: str) -> str:
    """Alertmanager receiver of one severity of one team: ``slogen/payments/page``."""
    return f"{ALERTMANAGER_PREFIX}{team}/{severity}"


def time_interval_name(name: str, team: str | None = None) -> str:
    """Alertmanager time interval of a maintenance window, per team or for all."""
    return f"{ALERTMANAGER_PREFIX}{team}/{name}" if team else f"{ALERTMANAGER_PREFIX}{name}"
