"""The alerting settings a spec may give: severities, burn and budget policies, no data.

The same block is written at three layers (defaults, service, SLO), every key optional,
and resolve merges them; these models check each layer on its own. They are apart from
the SLI and document models because they change for other reasons (new alert kinds)
and are read by other code (resolve's layering and burn policies).
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import ConfigDict, Field, StrictBool, StrictStr, model_validator

from slogen.spec.fields import (
    AlertWindow,
    BurnFactor,
    ForDuration,
    NoDataAfter,
    Percent,
    SeverityName,
    Strict,
)


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
