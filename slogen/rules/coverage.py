"""How much of a window an SLO's history really covers, per group.

The SRE Workbook's burn factors are shares of the budget: "2% of the budget in 1h" is
``burn_1h x 1h / period > 2%``, which silently assumes the 1h window holds an hour of
data. A young SLO, a new group (a new cluster) or a history lost with its TSDB holds
less, and
its error ratio over the few minutes it has would be judged by a threshold meant for a
full window. So every burn rate is weighted by the share of its window the data covers:

    burn_w = ratio_w x covered_w / w / budget      share spent = burn_w x w / period

A full window gives exactly the Workbook's thresholds; a new cluster's ten bad minutes
weigh what they weigh in an established one; a total outage of a brand-new service
pages no later than one of an old service.

Coverage is the time since the group was first seen, clamped to the window, from a
recorded timestamp that reads a few dozen samples however long the period (counting
the samples of each window would read as many again as the window's total side, and
would depend on the evaluation interval and on Prometheus 2 and 3 counting the edge
of a range differently). The first sample counts as one evaluation interval, and the
timestamp survives restarts and outages of Prometheus (see ``first_seen``). Gaps
inside a window are not subtracted: an hour without data in the middle of the 1h
window's history still counts as covered, as it did before coverage was weighed.
"""

from __future__ import annotations

from slogen import model as m
from slogen import naming, promql
from slogen.model import SLO
from slogen.promql import Binary, Call, Expr, Number, String
from slogen.recorded import recorded

SAMPLE_INTERVAL = 60
LOOKUP_LABEL = "slogen_lookup"
"""A label that tells the first-seen look-ups apart inside the rule; never recorded."""
"""Seconds between the samples of the 5m recordings (the sli group's interval)."""

_LADDER = ((600, None), (86400, 3600))
"""Where the first-seen timestamp looks for its own earlier value, besides the whole
period at a daily step: the last 10 minutes sample by sample (a restart), then the last
day at hourly steps (a longer outage of Prometheus). A subquery step reads one sample,
so the look-up costs about 65 samples however long the period."""

_SEEN_STEPS = ((3600, 60), (86400, 3600))
"""Where the first-seen timestamp looks for the earliest total series when it has no
earlier value of its own (besides the period at a daily step): to the minute within
the hour, to the hour within the day."""


def first_seen_lookup(slo: SLO) -> Expr:
    """The recorded first-seen times of each group within the period (a union: take
    the ``min`` by group)."""
    return promql.chain("or", _first_seen_reads(slo))


def _first_seen_reads(slo: SLO) -> list[Expr]:
    series = recorded(naming.FIRST_SEEN, slo)
    reads: list[Expr] = [
        promql.over_range("last_over_time", series, window, step)
        for window, step in (*_LADDER, (slo.period, 86400))
    ]
    return _labelled(reads, "self")


def earliest_total(slo: SLO) -> Expr:
    """The earliest step at which each group had a total series, on a coarsening
    ladder over the period and a day more (so a group older than the period reads as
    covering all of it): to the minute for a group an hour old, to the day for one a
    month old. A rule backfilled by ``promtool tsdb create-blocks-from rules`` never
    sees its own output, so this is what first-seen falls back on there."""
    return promql.chain("or", _earliest_total_reads(slo))


def _earliest_total_reads(slo: SLO) -> list[Expr]:
    total = promql.max_by(slo.group_by, recorded(naming.TOTAL_RATE5M, slo))
    stamp = Call("timestamp", (total,))
    reads: list[Expr] = [
        promql.over_range("min_over_time", stamp, window, step)
        for window, step in (*_SEEN_STEPS, (slo.period + 86400, 86400))
    ]
    return _labelled(reads, "total")


def _labelled(reads: list[Expr], source: str) -> list[Expr]:
    """Every look-up's answer, for ``min by`` to choose from. ``or`` keeps only the
    first of equal label sets, so each look-up is told apart by a label of its own."""
    return [
        Call(
            "label_replace",
            (read, String(LOOKUP_LABEL), String(f"{source}{index}"), String(""), String("")),
        )
        for index, read in enumerate(reads)
    ]


def first_seen(slo: SLO) -> Expr:
    """When each reporting group was first seen: its own earlier value, else the
    earliest total series on record, else now.

    Evaluated live, the rule's own earlier value keeps the exact time for as long as
    the group reports; the coarser look-up at the total only fills in where there is
    none (a backfill). Recorded only for groups that report now, so a group that comes
    back after being gone for a whole period starts afresh, as its history does."""
    on = promql.on(slo.group_by)
    total = promql.max_by(slo.group_by, recorded(naming.TOTAL_RATE5M, slo))
    now = Binary("+", Call("time"), Binary("*", Number(0), total))
    union = promql.chain("or", [*_first_seen_reads(slo), *_earliest_total_reads(slo)])
    seen = promql.aggregate("min", slo.group_by, Binary("or", union, now, on))
    return Binary("and", seen, total, on)


def covered(slo: SLO, window: int) -> Expr | None:
    """The share (0 to 1) of ``window`` that each group's data covers; None where it is
    always 1 (a traffic SLI's 5m window is its current recording)."""
    if window == m.BASE_WINDOW and slo.counts_traffic:
        return None
    return since_first_seen(slo, recorded(naming.FIRST_SEEN, slo), window)


def since_first_seen(slo: SLO, first: Expr, window: int) -> Expr:
    """``(time() - first seen + one interval) / window``, clamped to 1."""
    seen = promql.aggregate("min", slo.group_by, first)
    span = Binary("+", Binary("-", Call("time"), seen), Number(SAMPLE_INTERVAL))
    return promql.call("clamp_max", Binary("/", span, Number(window)), 1)
