"""The period-to-date error ratio, coverage and budget of a calendar SLO.

A calendar SLO's budget starts afresh on the 1st (or on Monday, or with the quarter).
PromQL ranges are constants, so a window that grows from the boundary cannot be
written as one. Instead the period group records the number of the period in progress
(``slo:calendar_period:index``, from Prometheus' date functions on ``time()`` plus the
zone's fixed offset), and the period-to-date sums read the 5m rate recordings over
the longest period of the unit (31 days for a month) through a subquery with a 5m
step, each step's sample labelled with the period its 5 minutes fall in (below;
``count_values`` turns the index into the ``slo_period`` label). ``sum_over_time``
then sums each period apart, and ``and on (slo_period)`` keeps the one in progress:

    sum by (g) (sum_over_time((last_over_time(errors[1m]) * on () group_left (slo_period)
        count_values("slo_period", last_over_time(index[10m] offset 1m)))[31d:5m])
        and on (slo_period) INDEX_NOW)

A 5m step makes the 5m rates tile the period: each 5-minute slice counts once (the
rolling period sums every 1m sample, each slice five times: the same ratio).
``last_over_time(...[1m])`` takes the sample of the minute ending at the step, so a
missed evaluation leaves its 5 minutes out rather than counting an older sample
again. The index is read from its recording, not computed per step: a subquery step
with no data then computes nothing (``time()`` at each of a quarter's 26,496 steps
exceeds promtool's sample limit), and it costs two samples per step.

Which period a step counts in: the step at ``t`` carries the 5m rate recorded in the
minute before ``t``, the events of about ``(t - 6m, t]``. It is labelled with the last
index recorded between 11 and 1 minutes before ``t``:
``last_over_time(index[10m] offset 1m)``, the one of a period run inside that span.
So the step at the boundary (the old period's last 5 minutes) counts in the old
period, and the step 5 minutes after it in the new one unless a period run fell in
the last minute before the boundary; as the 1m recordings' own phase makes that
slice straddle the boundary by up to a minute anyway, the boundary is exact to the
minute. Reading the index at ``t`` itself (an instant selector) labelled the step at
the boundary with the new period whenever a period run fell on the boundary, moving
the old period's last 5 minutes into the new one. The 10-minute range spans two
period runs, so one skipped or late run still labels the step (an instant selector's
5-minute lookback dropped the slice).

Until a step of the new period exists (up to 5 minutes after the boundary) the sums
have nothing to keep; the ratio is then 0 for each group with a 5m total (``or on
(group) 0 * total``): nothing counted yet. An absent ratio would leave the budget
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
from slogen.promql_nodes import Aggregation, Matching, RangeSelector
from slogen.recorded import recorded, series_labels
from slogen.rules.coverage import SAMPLE_INTERVAL, first_seen_lookup
from slogen.rules.types import Recording, Rule

PERIOD_INDEX = "slo:calendar_period:index"
"""The number of the period in progress, recorded every period run (see period_index)."""
PERIOD_LABEL = "slo_period"
"""The label the subquery's steps carry: the number of the period they fall in."""
STEP = 300
"""Seconds between the subquery's steps: the 5m rates then tile the period, each
minute counted once (every fifth sample of the 1m recordings)."""
INDEX_LOOKBACK = 600
"""Seconds a step looks back for the index: two period runs, so one skipped or late
run does not leave the step unlabelled (and its slice uncounted)."""
INDEX_OFFSET = 60
"""Seconds before the step the index is read: the step's slice then takes the period
of an instant inside the slice, not the one of the instant it ends at."""

DAY, WEEK = 86400, 7 * 86400
MONDAY_SHIFT = 3 * DAY
"""1970-01-01 was a Thursday: shifted three days on, weeks counted from the epoch
start on Mondays (ISO weeks)."""


def calendar_rules(slo: SLO, calendar: CalendarPeriod) -> tuple[Rule, ...]:
    """The period group's recordings for a calendar SLO: the period index first, as
    the sums read its history."""
    labels = series_labels(slo)
    ratio = recorded(naming.ERROR_RATIO_PERIOD, slo)
    covered = recorded(naming.PERIOD_COVERAGE, slo)
    weighted = Binary("*", ratio, covered, promql.on(slo.group_by))
    spent = Binary("/", weighted, Number(slo.budget))
    return (
        Recording(PERIOD_INDEX, reporting_index(slo, calendar).render(), labels),
        Recording(naming.ERROR_RATIO_PERIOD, period_to_date_ratio(slo, calendar).render(), labels),
        Recording(naming.PERIOD_COVERAGE, period_coverage(slo, calendar).render(), labels),
        Recording(naming.BUDGET_REMAINING, promql.complement(spent).render(), labels),
    )


