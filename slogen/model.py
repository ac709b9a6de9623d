"""The resolved model: one immutable object per SLO, every default applied.

Generators read only this. All arithmetic the rules depend on (error budget, burn
factors from budget share and windows) lives here, in exact fractions, so printed
thresholds are the numbers a person would write. Split by idea and re-exported here:
burn arithmetic (:mod:`slogen.model_burn`), calendar periods (:mod:`slogen.model_calendar`),
receivers (:mod:`slogen.model_receivers`), Alertmanager routing (:mod:`slogen.model_routing`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from slogen import latency_units, naming
from slogen.durations import format_duration
from slogen.model_burn import BASE_WINDOW as BASE_WINDOW
from slogen.model_burn import BurnFault as BurnFault
from slogen.model_burn import budget_share as budget_share
from slogen.model_burn import burn_factor as burn_factor
from slogen.model_burn import burn_fault as burn_fault
from slogen.model_burn import error_budget as error_budget
from slogen.model_burn import fastest_burn as fastest_burn
from slogen.model_calendar import CalendarPeriod as CalendarPeriod
from slogen.model_kubernetes import Kubernetes as Kubernetes
from slogen.model_receivers import Authorization as Authorization
from slogen.model_receivers import BasicAuth as BasicAuth
from slogen.model_receivers import Email as Email
from slogen.model_receivers import Integration as Integration
from slogen.model_receivers import Opsgenie as Opsgenie
from slogen.model_receivers import PagerDuty as PagerDuty
from slogen.model_receivers import Receiver as Receiver
from slogen.model_receivers import Responder as Responder
from slogen.model_receivers import Slack as Slack
from slogen.model_receivers import Webhook as Webhook
from slogen.model_routing import AlertmanagerBase as AlertmanagerBase
from slogen.model_routing import Maintenance as Maintenance
from slogen.model_routing import Routing as Routing
from slogen.model_routing import Team as Team
from slogen.model_routing import TimeInterval as TimeInterval
from slogen.model_routing import TimeRange as TimeRange
from slogen.model_routing import Timing as Timing
from slogen.model_rule_groups import RuleGroups as RuleGroups
from slogen.promql import Selector

SEVERITY_KEYS = ("page", "ticket")  # every alert has one; labels may spell them otherwise


@dataclass(frozen=True)
class Severity:
    """A severity key (``page``, ``ticket``), its label value and shared settings."""

    key: str
    label: str
    enabled: bool
    for_seconds: int


@dataclass(frozen=True)
class BurnAlert:
    """One long/short window pair of a multi-window multi-burn-rate alert."""

    severity: str
    budget_spent: Fraction
    long: int
    short: int
    factor: Fraction

    @property
    def windows(self) -> str:
        """The pair as people name it (``1h/5m``): one spelling in rules, explain, docs
        and import reports, so a reader can match them up."""
        return f"{format_duration(self.long)}/{format_duration(self.short)}"

    @property
    def exhaustion_seconds(self) -> Fraction:
        """How soon a burn at this factor spends the whole budget: ``period / factor``,
        which is the long window over the share it spends, so no period is needed."""
        return self.long / self.budget_spent

    def detection_seconds(self, error_ratio: Fraction, budget: Fraction) -> Fraction:
        """The SRE Workbook's detection time: when the long window's *true* error ratio
        crosses the threshold from a clean start under a constant error ratio (the short
        window crosses first). A lower bound of when the alert fires, without the 5m
        rates' ramp, the evaluation grid and ``for`` (``slogen.detection``); for a
        total outage, ``budget_spent`` of the budget in seconds of outage."""
        return self.long * self.factor * budget / error_ratio

    def threshold(self, budget: Fraction) -> Fraction:
        """The error ratio both windows must exceed."""
        return self.factor * budget

    def figures(self, budget: Fraction, for_seconds: int, rates: bool = True) -> AlertFigures:
        """What this pair means for the people it pages: when it fires on Prometheus
        (with the severity's ``for``; ``rates`` False for ``up`` and ``freshness``
        SLIs) and how long it outlives its incident."""
        from slogen import detection  # here: slogen.detection reads this module

        threshold = self.threshold(budget)

        def fires(error_ratio: Fraction) -> int | None:
            return detection.lived_seconds(
                self.long, self.short, threshold, error_ratio, for_seconds, rates
            )

        return AlertFigures(
            threshold=threshold,
            budget_spent=self.budget_spent,
            outage_firing=fires(Fraction(1)),
            firing_at_2x=fires(min(2 * threshold, Fraction(1))),
            firing_at_10x=fires(min(10 * threshold, Fraction(1))),
            reset=Fraction(self.short),
            workbook_outage_detection=self.detection_seconds(Fraction(1), budget),
        )


@dataclass(frozen=True)
class AlertFigures:
    """Alert quality of one burn pair, in seconds and ratios.

    Firing times are lived: from the start of a constant incident (a total outage, or
    2x and 10x the threshold, capped at a 100% error ratio) after a clean, full history
    with steady traffic, to the alert firing on Prometheus, with 1m scrapes, the 5m
    rates' ramp, the evaluation grid and ``for``: the latest over where scrapes and
    evaluations fall (``slogen.detection``), in whole seconds; None if it never fires.
    The reset time is the short window: how long the alert can outlive the incident.
    """

    threshold: Fraction
    budget_spent: Fraction
    outage_firing: int | None
    firing_at_2x: int | None
    firing_at_10x: int | None
    reset: Fraction
    workbook_outage_detection: Fraction
    """The SRE Workbook's figure for a total outage: ``budget_spent`` of the budget in
    seconds of outage, and a lower bound of ``outage_firing``."""


@dataclass(frozen=True)
class BudgetAlert:
    """An error budget policy state: remaining budget below a share of the whole."""

    severity: str
    below: Fraction

    @property
    def exhausted(self) -> bool:
        """0% is the budget gone, not low: another alert, which inhibits the low one."""
        return self.below == 0

    @property
    def alert_name(self) -> str:
        return naming.BUDGET_EXHAUSTED_ALERT if self.exhausted else naming.BUDGET_LOW_ALERT


@dataclass(frozen=True)
class NoDataAlert:
    """The SLI's total series is absent for ``after`` seconds."""

    severity: str
    after: int


