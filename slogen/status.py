"""Where every SLO stands now, read from a live Prometheus running slogen's rules.

``slogen status`` prints it and ``slogen gate`` decides on it, so a release pipeline
freezes on exactly what the dashboards and alerts show: the recorded period ratio,
its coverage and the budget remaining, the policy states of
:mod:`slogen.budget_policy`, and the ``ALERTS`` series of slogen's alerts. A few
queries in all (one per distinct burn window), however many SLOs there are.

The budget remaining is already weighted by the coverage (see
:mod:`slogen.rules.coverage`): a young SLO or group has spent what its history cost
out of a whole period's budget. The coverage is read too, so that a reader sees how
short that history is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from slogen import budget_policy, naming, promql
from slogen.model import SLO, Model
from slogen.model_calendar import CalendarPeriod
from slogen.prometheus_api import Prometheus, Sample

NO_DATA = "no data"
"""The state of an SLO whose recordings are absent: rules not loaded, or no traffic yet."""

Group = tuple[tuple[str, str], ...]
"""The values of an SLO's ``group_by`` labels; empty for an ungrouped SLO."""


@dataclass(frozen=True)
class SLOStatus:
    """One SLO (one group of a grouped SLO) as Prometheus has it now."""

    service: str
    slo: str
    team: str
    group: Group
    objective: Fraction
    period: int
    sli: float | None
    """Good events over the period, 0..1."""
    remaining: float | None
    """Share of the period's budget left: 1 untouched, below 0 overspent."""
    burn_window: int | None
    burn_rate: float | None
    """Budget spend over ``burn_window`` in multiples of the sustainable rate."""
    firing: tuple[str, ...]
    """``alertname/severity`` of every slogen alert firing for this SLO and group."""
    coverage: float | None = None
    """Share of the period (0..1) that the group's history covers: 1 once it has
    reported for a whole period; None where Prometheus has no coverage recording."""
    calendar: CalendarPeriod | None = None
    """A calendar SLO's period; its coverage is the share of the period in progress
    its data covers so far, which reaches 1 only as the period ends."""

    @property
    def state(self) -> str:
        if self.remaining is None:
            return NO_DATA
        return budget_policy.state(self.remaining)

    @property
    def history_seconds(self) -> float | None:
        """How much of the period the history covers, in seconds."""
        return None if self.coverage is None else self.coverage * self.period

    @property
    def short_history(self) -> bool:
        """The history covers less than the period: a young SLO or a new group."""
        if self.calendar is not None:  # a period so far is short by design, not young
            return False
        return self.coverage is not None and self.coverage < 1

    @property
    def seconds_to_exhaustion(self) -> float | None:
        """How long the budget lasts if the current burn rate goes on, or None if it does
        not run out at that rate.

        Spending at burn rate ``b`` uses ``b / period`` of the budget per second, so what
        is left lasts ``remaining * period / b``. At ``b <= 1`` spending never outpaces
        the rolling window, so nothing runs out. Old errors leaving the window are not
        counted, which makes the figure an early estimate, never a late one."""
        if self.remaining is None or self.burn_rate is None or self.remaining <= 0:
            return None
        if not math.isfinite(self.burn_rate) or self.burn_rate <= 1:
            return None
        return self.remaining * self.period / self.burn_rate


PERIOD_LOOKBACK = 600
"""Seconds to look back for the period recordings. Their group runs every 5 minutes,
so a plain instant query, which looks back 5 minutes, can fall between two runs."""

BySLO = dict[tuple[str, str], list[Sample]]


