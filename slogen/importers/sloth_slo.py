"""One Sloth SLO as a slogen SLO: objective, SLI, labels, alerting and runbook.

The service around it (:mod:`slogen.importers.sloth`) only gathers these; what an SLO
keeps and what it loses (plugins, alert names, annotations, templated labels, windows
that cannot fire at its objective) is decided here, per field, so the report can say
where each loss is.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from fractions import Fraction
from typing import Any

from slogen.durations import parse_duration
from slogen.importers import burn_policies
from slogen.importers.names import slug
from slogen.importers.report import Imported
from slogen.importers.sloth_sli import convert
from slogen.importers.sloth_templates import templated
from slogen.naming import is_reserved_label

SLOTH_BURN_RATE = (
    {"severity": "page", "budget_spent": "2%", "long": "1h", "short": "5m"},
    {"severity": "page", "budget_spent": "5%", "long": "6h", "short": "30m"},
    {"severity": "ticket", "budget_spent": "10%", "long": "1d", "short": "2h"},
    {"severity": "ticket", "budget_spent": "10%", "long": "3d", "short": "6h"},
)
"""Sloth's built-in alert windows (the same shares for 28 and 30 days): an imported
spec keeps alerting when Sloth did, where slogen's own default has one ticket pair."""
_SLO_KEYS = {"name", "objective", "description", "sli", "labels", "alerting", "plugins"}
_SLI_KEYS = {"events", "raw", "plugin"}
_EVENTS_KEYS = {"error_query", "total_query"}
_RAW_KEYS = {"error_ratio_query"}
_ALERTING_KEYS = {"name", "labels", "annotations", "page_alert", "ticket_alert"}
_SEVERITY_KEYS = {"disable", "labels", "annotations"}


def import_slo(
    path: str, where: str, slo: dict[str, Any], result: Imported, period: str
) -> dict[str, Any] | None:
    """One SLO as slogen's, or None (reported) when its SLI cannot be imported without
    changing what Sloth alerted on."""
    unknown_keys(path, f"{where}.", slo, _SLO_KEYS, result)
    given = slo.get("sli")
    sli: dict[str, Any] = given if isinstance(given, dict) else {}
    unknown_keys(path, f"{where}.sli.", sli, _SLI_KEYS, result)
    for kind, known in (("events", _EVENTS_KEYS), ("raw", _RAW_KEYS)):
        if isinstance(sli.get(kind), dict):
            unknown_keys(path, f"{where}.sli.{kind}.", sli[kind], known, result)
    converted = convert(path, where, sli, result)
    if converted is None:
        return None
    out: dict[str, Any] = {"name": slug(slo.get("name", "")), "objective": slo.get("objective")}
    if slo.get("description"):
        out["description"] = str(slo["description"])
    if converted.group_by:
        out["group_by"] = list(converted.group_by)
    out["sli"] = converted.sli
    if slo.get("plugins"):
        result.lose(path, f"{where}.plugins", "Sloth plugins are Sloth's own code; not imported")
    alerting = slo.get("alerting") or {}
    labels = _labels(path, where, slo, converted.group_by, result)
    if labels:
        out["labels"] = labels
    settings = _alerting(path, f"{where}.alerting", alerting, converted.group_by, result)
    possible = _burn_rates(path, where, out["objective"], period, result)
    if possible is not None:
        settings["burn_rate"] = possible
    if settings:
        out["alerting"] = settings
    out["runbook"] = _runbook_url(path, f"{where}.alerting.annotations", alerting, result)
    return out


def _burn_rates(
    path: str, where: str, objective: object, period: str, result: Imported
) -> list[dict[str, Any]] | None:
    """Sloth's windows that slogen keeps for this SLO (None: all of them), each other
    one reported: below 93.1% the fastest need more than 100% errors to fire, and a
    short period cannot hold the longest. None too when the objective is not a number,
    which validation then reports."""
    try:
        share = Fraction(str(objective)) / 100
    except (ValueError, ZeroDivisionError):
        return None
    kept, left_out = burn_policies.fitting(SLOTH_BURN_RATE, parse_duration(period), share)
    never = [policy for policy, why in left_out if why.caused_by_objective]
    if never:
        result.lose(
            path,
            f"{where}.objective",
            f"at {objective}% Sloth's "
            + ", ".join(f"{p['long']}/{p['short']} {p['severity']}" for p in never)
            + " would need more than 100% errors to fire (Sloth writes them anyway, and they "
            "never fire); left out",
        )
    for policy, why in left_out:
        if not why.caused_by_objective:
            result.lose(
                path,
                where,
                f"with period {period}, Sloth's {policy['long']}/{policy['short']} "
                f"{policy['severity']} window cannot work: {why.message}; left out",
            )
    return kept


