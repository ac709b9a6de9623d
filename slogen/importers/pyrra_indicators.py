"""Pyrra's indicators (``spec.indicator``) as slogen SLIs.

Pyrra takes plain selectors and wraps them in ``rate`` and ``sum by (grouping)``
itself, which is what slogen's ``events``, ``latency`` and ``up`` SLIs do with theirs,
so most indicators map exactly:

- ``ratio`` (errors and total counters) is an ``events`` SLI;
- ``latency`` (a ``_bucket`` selector with ``le`` and the ``_count`` selector) is a
  ``latency`` SLI when both select the same series apart from ``le``; otherwise it is
  a ``ratio`` SLI over the two selectors as written, which is what Pyrra computes;
- ``latencyNative`` (a native histogram and a ``latency`` duration) is a ``latency``
  SLI with ``native: true``: both compute ``histogram_fraction(0, latency, ...)`` of
  the histogram's rate, so it maps exactly. The duration is read as Pyrra reads it
  (Prometheus units ``y`` to ``ms``, integers, largest first) and kept as written when
  slogen reads the same number of seconds from it, else spelt in ``s`` or ``ms``;
- ``bool_gauge`` is an ``up`` SLI.

``grouping`` becomes ``group_by``. Selectors are parsed and printed back by slogen,
so their text reaches the spec escaped and spelt one way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from pydantic import ValidationError

from slogen import latency_units, promql
from slogen.durations import parse_seconds
from slogen.naming import is_reserved_label
from slogen.promql import Matcher, Selector, is_label_name, number_pattern
from slogen.spec.models import LatencySLI
from slogen.spec.promql_input import WINDOW_PLACEHOLDER, parse_selector

KINDS = ("ratio", "latency", "latencyNative", "bool_gauge")
Lose = Callable[[str, str], None]
"""Reports a field that is not carried over: ``lose(field, message)``."""


class Skip(Exception):
    """The SLO cannot be imported; ``field`` is where, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def indicator_sli(indicator: Any, lose: Lose) -> tuple[dict[str, Any], list[str]]:
    """The slogen ``sli`` and ``group_by`` of one ``spec.indicator``; Skip if none."""
    where = "spec.indicator"
    if not isinstance(indicator, dict):
        raise Skip(where, "missing or not a mapping; give one of " + ", ".join(KINDS))
    kinds = [kind for kind in KINDS if kind in indicator]
    for key in sorted(set(indicator) - set(KINDS)):
        lose(f"{where}.{key}", "not a Pyrra indicator kind; ignored")
    if len(kinds) != 1:
        raise Skip(where, f"needs exactly one of {', '.join(KINDS)}, has {len(kinds)}")
    kind = kinds[0]
    body = indicator[kind]
    where = f"{where}.{kind}"
    if not isinstance(body, dict):
        raise Skip(where, "not a mapping")
    allowed = {"grouping", *_FIELDS[kind]}
    for key in sorted(set(body) - allowed):
        lose(f"{where}.{key}", f"not a field of a {kind} indicator; ignored")
    sli = _CONVERTERS[kind](body, where, lose)
    group_by = _group_by(body.get("grouping"), f"{where}.grouping", kind, lose)
    return sli, group_by


def _selector(body: dict[str, Any], side: str, where: str) -> Selector:
    node = body.get(side)
    text = node.get("metric") if isinstance(node, dict) else None
    if not isinstance(text, str):
        raise Skip(f"{where}.{side}.metric", "missing; Pyrra needs a selector here")
    try:
        return parse_selector(text)
    except ValueError as error:
        raise Skip(f"{where}.{side}.metric", str(error)) from None


def _ratio(body: dict[str, Any], where: str, lose: Lose) -> dict[str, Any]:
    errors, total = _selector(body, "errors", where), _selector(body, "total", where)
    return {"events": {"errors": errors.render(), "total": total.render()}}


def _bool_gauge(body: dict[str, Any], where: str, lose: Lose) -> dict[str, Any]:
    metric = body.get("metric")
    if not isinstance(metric, str):
        raise Skip(f"{where}.metric", "missing; Pyrra needs a selector here")
    try:
        return {"up": {"metric": parse_selector(metric).render()}}
    except ValueError as error:
        raise Skip(f"{where}.metric", str(error)) from None


def _latency_native(body: dict[str, Any], where: str, lose: Lose) -> dict[str, Any]:
    """A native ``latency`` SLI over Pyrra's histogram and latency, which is exact."""
    total = _selector(body, "total", where)
    threshold = _threshold(body.get("latency"), f"{where}.latency")
    sli = {"histogram": total.render(), "threshold": threshold, "native": True}
    unit = latency_units.histogram_unit(total.metric)
    if unit is not None and unit.per_second != 1:
        seconds = promql.number(parse_seconds(threshold))
        bound = promql.number(latency_units.bucket_bound(parse_seconds(threshold), total.metric))
        lose(
            f"{where}.latency",
            f"Pyrra compares {seconds} (seconds) with the bounds of this histogram of "
            f"{unit.name}; imported as {threshold}, which slogen compares as {bound}",
        )
    try:
        LatencySLI.model_validate(sli)
    except ValidationError as error:
        # A histogram named ..._bucket, _count or _sum, or matching on le: Pyrra would
        # compute histogram_fraction over series that are not a native histogram.
        reasons = (str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        raise Skip(f"{where}.total.metric", "; ".join(reasons)) from None
    return {"latency": sli}


_PYRRA_DURATION = re.compile(
    r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?"
)
_PYRRA_UNITS_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)