@dataclass(frozen=True)
class VanishedAlert:
    """A group that had traffic within ``VANISHED_LOOKBACK`` has no total series now.

    A dead service takes its counters with it: no rate, no burn rate, no burn alert.
    ``absent()`` sees that only once every group is gone, so this is asked per group."""

    severity: str


VANISHED_LOOKBACK = 3600
"""Seconds a vanished group alerts after its last sample; later it is removed, not broken."""


@dataclass(frozen=True)
class Alerting:
    """The alerts of one SLO, with disabled severities already removed."""

    severities: tuple[Severity, ...]
    burn: tuple[BurnAlert, ...]
    budget: tuple[BudgetAlert, ...]
    no_data: NoDataAlert | None
    min_request_rate: Fraction
    vanished: VanishedAlert | None = None
    left_out: tuple[str, ...] = ()
    """Built-in burn policies this SLO's objective rules out, each with the reason. The
    user never wrote them, so they are dropped and said rather than refused: a 90%
    SLO cannot burn 13.44 times its budget, and needs no spec change to say so."""

    def severity(self, key: str) -> Severity:
        return next(s for s in self.severities if s.key == key)

    def burn_by_severity(self) -> dict[str, tuple[BurnAlert, ...]]:
        """Burn policies grouped per severity, fastest first: one alert per group."""
        grouped: dict[str, list[BurnAlert]] = {}
        for alert in self.burn:
            grouped.setdefault(alert.severity, []).append(alert)
        return {
            key: tuple(sorted(alerts, key=lambda a: (a.long, a.short)))
            for key, alerts in grouped.items()
        }


@dataclass(frozen=True)
class EventsSLI:
    """Counters: errors (or good) and total."""

    total: Selector
    errors: Selector | None = None
    good: Selector | None = None


@dataclass(frozen=True)
class LatencySLI:
    """A histogram and the latency (seconds) that good requests meet.

    Classic: ``histogram`` names the ``_bucket``/``_count`` family and the threshold is
    one of its bucket bounds. Native: ``histogram`` selects native histogram samples
    and the threshold may be any latency. Either way the bound is written in the unit
    the histogram counts (see :attr:`bound`)."""

    histogram: Selector
    threshold: Fraction
    native: bool = False

    @property
    def bound(self) -> Fraction:
        """The threshold as the histogram's bucket bound, in its own unit: 0.25 s is
        ``le="250"`` on a ``_milliseconds`` histogram, ``le="0.25"`` on ``_seconds``."""
        return latency_units.bucket_bound(self.threshold, self.histogram.metric)

    @property
    def unit(self) -> latency_units.TimeUnit | None:
        """The unit the histogram's name says it counts, if it says one."""
        return latency_units.histogram_unit(self.histogram.metric)


