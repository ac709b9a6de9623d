"""The building blocks of every spec model: a strict base and the field types.

Each field type checks the shape and local meaning of one value (a duration parses and
fits what uses it, a selector is valid PromQL, a percentage is one) and carries the
limits that keep generated rules usable. They live apart from the models that use them
so that the SLI, alerting and document models share one definition of a name, a
duration or a percent, and so that resolve can read a percent or a burn factor exactly
as the spec validated it.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from slogen import model_calendar, naming
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


@functools.lru_cache(maxsize=4096)
def percent_fraction(value: float | int | str) -> Fraction:
    """A percentage written as ``2%`` or ``2`` (meaning 2 percent), as an exact ratio;
    kept per value, as the same defaults recur in every SLO of a large tree."""
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


def latency_bound(value: str | float | int) -> str | float | int:
    """A latency threshold as written, if it is one a float64 bucket bound can hold
    and a period can measure (``MIN_LATENCY`` to ``MAX_LATENCY``)."""
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


def _window(text: str) -> str:
    """An SLO period: a rolling duration within the period bounds, or a calendar one
    (``calendar month``, see :mod:`slogen.model_calendar`)."""
    if text.strip().startswith("calendar"):
        model_calendar.parse_calendar(text)
        return text
    try:
        seconds = parse_duration(text)
    except ValueError as error:
        raise ValueError(f"{error}; or a calendar window: {model_calendar.ALLOWED}") from None
    if seconds == 0:
        raise ValueError(f"{text!r} is zero; this duration must be longer than 0s")
    bounded_duration(text, MAX_PERIOD, "SLO period (window)", MIN_PERIOD)
    return text


Period = Annotated[
    StrictStr,
    AfterValidator(_window),
    Field(examples=["28d", "30d", "calendar month", "calendar quarter UTC+01:00"]),
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