def _threshold(latency: Any, where: str) -> str:
    """Pyrra's ``latency`` duration as a slogen threshold of exactly as many seconds.

    Pyrra parses it as a Prometheus duration (``model.ParseDuration``): whole numbers
    of ``y`` (365d), ``w``, ``d``, ``h``, ``m``, ``s`` and ``ms``, each at most once
    and largest first, or a bare ``0``. slogen's threshold takes one number and one
    unit of ``ms``, ``s``, ``m`` or ``h``, so ``200ms`` is kept as written while
    ``1s500ms`` becomes ``1500ms`` and ``1d`` becomes ``86400s``: the same value, in a
    form slogen reads, with no float rounding on the way.
    """
    if not isinstance(latency, str):
        raise Skip(where, "missing; Pyrra needs a duration such as 200ms")
    match = _PYRRA_DURATION.fullmatch(latency)
    if latency == "0":
        ms = 0
    elif match and any(match.groups()):
        units = zip(match.groups(), _PYRRA_UNITS_MS, strict=True)
        ms = sum(int(count) * unit for count, unit in units if count)
    else:
        raise Skip(where, f"{latency!r} is not a duration Pyrra reads, such as 200ms or 1s")
    if ms == 0:
        raise Skip(where, f"{latency!r} counts no request as fast enough; give a latency above 0")
    seconds = Fraction(ms, 1000)
    try:
        if parse_seconds(latency) == seconds:
            return latency
    except ValueError:
        pass
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def _latency(body: dict[str, Any], where: str, lose: Lose) -> dict[str, Any]:
    """A ``latency`` SLI when exact, else Pyrra's own ratio of the two selectors."""
    success, total = _selector(body, "success", where), _selector(body, "total", where)
    bound = _bucket_bound(success)
    mismatch = _histogram_mismatch(success, total, bound)
    if mismatch is None and bound is not None:
        base = total.metric.removesuffix("_count")
        # Pyrra's le is in the histogram's own unit: 16.384 on a _seconds histogram
        # is 16.384s, 250 on a _milliseconds one 250ms.
        threshold, unknown = latency_units.imported_threshold(bound, base)
        if unknown is not None:
            lose(f"{where}.success.metric", unknown)
        return {
            "latency": {
                "histogram": Selector(base, total.matchers).render(),
                "threshold": threshold,
            }
        }
    if bound is not None and bound > 0:
        spelt = Matcher("le", "=~", number_pattern(bound))
        others = tuple(m for m in success.matchers if m.name != "le")
        success = Selector(success.metric, (*others, spelt))
    lose(
        f"{where}.success.metric",
        f"{mismatch}: imported as a ratio SLI of the two selectors, as Pyrra computes it",
    )
    return {
        "ratio": {
            "good": promql.call("rate", success.range(WINDOW_PLACEHOLDER)).render(),
            "total": promql.call("rate", total.range(WINDOW_PLACEHOLDER)).render(),
        }
    }


def _bucket_bound(success: Selector) -> Fraction | None:
    """The bucket bound of a selector's one ``le="<number>"`` matcher, if it has one."""
    bounds = [m for m in success.matchers if m.name == "le"]
    if len(bounds) != 1 or bounds[0].op != "=":
        return None
    try:
        value = float(bounds[0].value)
    except ValueError:
        return None
    if not math.isfinite(value) or value <= 0:
        return None
    return Fraction(repr(value))


def _histogram_mismatch(success: Selector, total: Selector, bound: Fraction | None) -> str | None:
    """Why the two selectors are not one histogram's bucket and count, or None."""
    if bound is None:
        return 'success has no le="<positive number>" matcher'
    base = total.metric.removesuffix("_count")
    if not total.metric.endswith("_count") or success.metric != f"{base}_bucket":
        return f"{success.metric} and {total.metric} are not one histogram's _bucket and _count"
    others = {m for m in success.matchers if m.name != "le"}
    extra = sorted(m.render() for m in others - set(total.matchers))
    missing = sorted(m.render() for m in set(total.matchers) - others)
    if not extra and not missing:
        return None
    parts = [f"success also selects {', '.join(extra)}"] if extra else []
    parts += [f"total also selects {', '.join(missing)}"] if missing else []
    return "; ".join(parts)


def _group_by(grouping: Any, where: str, kind: str, lose: Lose) -> list[str]:
    if grouping is None:
        return []
    if not isinstance(grouping, list):
        lose(where, "not a list of label names; ignored, so the SLO is not grouped")
        return []
    kept: list[str] = []
    for label in grouping:
        if not isinstance(label, str) or not is_label_name(label):
            lose(where, f"{label!r} is not a Prometheus label name; dropped")
        elif is_reserved_label(label) or (label == "le" and kind == "latency"):
            lose(where, f"{label!r} is a label slogen reserves; dropped, so its groups merge")
        elif label not in kept:
            kept.append(label)
    return kept


_FIELDS: dict[str, tuple[str, ...]] = {
    "ratio": ("errors", "total"),
    "latency": ("success", "total"),
    "latencyNative": ("latency", "total"),
    "bool_gauge": ("metric",),
}
_CONVERTERS: dict[str, Callable[[dict[str, Any], str, Lose], dict[str, Any]]] = {
    "ratio": _ratio,
    "latency": _latency,
    "latencyNative": _latency_native,
    "bool_gauge": _bool_gauge,
}
