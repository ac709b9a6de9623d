"""The time unit of a histogram, from its name, and latency bounds converted to it.

A latency threshold is a duration (``250ms``); a classic histogram's ``le`` bound and a
native histogram's bucket boundaries are numbers in whatever unit the histogram counts.
Prometheus' naming convention puts that base unit last in the metric name, before the
``_bucket``/``_count``/``_sum`` suffix of a classic histogram's series:
``http_request_duration_seconds``, ``istio_request_duration_milliseconds``. So
``250ms`` on a ``_milliseconds`` histogram is the bound ``250``, on a ``_seconds`` one
``0.25``. A histogram whose name gives no unit is taken to count seconds, the
convention's base unit.

Every ``le`` and ``histogram_fraction`` bound slogen writes or checks comes from
:func:`bucket_bound`, and every bound read back from another tool's spec goes through
:func:`threshold_seconds`, so the two directions cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from slogen.durations import parse_seconds


@dataclass(frozen=True)
class TimeUnit:
    """A unit a histogram may count latencies in."""

    name: str
    """In words, plural: ``milliseconds``."""
    per_second: Fraction
    """How many of the unit make a second: 1000 for milliseconds."""


SECONDS = TimeUnit("seconds", Fraction(1))
MILLISECONDS = TimeUnit("milliseconds", Fraction(1000))
MICROSECONDS = TimeUnit("microseconds", Fraction(10**6))
NANOSECONDS = TimeUnit("nanoseconds", Fraction(10**9))

_SUFFIXES = (
    ("_seconds", SECONDS),
    ("_milliseconds", MILLISECONDS),
    ("_microseconds", MICROSECONDS),
    ("_nanoseconds", NANOSECONDS),
    # ``_ms`` is no word of its own in metric names, so it can only be milliseconds;
    # ``_us``, ``_ns`` and ``_s`` are left alone: too short to be sure of.
    ("_ms", MILLISECONDS),
)
_SERIES_SUFFIXES = ("_bucket", "_count", "_sum")

ALL_UNITS = (SECONDS, MILLISECONDS, MICROSECONDS, NANOSECONDS)

LIKELY_MILLISECONDS = 10
"""A bare latency threshold above this on a ``_seconds`` histogram is probably ms:
10 itself is a default bucket of the client libraries, and a real 10 s objective."""


def histogram_name(metric: str) -> str:
    """The histogram's own name: ``x`` of ``x_bucket``, ``x_count`` or ``x_sum``."""
    for suffix in _SERIES_SUFFIXES:
        if metric.endswith(suffix):
            return metric.removesuffix(suffix)
    return metric


def histogram_unit(metric: str) -> TimeUnit | None:
    """The unit a histogram counts, by its name; None when the name gives none."""
    name = histogram_name(metric)
    for suffix, unit in _SUFFIXES:
        if name.endswith(suffix):
            return unit
    return None


def unit_or_seconds(metric: str) -> TimeUnit:
    """The histogram's unit, or seconds (the base unit) when its name gives none."""
    return histogram_unit(metric) or SECONDS


def bucket_bound(threshold_seconds: Fraction, metric: str) -> Fraction:
    """The bucket bound, in the histogram's own unit, of a latency of
    ``threshold_seconds``: 0.25 s on ``*_milliseconds`` is 250, on ``*_seconds`` 0.25."""
    return threshold_seconds * unit_or_seconds(metric).per_second


def threshold_seconds(bound: Fraction, metric: str) -> Fraction:
    """The latency, in seconds, of a bucket bound written in the histogram's unit:
    the inverse of :func:`bucket_bound`."""
    return bound / unit_or_seconds(metric).per_second


def is_bare(threshold: str | int | float) -> bool:
    """Is a spec's threshold a bare number (``250``, ``"0.25"``) rather than a duration?"""
    return not isinstance(threshold, str) or threshold.strip()[-1:].isdigit()


def spec_threshold(threshold: str | int | float, metric: str) -> Fraction:
    """A spec's latency threshold in seconds. A duration (``250ms``) is a latency; a
    bare number is the bucket bound as the histogram counts it, so ``250`` on a
    ``_milliseconds`` histogram is 0.25 s, and on one with no unit in its name, 250 s."""
    value = parse_seconds(threshold)
    return threshold_seconds(value, metric) if is_bare(threshold) else value


def spell(seconds: Fraction) -> str | None:
    """A latency as a slogen threshold duration that reads back exactly
    (``250ms``, ``16.384s``, ``0.25ms``), or None when no short decimal spells it."""
    for scale, unit in ((Fraction(1000), "ms"), (Fraction(1), "s")):
        value = seconds * scale
        if unit == "ms" and value >= 1000:
            continue
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(exact) == value:
            text = format(exact.normalize(), "f")
            return f"{text}{unit}"
    return None


def imported_threshold(bound: Fraction, metric: str) -> tuple[str | int | float, str | None]:
    """A bucket bound another tool gives in the histogram's own unit (Pyrra's and
    OpenSLO's ``le``) as a slogen threshold for the same bucket, and a note when the
    histogram's name gives no unit.

    On a ``_seconds`` histogram a bound up to 10 stays a bare number, as written; a
    larger one, or any bound on a histogram of another unit, becomes the duration it
    stands for (``16.384`` on ``_seconds`` is ``16.384s``, ``250`` on ``_milliseconds``
    ``250ms``), which slogen converts back to the same bound. With no unit in the name
    the bound stays a bare number, which slogen matches as written."""
    bare = int(bound) if bound.denominator == 1 else float(bound)
    unit = histogram_unit(metric)
    if unit is None:
        return bare, (
            f"{histogram_name(metric)} has no unit in its name (_seconds, _milliseconds, "
            f"_microseconds), so the latency it stands for is unknown; threshold {bare} "
            "is kept as the bucket bound, as the histogram counts it"
        )
    if unit is SECONDS and bound <= LIKELY_MILLISECONDS:
        return bare, None
    spelt = spell(threshold_seconds(bound, metric))
    return (spelt, None) if spelt is not None else (bare, None)
