"""What an SLI measures, in a sentence and in the PromQL selectors it reads.

The sentence is for the stakeholder, the selectors for the engineer who checks that
the right series are counted; both come from the resolved SLI, so they cannot drift
from the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from slogen import model as m
from slogen import promql
from slogen.durations import format_duration


@dataclass(frozen=True)
class SLIText:
    """An SLI described: the sentence and the labelled PromQL it is computed from."""

    words: str
    unit: str
    """What the SLI counts, good or bad: ``events``, ``requests``, ``target checks``."""
    queries: tuple[tuple[str, str], ...]
    """``(role, PromQL)`` pairs: the errors, good or total side and what it reads."""


def bound(seconds: Fraction) -> str:
    """A latency bound as people write it: ``100ms``, ``2.5s``, ``1m``."""
    if seconds < 1:
        return f"{promql.number(seconds * 1000)}ms"
    if seconds.denominator == 1:
        return format_duration(int(seconds))
    return f"{promql.number(seconds)}s"


def describe(sli: m.SLI) -> SLIText:
    """The SLI of one SLO in words and selectors."""
    if isinstance(sli, m.EventsSLI):
        return _events(sli)
    if isinstance(sli, m.LatencySLI):
        return _latency(sli)
    if isinstance(sli, m.UpSLI):
        return SLIText(
            "The share of the targets matched below that are up (report 1), counted at "
            "every rule evaluation: a target down for a minute is a minute of one bad "
            "target.",
            "target checks",
            (("good while 1, bad while 0", sli.metric.render()),),
        )
    if isinstance(sli, m.FreshnessSLI):
        return SLIText(
            "The share of rule evaluations at which the last success recorded below is "
            f"at most {format_duration(sli.max_age)} old, per series: data older than "
            "that counts as bad for as long as it stays old.",
            "checks",
            (
                (
                    f"last success, bad while older than {format_duration(sli.max_age)}",
                    sli.timestamp.render(),
                ),
            ),
        )
    return _ratio(sli)


def _events(sli: m.EventsSLI) -> SLIText:
    total = ("total events", sli.total.render())
    if sli.errors is not None:
        return SLIText(
            "The share of events that are not errors: one minus the events counted as "
            "errors over all events, summed over the window (a busy hour weighs more "
            "than a quiet one).",
            "events",
            (("errors", sli.errors.render()), total),
        )
    assert sli.good is not None
    return SLIText(
        "The share of events counted as good among all events, summed over the window "
        "(a busy hour weighs more than a quiet one).",
        "events",
        (("good events", sli.good.render()), total),
    )


def _latency(sli: m.LatencySLI) -> SLIText:
    within = bound(sli.threshold)
    histogram = sli.histogram
    bucket = histogram.named(histogram.metric + "_bucket").having(
        promql.Matcher("le", "=", promql.number(sli.bound))
    )
    unit = sli.unit
    counted = (
        f" The histogram counts {unit.name}, so {within} is its bound {promql.number(sli.bound)}."
        if unit is not None and unit.per_second != 1
        else ""
    )
    return SLIText(
        f"The share of requests that complete within {within}: the histogram's bucket "
        f"for {within} over its count of all requests, summed over the window. The "
        "bucket is matched in every decimal spelling of its bound, as Prometheus 2 and 3 "
        f"write it.{counted}",
        "requests",
        (
            (f"requests within {within}", bucket.render()),
            ("all requests", histogram.named(histogram.metric + "_count").render()),
        ),
    )


def _ratio(sli: m.RatioSLI) -> SLIText:
    total = ("total", sli.total)
    if sli.errors is not None:
        return SLIText(
            "One minus the errors query over the total query, both written in the spec "
            "with `$window` (read at 5m and summed over the window).",
            "events",
            (("errors", sli.errors), total),
        )
    assert sli.good is not None
    return SLIText(
        "The good query over the total query, both written in the spec with `$window` "
        "(read at 5m and summed over the window).",
        "events",
        (("good", sli.good), total),
    )


def promql_block(described: SLIText) -> str:
    """The queries as one PromQL listing, each under a comment naming its role."""
    return "\n".join(f"# {role}\n{query}" for role, query in described.queries)
