"""OpenSLO calendar windows that slogen's calendar windows say exactly.

An OpenSLO ``timeWindow`` with ``isRolling: false`` and a ``calendar`` (``startTime``,
``timeZone``) of one week, month or quarter is slogen's ``calendar week``/``month``/
``quarter`` when its periods begin where slogen's do: at 00:00 on a Monday, a 1st, or
the 1st of January, April, July or October, in UTC. Anything else (another zone, a
start mid-month, two months) stays a rolling window with a note, as before.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

CALENDAR_IMPORTS = "1w, 1M or 1Q in UTC"
_UNITS = {"1w": "week", "1M": "month", "1Q": "quarter"}
_UTC = frozenset({"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Etc/Zulu", "Zulu", "Universal"})
_START = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")


def calendar_window(duration: Any, calendar: Any) -> str | None:
    """``calendar month`` and its kin for a window slogen says exactly, else None."""
    unit = _UNITS.get(str(duration).strip()) if duration is not None else None
    if unit is None:
        return None
    calendar = calendar if isinstance(calendar, dict) else {}
    if str(calendar.get("timeZone", "UTC")).strip() not in _UTC:
        return None
    start = calendar.get("startTime")
    if start is not None and not _starts_a(unit, start):
        return None
    return f"calendar {unit}"


def _starts_a(unit: str, start: Any) -> bool:
    """Whether ``startTime`` is the first instant of a ``unit`` (its periods repeat
    from there, so any such start gives slogen's periods)."""
    if isinstance(start, datetime):
        moment = start
    else:
        found = _START.fullmatch(str(start).strip())
        if found is None:
            return False
        try:
            year, month, day, hour, minute, second = (int(part) for part in found.groups())
            moment = datetime(year, month, day, hour, minute, second)
        except ValueError:
            return False
    if (moment.hour, moment.minute, moment.second) != (0, 0, 0):
        return False
    if unit == "week":
        return moment.weekday() == 0
    if unit == "month":
        return moment.day == 1
    return moment.day == 1 and moment.month in (1, 4, 7, 10)
