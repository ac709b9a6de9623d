"""``slogen status`` as a table for people and as JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from slogen import promql
from slogen.durations import format_approximate, format_duration
from slogen.gate import slo_label
from slogen.prometheus_api import printable
from slogen.status import SLOStatus

COLUMNS = (
    "SLO",
    "OBJECTIVE",
    "SLI",
    "BUDGET LEFT",
    "HISTORY",
    "STATE",
    "BURN",
    "FIRING",
    "EXHAUSTED BY",
)
LABEL_WIDTH = 200
"""The widest SLO or alerts cell: group labels and alert names come from the server,
which may send anything; they are shown with control characters escaped, and cut."""
SHORT_HISTORY_NOTE = (
    "HISTORY shorter than the period (a young SLO or group): the SLI is over that\n"
    "history, and the budget left is what it spent of the whole period's budget."
)


def history(status: SLOStatus) -> str:
    """How much of the period the history covers: ``3h of 30d``, ``full``, or ``-``
    when Prometheus has no coverage recording."""
    seconds = status.history_seconds
    if seconds is None:
        return "-"
    if status.calendar is not None and status.coverage is not None:
        return f"{status.coverage:.0%} of {status.calendar.unit}"
    if not status.short_history:
        return "full"
    return f"{format_approximate(seconds)} of {format_duration(status.period)}"


def _exhausted_at(status: SLOStatus, now: datetime) -> datetime | None:
    """When the budget runs out; None if it does not, or not before the calendar ends
    (a server's huge budget figure must not overflow the date)."""
    seconds = status.seconds_to_exhaustion
    if seconds is None:
        return None
    try:
        return now + timedelta(seconds=seconds)
    except OverflowError:
        return None


def exhaustion(status: SLOStatus, now: datetime) -> str:
    """When the budget runs out at the current burn rate, to the minute, in UTC."""
    if status.state == "exhausted":
        return "spent"
    when = _exhausted_at(status, now)
    return "-" if when is None else when.strftime("%Y-%m-%d %H:%M UTC")


def _period(status: SLOStatus) -> str:
    """``30d``, or a calendar period's unit: ``month``."""
    return format_duration(status.period) if status.calendar is None else status.calendar.unit


def _percent(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def _row(status: SLOStatus, now: datetime) -> tuple[str, ...]:
    burn = "-"
    if status.burn_rate is not None and status.burn_window is not None:
        burn = f"{status.burn_rate:.2f}x/{format_duration(status.burn_window)}"
    return (
        printable(slo_label(status), LABEL_WIDTH),
        f"{promql.number(status.objective * 100)}%/{_period(status)}",
        _percent(status.sli, 4),
        _percent(status.remaining, 1),
        history(status),
        status.state,
        burn,
        printable(", ".join(status.firing), LABEL_WIDTH) or "-",
        exhaustion(status, now),
    )


def table(statuses: Sequence[SLOStatus], now: datetime) -> str:
    """Aligned columns, one line per SLO and group, in spec order; a note below when a
    history is shorter than its period."""
    rows = [COLUMNS, *(_row(s, now) for s in statuses)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    if any(s.short_history for s in statuses):
        lines += ["", SHORT_HISTORY_NOTE]
    return "\n".join(lines)


def _fields(status: SLOStatus, now: datetime) -> dict[str, object]:
    when = _exhausted_at(status, now)
    return {
        "service": status.service,
        "slo": status.slo,
        "team": status.team,
        "group": dict(status.group),
        "objective": float(status.objective),
        "period_seconds": status.period,
        "sli": status.sli,
        "budget_remaining": status.remaining,
        "period_coverage": status.coverage,
        "history_seconds": status.history_seconds,
        "state": status.state,
        "burn_rate": status.burn_rate,
        "burn_window_seconds": status.burn_window,
        "firing": list(status.firing),
        "exhausted_by": None if when is None else when.isoformat(timespec="seconds"),
    }


def as_json(statuses: Sequence[SLOStatus], now: datetime) -> str:
    """The same facts, with numbers unrounded; ``null`` where Prometheus had none."""
    return json.dumps([_fields(s, now) for s in statuses], indent=2, sort_keys=True)
