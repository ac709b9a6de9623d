"""One OpenSLO ``SLO`` object as slogen SLOs, one per objective.

v1alpha objects are first rewritten in v1's shape (``timeWindows`` count/unit as a
duration shorthand, each objective's ``ratioMetrics`` as its own indicator), so that
one path converts both versions. Names: the SLO's ``metadata.name``, followed by the
objective's ``displayName`` (or its position) when the SLO has several objectives.

What slogen cannot say is reported, not guessed: a calendar-aligned window becomes a
rolling one of the same length, ``Timeslices`` and ``RatioTimeslices`` budgets are
counted as occurrences, and default burn policies that cannot work for a short window
are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from slogen.durations import format_duration
from slogen.importers import burn_policies
from slogen.importers.openslo_alerting import Finder, map_alert_policies
from slogen.importers.openslo_calendar import CALENDAR_IMPORTS, calendar_window
from slogen.importers.openslo_sli import SAMPLE, map_indicator, slice_step
from slogen.importers.openslo_values import (
    Unmappable,
    alpha_shorthand,
    objective_percent,
    shorthand,
    slug,
)
from slogen.model_calendar import parse_window
from slogen.naming import is_reserved_label
from slogen.promql import is_label_name

Lose = Callable[[str, str], None]
"""(field, message): report something that was not carried over."""
DEFAULT_PERIOD = 30 * 86400
_RUNBOOK_KEYS = {"runbook", "runbook_url", "runbook-url", "runbookurl"}


@dataclass(frozen=True)
class ConvertedSLO:
    """A slogen SLO, the service it belongs to and the team its labels name, if any."""

    service: str
    slo: dict[str, Any]
    teams: tuple[str, ...]


def convert_slo(
    version: str,
    name: str,
    body: dict[str, Any],
    find: Finder,
    default_burn: list[dict[str, Any]],
    lose: Lose,
) -> list[ConvertedSLO]:
    """The slogen SLOs of one OpenSLO SLO; Unmappable when none can be imported."""
    metadata, spec = body.get("metadata") or {}, body.get("spec")
    if not isinstance(spec, dict):
        raise Unmappable("spec", "missing")
    if version == "openslo/v1alpha":
        spec = v1alpha_as_v1(spec)
    service = _service(spec, name, lose)
    window = _window(spec, lose)
    period = parse_window(window)[0] if window else DEFAULT_PERIOD
    labels, teams = labels_of(metadata, "metadata.labels", lose)
    common: dict[str, Any] = {}
    description = spec.get("description") or metadata.get("displayName")
    if description:
        common["description"] = str(description)
    if window:
        common["window"] = window
    if labels:
        common["labels"] = labels
    common["runbook"] = _runbook(metadata.get("annotations") or {}, lose)
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        raise Unmappable("spec.objectives", "none given")
    shared = _indicator(spec, "spec", find)
    converted, reasons = [], []
    for index, objective in enumerate(objectives):
        here = f"spec.objectives[{index}]"
        try:
            slo = _objective(spec, objective, here, shared, period, find, default_burn, lose)
        except Unmappable as lost:
            reasons.append(lost)
            continue
        suffix = (
            f"-{slug(objective.get('displayName') or index + 1)}" if len(objectives) > 1 else ""
        )
        slo = {"name": (slug(name)[: 63 - len(suffix)] + suffix).strip("-"), **common, **slo}
        converted.append(ConvertedSLO(service, slo, teams))
    if not converted:
        raise Unmappable(reasons[0].field, reasons[0].reason)
    for reason in reasons:
        lose(reason.field, f"{reason.reason}; objective skipped")
    return converted


def _objective(
    spec: dict[str, Any],
    objective: Any,
    here: str,
    shared: dict[str, Any] | None,
    period: int,
    find: Finder,
    default_burn: list[dict[str, Any]],
    lose: Lose,
) -> dict[str, Any]:
    if not isinstance(objective, dict):
        raise Unmappable(here, "is not a mapping")
    indicator = _indicator(objective, here, find) or shared
    if indicator is None:
        raise Unmappable("spec", "gives neither indicator nor indicatorRef")
    percent = objective_percent(objective, here)
    budgeting = str(spec.get("budgetingMethod") or "Occurrences")
    sliced = budgeting.lower() in ("timeslices", "ratiotimeslices")
    step = slice_step(objective, here) if sliced else SAMPLE
    resolve = _source_resolver(find)
    mapped = map_indicator(indicator, objective, "indicator", resolve, step)
    for field, note in mapped.notes:
        lose(field, note)
    if "thresholdMetric" not in indicator and ("op" in objective or "value" in objective):
        lose(f"{here}.op", "op and value compare a threshold metric; a ratio has none, ignored")
    if sliced:
        named = ", ".join(
            f"{key} {objective[key]}"
            for key in ("timeSliceTarget", "timeSliceWindow")
            if key in objective
        )
        lose(
            f"{here}",
            f"{budgeting} budgeting ({named or 'no slice settings'}) is counted as occurrences; "
            "the per-timeslice budget is lost",
        )
    out: dict[str, Any] = {"objective": percent, "sli": mapped.sli}
    if mapped.group_by:
        out["group_by"] = list(mapped.group_by)
    share = Fraction(repr(percent)) / 100
    alerting, notes = map_alert_policies(
        spec.get("alertPolicies"), period, share, "spec.alertPolicies", find
    )
    for field, note in notes:
        lose(field, note)
    if "burn_rate" not in alerting:
        kept = _fitting(default_burn, period, share, lose)
        if kept is not None:
            alerting["burn_rate"] = kept
    if alerting:
        out["alerting"] = alerting
    return out


def _fitting(
    policies: list[dict[str, Any]], period: int, share: Fraction, lose: Lose
) -> list[dict[str, Any]] | None:
    """slogen's default burn policies that work for this period (None if all do)."""
    kept, left_out = burn_policies.fitting(policies, period, share)
    for policy, why in left_out:
        lose(
            "spec.timeWindow",
            f"slogen's default {policy['severity']} burn policy over {policy['long']} "
            f"left out: {why.message}",
        )
    return kept


