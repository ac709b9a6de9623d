"""Rule groups per SLO: small and independent, so a Thanos or Mimir ruler can shard them.

Each SLO's rules come in three stages, listed in the order they read each other
(promtool's proofs evaluate them in that order):
- ``sli``: the 5m recordings, window ratios, burn rates and constants, every minute;
- ``period``: the whole-period ratio, its coverage and the budget remaining, every 5m;
- ``alerts``: every alert (burn, vanished, no data, budget), every minute.

By default each stage is a group of its own (``per-slo``); :mod:`slogen.rules.packing`
cuts the same stages into other groups where a ruler limits how many groups it runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from slogen import naming, promql
from slogen.model import SLO, Service
from slogen.rules.alerts import budget_alert, burn_alerts, no_data_alert, vanished_alert
from slogen.rules.period import PERIOD_INTERVAL, period_rules
from slogen.rules.sli import sli_recordings
from slogen.rules.types import Rule, RuleGroup
from slogen.rules.windows import constant_recordings, first_seen_recording, window_recordings

FAST_INTERVAL = 60
"""Seconds between evaluations of the recording and burn-alert groups."""

STAGES = ("sli", "period", "alerts")
"""The stages in the order they read each other: a stage reads only itself and earlier
stages (and raw series), so groups of one stage never read a later stage's groups."""


@dataclass(frozen=True)
class Stage:
    """One SLO's rules of one stage, in evaluation order, and how often they run."""

    part: str
    interval: int
    rules: tuple[Rule, ...]


def slo_stages(slo: SLO, *, from_recordings: bool = False) -> tuple[Stage, ...]:
    """The SLO's stages in ``STAGES`` order; no ``alerts`` stage without alerts."""
    recordings: tuple[Rule, ...] = (
        *(() if from_recordings else sli_recordings(slo)),
        first_seen_recording(slo),
        *window_recordings(slo),
        *constant_recordings(slo),
    )
    alerts: list[Rule] = list(burn_alerts(slo))
    alerts += [rule for rule in (vanished_alert(slo), no_data_alert(slo)) if rule is not None]
    alerts += [budget_alert(slo, policy) for policy in slo.alerting.budget]
    stages = [
        Stage("sli", FAST_INTERVAL, recordings),
        Stage("period", PERIOD_INTERVAL, period_rules(slo)),
    ]
    if alerts:
        stages.append(Stage("alerts", FAST_INTERVAL, tuple(alerts)))
    return tuple(stages)


def raw_readers(slo: SLO) -> frozenset[Rule]:
    """The two rules that read raw series, which proofs from the 5m recordings leave out."""
    return frozenset(sli_recordings(slo))


def slo_groups(slo: SLO, *, from_recordings: bool = False) -> tuple[RuleGroup, ...]:
    """The SLO's groups; ``from_recordings`` leaves out the two rules that read the raw
    series, for proofs that feed those recordings themselves (``slogen.testgen``)."""
    return tuple(
        RuleGroup(
            naming.group_name(slo.service, slo.name, stage.part),
            every(stage.interval),
            stage.rules,
        )
        for stage in slo_stages(slo, from_recordings=from_recordings)
    )


def service_groups(service: Service) -> tuple[RuleGroup, ...]:
    return tuple(group for slo in service.slos for group in slo_groups(slo))


def every(seconds: int) -> str:
    """A group's ``interval``."""
    return promql.duration(seconds)
