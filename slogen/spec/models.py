"""The spec as users write it: pydantic models, strict about unknown keys.

These models check the shape and the local meaning of each field (a duration parses,
a selector is valid PromQL, exactly one SLI kind is given). Anything that needs more
than one field or file, such as merging alerting defaults or deriving burn factors,
happens when the spec is resolved into the model.

This module holds the documents: a service file with its SLOs, and the defaults file.
Their parts live beside it: the field types and limits in :mod:`slogen.spec.fields`,
the SLI kinds in :mod:`slogen.spec.sli`, the alerting settings in
:mod:`slogen.spec.alerting`. Their names are re-exported here, where the rest of slogen
has always found them.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, StrictBool, StrictStr, model_validator

from slogen.spec.alerting import (
    BURN_MEASURES,
    AlertingSpec,
    BudgetPolicySpec,
    BurnPolicySpec,
    NoDataSpec,
    SeveritySpec,
    VanishedSpec,
)
from slogen.spec.fields import (
    MAX_DURATION,
    MAX_FOR,
    MAX_LATENCY,
    MAX_PERIOD,
    MIN_LATENCY,
    MIN_PERIOD,
    NAME_PATTERN,
    YEAR,
    AlertWindow,
    BurnFactor,
    Duration,
    ForDuration,
    LabelName,
    Labels,
    MaxAge,
    Name,
    NoDataAfter,
    Objective,
    Percent,
    Period,
    PositiveDuration,
    PromSelector,
    RawQuery,
    Runbook,
    SeverityName,
    Strict,
    Tier,
    factor_fraction,
    percent_fraction,
)
from slogen.spec.rule_groups import RuleGroupsSpec
from slogen.spec.sli import (
    SLI_KINDS,
    EventsSLI,
    FreshnessSLI,
    LatencySLI,
    RatioSLI,
    SLISpec,
    UpSLI,
)

__all__ = [
    "BURN_MEASURES",
    "K8S_LABEL_KEY",
    "K8S_LABEL_VALUE",
    "MAX_DURATION",
    "MAX_FOR",
    "MAX_LATENCY",
    "MAX_PERIOD",
    "MIN_LATENCY",
    "MIN_PERIOD",
    "NAME_PATTERN",
    "SLI_KINDS",
    "YEAR",
    "AlertWindow",
    "AlertingSpec",
    "BudgetPolicySpec",
    "BurnFactor",
    "BurnPolicySpec",
    "DefaultsSpec",
    "Duration",
    "EventsSLI",
    "ForDuration",
    "FreshnessSLI",
    "KubernetesSpec",
    "LabelName",
    "Labels",
    "LatencySLI",
    "MaxAge",
    "Name",
    "NoDataAfter",
    "NoDataSpec",
    "Objective",
    "Percent",
    "Period",
    "PositiveDuration",
    "PromSelector",
    "RatioSLI",
    "RawQuery",
    "RuleGroupsSpec",
    "Runbook",
    "SLISpec",
    "SLOSpec",
    "ServiceSpec",
    "SeverityName",
    "SeveritySpec",
    "Strict",
    "Tier",
    "TierSpec",
    "UpSLI",
    "VanishedSpec",
    "factor_fraction",
    "percent_fraction",
]


class SLOSpec(Strict):
    """One objective of a service."""

    name: Name
    description: StrictStr = ""
    objective: Objective | None = Field(
        default=None, description="percent of good events; defaults from the service tier"
    )
    window: Period | None = None
    group_by: list[LabelName] = Field(default_factory=list)
    labels: Labels = Field(default_factory=dict)
    runbook: Runbook | None = Field(
        default=None, description="URL template ({service}, {slo}); false for none"
    )
    sli: SLISpec
    alerting: AlertingSpec | None = None

    @model_validator(mode="after")
    def _distinct_labels(self) -> Self:
        if len(set(self.group_by)) != len(self.group_by):
            raise ValueError("group_by lists a label twice")
        if self.sli.latency is not None and "le" in self.group_by:
            raise ValueError("a latency SLO cannot group by 'le', the histogram's bucket label")
        clash = sorted(set(self.group_by) & set(self.labels))
        if clash:
            raise ValueError(f"labels {clash} are both in group_by and in labels; keep one")
        return self


class ServiceSpec(Strict):
    """One file per service: who owns it and its SLOs."""

    service: Name
    team: Name
    tier: Tier | None = None
    description: StrictStr = ""
    window: Period | None = None
    labels: Labels = Field(default_factory=dict)
    runbook: Runbook | None = None
    alerting: AlertingSpec | None = None
    depends_on: list[Name] = Field(
        default_factory=list,
        description="services this one needs; their burn pages silence this one's burn alerts",
    )
    slos: Annotated[list[SLOSpec], Field(min_length=1)]


class TierSpec(Strict):
    """What a tier implies for the SLOs of a service that has it."""

    objective: Objective


K8S_LABEL_KEY = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
K8S_LABEL_VALUE = r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"


class KubernetesSpec(Strict):
    """How PrometheusRule manifests are placed and labelled for the operator to find."""

    namespace: Name | None = Field(default=None, description="metadata.namespace")
    labels: dict[
        Annotated[StrictStr, Field(pattern=K8S_LABEL_KEY, max_length=253)],
        Annotated[StrictStr, Field(pattern=K8S_LABEL_VALUE, max_length=63)],
    ] = Field(
        default_factory=dict,
        description="metadata.labels, e.g. what the Prometheus resource's ruleSelector matches",
    )
    manifests: StrictBool | None = Field(
        default=None,
        description="write kubernetes/<service>.yaml PrometheusRule manifests (default true); "
        "false for a Prometheus that loads the plain rule files without the operator",
    )


class DefaultsSpec(Strict):
    """Organisation-wide defaults (``defaults.yaml`` beside the service specs)."""

    window: Period | None = None
    runbook: Runbook | None = None
    grafana_url: StrictStr | None = Field(
        default=None, description="base URL for dashboard links in alerts"
    )
    tiers: dict[Tier, TierSpec] | None = None
    kubernetes: KubernetesSpec | None = None
    rule_groups: RuleGroupsSpec | None = None
    alerting: AlertingSpec | None = None
