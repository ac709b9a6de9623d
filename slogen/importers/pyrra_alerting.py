"""Pyrra's ``spec.alerting`` as slogen alerting settings.

Pyrra derives its burn-rate alerts from the SLO window (for 28 days: 14x over 1h/5m
and 7x over 6h/30m at severity ``critical``, 2x over 1d/2h and 1x over 4d/6h at
``warning``; other windows scale these) and its CRD cannot change them, only switch
them off (``burnrates: false``) or rename their severities. So an imported SLO keeps
slogen's burn policies, whichever defaults apply where it is compiled, except where
a built-in policy cannot work for the SLO's window or objective (a 90% objective
cannot burn 14x; a 3-day window cannot hold a 3-day alert window): then the SLO lists
the built-in policies that can, and the report names the ones left out.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from slogen.importers import burn_policies
from slogen.importers.pyrra_indicators import Lose
from slogen.spec.models import BurnPolicySpec

ALERTING_FIELDS = ("absent", "absentName", "burnrates", "disabled", "name", "severities")
PYRRA_SEVERITIES = {
    "fastBurn": "critical",
    "mediumBurn": "critical",
    "slowBurn": "warning",
    "longTermBurn": "warning",
    "absent": "critical",
}
"""Pyrra's severity label per alert when ``severities`` does not say."""


def alerting_settings(
    alerting: Any,
    period: int,
    objective: Fraction,
    builtin: tuple[BurnPolicySpec, ...],
    lose: Lose,
) -> dict[str, Any]:
    """slogen ``alerting`` for one SLO: what Pyrra's switches say, and burn policies
    when slogen's built-in ones do not all fit the SLO."""
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
    else:
        fitting = fitting_burn_policies(period, objective, builtin, lose)
        if fitting is not None:
            out["burn_rate"] = fitting
    return out


def _severities(severities: dict[str, Any], where: str, out: dict[str, Any], lose: Lose) -> None:
    """Pyrra's four burn tiers onto slogen's page (fast, medium) and ticket (slow, long
    term) severities; the absent alert onto whichever has its label."""
    for key in sorted(set(severities) - set(PYRRA_SEVERITIES)):
        lose(f"{where}.{key}", "not a Pyrra severity; ignored")
    label = {key: str(severities.get(key) or default) for key, default in PYRRA_SEVERITIES.items()}
    for severity, first, second in (
        ("page", "fastBurn", "mediumBurn"),
        ("ticket", "slowBurn", "longTermBurn"),
    ):
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


def fitting_burn_policies(
    period: int, objective: Fraction, builtin: tuple[BurnPolicySpec, ...], lose: Lose
) -> list[dict[str, Any]] | None:
    """None when every built-in burn policy works for this SLO, else the ones that do."""
    specs = [policy.model_dump(mode="json") for policy in builtin]
    kept, left_out = burn_policies.fitting(specs, period, objective)
    for policy, why in left_out:
        lose(
            "spec.target" if why.objective else "spec.window",
            f"slogen's built-in {policy['severity']} policy ({policy['budget_spent']} of the "
            f"budget in {policy['long']}) cannot work here: {why.message}; the SLO lists the "
            "built-in policies that can, so add one of your own if you need it",
        )
    return kept
