"""Rule groups per SLO: small and independent, so a Thanos or Mimir ruler can shard them.

Each SLO gets three groups:
- ``sli``: the 5m recordings, window ratios, burn rates and constants, every minute;
- ``alerts``: burn and no-data alerts, every minute;
- ``period``: the whole-period ratio, budget remaining and budget alerts, every 5m.
"""

from __future__ import annotations

from slogen import naming, promql
from slogen.model import SLO, Service
from slogen.rules.alerts import burn_alerts, no_data_alert
from slogen.rules.period import PERIOD_INTERVAL, period_rules
from slogen.rules.sli import sli_recordings
from slogen.rules.types import Rule, RuleGroup
from slogen.rules.windows import constant_recordings, window_recordings

FAST_INTERVAL = 60
"""Seconds between evaluations of the recording and burn-alert groups."""


def slo_groups(slo: SLO) -> tuple[RuleGroup, ...]:
    recordings: tuple[Rule, ...] = (
        *sli_recordings(slo),
        *window_recordings(slo),
        *constant_recordings(slo),
    )
    alerts: list[Rule] = list(burn_alerts(slo))
    no_data = no_data_alert(slo)
    if no_data is not None:
        alerts.append(no_data)
    groups = [
        RuleGroup(
            naming.group_name(slo.service, slo.name, "sli"), _every(FAST_INTERVAL), recordings
        )
    ]
    if alerts:
        groups.append(
            RuleGroup(
                naming.group_name(slo.service, slo.name, "alerts"),
                _every(FAST_INTERVAL),
                tuple(alerts),
            )
        )
    groups.append(
        RuleGroup(
            naming.group_name(slo.service, slo.name, "period"),
            _every(PERIOD_INTERVAL),
            period_rules(slo),
        )
    )
    return tuple(groups)


def service_groups(service: Service) -> tuple[RuleGroup, ...]:
    return tuple(group for slo in service.slos for group in slo_groups(slo))


def group_names(service: Service) -> tuple[str, ...]:
    """The names of ``service_groups``, in order, without building any rule: the proof
    files name the groups (for promtool's evaluation order) once per step file."""
    return tuple(
        naming.group_name(slo.service, slo.name, kind)
        for slo in service.slos
        for kind in ("sli", "alerts", "period")
        if kind != "alerts" or _alerts(slo)
    )


def _alerts(slo: SLO) -> bool:
    """Whether the SLO has an alerts group: burn alerts or a no-data alert."""
    return bool(slo.alerting.burn) or slo.alerting.no_data is not None


def _every(seconds: int) -> str:
    return promql.duration(seconds)