def _source_resolver(find: Finder) -> Callable[[Any, str], tuple[str, dict[str, Any]]]:
    def resolve(source: Any, field: str) -> tuple[str, dict[str, Any]]:
        if not isinstance(source, dict):
            raise Unmappable(field, "missing")
        kind, spec = source.get("type"), source.get("spec")
        ref = source.get("metricSourceRef")
        if ref is not None and not kind:
            data = find("DataSource", ref)
            if data is None:
                raise Unmappable(
                    f"{field}.metricSourceRef",
                    f"no DataSource named {ref!r} in the files of this import, and no type",
                )
            kind = (data.get("spec") or {}).get("type")
        if not kind:
            raise Unmappable(f"{field}.type", "no metric source type")
        return str(kind), spec if isinstance(spec, dict) else {}

    return resolve


def _indicator(holder: dict[str, Any], field: str, find: Finder) -> dict[str, Any] | None:
    """The SLI spec an SLO (or objective) gives inline or names with indicatorRef."""
    if "indicatorRef" in holder:
        sli = find("SLI", holder["indicatorRef"])
        if sli is None or not isinstance(sli.get("spec"), dict):
            raise Unmappable(
                f"{field}.indicatorRef",
                f"no SLI named {holder['indicatorRef']!r} in the files of this import",
            )
        spec: dict[str, Any] = sli["spec"]
        return spec
    indicator = holder.get("indicator")
    if not isinstance(indicator, dict):
        return None
    inner = indicator.get("spec")
    return inner if isinstance(inner, dict) else indicator


def _service(spec: dict[str, Any], name: str, lose: Lose) -> str:
    raw = spec.get("service")
    if not raw:
        lose("spec.service", f"missing; the SLO's own name {slug(name)!r} names the service")
        return slug(name)
    service = slug(raw)
    if service != raw:
        lose("spec.service", f"{raw!r} renamed to {service!r}")
    return service


