"""``rule_groups`` from the defaults layers: the grouping and ruler outputs.

Each key comes from the last ``defaults.yaml`` that sets it. A limit given for a
grouping that does not read it is refused where it was written, so that a
``max_rules_per_group`` meant for Mimir cannot silently do nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from slogen.errors import Problem
from slogen.model_rule_groups import PACKED, PER_SLO, RuleGroups
from slogen.resolve.layers import Setting


def resolve_rule_groups(settings: Mapping[str, Setting], problems: list[Problem]) -> RuleGroups:
    """The model's grouping; a problem for a limit the grouping would not read."""
    values = {key: setting.value for key, setting in settings.items()}
    grouping = values.get("grouping", PER_SLO)
    limit = settings.get("max_rules_per_group")
    if limit is not None and grouping != PACKED:
        problems.append(
            Problem(
                limit.where(),
                f"max_rules_per_group applies only to grouping: packed, not {grouping}",
                "set rule_groups.grouping: packed, or remove max_rules_per_group",
            )
        )
    return RuleGroups(**values)