@dataclass(frozen=True)
class UpSLI:
    """A 0/1 gauge, good while 1."""

    metric: Selector


@dataclass(frozen=True)
class FreshnessSLI:
    """A last-success timestamp gauge, good while younger than ``max_age`` seconds."""

    timestamp: Selector
    max_age: int


@dataclass(frozen=True)
class RatioSLI:
    """Raw PromQL templates with a ``$window`` placeholder."""

    total: str
    errors: str | None = None
    good: str | None = None


SLI = EventsSLI | LatencySLI | UpSLI | FreshnessSLI | RatioSLI


@dataclass(frozen=True)
class SLO:
    """One SLO, fully resolved."""

    service: str
    team: str
    tier: str | None
    name: str
    description: str
    objective: Fraction
    period: int
    group_by: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]
    runbook_url: str | None
    dashboard_url: str | None
    sli: SLI
    alerting: Alerting
    source: str
    position: int = 0
    """Index among its service's SLOs, in spec order (dashboard rows follow it)."""
    notes: tuple[str, ...] = ()
    """What the spec says that may not be what was meant, said at validate/generate."""
    calendar: CalendarPeriod | None = None  # ``period`` is then its nominal length

    @property
    def budget(self) -> Fraction:
        """The error budget: the share of events allowed to be bad."""
        return error_budget(self.objective)

    @property
    def pages_for_burn(self) -> bool:
        return any(burn.severity == "page" for burn in self.alerting.burn)

    @property
    def has_alerts(self) -> bool:
        """Whether the SLO has any alert at all (and so an alerts group and proofs)."""
        alerting = self.alerting
        others = (alerting.no_data, alerting.vanished)
        return bool(alerting.burn or alerting.budget) or any(a is not None for a in others)

    @property
    def objective_percent(self) -> Fraction:
        return self.objective * 100

    @property
    def identity(self) -> tuple[tuple[str, str], ...]:
        """The labels that identify this SLO's series among all others."""
        return ((naming.SERVICE_LABEL, self.service), (naming.SLO_LABEL, self.name))

    @property
    def counts_traffic(self) -> bool:
        """True where the SLI counts requests, so a request-rate guard makes sense."""
        return isinstance(self.sli, EventsSLI | LatencySLI | RatioSLI)

    @property
    def alert_severities(self) -> frozenset[str]:
        """The severity keys (``page``, ``ticket``) of every alert this SLO has."""
        alerting = self.alerting
        keys = {a.severity for a in alerting.burn} | {a.severity for a in alerting.budget}
        if alerting.no_data is not None:
            keys.add(alerting.no_data.severity)
        if alerting.vanished is not None:
            keys.add(alerting.vanished.severity)
        return frozenset(keys)

    def severity_label(self, key: str) -> str:
        """The ``severity`` label value its alerts of severity ``key`` carry."""
        return self.alerting.severity(key).label

    @property
    def alert_windows(self) -> tuple[int, ...]:
        """Every window an alert reads, shortest first."""
        windows = {w for alert in self.alerting.burn for w in (alert.long, alert.short)}
        return tuple(sorted(windows))


@dataclass(frozen=True)
class Service:
    """A service and its SLOs, in spec order."""

    name: str
    team: str
    tier: str | None
    description: str
    source: str
    dashboard_uid: str
    slos: tuple[SLO, ...]
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Model:
    """Every service, sorted by name, and settings of the output as a whole."""

    services: tuple[Service, ...]
    kubernetes: Kubernetes = field(default_factory=Kubernetes)
    routing: Routing | None = None
    rule_groups: RuleGroups = field(default_factory=RuleGroups)

    def slos(self) -> Iterator[SLO]:
        for service in self.services:
            yield from service.slos

    def dependency_pages(self) -> list[tuple[Service, Service, set[str]]]:
        """Each dependency among the compiled services, with the severity labels of the
        needed service's burn pages (empty when it never pages for a burn): routing
        inhibits with them and the SLO documents say whether they silence anything."""
        by_name = {service.name: service for service in self.services}
        found = []
        for service in self.services:
            for name in service.depends_on:
                if name not in by_name:  # a spec not compiled this time (a file given alone)
                    continue
                needed = by_name[name]
                paging = (
                    s for s in needed.slos if any(b.severity == "page" for b in s.alerting.burn)
                )
                found.append((service, needed, severity_labels(paging, "page")))
        return found


def severity_labels(slos: Iterable[SLO], key: str) -> set[str]:
    """The ``severity`` label values that alerts of severity ``key`` carry."""
    return {slo.severity_label(key) for slo in slos if key in slo.alert_severities}
