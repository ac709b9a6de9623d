"""Pyrra's ``spec.alerting`` as slogen alerting settings.

Pyrra derives four burn-rate alerts ("tiers") from the SLO window W alone, scaled
from its figures for 28 days; its CRD can only switch them off (``burnrates: false``)
or rename their severity labels:

==============  ========  ======  =======  ========  =======  ===============
tier            severity  factor  long     short     for      (at 28d)
==============  ========  ======  =======  ========  =======  ===============
fastBurn        critical  14      W/672    W/8064    W/20160  1h/5m, 2m
mediumBurn      critical  7       W/112    W/1344    W/2688   6h/30m, 15m
slowBurn        warning   2       W/28     W/336     W/672    1d/2h, 1h
longTermBurn    warning   1       W/7      W/112     W/224    4d/6h, 3h
==============  ========  ======  =======  ========  =======  ===============

each rounded to the nearest minute (Go's ``Duration.Round(time.Minute)``, halves
away from zero: 7d/1344 = 7m30s is 8m). :func:`pyrra_tiers` computes them.

An imported SLO keeps them: each tier is written as a burn policy with Pyrra's
``factor`` and windows, critical tiers as ``page`` and warning tiers as ``ticket``
(whatever ``severities`` renames their labels to), so the SLO alerts as Pyrra did
wherever it is compiled, and slogen's built-in policies do not apply. Where slogen
cannot do what Pyrra does, the tier changes or goes, and the report says so:

- slogen computes every window from 5-minute rates, so a short window below 5m
  becomes 5m (Pyrra's 1d window: mediumBurn 13m/1m is 13m/5m);
- a tier whose long window is not longer than its (raised) short window is left out
  (at 1d, fastBurn's 2m/0s);
- a tier the objective rules out (14x at 90% needs an error ratio of 140%) is left
  out, as Pyrra's alert could never fire either.

``for``: Pyrra gives each tier its own, slogen one per severity, shared by the
severity's tiers in one alert. The imported SLO carries, per severity, the shortest
``for`` of the tiers it keeps (at 28d: page 2m from fastBurn, ticket 1h from
slowBurn). So no burn that fires one of Pyrra's alerts fires slogen's later; the
slower tier of a severity may fire sooner than in Pyrra, by the difference (13m for
mediumBurn, 2h for longTermBurn at 28d), which errs toward being told.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from slogen.durations import format_duration
from slogen.importers import burn_policies
from slogen.importers.pyrra_indicators import Lose
from slogen.model import BASE_WINDOW

ALERTING_FIELDS = ("absent", "absentName", "burnrates", "disabled", "name", "severities")
PYRRA_SEVERITIES = {
    "fastBurn": "critical",
    "mediumBurn": "critical",
    "slowBurn": "warning",
    "longTermBurn": "warning",
    "absent": "critical",
}
"""Pyrra's severity label per alert when ``severities`` does not say."""
SLOGEN_SEVERITY = {"critical": "page", "warning": "ticket"}
"""The slogen severity of each of Pyrra's tier severities (before any renaming)."""

_TIERS = (
    # name, severity, factor, and W divided by: long, short, for
    ("fastBurn", "critical", 14, 672, 8064, 20160),
    ("mediumBurn", "critical", 7, 112, 1344, 2688),
    ("slowBurn", "warning", 2, 28, 336, 672),
    ("longTermBurn", "warning", 1, 7, 112, 224),
)
_NANOS = 10**9
_MINUTE = 60 * _NANOS


@dataclass(frozen=True)
class PyrraTier:
    """One of Pyrra's burn-rate alerts for one SLO window, in Pyrra's own figures."""

    name: str
    """Its key in ``spec.alerting.severities`` (``fastBurn`` ...)."""
    severity: str
    """Pyrra's severity label for it unless renamed: ``critical`` or ``warning``."""
    factor: int
    long: int
    short: int
    for_: int
    """Seconds, each; ``short`` and ``for_`` may be 0 for short SLO windows."""
    divisors: tuple[int, int]
    """W divided by these is ``long`` and ``short`` before rounding."""

    @property
    def slogen_severity(self) -> str:
        return SLOGEN_SEVERITY[self.severity]

    def describe(self, window: int) -> str:
        """``fastBurn (14x over 2m/0s: 1d/672, 1d/8064)``, to name it in a report."""
        w = format_duration(window)
        return (
            f"{self.name} ({self.factor}x over {_spell(self.long)}/{_spell(self.short)}: "
            f"{w}/{self.divisors[0]}, {w}/{self.divisors[1]})"
        )


def pyrra_tiers(window: int) -> tuple[PyrraTier, ...]:
    """Pyrra's four burn-rate tiers for an SLO window of ``window`` seconds, as Pyrra
    computes them (Go: the window's nanoseconds divided, then rounded to the minute),
    so that what an import keeps can be held against what Pyrra alerts on."""
    return tuple(
        PyrraTier(
            name,
            severity,
            factor,
            _go_minute(window, long),
            _go_minute(window, short),
            _go_minute(window, for_),
            (long, short),
        )
        for name, severity, factor, long, short, for_ in _TIERS
    )


