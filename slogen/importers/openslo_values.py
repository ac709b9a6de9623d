"""OpenSLO's scalar values as slogen writes them: names, durations, targets, percents.

OpenSLO's duration shorthand is case-sensitive: ``m`` is minutes and ``M`` months.
Months, quarters and years are calendar lengths that no fixed duration equals, so they
are converted to 30, 90 and 365 days and the conversion is said out loud.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from slogen.importers import names

_SHORTHAND = re.compile(r"^(\d+)([smhdwMQY])$")
_EXACT_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_CALENDAR_UNITS = {"M": ("month", 30), "Q": ("quarter", 90), "Y": ("year", 365)}
_ALPHA_UNITS = {
    "second": "s",
    "minute": "m",
    "hour": "h",
    "day": "d",
    "week": "w",
    "month": "M",
    "quarter": "Q",
    "year": "Y",
}


class Unmappable(Exception):
    """A part of an OpenSLO object that slogen cannot express: which field, and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def slug(text: Any) -> str:
    """A slogen name for an OpenSLO name, with runs of ``-`` folded into one."""
    return names.slug(text, single_hyphens=True)


def shorthand(text: Any, field: str) -> tuple[int, str]:
    """Seconds of a duration shorthand (``2w``, ``1h``, ``1M``), and a note when the
    unit is a calendar one that was given a fixed length (empty otherwise)."""
    match = _SHORTHAND.match(str(text).strip()) if text is not None else None
    if not match or int(match.group(1)) == 0:
        raise Unmappable(field, f"{text!r} is not a duration shorthand such as 30d, 4w, 12h or 1M")
    count, unit = int(match.group(1)), match.group(2)
    if unit in _EXACT_UNITS:
        return count * _EXACT_UNITS[unit], ""
    name, days = _CALENDAR_UNITS[unit]
    return count * days * 86400, f"{text} counts calendar {name}s; taken as {count * days}d"


def alpha_shorthand(count: Any, unit: Any, field: str) -> str:
    """v1alpha's ``count``/``unit`` (``30``, ``Day``) as a v1 shorthand (``30d``)."""
    letter = _ALPHA_UNITS.get(str(unit).lower().removesuffix("s"))
    if letter is None or not isinstance(count, int) or isinstance(count, bool):
        raise Unmappable(
            field,
            f"count {count!r} with unit {unit!r} is not a time window; "
            "give a whole count and one of Minute, Hour, Day, Week, Month, Quarter, Year",
        )
    return f"{count}{letter}"


def objective_percent(objective: dict[str, Any], field: str) -> float | int:
    """``target`` (a share) or ``targetPercent`` as slogen's percent, exactly:
    0.999 becomes 99.9, never 99.89999999999999."""
    if "targetPercent" in objective and "target" not in objective:
        percent = _decimal(objective["targetPercent"], f"{field}.targetPercent")
    else:
        percent = _decimal(objective.get("target"), f"{field}.target") * 100
    if not 0 < percent < 100:
        raise Unmappable(
            field, f"target {format(percent.normalize(), 'f')}% is not between 0 and 100%"
        )
    normal = percent.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def _decimal(value: Any, field: str) -> Decimal:
    """A number, or a string holding one (``target: '0.99'``, as YAML writers quote
    them): the value is what it says, and Pyrra's quoted targets import the same."""
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except ArithmeticError:
            parsed = Decimal("NaN")
        if parsed.is_finite():
            return parsed
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unmappable(field, f"{value!r} is not a number; give target (0..1) or targetPercent")
    return Decimal(repr(value))


def percent_text(share: Fraction) -> tuple[str, bool]:
    """``share`` as a percent for slogen (``1.5%``) and whether that is exact; shares
    with no short decimal (2/168) are rounded to four significant digits."""
    percent = share * 100
    exact = Decimal(percent.numerator) / Decimal(percent.denominator)
    if Fraction(exact) == percent and len(exact.normalize().as_tuple().digits) <= 8:
        return format(exact.normalize(), "f") + "%", True
    rounded = Decimal(f"{float(percent):.4g}")
    return format(rounded.normalize(), "f") + "%", False
