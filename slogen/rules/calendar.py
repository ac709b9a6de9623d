"""The period-to-date error ratio, coverage and budget of a calendar SLO.

A calendar SLO's budget starts afresh on the 1st (or on Monday, or with the quarter).
PromQL ranges are constants, so a window that grows from the boundary cannot be
written as one. Instead the period group records, every run, a slice of each of the
two 5m rates labelled with the number of the period it belongs to (``slo_period``,
from Prometheus' date functions on ``time()`` plus the zone's fixed offset, by way
of ``count_values``), and the period-to-date sums add the slices of the period in
progress over the longest period of the unit (31 days for a month):

    slo:sli_errors:slice5m = last_over_time(errors[1m])
        * on () group_left (slo_period) count_values("slo_period", INDEX at time() - 150s)
    sum by (g) (sum_over_time(slo:sli_errors:slice5m[31d]) and on (slo_period) INDEX_NOW)

The group runs every 5 minutes, so the 5m rates it records tile the period: each
5-minute slice counts once (the rolling period sums every 1m sample, each slice
five times: the same ratio). ``last_over_time(...[1m])`` takes the sample of the
minute before the run, so a missed sli run leaves its slice out rather than
counting an older sample again, and a missed period run leaves one slice out of
errors and total alike. Each slice is read once: a sum reads one sample per 5
minutes of the longest period (8,928 for a month), where a subquery labelling the
5m rates step by step read three.

Which period a slice counts in: the slice recorded at ``t`` holds the events of
about ``(t - 6m, t]``; it is labelled with the period of ``t - 150s``, about its
middle, so a slice that straddles the boundary counts where most of it lies, and
the boundary is exact to about two and a half minutes whatever the group's phase.

Until a slice of the new period exists (up to 5 minutes after the boundary) the
sums have nothing to keep; the ratio is then 0 for each group with a 5m total (``or
on (group) 0 * total``): nothing counted yet. An absent ratio would leave the budget
absent too, and the budget alerts' ``last_over_time`` would keep firing on the old
period's figure.

Coverage and budget follow the rolling period's formulas (``slogen.rules.period``),
with the time since the boundary as the cap on the covered span and the length of the
period in progress (28 to 31 days for a month) as the whole: at the period's end the
budget spent is exactly the period's error ratio over the budget.
"""

from __future__ import annotations

from slogen import naming, promql
from slogen.model import SLO
from slogen.model_calendar import CalendarPeriod
from slogen.promql import Binary, Call, Expr, Number, String
from slogen.promql_nodes import Aggregation, Matching
from slogen.recorded import recorded, series_labels
from slogen.rules.coverage import SAMPLE_INTERVAL, first_seen_lookup
from slogen.rules.types import Recording, Rule

ERRORS_SLICE = "slo:sli_errors:slice5m"
TOTAL_SLICE = "slo:sli_total:slice5m"
"""A period run's 5m rates, labelled with the period they belong to."""
SLICES = {naming.ERRORS_RATE5M: ERRORS_SLICE, naming.TOTAL_RATE5M: TOTAL_SLICE}
PERIOD_LABEL = "slo_period"
"""The label a slice carries: the number of the period it belongs to."""
SLICE_MIDDLE = 150
"""Seconds before a period run that a slice is labelled at: about the middle of the
5 minutes its rates cover (see the module's docstring)."""

DAY, WEEK = 86400, 7 * 86400
MONDAY_SHIFT = 3 * DAY
"""1970-01-01 was a Thursday: shifted three days on, weeks counted from the epoch
start on Mondays (ISO weeks)."""


def calendar_rules(slo: SLO, calendar: CalendarPeriod) -> tuple[Rule, ...]:
    """The period group's recordings for a calendar SLO: the slices first, as the
    sums read them at the same run."""
    labels = series_labels(slo)
    ratio = recorded(naming.ERROR_RATIO_PERIOD, slo)
    covered = recorded(naming.PERIOD_COVERAGE, slo)
    weighted = Binary("*", ratio, covered, promql.on(slo.group_by))
    spent = Binary("/", weighted, Number(slo.budget))
    return (
        *(
            Recording(SLICES[rate], period_slice(slo, calendar, rate).render(), labels)
            for rate in SLICES
        ),
        Recording(naming.ERROR_RATIO_PERIOD, period_to_date_ratio(slo, calendar).render(), labels),
        Recording(naming.PERIOD_COVERAGE, period_coverage(slo, calendar).render(), labels),
        Recording(naming.BUDGET_REMAINING, promql.complement(spent).render(), labels),
    )


def period_slice(slo: SLO, calendar: CalendarPeriod, rate: str) -> Expr:
    """The 5m rate of the minute before the run, labelled with the period of the
    slice's middle."""
    sample = promql.over_range("last_over_time", recorded(rate, slo), SAMPLE_INTERVAL)
    period = Aggregation(
        "count_values", period_index(calendar, SLICE_MIDDLE), param=String(PERIOD_LABEL)
    )
    return Binary("*", sample, period, Matching((), group_left=(PERIOD_LABEL,)))


def period_to_date_ratio(slo: SLO, calendar: CalendarPeriod) -> Expr:
    """Errors over total of the period in progress, from the slices."""
    errors = period_to_date_sum(slo, calendar, naming.ERRORS_RATE5M)
    total = period_to_date_sum(slo, calendar, naming.TOTAL_RATE5M)
    ratio = Binary("/", errors, total)
    fresh = Binary("*", Number(0), promql.sum_by(slo.group_by, recorded(naming.TOTAL_RATE5M, slo)))
    return Binary("or", ratio, fresh, promql.on(slo.group_by))


