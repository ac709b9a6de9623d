"""Prometheus-style durations, parsed to whole seconds and printed back canonically.

Windows are kept as integer seconds inside slogen so that arithmetic on them is exact;
they are printed in the largest units that divide them (``28d``, ``1h30m``) so that
record names and expressions read the way a person would write them.
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction

_UNITS: dict[str, int] = {
    "y": 365 * 86400,
    "w": 7 * 86400,
    "d": 86400,
    "h": 3600,
    "m": 60,
    "s": 1,
}
_PRINT_UNITS = ("d", "h", "m", "s")
_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_SECONDS = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")


@functools.lru_cache(maxsize=4096)
def parse_duration(text: str) -> int:
    """Parse a Prometheus duration such as ``5m``, ``1h30m`` or ``28d`` to seconds.

    Kept per text: a thousand SLOs resolve the same few defaults' durations.

    Raises ValueError with the accepted forms when the text is not one.
    """
    match = _DURATION.match(text.strip()) if text else None
    if not match or not any(match.groups()):
        raise ValueError(
            f"{text!r} is not a duration; write a number followed by a unit "
            "(s, m, h, d, w, y), for example 5m, 1h30m or 28d"
        )
    return sum(
        int(value) * _UNITS[unit]
        for value, unit in zip(match.groups(), _UNITS, strict=True)
        if value
    )


PROMETHEUS_MAX_SECONDS = (2**63 - 1) // 10**9
"""Prometheus and Alertmanager hold a duration as int64 nanoseconds: 292 years and a
bit; a longer one makes promtool reject the generated rules ("duration out of range")."""


def bounded_duration(text: str, at_most: int, what: str, at_least: int = 0) -> int:
    """Parse a duration and check it lies in ``[at_least, at_most]`` seconds.

    ``what`` names the setting in the message, so that the author reads which limit
    applies to which key rather than a generic "out of range"."""
    seconds = parse_duration(text)
    if seconds > at_most:
        raise ValueError(
            f"{text!r} is longer than {spell(at_most)}, the longest {what} slogen accepts"
        )
    if seconds < at_least:
        raise ValueError(
            f"{text!r} is shorter than {spell(at_least)}, the shortest {what} slogen accepts"
        )
    return seconds


def spell(seconds: int) -> str:
    """A limit as a person reads it: ``5y (1825d)``, ``1d``, ``292y (106580d)``."""
    years, rest = divmod(seconds, _UNITS["y"])
    exact = format_duration(seconds) if seconds > 0 else "0s"
    if years and not rest:
        return f"{years}y ({exact})"
    return exact


def parse_seconds(text: str | int | float) -> Fraction:
    """Parse a latency bound: a number of seconds or a duration like ``100ms`` or ``2.5s``.

    Returned as an exact fraction so that ``100ms`` is exactly one tenth of a second.
    """
    if isinstance(text, bool):
        raise ValueError("expected a duration such as 100ms or 2.5s, or a number of seconds")
    if isinstance(text, float) and not math.isfinite(text):
        raise ValueError("a latency bound must be a finite number of seconds")
    if isinstance(text, int | float):
        value = Fraction(repr(text)) if isinstance(text, float) else Fraction(text)
    else:
        match = _SECONDS.match(text.strip())
        if not match:
            raise ValueError(
                f"{text!r} is not a latency bound; write seconds (0.25) or a duration "
                "with a unit (100ms, 2.5s, 1m)"
            )
        number, unit = match.groups()
        scales = {"ms": Fraction(1, 1000), "s": Fraction(1), "m": Fraction(60), "h": Fraction(3600)}
        scale = scales[unit or "s"]
        value = Fraction(number) * scale
    if value <= 0:
        raise ValueError("a latency bound must be greater than zero")
    return value


def format_duration(seconds: int) -> str:
    """Print seconds as a Prometheus duration in days, hours, minutes and seconds."""
    if seconds <= 0:
        raise ValueError(f"durations are positive, got {seconds}s")
    parts = []
    rest = seconds
    for unit in _PRINT_UNITS:
        count, rest = divmod(rest, _UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def format_approximate(seconds: float) -> str:
    """A span for people, in its two largest units: ``3h``, ``3d17h``, ``7h42m``, ``45m``.

    Rounded to the nearest of the smaller unit (``3d16h50m`` reads ``3d17h``), so a
    figure that is only known to a minute or so does not pretend to the second."""
    whole = round(seconds)
    if whole <= 0:
        return "0s"
    units = [_UNITS[unit] for unit in _PRINT_UNITS]
    largest = next(i for i, size in enumerate(units) if whole >= size)
    step = units[min(largest + 1, len(units) - 1)]
    return format_duration(max(step, (whole + step // 2) // step * step))
