"""What a period report found, as frozen values: rendering reads these and nothing else.

Every number a reader sees is here unrounded, so the JSON carries all of them and
the Markdown, HTML and pictures are views of the same figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from slogen import budget_policy
from slogen.report.period import Period

Group = tuple[tuple[str, str], ...]
"""The values of an SLO's ``group_by`` labels; empty for an ungrouped SLO."""
STATES = (
    budget_policy.HEALTHY,
    budget_policy.WARNING,
    budget_policy.CRITICAL,
    budget_policy.EXHAUSTED,
)


@dataclass(frozen=True)
class Span:
    """An alert firing without a break: ``[start, end)``, whole evaluation intervals."""

    alertname: str
    severity: str
    group: Group
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Incident:
    """A burn alert's span and the share of the period's budget spent during it."""

    span: Span
    budget_share: float
    top_contributor: Group | None
    """The ``group_by`` group with the most errors in the span (None when ungrouped)."""


@dataclass(frozen=True)
class BurnDown:
    """The period's budget, step by step: what the pictures draw.

    ``remaining[k]`` is the share of the period's budget left at ``times[k]``;
    ``sli[k]`` the SLI from the period's start to ``times[k]`` (None before any
    traffic). The first point is the start (all of the budget left), the last the end."""

    times: tuple[float, ...]
    remaining: tuple[float, ...]
    sli: tuple[float | None, ...]
    step: int


@dataclass(frozen=True)
class SLOReport:
    """One SLO over the period."""

    service: str
    slo: str
    team: str
    objective: Fraction
    window: int
    """The SLO's own window in seconds (its rolling period)."""
    errors: float
    total: float
    from_raw_series: bool
    """Whether errors and total are events counted from the SLI's raw counters with
    ``increase`` (otherwise sums of 5m rates: their ratio holds, not their size).
    Counted from the raw series is exact only when every series is scraped at both
    ends of the period and exists throughout it; see slogen.report.queries."""
    burn_down: BurnDown
    incidents: tuple[Incident, ...]
    spans: tuple[Span, ...]
    """Every slogen alert that fired, burn alerts or not."""
    page_label: str
    ticket_label: str
    current_burn_rate: float | None
    current_burn_window: int | None
    top_contributor: Group | None
    period: Period
    """The SLO's own period: the report's, or for a calendar SLO in a zone other than UTC
    asked for by ``--month``/``--week``, the same month or week at its own midnight."""

    @property
    def period_seconds(self) -> int:
        return self.period.seconds

    @property
    def ratio(self) -> float | None:
        """Bad events over all events of the period; None without traffic."""
        return self.errors / self.total if self.total > 0 else None

    @property
    def sli(self) -> float | None:
        return None if self.ratio is None else 1 - self.ratio

    @property
    def met(self) -> bool | None:
        return None if self.sli is None else self.sli >= self.objective

    @property
    def budget_consumed(self) -> float:
        """The share of the period's budget spent: errors over what the objective allows
        of the period's events. Also the burn rate over the period."""
        return 0.0 if self.ratio is None else self.ratio / float(1 - self.objective)

    @property
    def budget_remaining(self) -> float:
        return 1 - self.budget_consumed

    @property
    def state(self) -> str:
        return budget_policy.state(self.budget_remaining)

    @property
    def state_seconds(self) -> dict[str, float]:
        """Seconds of the period spent in each policy state, by the burn-down's steps."""
        spent = dict.fromkeys(STATES, 0.0)
        down = self.burn_down
        for k in range(1, len(down.times)):
            spent[budget_policy.state(down.remaining[k])] += down.times[k] - down.times[k - 1]
        return spent

    @property
    def pages(self) -> int:
        return sum(1 for span in self.spans if span.severity == self.page_label)

    @property
    def tickets(self) -> int:
        return sum(1 for span in self.spans if span.severity == self.ticket_label)

    @property
    def seconds_to_exhaustion(self) -> float | None:
        """How long what is left of the period's budget lasts at the current burn rate:
        ``remaining x period / rate``; None when nothing is left or nothing burns."""
        rate = self.current_burn_rate
        if rate is None or rate <= 0 or self.budget_remaining <= 0:
            return None
        return self.budget_remaining * self.period_seconds / rate

    @property
    def name(self) -> str:
        return f"{self.service}/{self.slo}"


@dataclass(frozen=True)
class Report:
    """Every SLO of the report over one period, in spec order."""

    period: Period
    slos: tuple[SLOReport, ...]

    @property
    def services_meeting(self) -> tuple[str, ...]:
        """Services all of whose SLOs met their objective (without traffic counts as met)."""
        return tuple(s for s in self.services if s not in self.services_breaching)

    @property
    def services_breaching(self) -> tuple[str, ...]:
        return tuple(s for s in self.services if any(r.met is False for r in self._of(s)))

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.service for r in self.slos))

    def _of(self, service: str) -> list[SLOReport]:
        return [r for r in self.slos if r.service == service]

    @property
    def states(self) -> dict[str, int]:
        counted = Counter(r.state for r in self.slos)
        return {state: counted[state] for state in STATES}

    @property
    def worst(self) -> SLOReport | None:
        """The SLO with the least of its budget left (the first in spec order on a tie)."""
        return min(self.slos, key=lambda r: r.budget_remaining, default=None)
