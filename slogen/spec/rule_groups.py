"""How the rules are cut into groups and for which ruler: ``rule_groups`` in
``defaults.yaml``.

A ruler limits groups, not rules: Mimir by default allows 20 rules per group and 70
groups per tenant, and slogen's default of three groups per SLO passes the second at
24 SLOs. These settings choose another grouping and the extra outputs Mimir and Thanos
read; ``docs/rulers.md`` says what each guarantees.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, StrictInt

from slogen.spec.fields import Strict

Grouping = Literal["per-slo", "per-service", "packed"]
PartialResponse = Literal["warn", "abort"]
MAX_RULES_LIMIT = 100_000
"""An upper bound that no ruler's limit comes near, so a typo cannot ask for nonsense."""


class RuleGroupsSpec(Strict):
    """The grouping of the rule files and the ruler-specific outputs."""

    grouping: Grouping | None = Field(
        default=None,
        description="per-slo (three groups per SLO, the default), per-service (one group "
        "per service and evaluation interval) or packed (as few groups as fit "
        "max_rules_per_group)",
    )
    max_rules_per_group: StrictInt | None = Field(
        default=None,
        ge=1,
        le=MAX_RULES_LIMIT,
        description="the ruler's rules-per-group limit that packed groups stay within "
        "(Mimir's -ruler.max-rules-per-rule-group, 20 by default); packed only",
    )
    mimirtool: StrictBool | None = Field(
        default=None,
        description="also write mimir/<service>.yaml, the files `mimirtool rules load` reads "
        "(namespace: <service>)",
    )
    partial_response_strategy: PartialResponse | None = Field(
        default=None,
        description="Thanos Ruler: what a group's queries do when a store does not answer "
        "(warn or abort); written on every group of the rule files and manifests",
    )
