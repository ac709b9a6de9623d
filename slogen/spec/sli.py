"""The SLI kinds a spec may give, exactly one per SLO.

Each kind (counters, a histogram, a 0/1 gauge, a timestamp gauge, raw PromQL) has its
own model, checking what its selectors may name; they are apart from the SLO and
service documents because resolve and the importers read them on their own.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

from slogen.spec.fields import MaxAge, PromSelector, RawQuery, Strict, latency_bound
from slogen.spec.promql_input import parse_selector


class _GoodOrErrors(Strict):
    """An SLI counting either its bad or its good events (never both), beside the total."""

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
    threshold: Annotated[StrictStr | StrictFloat | StrictInt, AfterValidator(latency_bound)]
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
