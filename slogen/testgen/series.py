"""Synthetic raw series that make an SLI read a chosen traffic and error ratio.

A scenario is a list of phases, each holding traffic and an error ratio constant for
a while. Counters (events, latency, ratio over rate/increase) grow by the phase's
events per input interval; gauges (up, freshness) are a fixed set of targets, some
of them bad, so their error ratio is a fraction k/n of whole targets.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from slogen import model as m
from slogen import promql
from slogen.model import SLO
from slogen.promql import Selector
from slogen.testgen.labels import NotSynthesisable
from slogen.testgen.shapes import RECORDED_ROLES, Shape, selector_for

TARGET_LABEL = "synthetic_target"
"""Distinguishes the targets of a gauge SLI; never used by a spec's selectors."""

GAUGE_TARGETS_MAX = 200
"""The most targets a gauge's ratio is searched among for the closest share."""
GAUGE_TARGETS_FALLBACK = 2000
"""Where no share of up to 200 targets lies on the asked side of a ratio (below 0.4%
of a 99.5% SLO's ticket threshold takes 250), the fewest targets that give one, up
to this many: a proof with more series rather than an unproven alert."""
COUNT_INTERVAL = 60
"""The finest input interval of a proof: whole counts per minute are whole at 5m too."""
EXACT_COUNTS = 2**53
"""Below this every whole number is a float, and promtool's sums of them are exact."""


@dataclass(frozen=True)
class Phase:
    """Constant traffic and error ratio for ``seconds``; traffic None means no series.
    Absent phases may open a scenario (no samples yet) or close it (the series end);
    none lies between present ones."""

    seconds: int
    traffic: Fraction | None
    error_ratio: Fraction = Fraction(0)


@dataclass(frozen=True)
class Series:
    labels: str
    values: str


def gauge_targets(ratio: Fraction, at_least: bool) -> tuple[int, int]:
    """(bad, all) targets whose share is the closest to ``ratio`` from above or below,
    among up to GAUGE_TARGETS_MAX targets (the fewest on a tie); where none lies on
    that side, the fewest targets up to GAUGE_TARGETS_FALLBACK that give one.

    Solved, not searched: the closest shares of at most N targets on either side of
    a ratio are its neighbours in the Farey sequence of order N, which its continued
    fraction gives in a few steps (``tests/test_testgen.py`` holds this to trying
    every count of targets)."""
    if not 0 <= ratio <= 1:
        raise NotSynthesisable(f"an error ratio of {float(ratio):.4g} is not a share of targets")
    if ratio in (0, 1):
        return int(ratio), 1
    share = _closest_share(ratio, at_least, GAUGE_TARGETS_MAX) or _fewest_targets(ratio, at_least)
    if share[1] > GAUGE_TARGETS_FALLBACK:
        raise NotSynthesisable(
            f"an error ratio of {float(ratio):.4g} is finer than 1 of "
            f"{GAUGE_TARGETS_FALLBACK} targets"
        )
    return share


def _closest_share(ratio: Fraction, at_least: bool, most: int) -> tuple[int, int] | None:
    """The share of at most ``most`` targets closest to ``ratio`` (0 < ratio < 1) on
    the asked side, in lowest terms, with one target bad and one good at least."""
    if ratio.denominator <= most:
        return ratio.numerator, ratio.denominator
    below, above = _farey_neighbours(ratio, most)
    share = above if at_least else below
    return (share.numerator, share.denominator) if 0 < share < 1 else None


def _farey_neighbours(ratio: Fraction, most: int) -> tuple[Fraction, Fraction]:
    """The closest fractions with denominators up to ``most`` below and above
    ``ratio``, whose own denominator is larger: its last convergent within the bound
    and the best semiconvergent on the other side, as ``Fraction.limit_denominator``
    finds them."""
    p0, q0, p1, q1 = 0, 1, 1, 0
    n, d = ratio.numerator, ratio.denominator
    while True:
        a = n // d
        q2 = q0 + a * q1
        if q2 > most:
            break
        p0, q0, p1, q1 = p1, q1, p0 + a * p1, q2
        n, d = d, n - a * d
    k = (most - q0) // q1
    one, other = Fraction(p0 + k * p1, q0 + k * q1), Fraction(p1, q1)
    return (one, other) if one < ratio else (other, one)


