"""Selectors for the series slogen itself records, scoped to one SLO.

The rules write these series, and the proofs and dashboards read them back; all three
ask here, so none of them imports another to know a recording's labels."""

from __future__ import annotations

from slogen import promql
from slogen.model import SLO


def recorded(name: str, slo: SLO) -> promql.Selector:
    """A recorded series of this SLO: ``name{slo_service="...", slo_name="..."}``."""
    return promql.Selector(name, promql.equals(slo.identity))


def series_labels(slo: SLO) -> tuple[tuple[str, str], ...]:
    """Labels every recording of the SLO sets: its identity only.

    The spec's static labels go on alerts and on ``slo:info``, not on recordings: a
    recording's history is read back over days, and an edited static label would
    split it into two series that collide once the rule's labels are applied.
    """
    return slo.identity