def unknown_keys(
    path: str, where: str, node: dict[str, Any], known: set[str], result: Imported
) -> None:
    """Keys Sloth does not know are reported with the key meant, never dropped
    silently: a misspelt ``ticker_alert`` would otherwise lose the ticket settings."""
    for key in sorted(set(node) - known, key=str):
        close = difflib.get_close_matches(str(key), sorted(known), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        result.lose(
            path,
            f"{where}{key}",
            f"not a key Sloth reads here ({hint}known: {', '.join(sorted(known))}); not imported",
        )


def _labels(
    path: str, where: str, slo: dict[str, Any], group_by: Collection[str], result: Imported
) -> dict[str, str]:
    """The SLO's labels and its alerts' (Sloth puts both on the alerts), less those
    slogen reserves and those that are templates."""
    alerting = slo.get("alerting") or {}
    labels = {
        str(key): (f"{where}{place}.labels.{key}", str(value))
        for place, node in (("", slo), (".alerting", alerting))
        for key, value in (node.get("labels") or {}).items()
    }
    kept = {}
    for key, (field, value) in labels.items():
        why = templated(key, value, group_by, "this SLO")
        if why:
            result.lose(path, field, why)
        elif is_reserved_label(key):
            result.lose(path, field, "a label slogen reserves; dropped")
        else:
            kept[key] = value
    return kept


def _runbook_url(path: str, where: str, alerting: dict[str, Any], result: Imported) -> str | bool:
    """The SLO's runbook, or False (reported) when Sloth gives no plain URL."""
    runbook = _runbook(alerting)
    if runbook and "{{" not in str(runbook):
        return str(runbook)
    if runbook:
        result.lose(
            path,
            where,
            f"runbook {str(runbook)!r} is a template, which slogen does not expand (a runbook "
            "is a URL with {service} and {slo} placeholders); set runbook",
        )
    else:
        result.lose(path, where, "no plain runbook URL; set runbook")
    return False


RUNBOOK_KEYS = ("runbook_url", "runbook")
"""The annotations Sloth users put a runbook in: ``runbook_url`` is the Prometheus
community's convention (kube-prometheus, the mixins), ``runbook`` Sloth's examples'."""


def _runbook(alerting: dict[str, Any]) -> object:
    """The runbook of an SLO's alerts: the alerting annotations first, then the page's,
    then the ticket's (slogen has one runbook per SLO)."""
    for place in (alerting, alerting.get("page_alert") or {}, alerting.get("ticket_alert") or {}):
        annotations = place.get("annotations") or {}
        for key in RUNBOOK_KEYS:
            if annotations.get(key):
                return annotations[key]
    return None


def _lose_annotations(path: str, where: str, node: dict[str, Any], result: Imported) -> None:
    """Annotations other than the runbook: slogen writes its alerts' text itself."""
    others = set(node.get("annotations") or {}) - set(RUNBOOK_KEYS)
    if others:
        result.lose(
            path,
            f"{where}.annotations",
            f"{', '.join(sorted(others))}: slogen writes its own alert annotations",
        )


def _alerting(
    path: str,
    where: str,
    alerting: dict[str, Any],
    group_by: Collection[str],
    result: Imported,
) -> dict[str, Any]:
    unknown_keys(path, f"{where}.", alerting, _ALERTING_KEYS, result)
    for severity_key in ("page_alert", "ticket_alert"):
        if isinstance(alerting.get(severity_key), dict):
            unknown_keys(
                path, f"{where}.{severity_key}.", alerting[severity_key], _SEVERITY_KEYS, result
            )
    if alerting.get("name"):
        result.lose(path, f"{where}.name", "slogen names its alerts SLOErrorBudgetBurn etc.")
    _lose_annotations(path, where, alerting, result)
    out: dict[str, Any] = {}
    for sloth_key, key in (("page_alert", "page"), ("ticket_alert", "ticket")):
        severity = alerting.get(sloth_key) or {}
        settings: dict[str, Any] = {}
        if severity.get("disable"):
            settings["enabled"] = False
        labels = {str(k): str(v) for k, v in (severity.get("labels") or {}).items()}
        for label, value in sorted(labels.items()):
            why = templated(label, value, group_by, "this SLO")
            if why is None and label == "severity":
                settings["label"] = value
                continue
            result.lose(
                path,
                f"{where}.{sloth_key}.labels.{label}",
                why or "labels of one severity only have no place in slogen; dropped",
            )
        _lose_annotations(path, f"{where}.{sloth_key}", severity, result)
        if settings:
            out[key] = settings
    return out
