"""Which series an SLO's proofs synthesise: its raw counters or gauge, or its two 5m
recordings where the raw query cannot be synthesised, and the labels they carry.

The shape is decided once per SLO; :mod:`slogen.testgen.series` then writes its
values for each scenario's phases.
"""

from __future__ import annotations

from dataclasses import dataclass

import promql_parser

from slogen import model as m
from slogen import naming, promql
from slogen.model import SLO
from slogen.promql import Selector
from slogen.recorded import recorded
from slogen.spec.promql_input import selector_of, window_query
from slogen.testgen.labels import NotSynthesisable, label_set

NATIVE_GAP = "promtool 2.42's test series notation has no native histogram samples"
"""Why a native latency SLI's two 5m recordings are not proven (a promtool limit)."""

RECORDED_ROLES = {"recorded errors": "errors", "recorded total": "total"}
"""The roles of the two 5m recordings when a proof feeds them, and what each counts."""
GROUP_VALUE = "test"
OTHER_GROUP_VALUE = "other"


@dataclass(frozen=True)
class Shape:
    """How an SLO's raw series are synthesised."""

    counters: tuple[tuple[Selector, str], ...]
    """(series selector, role) for counter SLIs; role is errors, good, bad or total."""
    gauge: Selector | None = None
    unit: int = 1
    """The total recording's value per event per second (300 for increase queries)."""

    @property
    def is_gauge(self) -> bool:
        return self.gauge is not None

    @property
    def is_recorded(self) -> bool:
        """The series are the SLO's 5m recordings, not its raw series."""
        return any(role in RECORDED_ROLES for _, role in self.counters)


def shape(slo: SLO) -> Shape:
    """The series an SLO reads; raises NotSynthesisable with the reason."""
    sli = slo.sli
    if isinstance(sli, m.EventsSLI):
        return _counter_shape(slo, sli.total, sli.errors, sli.good)
    if isinstance(sli, m.LatencySLI):
        if sli.native:
            raise NotSynthesisable(NATIVE_GAP)
        base = label_set(sli.histogram.metric, [sli.histogram])
        return Shape(counters=((selector_for(slo, sli.histogram.metric, base), "histogram"),))
    if isinstance(sli, m.UpSLI):
        return Shape(counters=(), gauge=_with_groups(slo, sli.metric))
    if isinstance(sli, m.FreshnessSLI):
        return Shape(counters=(), gauge=_with_groups(slo, sli.timestamp))
    total, total_unit = _single_counter(sli.total)
    errors = good = None
    if sli.errors is not None:
        errors, unit = _single_counter(sli.errors)
    else:
        assert sli.good is not None
        good, unit = _single_counter(sli.good)
    if unit != total_unit:
        raise NotSynthesisable("the errors and total queries count in different units")
    return _counter_shape(slo, total, errors, good, unit)


def recorded_shape(slo: SLO) -> Shape:
    """The SLO's two 5m recordings as the proof's input: where slogen cannot synthesise
    raw series for a query, everything from these recordings on is still proven, and
    only the two rules that read the raw query are not."""
    return Shape(
        counters=(
            (_with_groups(slo, recorded(naming.ERRORS_RATE5M, slo)), "recorded errors"),
            (_with_groups(slo, recorded(naming.TOTAL_RATE5M, slo)), "recorded total"),
        )
    )


def _single_counter(template: str) -> tuple[Selector, int]:
    """The one counter a raw query reads with rate() or increase(), and its unit."""
    found: list[tuple[str, object]] = []

    def visit(expr: object) -> None:
        if isinstance(expr, promql_parser.Call):
            name = str(expr.func.name) if hasattr(expr.func, "name") else str(expr.func)
            for arg in expr.args:
                if isinstance(arg, promql_parser.MatrixSelector):
                    found.append((name, arg.vector_selector))
                else:
                    visit(arg)
        elif isinstance(expr, promql_parser.AggregateExpr | promql_parser.ParenExpr):
            visit(expr.expr)
        elif isinstance(expr, promql_parser.BinaryExpr | promql_parser.VectorSelector):
            found.append(("unsupported", expr))

    visit(promql_parser.parse(window_query(template, "5m")))
    if len(found) != 1 or found[0][0] not in ("rate", "increase"):
        raise NotSynthesisable(
            f"the query {template!r} is not a sum of rate() or increase() of one counter"
        )
    function, selector = found[0]
    assert isinstance(selector, promql_parser.VectorSelector)
    return selector_of(selector, template), 300 if function == "increase" else 1


def _counter_shape(
    slo: SLO,
    total: Selector,
    errors: Selector | None,
    good: Selector | None,
    unit: int = 1,
) -> Shape:
    part, role, other = (errors, "errors", "good") if errors is not None else (good, "good", "bad")
    assert part is not None
    part_labels = label_set(part.metric, [part, total])
    counters = [(selector_for(slo, part.metric, part_labels), role)]
    if part.metric == total.metric:
        rest = label_set(total.metric, [total], [part])
        counters.append((selector_for(slo, total.metric, rest), other))
    else:
        counters.append(
            (selector_for(slo, total.metric, label_set(total.metric, [total])), "total")
        )
    return Shape(counters=tuple(counters), unit=unit)


def selector_for(slo: SLO, metric: str, labels: dict[str, str]) -> Selector:
    """A series of the SLO with exactly these labels, and a value for each grouping label."""
    return _with_groups(slo, Selector(metric, promql.equals(sorted(labels.items()))))


def _with_groups(slo: SLO, selector: Selector) -> Selector:
    """Give grouped SLOs' series a value for every grouping label they lack."""
    values = {mt.name: mt.value for mt in selector.matchers if mt.op == "="}
    if not all(mt.op == "=" for mt in selector.matchers):
        values = label_set(selector.metric, [selector])
    for name in slo.group_by:
        values.setdefault(name, GROUP_VALUE)
    return Selector(selector.metric, promql.equals(sorted(values.items())))


def group_labels(slo: SLO, form: Shape) -> dict[str, str]:
    """The grouping labels every synthetic series of the SLO carries."""
    selectors = [form.gauge] if form.gauge is not None else [s for s, _ in form.counters]
    found = [
        {mt.name: mt.value for mt in selector.matchers if mt.name in slo.group_by}
        for selector in selectors
    ]
    if any(labels != found[0] for labels in found):
        raise NotSynthesisable("the series of errors and total disagree on the group_by labels")
    return found[0]


def other_group(slo: SLO, form: Shape) -> Shape | None:
    """The same series for a second group, when the grouping labels are free to vary.

    A healthy second group beside every scenario shows that groups neither share nor
    dilute each other's ratios: any alert for it fails the exact expectations."""
    if not slo.group_by:
        return None

    def moved(selector: Selector) -> Selector | None:
        matchers = []
        for matcher in selector.matchers:
            if matcher.name in slo.group_by:
                if matcher.value != GROUP_VALUE:
                    return None
                matcher = promql.Matcher(matcher.name, "=", OTHER_GROUP_VALUE)
            matchers.append(matcher)
        return Selector(selector.metric, tuple(matchers))

    if form.gauge is not None:
        gauge = moved(form.gauge)
        return None if gauge is None else Shape(counters=(), gauge=gauge, unit=form.unit)
    counters = [(moved(selector), role) for selector, role in form.counters]
    if any(selector is None for selector, _ in counters):
        return None
    return Shape(counters=tuple((s, role) for s, role in counters if s is not None), unit=form.unit)
