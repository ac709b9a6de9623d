"""How the rule files cut the rules into groups, and the outputs other rulers read.

Resolved from ``rule_groups`` in ``defaults.yaml``; the rule generator
(:mod:`slogen.rules.packing`) reads it, and ``docs/rulers.md`` says what each grouping
guarantees on Prometheus, Mimir, Cortex and Thanos.
"""

from __future__ import annotations

from dataclasses import dataclass

PER_SLO = "per-slo"
"""Three groups per SLO (sli, period, alerts): slogen's output before the setting."""
PER_SERVICE = "per-service"
"""One group per service and evaluation interval."""
PACKED = "packed"
"""As few groups as fit ``max_rules_per_group``, one kind of group at a time."""
GROUPINGS = (PER_SLO, PER_SERVICE, PACKED)

MIMIR_MAX_RULES_PER_GROUP = 20
"""Mimir's default ``-ruler.max-rules-per-rule-group``: packed groups' limit unless set."""
MIMIR_MAX_GROUPS_PER_TENANT = 70
"""Mimir's default ``-ruler.max-rule-groups-per-tenant`` (slogen cannot split tenants;
``docs/rulers.md`` says how many SLOs each grouping fits)."""


@dataclass(frozen=True)
class RuleGroups:
    """The grouping, packed groups' limit, and the Mimir and Thanos outputs."""

    grouping: str = PER_SLO
    max_rules_per_group: int = MIMIR_MAX_RULES_PER_GROUP
    """Read by the packed grouping only (resolve refuses it with another)."""
    mimirtool: bool = False
    """Also write ``mimir/<service>.yaml`` for ``mimirtool rules load``."""
    partial_response_strategy: str | None = None
    """Thanos Ruler's ``warn`` or ``abort`` on every group; None writes no key."""
