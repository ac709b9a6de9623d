"""The spec as users write it: pydantic models, strict about unknown keys.

These models check the shape and the local meaning of each field (a duration parses,
a selector is valid PromQL, exactly one SLI kind is given). Anything that needs more
than one field or file, such as merging alerting defaults or deriving burn factors,
happens when the spec is resolved into the model.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

from slogen import naming
from slogen.durations import (
    PROMETHEUS_MAX_SECONDS,
    bounded_duration,
    parse_duration,
    parse_seconds,
    spell,
)
from slogen.promql import is_label_name
from slogen.spec.promql_input import check_window_query, parse_selector

NAME_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
Tier = Literal["critical", "important", "standard", "experimental"]
SeverityName = Literal["page", "ticket"]


YEAR = 365 * 86400
MAX_DURATION = 292 * YEAR
"""Any duration: Prometheus and Alertmanager hold int64 nanoseconds (292 years and a bit)."""
assert MAX_DURATION <= PROMETHEUS_MAX_SECONDS
MIN_PERIOD, MAX_PERIOD = 3600, 5 * YEAR
"""An SLO period: at least an hour, as every alert window must fit inside it beside the
5m base rate; at most five years, past which range queries span more history than any
Prometheus keeps and the rules read hundreds of thousands of samples per evaluation."""
MAX_FOR = 86400
"""An alert's ``for`` (and the no-data ``after`` that becomes one): a day at most. The
burn windows already debounce; a longer ``for`` hides an outage for days, and the alert
proofs simulate it step by step, so a ``for`` of weeks makes ``generate`` run for hours."""
MIN_LATENCY, MAX_LATENCY = Fraction(1, 10**9), Fraction(MAX_PERIOD)
"""A latency threshold: a nanosecond to the longest period. It is written as a float64
bucket bound, so it must be one; histograms of batch jobs do have bounds of days
(``le="1e+06"``), but none longer than any period could measure."""


def _bounded(at_most: int, what: str, at_least: int = 0, positive: bool = False) -> AfterValidator:
    """A validator refusing durations outside what ``what`` can use, with the limit."""

    def check(text: str) -> str:
        if parse_duration(text) == 0 and (positive or at_least):
            raise ValueError(f"{text!r} is zero; this duration must be longer than 0s")
        bounded_duration(text, at_most, what, at_least)
        return text

    return AfterValidator(check)


def _name(text: str) -> str:
    if not re.fullmatch(NAME_PATTERN, text):
        raise ValueError(
            f"{text!r} is not a valid name: use lowercase letters, digits and '-', "
            "starting and ending with a letter or digit (e.g. checkout-api)"
        )
    return text


def _objective(value: float) -> float:
    if 0 < value < 1:
        raise ValueError(
            f"objective is a percent: {value:g} means {value:g}%; "
            f"for {value * 100:g}% write {value * 100:g}"
        )
    return value


def _label_value(value: str) -> str:
    if not value:
        raise ValueError("label values must not be empty; Prometheus drops empty labels")
    return value


def _percent(value: float | int | str) -> float | int | str:
    percent_fraction(value)
    return value


def percent_fraction(value: float | int | str) -> Fraction:
    """A percentage written as ``2%`` or ``2`` (meaning 2 percent), as an exact ratio."""
    text = value.strip() if isinstance(value, str) else repr(value)
    text = text.removesuffix("%").strip()
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError(f"{value!r} is not a percentage; write a number such as 2% or 0.5%")
    share = Fraction(text) / 100
    if share > 1:
        raise ValueError(f"{value!r} is more than 100%")
    return share


def _factor(value: float | int | str) -> float | int | str:
    factor_fraction(value)
    return value


def factor_fraction(value: float | int | str) -> Fraction:
    """A burn factor written as ``14`` or ``"6.5"``, as an exact ratio.

    Read from its decimal text, as percents are, so that ``14.4`` is 72/5 and not the
    float nearest to it: the thresholds printed from it stay the numbers written."""
    text = value.strip() if isinstance(value, str) else repr(value)
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError(
            f"{value!r} is not a burn factor; write a positive number such as 14 or 6.5"
        )
    factor = Fraction(text)
    if factor == 0:
        raise ValueError(f"{value!r} is zero; a burn factor must be more than 0, such as 14")
    return factor


def _selector(text: str) -> str:
    parse_selector(text)
    return text


def _label_name(name: str) -> str:
    if not is_label_name(name):
        raise ValueError(
            f"{name!r} is not a valid Prometheus label name "
            "(letters, digits and underscores, not starting with a digit)"
        )
    if naming.is_reserved_label(name):
        raise ValueError(
            f"label {name!r} is reserved: slogen sets {sorted(naming.RESERVED_LABELS)} and "
            "every label starting with slo_ or __ on what it generates; rename yours"
        )
    return name


def _latency_bound(value: str | float | int) -> str | float | int:
    seconds = parse_seconds(value)
    if not MIN_LATENCY <= seconds <= MAX_LATENCY:
        raise ValueError(
            f"latency threshold {value!r} is outside 1ns to {spell(MAX_PERIOD)}, the bounds "
            "slogen accepts; a histogram bucket bound is a float64 number of seconds"
        )
    return value


Name = Annotated[
    StrictStr,
    AfterValidator(_name),
    Field(max_length=63, json_schema_extra={"pattern": NAME_PATTERN}, examples=["checkout"]),
]
Duration = Annotated[StrictStr, _bounded(MAX_DURATION, "duration"), Field(examples=["0s", "2m"])]
PositiveDuration = Annotated[
    StrictStr,
    _bounded(MAX_DURATION, "duration", positive=True),
    Field(examples=["5m", "1h", "28d"]),
]
_POSITIVE_EXAMPLES = Field(examples=["5m", "1h", "28d"])
Period = Annotated[
    StrictStr, _bounded(MAX_PERIOD, "SLO period (window)", MIN_PERIOD), _POSITIVE_EXAMPLES
]
AlertWindow = Annotated[
    StrictStr, _bounded(MAX_PERIOD, "alert window", positive=True), _POSITIVE_EXAMPLES
]
ForDuration = Annotated[StrictStr, _bounded(MAX_FOR, "alert `for`"), Field(examples=["0s", "2m"])]
NoDataAfter = Annotated[
    StrictStr, _bounded(MAX_FOR, "no_data `after`", positive=True), _POSITIVE_EXAMPLES
]
MaxAge = Annotated[
    StrictStr, _bounded(MAX_PERIOD, "freshness max_age", positive=True), _POSITIVE_EXAMPLES
]
Percent = Annotated[
    StrictFloat | StrictInt | StrictStr, AfterValidator(_percent), Field(examples=["2%", 25])
]
BurnFactor = Annotated[
    StrictFloat | StrictInt | StrictStr, AfterValidator(_factor), Field(examples=[14, "6.5"])
]
PromSelector = Annotated[
    StrictStr,
    AfterValidator(_selector),
    Field(examples=['http_requests_total{job="checkout"}']),
]
RawQuery = Annotated[
    StrictStr,
    AfterValidator(check_window_query),
    Field(examples=["sum(rate(jobs_failed_total[$window]))"]),
]
LabelName = Annotated[StrictStr, AfterValidator(_label_name)]
Labels = dict[LabelName, Annotated[StrictStr, AfterValidator(_label_value)]]
Objective = Annotated[
    float,
    Field(gt=0, lt=100, strict=True, examples=[99.9]),
    AfterValidator(_objective),
]
Runbook = Annotated[StrictStr, Field(min_length=1)] | Literal[False]


class Strict(BaseModel):
    """Base for every spec model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SeveritySpec(Strict):
    """Settings shared by every alert of one severity."""

    enabled: StrictBool | None = None
    for_: ForDuration | None = Field(default=None, alias="for")
    label: Annotated[StrictStr, Field(min_length=1)] | None = Field(
        default=None, description="value of the severity label; defaults to the key"
    )