def _window(spec: dict[str, Any], lose: Lose) -> str | None:
    windows = spec.get("timeWindow")
    if not isinstance(windows, list) or not windows or not isinstance(windows[0], dict):
        lose("spec.timeWindow", "none given; slogen's default window applies")
        return None
    if len(windows) > 1:
        lose("spec.timeWindow", "lists several windows; the first is imported")
    window = windows[0]
    aligned = window.get("calendar")
    if window.get("isRolling") is False or (window.get("isRolling") is None and aligned):
        exact = calendar_window(window.get("duration"), aligned)
        if exact is not None:
            return exact
    seconds, calendar = shorthand(window.get("duration"), "spec.timeWindow[0].duration")
    if calendar:
        lose("spec.timeWindow[0].duration", calendar)
    if window.get("isRolling") is False or (window.get("isRolling") is None and aligned):
        start = (
            aligned
            if not isinstance(aligned, dict)
            else " ".join(str(aligned[key]) for key in ("startTime", "timeZone") if key in aligned)
        )
        lose(
            "spec.timeWindow[0]",
            f"a calendar-aligned window (from {start or 'an unstated start'}) is imported as a "
            f"rolling {format_duration(seconds)} window; the calendar alignment is lost "
            f"(slogen's calendar windows are {CALENDAR_IMPORTS}, starting on the unit's "
            "first day at 00:00 UTC)",
        )
    return format_duration(seconds)


def labels_of(
    metadata: dict[str, Any], field: str, lose: Lose
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The labels slogen can keep, and the team names that ``team``/``owner`` give.

    OpenSLO v1 label values may be lists; one value is kept as it is, several are
    joined with commas (and said so)."""
    labels: dict[str, str] = {}
    teams: list[str] = []
    for key, value in (metadata.get("labels") or {}).items():
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        values = [v for v in values if v]
        if key in ("team", "owner"):
            teams.extend(values)
        if key == "team" or not values:
            continue
        if len(values) > 1:
            lose(f"{field}.{key}", f"several values {values}; joined as {','.join(values)!r}")
        if is_reserved_label(str(key)) or not is_label_name(str(key)):
            lose(f"{field}.{key}", "not a label name slogen can use; dropped")
            continue
        labels[str(key)] = ",".join(values)
    return labels, tuple(teams)


def _runbook(annotations: dict[str, Any], lose: Lose) -> str | bool:
    runbook: str | bool = False
    for key, value in annotations.items():
        if str(key).rsplit("/", 1)[-1].lower() in _RUNBOOK_KEYS and str(value).startswith(
            ("http://", "https://")
        ):
            runbook = str(value)
    others = sorted(str(key) for key, value in annotations.items() if value != runbook)
    if others:
        lose(
            "metadata.annotations", f"{', '.join(others)}: slogen writes its own alert annotations"
        )
    if runbook is False:
        lose("metadata.annotations", "no runbook URL annotation; runbook set to false, set one")
    return runbook


def v1alpha_as_v1(spec: dict[str, Any]) -> dict[str, Any]:
    """A v1alpha SLO spec in v1's shape: one time window shorthand, and each objective
    carrying its own ``ratioMetrics`` as an indicator."""
    out = {k: v for k, v in spec.items() if k not in ("timeWindows", "indicator", "objectives")}
    windows = spec.get("timeWindows")
    if isinstance(windows, list) and windows and isinstance(windows[0], dict):
        first = windows[0]
        duration = alpha_shorthand(first.get("count"), first.get("unit"), "spec.timeWindows[0]")
        out["timeWindow"] = [
            {"duration": duration, **{k: first[k] for k in ("isRolling", "calendar") if k in first}}
        ]
    threshold = (spec.get("indicator") or {}).get("thresholdMetric")
    if isinstance(threshold, dict):
        out["indicator"] = {"spec": {"thresholdMetric": _alpha_metric(threshold)}}
    objectives = []
    for objective in spec.get("objectives") or []:
        if not isinstance(objective, dict):
            objectives.append(objective)
            continue
        ratio = objective.get("ratioMetrics") or objective.get("ratioMetric")
        converted = {k: v for k, v in objective.items() if k not in ("ratioMetrics", "ratioMetric")}
        if isinstance(ratio, dict):
            metric = {"counter": ratio.get("incremental", True)}
            metric.update(
                {
                    side: _alpha_metric(ratio[side])
                    for side in ("good", "bad", "total")
                    if side in ratio
                }
            )
            converted["indicator"] = {"spec": {"ratioMetric": metric}}
        objectives.append(converted)
    out["objectives"] = objectives
    return out


def _alpha_metric(metric: Any) -> dict[str, Any]:
    if not isinstance(metric, dict):
        return {}
    return {"metricSource": {"type": metric.get("source"), "spec": {"query": metric.get("query")}}}