def status(model: Model, prometheus: Prometheus) -> list[SLOStatus]:
    """Every SLO of ``model`` (every group Prometheus knows of), in spec order."""
    slos = [slo for service in model.services for slo in service.slos]
    ours = (promql.Matcher(naming.SERVICE_LABEL, "=~", ".+"),)

    def latest(record: str) -> BySLO:
        selector = promql.Selector(record, ours).range(PERIOD_LOOKBACK)
        return _by_slo(prometheus.query(f"last_over_time({selector})"))

    period_ratio = latest(naming.ERROR_RATIO_PERIOD)
    remaining = latest(naming.BUDGET_REMAINING)
    coverage = latest(naming.PERIOD_COVERAGE)
    windows = {_burn_window(slo) for slo in slos} - {None}
    burn = {
        window: _by_slo(prometheus.query(promql.Selector(naming.burn_rate(window), ours).render()))
        for window in sorted(w for w in windows if w is not None)
    }
    firing = promql.Matcher("alertstate", "=", "firing")
    alerts = _by_slo(prometheus.query(promql.Selector("ALERTS", (firing, *ours)).render()))
    found: list[SLOStatus] = []
    for slo in slos:
        found += _statuses(slo, period_ratio, remaining, coverage, burn, alerts)
    return found


def _statuses(
    slo: SLO,
    period_ratio: BySLO,
    remaining: BySLO,
    coverage: BySLO,
    burn: dict[int, BySLO],
    alerts: BySLO,
) -> list[SLOStatus]:
    """The SLO's statuses, one per group. Every sample is looked up by its SLO and
    group in a dict, never by scanning the others, so the work grows with the size of
    the answers, not with its square (5,000 groups and their alerts took 31 s when
    each group scanned every alert)."""
    key = (slo.service, slo.name)
    ratios = _by_group(slo, period_ratio.get(key, []))
    budgets = _by_group(slo, remaining.get(key, []))
    covered = _by_group(slo, coverage.get(key, []))
    window = _burn_window(slo)
    rates = _by_group(slo, burn[window].get(key, []) if window is not None else [])
    firing = _firing(slo, alerts.get(key, []))
    groups = sorted(set(ratios) | set(budgets)) or [()]
    return [
        SLOStatus(
            service=slo.service,
            slo=slo.name,
            team=slo.team,
            group=group,
            objective=slo.objective,
            period=slo.period,
            sli=None if group not in ratios else 1 - ratios[group],
            remaining=budgets.get(group),
            burn_window=window,
            burn_rate=rates.get(group),
            firing=firing.get(group, ()),
            coverage=_share(covered.get(group)),
            calendar=slo.calendar,
        )
        for group in groups
    ]


def _burn_window(slo: SLO) -> int | None:
    """The shortest long window of the SLO's burn alerts: "the current burn rate"."""
    longs = [pair.long for pair in slo.alerting.burn]
    return min(longs) if longs else None


def _by_slo(samples: Iterable[Sample]) -> BySLO:
    found: BySLO = {}
    for sample in samples:
        key = (sample.label(naming.SERVICE_LABEL), sample.label(naming.SLO_LABEL))
        found.setdefault(key, []).append(sample)
    return found


def _group(slo: SLO, sample: Sample) -> Group:
    return tuple((label, sample.label(label)) for label in slo.group_by)


def _by_group(slo: SLO, samples: Iterable[Sample]) -> dict[Group, float]:
    """Values by group; NaN (a window without traffic) counts as no data."""
    return {_group(slo, s): s.value for s in samples if not math.isnan(s.value)}


def _share(coverage: float | None) -> float | None:
    """The coverage as a share of the period, 0..1; the recording never leaves that
    range, but a figure from elsewhere must not make the history's length overflow."""
    return None if coverage is None else min(max(coverage, 0.0), 1.0)


def _firing(slo: SLO, alerts: Iterable[Sample]) -> dict[Group, tuple[str, ...]]:
    """``alertname/severity`` of the SLO's firing alerts, by group (the alerts carry
    the SLO's ``group_by`` labels)."""
    names: dict[Group, set[str]] = {}
    for alert in alerts:
        name = f"{alert.label('alertname')}/{alert.label(naming.SEVERITY_LABEL)}"
        names.setdefault(_group(slo, alert), set()).add(name)
    return {group: tuple(sorted(found)) for group, found in names.items()}
