"""Rule groups per SLO: small and independent, so a Thanos or Mimir ruler can shard them.

Each SLO gets three groups, listed in the order they read each other (promtool's
proofs evaluate them in that order):
- ``sli``: the 5m recordings, window ratios, burn rates and constants, every minute;
- ``period``: the whole-period ratio, its coverage and the budget remaining, every 5m;
- ``alerts``: every alert (burn, vanished, no data, budget), every minute.
"""

from __future__ import annotations

from slogen import naming, promql
from slogen.model import SLO, Service
from slogen.rules.alerts import budget_alert, burn_alerts, no_data_alert, vanished_alert
from slogen.rules.period import PERIOD_INTERVAL, period_rules
from slogen.rules.sli import sli_recordings
from slogen.rules.types import Rule, RuleGroup
from slogen.rules.windows import constant_recordings, first_seen_recording, window_recordings

FAST_INTERVAL = 60
"""Seconds between evaluations of the recording and burn-alert groups."""


def slo_groups(slo: SLO, *, from_recordings: bool = False) -> tuple[RuleGroup, ...]:
    """The SLO's groups; ``from_recordings`` leaves out the two rules that read the raw
    series, for proofs that feed those recordings themselves (``slogen.testgen``)."""
    recordings: tuple[Rule, ...] = (
        *(() if from_recordings else sli_recordings(slo)),
        first_seen_recording(slo),
        *window_recordings(slo),
        *constant_recordings(slo),
    )
    alerts: list[Rule] = list(burn_alerts(slo))
    alerts += [rule for rule in (vanished_alert(slo), no_data_alert(slo)) if rule is not None]
    alerts += [budget_alert(slo, policy) for policy in slo.alerting.budget]
    groups = [
        RuleGroup(
            naming.group_name(slo.service, slo.name, "sli"), _every(FAST_INTERVAL), recordings
        ),
        RuleGroup(
            naming.group_name(slo.service, slo.name, "period"),
            _every(PERIOD_INTERVAL),
            period_rules(slo),
        ),
    ]
    if alerts:
        groups.append(
            RuleGroup(
                naming.group_name(slo.service, slo.name, "alerts"),
                _every(FAST_INTERVAL),
                tuple(alerts),
            )
        )
    return tuple(groups)


def service_groups(service: Service) -> tuple[RuleGroup, ...]:
    return tuple(group for slo in service.slos for group in slo_groups(slo))


def _every(seconds: int) -> str:
    return promql.duration(seconds)