BURN_MEASURES = ("budget_spent", "factor")
"""The two ways of saying how fast a burn policy's budget goes; a policy gives one."""


class BurnPolicySpec(Strict):
    """Alert when this share of the budget is spent within ``long`` (checked on ``short``).

    The share is ``budget_spent``, or follows from ``factor``, the burn rate, as
    ``factor * long / period``: the SRE Workbook thinks in shares, Pyrra and many
    people in factors, and 14x over 1h of 28d is a share (2.0833...%) that no decimal
    percent writes exactly."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": [key]} for key in BURN_MEASURES]}
    )

    severity: SeverityName
    budget_spent: Percent | None = Field(
        default=None, description="share of the period's budget spent within long, e.g. 2%"
    )
    factor: BurnFactor | None = Field(
        default=None,
        description="burn rate over long, e.g. 14: budget_spent is factor * long / period",
    )
    long: AlertWindow
    short: AlertWindow

    @model_validator(mode="after")
    def _one_measure(self) -> Self:
        given = [key for key in BURN_MEASURES if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'budget_spent' (a share of the budget, such as 2%) "
                "or 'factor' (a burn rate, such as 14); got "
                + (" and ".join(given) if given else "neither")
            )
        return self


class BudgetPolicySpec(Strict):
    """Alert while the error budget remaining over the period is below a share."""

    severity: SeverityName
    below: Percent


class NoDataSpec(Strict):
    """Alert when the SLI's total series has been absent for ``after``."""

    enabled: StrictBool | None = None
    severity: SeverityName | None = None
    after: NoDataAfter | None = None


