"""The release gate: may a service deploy, given its error budgets?

A service whose budget is spent (state ``exhausted`` in any SLO or group) may not, so
a release pipeline freezes when the error budget policy says it should. An SLO with
no data does not close the gate unless asked (``require_data``): a gate that breaks
every pipeline whenever Prometheus lost a recording gets removed from the pipeline.
Overrides are for exceptions the policy allows (a security fix, say): they open the
gate and leave a record of who, when, why and what it overrode.

A young SLO (or a new group) is judged by its budget as it stands. The remaining
budget is already weighed by how much of the period the history covers, so a history
of a few hours has spent what those hours cost out of the whole period's budget: it
closes the gate once that is more than the budget, as an old SLO would, and a few bad
minutes of a brand-new SLO do not freeze a service for a month. The gate names every
such SLO with its history, so that nobody mistakes "90% left after a day" for "90%
left after a month".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from slogen import budget_policy
from slogen.errors import Location, Problem, SpecError
from slogen.status import NO_DATA, SLOStatus


@dataclass(frozen=True)
class Decision:
    """What the gate found for the services it was asked about."""

    services: tuple[str, ...]
    exhausted: tuple[SLOStatus, ...]
    without_data: tuple[SLOStatus, ...]
    require_data: bool
    slos: int = 0
    """How many SLOs (and groups) the services have in all."""
    short_history: tuple[SLOStatus, ...] = ()
    """SLOs (and groups) with data whose history is shorter than their period; they
    count as they stand, and are named so the reader knows how short it is."""

    @property
    def open(self) -> bool:
        return not self.exhausted and not (self.require_data and self.without_data)

    @property
    def closing(self) -> tuple[SLOStatus, ...]:
        """The SLOs that close the gate."""
        return self.exhausted + (self.without_data if self.require_data else ())


def decide(
    statuses: Sequence[SLOStatus], services: Sequence[str] = (), *, require_data: bool = False
) -> Decision:
    """The gate for ``services`` (every service in ``statuses`` when none are named)."""
    known = sorted({s.service for s in statuses})
    check_services(services, known)
    chosen = tuple(services) or tuple(known)
    mine = [s for s in statuses if s.service in chosen]
    return Decision(
        services=chosen,
        exhausted=tuple(s for s in mine if s.state == budget_policy.EXHAUSTED),
        without_data=tuple(s for s in mine if s.state == NO_DATA),
        require_data=require_data,
        slos=len(mine),
        short_history=tuple(s for s in mine if s.short_history and s.state != NO_DATA),
    )


def check_services(names: Sequence[str], known: Sequence[str]) -> None:
    """A ``--service`` that names no service of the specs is a typo, not an empty set."""
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SpecError(
            Problem(
                Location("--service"),
                f"no service {name!r} in the specs",
                f"known: {', '.join(known)}",
            )
            for name in unknown
        )


def override_record(decision: Decision, reason: str, who: str, when: datetime) -> str:
    """One JSON line for the override log: enough to audit the exception later."""
    return json.dumps(
        {
            "time": when.isoformat(timespec="seconds"),
            "by": who,
            "reason": reason,
            "services": list(decision.services),
            "overridden": [slo_label(s) for s in decision.closing],
        },
        sort_keys=True,
    )


def slo_label(status: SLOStatus) -> str:
    """``service/slo`` and, for a grouped SLO, ``{label="value"}``."""
    text = f"{status.service}/{status.slo}"
    if status.group:
        text += "{" + ", ".join(f'{k}="{v}"' for k, v in status.group) + "}"
    return text