def period_to_date_sum(slo: SLO, calendar: CalendarPeriod, rate: str) -> Expr:
    """The sum of the slices of a 5m rate recorded since the boundary, per group: the
    period's events so far, per 5 minutes."""
    sums = promql.over_range("sum_over_time", recorded(SLICES[rate], slo), calendar.longest)
    now = Aggregation("count_values", period_index(calendar), param=String(PERIOD_LABEL))
    current = Binary("and", sums, now, promql.on((PERIOD_LABEL,)))
    return promql.sum_by(slo.group_by, current)


def period_index(calendar: CalendarPeriod, before: int = 0) -> Expr:
    """The period's number ``before`` seconds before ``time()``, as a one-element
    vector without labels: weeks since the epoch's first Monday, months and quarters
    since year 0."""
    if calendar.unit == "week":
        shifted = Binary("+", _now(calendar, before), Number(MONDAY_SHIFT))
        return Call("floor", (Binary("/", shifted, Number(WEEK)),))
    year = _date("year", calendar, before)
    if calendar.unit == "month":
        month = Binary("-", _date("month", calendar, before), Number(1))
        return Binary("+", Binary("*", year, Number(12)), month)
    return Binary("+", Binary("*", year, Number(4)), _quarter(calendar, before))


def elapsed(calendar: CalendarPeriod) -> Expr:
    """Seconds since the period in progress began, as a one-element vector."""
    now = _now(calendar)
    if calendar.unit == "week":
        return Binary("%", Binary("+", now, Number(MONDAY_SHIFT)), Number(WEEK))
    today = Binary("%", now, Number(DAY))
    if calendar.unit == "month":
        days = Binary("-", _date("day_of_month", calendar), Number(1))
    else:
        before = Binary("+", _days_before_quarter(calendar), Number(1))
        days = Binary("-", _date("day_of_year", calendar), before)
    return Binary("+", Binary("*", days, Number(DAY)), today)


def length(calendar: CalendarPeriod) -> Expr:
    """Seconds in the period in progress: 7 days; 28 to 31; 90 to 92."""
    if calendar.unit == "week":
        return Number(WEEK)
    if calendar.unit == "month":
        return Binary("*", _date("days_in_month", calendar), Number(DAY))
    quarter = _quarter(calendar)
    first = Binary("*", _leap(calendar), _holds(quarter, "==", 0))
    days = promql.chain(
        "+",
        [
            Number(90),
            first,
            _holds(quarter, ">=", 1),
            _holds(quarter, ">=", 2),
        ],
    )
    return Binary("*", days, Number(DAY))


def period_coverage(slo: SLO, calendar: CalendarPeriod) -> Expr:
    """The share of the period in progress the data covers so far: the time since the
    group was first seen, capped at the time since the boundary (both plus one
    interval, as rolling coverage counts the first sample), over the period's length.
    It grows from about 0 at the boundary to 1 at its end, so the budget spent is the
    share of the whole period's budget the errors so far cost."""
    seen = promql.aggregate("min", slo.group_by, first_seen_lookup(slo))
    since = Binary("+", Binary("-", Call("time"), seen), Number(SAMPLE_INTERVAL))
    begun = Binary("+", elapsed(calendar), Number(SAMPLE_INTERVAL))
    capped = Call("clamp_max", (since, Call("scalar", (begun,))))
    whole = length(calendar)
    return Binary("/", capped, whole if isinstance(whole, Number) else Call("scalar", (whole,)))


def _offset_time(calendar: CalendarPeriod, before: int = 0) -> Expr:
    """``time() + offset``: the wall clock of the period's time zone, read by the date
    functions as if it were UTC (``before`` seconds earlier)."""
    now: Expr = Call("time")
    shift = calendar.offset - before
    if shift:
        now = Binary("+" if shift > 0 else "-", now, Number(abs(shift)))
    return now


def _now(calendar: CalendarPeriod, before: int = 0) -> Expr:
    """``vector(time() + offset)``, for the date functions."""
    return Call("vector", (_offset_time(calendar, before),))


def _date(function: str, calendar: CalendarPeriod, before: int = 0) -> Expr:
    return Call(function, (_now(calendar, before),))


def _holds(expr: Expr, op: str, value: int) -> Expr:
    """``expr op bool value``: 1 where it holds, else 0."""
    return Binary(op, expr, Number(value), bool_=True)


def _quarter(calendar: CalendarPeriod, before: int = 0) -> Expr:
    """0 to 3: the quarter of the year in progress."""
    return _quarter_of(_date("month", calendar, before))


def _quarter_of(month: Expr) -> Expr:
    return Call("floor", (Binary("/", Binary("-", month, Number(1)), Number(3)),))


def _leap(calendar: CalendarPeriod) -> Expr:
    """1 in a leap year, else 0 (Gregorian: every 4th year, not every 100th, every
    400th)."""
    year = _date("year", calendar)

    def divides(n: int) -> Expr:
        return _holds(Binary("%", year, Number(n)), "==", 0)

    return promql.chain("+", [Binary("-", divides(4), divides(100)), divides(400)])


def _days_before_quarter(calendar: CalendarPeriod) -> Expr:
    """Days of the year before the quarter in progress: 0, 90 (+1), 181 (+1), 273 (+1)."""
    quarter = _quarter(calendar)
    first = Binary("+", Number(90), _leap(calendar))
    return promql.chain(
        "+",
        [
            Binary("*", _holds(quarter, ">=", 1), first),
            Binary("*", _holds(quarter, ">=", 2), Number(91)),
            Binary("*", _holds(quarter, ">=", 3), Number(92)),
        ],
    )