def period_to_date_ratio(slo: SLO, calendar: CalendarPeriod) -> Expr:
    """Errors over total of the period in progress, from the 5m recordings."""
    errors = period_to_date_sum(slo, calendar, naming.ERRORS_RATE5M)
    total = period_to_date_sum(slo, calendar, naming.TOTAL_RATE5M)
    ratio = Binary("/", errors, total)
    fresh = Binary("*", Number(0), promql.sum_by(slo.group_by, recorded(naming.TOTAL_RATE5M, slo)))
    return Binary("or", ratio, fresh, promql.on(slo.group_by))


def period_to_date_sum(slo: SLO, calendar: CalendarPeriod, metric: str) -> Expr:
    """The sum of a 5m recording's samples at every 5th minute since the boundary,
    per group: the period's events so far, per 5 minutes."""
    sample = promql.over_range("last_over_time", recorded(metric, slo), SAMPLE_INTERVAL)
    steps = Aggregation("count_values", step_period(slo), param=String(PERIOD_LABEL))
    labelled = Binary("*", sample, steps, Matching((), group_left=(PERIOD_LABEL,)))
    sums = promql.over_range("sum_over_time", labelled, calendar.longest, STEP)
    now = Aggregation("count_values", period_index(calendar), param=String(PERIOD_LABEL))
    current = Binary("and", sums, now, promql.on((PERIOD_LABEL,)))
    return promql.sum_by(slo.group_by, current)


def step_period(slo: SLO) -> Expr:
    """The period a subquery step's 5m slice belongs to: the last index recorded
    between 11 and 1 minutes before the step (see the module's docstring)."""
    index = RangeSelector(recorded(PERIOD_INDEX, slo), INDEX_LOOKBACK, offset=INDEX_OFFSET)
    return Call("last_over_time", (index,))


def reporting_index(slo: SLO, calendar: CalendarPeriod) -> Expr:
    """The period index, recorded only while the SLO has a total series: the sums'
    steps before the SLO reported read nothing, as they have nothing to label."""
    total = Aggregation("group", recorded(naming.TOTAL_RATE5M, slo))
    return Binary("and", period_index(calendar), total, promql.on(()))


def period_index(calendar: CalendarPeriod) -> Expr:
    """The period's number at ``time()``, as a one-element vector without labels: weeks
    since the epoch's first Monday, months and quarters since year 0."""
    if calendar.unit == "week":
        shifted = Binary("+", _now(calendar), Number(MONDAY_SHIFT))
        return Call("floor", (Binary("/", shifted, Number(WEEK)),))
    year = _date("year", calendar)
    if calendar.unit == "month":
        month = Binary("-", _date("month", calendar), Number(1))
        return Binary("+", Binary("*", year, Number(12)), month)
    return Binary("+", Binary("*", year, Number(4)), _quarter(calendar))


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


def _offset_time(calendar: CalendarPeriod) -> Expr:
    """``time() + offset``: the wall clock of the period's time zone, read by the date
    functions as if it were UTC."""
    now: Expr = Call("time")
    if calendar.offset:
        now = Binary("+" if calendar.offset > 0 else "-", now, Number(abs(calendar.offset)))
    return now


def _now(calendar: CalendarPeriod) -> Expr:
    """``vector(time() + offset)``, for the date functions."""
    return Call("vector", (_offset_time(calendar),))


def _date(function: str, calendar: CalendarPeriod) -> Expr:
    return Call(function, (_now(calendar),))


def _holds(expr: Expr, op: str, value: int) -> Expr:
    """``expr op bool value``: 1 where it holds, else 0."""
    return Binary(op, expr, Number(value), bool_=True)


def _quarter(calendar: CalendarPeriod) -> Expr:
    """0 to 3: the quarter of the year in progress."""
    return _quarter_of(_date("month", calendar))


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