def _go_minute(window: int, divisor: int) -> int:
    """``(window / divisor).Round(time.Minute)`` on Go durations, in seconds: integer
    nanoseconds, then the nearest minute with halves away from zero."""
    nanos = window * _NANOS // divisor
    rest = nanos % _MINUTE
    rounded = nanos - rest + (_MINUTE if 2 * rest >= _MINUTE else 0)
    return rounded // _NANOS


def _spell(seconds: int) -> str:
    return format_duration(seconds) if seconds else "0s"


def alerting_settings(
    alerting: Any, period: int, objective: Fraction, lose: Lose
) -> dict[str, Any]:
    """slogen ``alerting`` for one SLO: what Pyrra's switches say, and Pyrra's burn
    tiers as burn policies with each severity's ``for`` (unless ``burnrates: false``)."""
    where = "spec.alerting"
    if alerting is None:
        alerting = {}
    if not isinstance(alerting, dict):
        lose(where, "not a mapping; ignored")
        alerting = {}
    for key in sorted(set(alerting) - set(ALERTING_FIELDS)):
        lose(f"{where}.{key}", "not a field of Pyrra's alerting; ignored")
    out: dict[str, Any] = {}
    if alerting.get("disabled") is True:
        out["page"] = {"enabled": False}
        out["ticket"] = {"enabled": False}
    if alerting.get("absent") is False:
        out["no_data"] = {"enabled": False}
    if alerting.get("name"):
        lose(f"{where}.name", "slogen names its burn alerts SLOErrorBudgetBurn")
    if alerting.get("absentName"):
        lose(f"{where}.absentName", "slogen names its absent-data alert SLONoData")
    if isinstance(alerting.get("severities"), dict) and alerting["severities"]:
        _severities(alerting["severities"], f"{where}.severities", out, lose)
    if alerting.get("burnrates") is False:
        out["burn_rate"] = []
        return out
    policies, waits = burn_tiers(period, objective, lose)
    out["burn_rate"] = policies
    for severity, seconds in waits.items():
        out.setdefault(severity, {})["for"] = _spell(seconds)
    return out


def _severities(severities: dict[str, Any], where: str, out: dict[str, Any], lose: Lose) -> None:
    """Pyrra's four burn tiers onto slogen's page (fast, medium) and ticket (slow, long
    term) severities; the absent alert onto whichever has its label."""
    for key in sorted(set(severities) - set(PYRRA_SEVERITIES)):
        lose(f"{where}.{key}", "not a Pyrra severity; ignored")
    label = {key: str(severities.get(key) or default) for key, default in PYRRA_SEVERITIES.items()}
    for severity in ("page", "ticket"):
        first, second = (n for n, s, *_ in _TIERS if SLOGEN_SEVERITY[s] == severity)
        out.setdefault(severity, {})["label"] = label[first]
        if label[second] != label[first]:
            lose(
                f"{where}.{second}",
                f"slogen gives every {severity} one severity label; {label[first]!r} "
                f"({first}) is used, not {label[second]!r}",
            )
    chosen = [s for s in ("page", "ticket") if out[s]["label"] == label["absent"]]
    if chosen:
        out.setdefault("no_data", {})["severity"] = chosen[0]
    else:
        lose(
            f"{where}.absent",
            f"{label['absent']!r} is neither the page nor the ticket label; "
            "the absent-data alert keeps slogen's severity",
        )


def burn_tiers(
    period: int, objective: Fraction, lose: Lose
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Pyrra's tiers for this SLO as slogen burn policies (``factor``, Pyrra's windows
    with short ones raised to 5m), those that cannot work left out and reported, and
    per severity the shortest ``for`` of the tiers kept, in seconds."""
    policies: list[dict[str, Any]] = []
    waits: dict[str, int] = {}
    raised: list[str] = []
    for tier in pyrra_tiers(period):
        short = max(tier.short, BASE_WINDOW)
        policy = _tier_policy(tier, short, period, objective, lose)
        if policy is None:
            continue
        if short != tier.short:
            raised.append(f"{tier.describe(period)} is {_spell(tier.long)}/{_spell(short)}")
        policies.append(policy)
        severity = tier.slogen_severity
        waits[severity] = min(waits.get(severity, tier.for_), tier.for_)
    if raised:
        lose(
            "spec.window",
            "short windows below 5m raised to 5m, as slogen computes every window from "
            f"5-minute rates: {'; '.join(raised)}",
        )
    return policies, waits


def _tier_policy(
    tier: PyrraTier, short: int, period: int, objective: Fraction, lose: Lose
) -> dict[str, Any] | None:
    """One tier as a burn policy, or None (reported) when slogen cannot keep it."""
    if tier.long <= short:
        lose(
            "spec.window",
            f"Pyrra's {tier.describe(period)} left out: its long window "
            f"{_spell(tier.long)} is not longer than a 5m short window, the shortest "
            "slogen computes (every window is built from 5-minute rates)",
        )
        return None
    policy: dict[str, Any] = {
        "severity": tier.slogen_severity,
        "factor": tier.factor,
        "long": format_duration(tier.long),
        "short": format_duration(short),
    }
    why = burn_policies.problem(policy, period, objective)
    if why is not None:
        lose(
            "spec.target" if why.caused_by_objective else "spec.window",
            f"Pyrra's {tier.describe(period)} left out: {why.message}",
        )
        return None
    return policy