class VanishedSpec(Strict):
    """Alert when a group that had traffic within the last hour stops reporting."""

    enabled: StrictBool | None = None
    severity: SeverityName | None = None


class AlertingSpec(Strict):
    """Alerting settings; every key is optional and overrides the layer below it."""

    page: SeveritySpec | None = None
    ticket: SeveritySpec | None = None
    burn_rate: list[BurnPolicySpec] | None = None
    budget_remaining: list[BudgetPolicySpec] | None = None
    no_data: NoDataSpec | None = None
    vanished: VanishedSpec | None = None
    min_request_rate: Annotated[float, Field(ge=0, strict=True)] | None = Field(
        default=None,
        description="events per second below which burn alerts stay quiet (0 turns it off)",
    )


class _GoodOrErrors(Strict):
    @model_validator(mode="after")
    def _one_side(self) -> Self:
        errors, good = getattr(self, "errors"), getattr(self, "good")  # noqa: B009
        if (errors is None) == (good is None):
            raise ValueError("give exactly one of 'errors' or 'good', together with 'total'")
        return self


class EventsSLI(_GoodOrErrors):
    """Counters of bad (or good) events and of all events."""

    errors: PromSelector | None = None
    good: PromSelector | None = None
    total: PromSelector


class LatencySLI(Strict):
    """A histogram: good events are those at or below the threshold.

    Classic histograms count them in the bucket whose bound is the threshold; native
    histograms (``native: true``) estimate them for any threshold."""

    histogram: PromSelector
    threshold: Annotated[StrictStr | StrictFloat | StrictInt, AfterValidator(_latency_bound)]
    native: StrictBool = Field(
        default=False,
        description="the histogram is a native (sparse) histogram rather than _bucket series",
    )

    @model_validator(mode="after")
    def _plain_histogram(self) -> Self:
        selector = parse_selector(self.histogram)
        if selector.metric.endswith(("_count", "_sum")):
            raise ValueError(
                f"histogram {selector.metric!r} names a _count or _sum series; name the "
                "histogram itself (e.g. http_request_duration_seconds)"
            )
        if self.native and selector.metric.endswith("_bucket"):
            raise ValueError(
                f"histogram {selector.metric!r} names _bucket series, which a native "
                "histogram does not have; name the histogram itself or set native: false"
            )
        if "le" in selector.label_names():
            raise ValueError("the histogram selector must not match on 'le'; set threshold")
        return self


class UpSLI(Strict):
    """A 0/1 gauge such as ``up`` or ``probe_success``: good while it is 1."""

    metric: PromSelector


class FreshnessSLI(Strict):
    """A last-success Unix timestamp gauge: good while it is younger than ``max_age``."""

    timestamp: PromSelector
    max_age: MaxAge


class RatioSLI(_GoodOrErrors):
    """Raw PromQL for everything else; ``$window`` is replaced by slogen's window."""

    errors: RawQuery | None = None
    good: RawQuery | None = None
    total: RawQuery


SLI_KINDS = ("events", "latency", "up", "freshness", "ratio")


class SLISpec(Strict):
    """Exactly one SLI kind."""

    events: EventsSLI | None = None
    latency: LatencySLI | None = None
    up: UpSLI | None = None
    freshness: FreshnessSLI | None = None
    ratio: RatioSLI | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [kind for kind in SLI_KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one SLI kind, one of {', '.join(SLI_KINDS)}; got "
                + (", ".join(given) if given else "none")
            )
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in SLI_KINDS if getattr(self, kind) is not None)


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


class DefaultsSpec(Strict):
    """Organisation-wide defaults (``defaults.yaml`` beside the service specs)."""

    window: Period | None = None
    runbook: Runbook | None = None
    grafana_url: StrictStr | None = Field(
        default=None, description="base URL for dashboard links in alerts"
    )
    tiers: dict[Tier, TierSpec] | None = None
    kubernetes: KubernetesSpec | None = None
    alerting: AlertingSpec | None = None
