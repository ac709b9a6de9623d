"""The SLI as the model holds it, and notes on what its spec may not have meant."""

from __future__ import annotations

from slogen import latency_units, promql
from slogen import model as m
from slogen.durations import parse_duration, parse_seconds
from slogen.promql import Selector
from slogen.spec.models import SLISpec
from slogen.spec.promql_input import parse_selector


def sli_notes(spec: SLISpec) -> tuple[str, ...]:
    """A bare number is the bucket bound as the histogram counts it, which is right for
    a histogram in milliseconds; on a ``_seconds`` histogram, 100 is more likely 100ms
    written without its unit than a 100-second objective. Writing the unit either way
    says what was meant and ends the note.

    A duration is converted to the unit the histogram's name gives (``250ms`` is
    ``le="250"`` on ``*_milliseconds``); a name that gives none is taken as seconds,
    which is said, since nothing else would tell a histogram of milliseconds apart."""
    latency = spec.latency
    if latency is None:
        return ()
    metric = latency_units.histogram_name(parse_selector(latency.histogram).metric)
    unit = latency_units.histogram_unit(metric)
    if not latency_units.is_bare(latency.threshold):
        if unit is not None:
            return ()
        seconds = parse_seconds(latency.threshold)
        bound = promql.number(latency_units.bucket_bound(seconds, metric))
        return (
            f"{metric} has no unit in its name (_seconds, _milliseconds, _microseconds), "
            f'so latency threshold {latency.threshold} is taken as le="{bound}" in '
            "seconds; if the histogram counts another unit, write its bound as a plain "
            "number as the histogram counts it",
        )
    value = parse_seconds(latency.threshold)
    if unit is not latency_units.SECONDS or value <= latency_units.LIKELY_MILLISECONDS:
        return ()
    bound = f"{float(value):g}"
    return (
        f"latency threshold {bound} on {metric} means {bound} seconds; write {bound}ms "
        f"for milliseconds, or {bound}s to keep seconds without this note",
    )


def sli(spec: SLISpec) -> m.SLI:
    """The spec's one SLI kind with its selectors parsed and durations in seconds."""
    if spec.events is not None:
        events = spec.events
        return m.EventsSLI(
            total=parse_selector(events.total),
            errors=parse_selector(events.errors) if events.errors else None,
            good=parse_selector(events.good) if events.good else None,
        )
    if spec.latency is not None:
        histogram = parse_selector(spec.latency.histogram)
        return m.LatencySLI(
            histogram=histogram if spec.latency.native else _histogram_base(histogram),
            threshold=latency_units.spec_threshold(spec.latency.threshold, histogram.metric),
            native=spec.latency.native,
        )
    if spec.up is not None:
        return m.UpSLI(parse_selector(spec.up.metric))
    if spec.freshness is not None:
        return m.FreshnessSLI(
            parse_selector(spec.freshness.timestamp), parse_duration(spec.freshness.max_age)
        )
    assert spec.ratio is not None
    return m.RatioSLI(total=spec.ratio.total, errors=spec.ratio.errors, good=spec.ratio.good)


def _histogram_base(selector: Selector) -> Selector:
    """Accept ``x_bucket`` as well as ``x``: the model always holds the histogram name."""
    return selector.named(selector.metric.removesuffix("_bucket"))
