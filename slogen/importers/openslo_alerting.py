"""OpenSLO alert policies as slogen burn policies.

An ``AlertCondition`` of kind ``burnrate`` says: alert when the burn rate over
``lookbackWindow`` is above ``threshold`` for ``alertAfter``. slogen states the same
alert as the share of the period's budget spent in the long window, so
``budget_spent = threshold * long / period``; the short window, which OpenSLO does not
have, is slogen's 1/12 of the long one (whole minutes, at least 5m), and
``alertAfter`` becomes the severity's ``for``.

Severities are free text in OpenSLO. ``page``, ``critical``, ``high``, ``urgent``,
``emergency``, ``major``, ``error``, ``sev0``-``sev2`` and ``p0``-``p2`` page; every
other word is a ticket, the quieter choice, and unknown words are reported. A word
other than ``page``/``ticket`` becomes the severity's label value, so routes that
match on it keep working.

Notification targets, ``alertWhenResolved`` and ``alertWhenNoData`` have no place in
a service spec (slogen routes by team and severity in ``routing.yaml`` and always has
a no-data alert); they are reported, not imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from slogen.durations import format_duration
from slogen.importers import burn_policies
from slogen.importers.openslo_values import Unmappable, percent_text, shorthand
from slogen.model import budget_share, burn_factor
from slogen.spec.models import percent_fraction

Finder = Callable[[str, Any], "dict[str, Any] | None"]
"""(kind, name) -> the object of that kind and name in this import run, if any."""

_PAGE = {"page", "critical", "high", "urgent", "emergency", "major", "error"}
_PAGE |= {f"sev{n}" for n in range(3)} | {f"p{n}" for n in range(3)}
_TICKET = {"ticket", "warning", "warn", "medium", "low", "info", "minor", "notice"}
_TICKET |= {f"sev{n}" for n in range(3, 6)} | {f"p{n}" for n in range(3, 6)}
_MIN_SHORT = 300


@dataclass
class _Collected:
    burn: list[dict[str, Any]] = field(default_factory=list)
    severities: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)


def map_alert_policies(
    entries: Any, period: int, objective: Fraction, where: str, find: Finder
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """slogen ``alerting`` for one SLO (empty when nothing maps) and what was lost."""
    found = _Collected()
    for index, entry in enumerate(entries or []):
        here = f"{where}[{index}]"
        policy = _resolve(entry, "AlertPolicy", "alertPolicyRef", here, find, found)
        if policy is not None:
            _policy(policy, period, objective, here, find, found)
    alerting: dict[str, Any] = {key: value for key, value in found.severities.items() if value}
    if found.burn:
        alerting["burn_rate"] = found.burn
    return alerting, found.notes


def _resolve(
    entry: Any, kind: str, ref_key: str, where: str, find: Finder, found: _Collected
) -> dict[str, Any] | None:
    if isinstance(entry, dict) and ref_key in entry:
        target = find(kind, entry[ref_key])
        if target is None:
            found.notes.append(
                (
                    f"{where}.{ref_key}",
                    f"no {kind} named {entry[ref_key]!r} in the files of this import",
                )
            )
        return target
    if isinstance(entry, dict) and isinstance(entry.get("spec"), dict):
        return entry
    found.notes.append((where, f"neither an inline {kind} nor a {ref_key}; not imported"))
    return None


def _policy(
    policy: dict[str, Any],
    period: int,
    objective: Fraction,
    where: str,
    find: Finder,
    found: _Collected,
) -> None:
    spec = policy["spec"]
    name = (policy.get("metadata") or {}).get("name", where)
    if spec.get("alertWhenBreaching") is False:
        found.notes.append((where, f"policy {name!r} does not alert when breaching; not imported"))
        return
    for flag, text in (
        ("alertWhenResolved", "resolved notices are each receiver's send_resolved in routing.yaml"),
        ("alertWhenNoData", "slogen's own no_data alert covers missing data"),
    ):
        if spec.get(flag):
            found.notes.append((f"{where}.spec.{flag}", text))
    for index, target in enumerate(spec.get("notificationTargets") or []):
        here = f"{where}.spec.notificationTargets[{index}]"
        resolved = _resolve(target, "AlertNotificationTarget", "targetRef", here, find, found)
        if resolved is not None:
            label = (resolved.get("metadata") or {}).get("name", "?")
            found.notes.append(
                (
                    here,
                    f"target {label!r}: slogen routes alerts by team and severity in routing.yaml",
                )
            )
    for index, entry in enumerate(spec.get("conditions") or []):
        here = f"{where}.spec.conditions[{index}]"
        condition = _resolve(entry, "AlertCondition", "conditionRef", here, find, found)
        if condition is None:
            continue
        try:
            _condition(condition["spec"], period, objective, here, found)
        except Unmappable as lost:
            found.notes.append((lost.field, f"{lost.reason}; condition not imported"))


def _condition(
    spec: dict[str, Any], period: int, objective: Fraction, where: str, found: _Collected
) -> None:
    condition = spec.get("condition") or {}
    kind = str(condition.get("kind", "burnrate"))
    if kind.lower() != "burnrate":
        raise Unmappable(
            f"{where}.condition.kind", f"{kind!r}: only burnrate conditions map to slogen"
        )
    op = condition.get("op", "gt")
    if op not in ("gt", "gte"):
        raise Unmappable(
            f"{where}.condition.op", f"{op!r}: a burn alert fires above its threshold (gt)"
        )
    threshold = condition.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise Unmappable(
            f"{where}.condition.threshold", f"{threshold!r} is not a positive burn rate"
        )
    long, calendar = shorthand(condition.get("lookbackWindow"), f"{where}.condition.lookbackWindow")
    if calendar:
        raise Unmappable(f"{where}.condition.lookbackWindow", calendar)
    short = max(_MIN_SHORT, round(long / 12 / 60) * 60)
    key, label, unknown = _severity(spec.get("severity"))
    spent, exact = percent_text(budget_share(Fraction(repr(threshold)), period, long))
    policy = {
        "severity": key,
        "budget_spent": spent,
        "long": format_duration(long),
        "short": format_duration(short),
    }
    why = burn_policies.problem(policy, period, objective)
    if why is not None:
        raise Unmappable(f"{where}.condition", why.message)
    if unknown:
        found.notes.append(
            (f"{where}.severity", f"{label!r} is not a known severity; imported as a ticket")
        )
    if not exact:
        factor = burn_factor(percent_fraction(spent), period, long)
        found.notes.append(
            (
                f"{where}.condition.threshold",
                f"burn rate {threshold:g} over {policy['long']} is budget_spent {spent}, "
                f"burn rate {float(factor):.6g}",
            )
        )
    found.burn.append(policy)
    _severity_settings(key, label, condition.get("alertAfter"), where, found)


def _severity(text: Any) -> tuple[str, str, bool]:
    """(page or ticket, the label value, whether the word was unknown)."""
    label = str(text or "ticket")
    word = label.lower().replace("-", "").replace(" ", "")
    if word in _PAGE:
        return "page", label, False
    return "ticket", label, word not in _TICKET


def _severity_settings(key: str, label: str, after: Any, where: str, found: _Collected) -> None:
    settings = found.severities.setdefault(key, {})
    wanted: dict[str, Any] = {}
    if label != key:
        wanted["label"] = label
    if after is not None and str(after).strip() not in ("0", "0m", "0s"):
        seconds, _ = shorthand(after, f"{where}.condition.alertAfter")
        wanted["for"] = format_duration(seconds)
    elif after is not None:
        wanted["for"] = "0s"
    for name, value in wanted.items():
        if settings.setdefault(name, value) != value:
            found.notes.append(
                (
                    f"{where}.condition",
                    f"{name} {value!r} differs from {settings[name]!r} of an earlier {key} "
                    "condition; the first is kept",
                )
            )