def _fewest_targets(ratio: Fraction, at_least: bool) -> tuple[int, int]:
    """The fewest targets whose share lies on the asked side of ``ratio`` with one
    target bad and one good: one bad of 1/ratio below it, one good of 1/(1 - ratio)
    above it (each rounded up)."""
    p, q = ratio.numerator, ratio.denominator
    if at_least:
        total = -(-q // (q - p))
        return -(-p * total // q), total
    total = -(-q // p)
    return p * total // q, total


class CounterValues:
    """Counter values over phases, each spelled once per set of proof files.

    SLOs that share a profile share their scenarios' phases, and a histogram's
    buckets mostly count the same share, so the same values are asked for many times;
    spelling them once took a third off writing the proofs of a thousand SLOs."""

    def __init__(self) -> None:
        self._spelled: dict[tuple[tuple[Phase, ...], int, str], str] = {}

    def __call__(self, phases: Sequence[Phase], interval: int, role: str) -> str:
        key = (tuple(phases), interval, role)
        spelled = self._spelled.get(key)
        if spelled is None:
            spell = _recorded_values if role in RECORDED_ROLES else _counter_values
            spelled = self._spelled[key] = spell(phases, interval, role)
        return spelled


Layout = tuple[tuple[str, str], ...]
"""Each counter series of an SLO: its name with labels, and the role it counts."""


def series_layout(slo: SLO, form: Shape) -> Layout | None:
    """The SLO's counter series, the same in every scenario, so named once per SLO;
    None for a gauge, whose number of series depends on the phases."""
    if form.gauge is not None:
        return None
    if isinstance(slo.sli, m.LatencySLI) and not form.is_recorded:
        return _histogram_layout(slo, slo.sli, form.counters[0][0])
    return tuple((selector.render(), role) for selector, role in form.counters)


def render_series(
    slo: SLO,
    form: Shape,
    layout: Layout | None,
    phases: list[Phase],
    interval: int,
    values: CounterValues,
) -> list[Series]:
    """promtool input series for the phases, sampled every ``interval`` seconds;
    ``layout`` is ``series_layout(slo, form)``."""
    if layout is None:
        assert form.gauge is not None
        return _gauge_series(slo, form.gauge, phases, interval)
    return [Series(name, values(phases, interval, role)) for name, role in layout]


def whole_counts(phases: Sequence[Phase]) -> tuple[Phase, ...]:
    """The phases with all traffic scaled by the smallest whole number that makes every
    counter's increase per input interval a whole number.

    promtool expands ``a+bxn`` by adding ``b`` n times in floats: ``59.965+59.965x359``
    reaches 21587.400000000045, the next phase's literal 21587.4 is lower, and
    Prometheus reads a counter reset. Whole increases add exactly. Scaling every
    phase alike keeps every window's error ratio; it only raises the traffic, which
    every scenario but the request-rate guard's may do (that one is a single phase,
    where a float sum cannot fall back).
    """
    scale = 1
    for phase in phases:
        if phase.traffic is not None:
            per_interval = phase.traffic * COUNT_INTERVAL
            for count in (per_interval, per_interval * phase.error_ratio):
                scale = math.lcm(scale, count.denominator)
    scaled = tuple(
        p if p.traffic is None else Phase(p.seconds, p.traffic * scale, p.error_ratio)
        for p in phases
    )
    final = sum(p.traffic * p.seconds for p in scaled if p.traffic is not None)
    if final >= EXACT_COUNTS:
        raise NotSynthesisable(
            f"whole-number counters for these error ratios would pass 2**53 ({float(final):.3g})"
        )
    return scaled


def _counter_values(phases: Sequence[Phase], interval: int, role: str) -> str:
    """Expanding notation for a counter; each phase adds its rate times the interval.

    A sample at time t holds the count up to t, so the increase a phase causes shows
    in the samples after its start: 0 at time 0, then each phase of k intervals is
    ``start+step x (k-1)`` (``a+bxn`` gives n+1 samples) from one step above the last.
    Each start continues from the float promtool's own sum reached, so a counter never
    steps back (with ``whole_counts`` the sums are exact anyway).
    """
    parts = [*_silence(phases, interval), "0"]
    reached = 0.0
    for phase, traffic in _present(phases):
        samples = phase.seconds // interval
        share = {  # what a counter of this role counts; "total" counts everything
            "errors": phase.error_ratio,
            "bad": phase.error_ratio,
            "good": 1 - phase.error_ratio,
            "none": Fraction(0),
        }.get(role, Fraction(1))
        step = traffic * share * interval
        start = reached + float(step)
        parts.append(f"{promql.number(start)}+{promql.number(step)}x{samples - 1}")
        reached = _promtool_sum(start, float(step), samples - 1)
    return " ".join(parts)


def _recorded_values(phases: Sequence[Phase], interval: int, role: str) -> str:
    """A 5m recording's values: none at time 0 (a 5m rate needs two samples), then each
    phase's rate for its samples. Gauges repeat a value rather than add to it, so no
    float sum is involved."""
    parts = [*_silence(phases, interval), "_"]
    for phase, traffic in _present(phases):
        share = phase.error_ratio if RECORDED_ROLES[role] == "errors" else Fraction(1)
        parts.append(f"{promql.number(traffic * share)}x{phase.seconds // interval - 1}")
    return " ".join(parts)


def _silence(phases: Sequence[Phase], interval: int) -> list[str]:
    """Blanks for the absent phases before the first present one."""
    seconds = _silent_seconds(phases)
    return [f"_x{seconds // interval}"] if seconds else []


def _silent_seconds(phases: Sequence[Phase]) -> int:
    return sum(p.seconds for p in itertools.takewhile(lambda p: p.traffic is None, phases))


def _present(phases: Sequence[Phase]) -> Iterator[tuple[Phase, Fraction]]:
    """The present phases and their traffic, up to the first absent one after them:
    the series end there."""
    for phase in itertools.dropwhile(lambda p: p.traffic is None, phases):
        if phase.traffic is None:
            return
        yield phase, phase.traffic


def _promtool_sum(start: float, step: float, times: int) -> float:
    """Where promtool's ``start+stepxtimes`` ends: ``step`` added ``times`` times."""
    if step.is_integer() and start.is_integer() and start + step * times < EXACT_COUNTS:
        return start + step * times
    for _ in range(times):
        start += step
    return start


def _histogram_layout(slo: SLO, sli: m.LatencySLI, base_selector: Selector) -> Layout:
    base = {mt.name: mt.value for mt in base_selector.matchers}
    # The bound in the histogram's own unit (250 for 250ms on a _milliseconds one).
    bound = _go_float(sli.bound)
    # Decoy bounds a tenth and ten times the threshold (0.01 and 1 beside 0.1): a
    # matcher that selects more than the threshold's bucket counts them and breaks.
    below = _go_float(sli.bound / 10)
    above = _go_float(sli.bound * 10)
    layout = []
    for suffix, le, share in (
        ("_bucket", below, "none"),
        ("_bucket", bound, "good"),
        ("_bucket", above, "total"),
        ("_bucket", "+Inf", "total"),
        ("_count", None, "total"),
    ):
        labels = dict(base) | ({"le": le} if le else {})
        layout.append((selector_for(slo, sli.histogram.metric + suffix, labels).render(), share))
    return tuple(layout)


def _go_float(value: Fraction) -> str:
    """A bound as the Go client prints it: ``0.1``, ``1``, ``2.5``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _gauge_series(slo: SLO, gauge: Selector, phases: list[Phase], interval: int) -> list[Series]:
    """Targets 0..n-1; in each phase the first k are bad."""
    targets = max(phase_targets(p)[1] for p in phases if p.traffic is not None)
    out = []
    for index in range(targets):
        selector = gauge.having(promql.Matcher(TARGET_LABEL, "=", f"t{index:03d}"))
        out.append(Series(selector.render(), _gauge_values(slo, phases, interval, index)))
    return out


def phase_targets(phase: Phase) -> tuple[int, int]:
    """(bad, all) targets of a gauge phase; traffic holds the number of targets."""
    assert phase.traffic is not None
    total = int(phase.traffic)
    return int(phase.error_ratio * total), total


def _gauge_values(slo: SLO, phases: list[Phase], interval: int, index: int) -> str:
    parts = _silence(phases, interval)
    clock = _silent_seconds(phases)
    for phase, _ in _present(phases):
        samples = phase.seconds // interval
        bad_targets, total = phase_targets(phase)
        if index >= total:
            parts.append(f"_x{samples}")
        elif isinstance(slo.sli, m.FreshnessSLI):
            # bad targets are 10m past max_age, good ones half of it: a max_age read in
            # the wrong unit turns good targets bad
            age = slo.sli.max_age + 600 if index < bad_targets else slo.sli.max_age // 2
            parts.append(f"{clock - age}+{interval}x{samples - 1}")
        else:
            parts.append(f"{0 if index < bad_targets else 1}x{samples - 1}")
        clock += samples * interval
    return " ".join(parts)
