"""Pyrra ``ServiceLevelObjective`` resources (``pyrra.dev/v1alpha1``) as slogen specs.

The same object serves Pyrra's Kubernetes and filesystem modes; files may hold
several (``---``), or a ``List`` of them as ``kubectl get slo -o yaml`` prints.

Pyrra has no notion of a service, slogen does. An SLO's service is the first of its
labels ``pyrra.dev/service``, ``app.kubernetes.io/name``, ``app``, ``service``; else
its namespace; else (filesystem mode) its own name. SLOs of one service may come from
several files and are gathered into one spec file; two SLOs of one service with the
same name are an error naming both places. The team is ``--team``, else the label
``pyrra.dev/team``, ``team`` or ``owner``, else ``unowned`` (reported).

What maps: ``metadata.name`` (the SLO name), ``spec.target`` (the objective),
``spec.window``, ``spec.description`` (or the ``pyrra.dev/description`` annotation),
``pyrra.dev/``-prefixed labels (which Pyrra puts on its rules, prefix removed), a
``pyrra.dev/runbook_url`` annotation, the indicators (see
:mod:`slogen.importers.pyrra_indicators`) and the alerting switches (see
:mod:`slogen.importers.pyrra_alerting`). Reported per file and field: other object
labels (they select Pyrra's PrometheusRule, as ``defaults.yaml`` ``kubernetes.labels``
does for slogen's), alert names, ``partial_response_strategy``,
``performanceOverAccuracy`` and ``ruleOutput``, and anything the CRD does not define.

Pyrra's burn windows scale with the SLO window and differ from slogen's defaults, so
each imported SLO lists Pyrra's four tiers as its own burn policies, with Pyrra's
factors and windows (see :mod:`slogen.importers.pyrra_alerting`); slogen's
budget-remaining alerts, which Pyrra does not have, are added as for any SLO.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from slogen.durations import parse_duration
from slogen.errors import Location, Problem, SpecError
from slogen.importers.documents import read_documents
from slogen.importers.names import NAME, slug
from slogen.importers.pyrra_alerting import alerting_settings
from slogen.importers.pyrra_indicators import Lose, Skip, indicator_sli
from slogen.importers.report import Imported
from slogen.importers.services import duplicates, new_service
from slogen.naming import is_reserved_label
from slogen.promql import is_label_name

API_VERSION = "pyrra.dev/v1alpha1"
KIND = "ServiceLevelObjective"
SERVICE_LABELS = ("pyrra.dev/service", "app.kubernetes.io/name", "app", "service")
TEAM_LABELS = ("pyrra.dev/team", "team", "owner")
PREFIX = "pyrra.dev/"
SPEC_FIELDS = (
    "alerting",
    "description",
    "indicator",
    "partial_response_strategy",
    "performanceOverAccuracy",
    "ruleOutput",
    "target",
    "window",
)


@dataclass(frozen=True)
class _Objective:
    """One imported SLO, before it joins its service."""

    at: Location
    service: str
    team: str | None
    slo: dict[str, Any]


def import_pyrra(path: str, text: str, result: Imported, team: str | None = None) -> None:
    """Add the SLOs of one Pyrra file to ``result``, grouped by service; SpecError if
    it has none slogen can compile. Nothing of a refused file is added."""
    objectives: list[_Objective] = []
    skipped: list[str] = []
    for line, data in _documents(path, text):
        at = Location(path, line)
        if not _is_slo(data):
            result.lose(str(at), "document", f"not a {API_VERSION} {KIND}; skipped")
            continue
        try:
            objectives.append(_objective(at, data, team, result))
        except Skip as skip:
            result.lose(str(at), skip.field, f"{skip.message}; SLO skipped")
            skipped.append(f"{_display_name(data)}: {skip.field}: {skip.message}")
    if not objectives:
        reason = "; ".join(skipped) or f"it has no {API_VERSION} {KIND}"
        raise SpecError(
            [Problem(Location(path), f"holds no Pyrra SLO that slogen can compile ({reason})")]
        )
    _add(path, objectives, result)


def _documents(path: str, text: str) -> list[tuple[int, Any]]:
    """Every object in the file and the line it starts on, the items of a ``List``
    one by one."""
    objects: list[tuple[int, Any]] = []
    for document in read_documents(path, text):
        data = document.data
        items = data.get("items") if isinstance(data, dict) and _is_list(data) else None
        if isinstance(items, list):
            objects += zip(document.item_lines("items"), items, strict=True)
        else:
            objects.append((document.line, data))
    return objects


def _is_list(data: dict[str, Any]) -> bool:
    return data.get("kind") in ("List", f"{KIND}List")


def _is_slo(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("apiVersion") == API_VERSION
        and data.get("kind") == KIND
    )


def _display_name(data: dict[str, Any]) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return str(name) if name else "(unnamed)"


def _objective(
    at: Location,
    data: dict[str, Any],
    team: str | None,
    result: Imported,
) -> _Objective:
    """One ServiceLevelObjective as a slogen SLO and its service; Skip if it cannot be."""

    def lose(field: str, message: str) -> None:
        result.lose(str(at), field, message)

    metadata: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    spec = data.get("spec")
    if not isinstance(spec, dict):
        raise Skip("spec", "missing or not a mapping")
    if not isinstance(metadata.get("name"), str) or not metadata["name"]:
        raise Skip("metadata.name", "missing; Pyrra names every SLO")
    labels, annotations = _strings(metadata.get("labels")), _strings(metadata.get("annotations"))
    service, service_label = _service(metadata, labels, lose, result)
    owner, team_label = (team, None) if team else _label(labels, TEAM_LABELS)
    if team_label is not None and owner is not None and not NAME.match(owner):
        lose(f"metadata.labels.{team_label}", f"team {owner!r} is not a slogen name; not used")
        owner = None
    slo = _slo(metadata["name"], spec, annotations, lose)
    used = {service_label, team_label} - {None}
    kept = _rule_labels(labels, used, slo.get("group_by", []), lose)
    if kept:
        slo["labels"] = kept
    return _Objective(at, service, owner, slo)


def _strings(mapping: Any) -> dict[str, str]:
    """Kubernetes labels or annotations; anything but a mapping holds none."""
    if not isinstance(mapping, dict):
        return {}
    return {str(key): str(value) for key, value in mapping.items()}


def _service(
    metadata: dict[str, Any], labels: dict[str, str], lose: Lose, result: Imported
) -> tuple[str, str | None]:
    value, label = _label(labels, SERVICE_LABELS)
    if value is None and metadata.get("namespace"):
        value = str(metadata["namespace"])
        result.note(
            f"namespace {value}",
            f"SLOs with no {', '.join(SERVICE_LABELS[:-1])} or {SERVICE_LABELS[-1]} label "
            f"in namespace {value!r} form one service named after it; label an SLO to give "
            "it a service of its own",
        )
    elif value is None:
        value = str(metadata["name"])
    name = slug(value)
    if name != value:
        field = f"metadata.labels.{label}" if label else "metadata"
        lose(field, f"service {value!r} renamed to {name!r}")
    return name, label


def _label(labels: dict[str, str], keys: tuple[str, ...]) -> tuple[str | None, str | None]:
    return next(((labels[k], k) for k in keys if labels.get(k)), (None, None))


def _slo(
    name: str,
    spec: dict[str, Any],
    annotations: dict[str, str],
    lose: Lose,
) -> dict[str, Any]:
    for key in sorted(set(spec) - set(SPEC_FIELDS)):
        lose(f"spec.{key}", f"not a field of {API_VERSION} {KIND}; ignored")
    slo: dict[str, Any] = {"name": slug(name)}
    if slo["name"] != name:
        lose("metadata.name", f"SLO {name!r} renamed to {slo['name']!r}")
    objective = _target(spec.get("target"))
    slo["objective"] = int(objective) if objective.denominator == 1 else float(objective)
    window = spec.get("window")
    try:
        period = parse_duration(str(window)) if window else 0
    except ValueError as error:
        raise Skip("spec.window", str(error)) from None
    if period <= 0:
        raise Skip("spec.window", "missing; Pyrra needs a window such as 28d")
    slo["window"] = str(window)
    description = spec.get("description") or annotations.get(f"{PREFIX}description")
    if description:
        slo["description"] = str(description)
    slo["sli"], group_by = indicator_sli(spec.get("indicator"), lose)
    if group_by:
        slo["group_by"] = group_by
    slo["runbook"] = _runbook(annotations, lose)
    _annotations(annotations, lose)
    alerting = alerting_settings(spec.get("alerting"), period, objective / 100, lose)
    if alerting:
        slo["alerting"] = alerting
    _rule_output(spec, lose)
    return slo


def _target(target: Any) -> Fraction:
    """Pyrra's target, a percent written as a string ("99.5"), as an exact number."""
    try:
        value = Fraction(str(target).strip())
    except ValueError:
        raise Skip("spec.target", f'{target!r} is not a percent such as "99.5"') from None
    if not 1 <= value < 100:
        raise Skip(
            "spec.target", f"{target!r}: slogen takes objectives from 1 up to, not including, 100"
        )
    return value


def _runbook(annotations: dict[str, str], lose: Lose) -> str | bool:
    runbook = annotations.get(f"{PREFIX}runbook_url", "")
    if runbook and "{{" not in runbook:
        return runbook
    lose(
        "metadata.annotations",
        f"no plain {PREFIX}runbook_url annotation; written runbook: false (set a runbook)",
    )
    return False


def _annotations(annotations: dict[str, str], lose: Lose) -> None:
    """Pyrra copies ``pyrra.dev/`` annotations onto its alerts; slogen writes its own."""
    handled = {f"{PREFIX}description", f"{PREFIX}runbook_url"}
    for key in sorted(k for k in annotations if k.startswith(PREFIX) and k not in handled):
        lose(f"metadata.annotations.{key}", "slogen writes its own alert annotations")


def _rule_labels(
    labels: dict[str, str], used: set[str | None], group_by: list[str], lose: Lose
) -> dict[str, str]:
    """``pyrra.dev/`` labels, which Pyrra puts on its rules, as the SLO's labels."""
    kept: dict[str, str] = {}
    others = []
    for key, value in sorted(labels.items()):
        name = key.removeprefix(PREFIX)
        if key in used:
            continue
        if not key.startswith(PREFIX):
            others.append(key)
        elif not is_label_name(name) or is_reserved_label(name) or name in group_by:
            lose(
                f"metadata.labels.{key}",
                f"{name!r} is a label slogen reserves, groups by or cannot use; dropped",
            )
        elif not value:
            lose(f"metadata.labels.{key}", "empty; Prometheus drops empty labels")
        else:
            kept[name] = value
    if others:
        lose(
            "metadata.labels",
            f"{', '.join(others)}: labels of the Kubernetes object, not of Pyrra's rules; slogen "
            "labels its PrometheusRule from defaults.yaml kubernetes.labels",
        )
    return kept


def _rule_output(spec: dict[str, Any], lose: Lose) -> None:
    """The switches about how Pyrra writes its rules: slogen writes them its own way."""
    strategy = spec.get("partial_response_strategy")
    if strategy not in (None, "", "abort"):
        lose(
            "spec.partial_response_strategy",
            f"{strategy!r}: slogen's rules carry no Thanos partial response strategy (abort)",
        )
    if spec.get("performanceOverAccuracy"):
        lose(
            "spec.performanceOverAccuracy",
            "slogen has one way of computing the period; not imported",
        )
    output = spec.get("ruleOutput")
    settings: dict[str, Any] = output if isinstance(output, dict) else {}
    for key in sorted(key for key, value in settings.items() if value):
        lose(f"spec.ruleOutput.{key}", _RULE_OUTPUT.get(key, "not a field of ruleOutput; ignored"))


_RULE_OUTPUT = {
    "enableDescriptionAsLabel": "slogen puts the description in alert annotations, not labels",
    "longRulesLabels": "slogen writes one PrometheusRule per service, labelled from "
    "defaults.yaml kubernetes.labels",
    "shortRulesLabels": "slogen writes one PrometheusRule per service, labelled from "
    "defaults.yaml kubernetes.labels",
}


def _add(path: str, objectives: list[_Objective], result: Imported) -> None:
    """Join the file's SLOs to their services; a name taken in a service refuses the file."""
    by_service: dict[str, list[_Objective]] = {}
    for objective in objectives:
        by_service.setdefault(objective.service, []).append(objective)
    taken: dict[int, Problem] = {}
    for name, members in by_service.items():
        service = result.service(name)
        incoming = [(objective.slo["name"], str(objective.at)) for objective in members]
        for duplicate in duplicates(service, incoming):
            refused = members[duplicate.index]
            earlier = duplicate.earlier_here or (service.from_files if service else "")
            taken[id(refused)] = Problem(
                Location(path, refused.at.line, field="metadata.name"),
                f"service {name!r} already has an SLO {duplicate.slo!r} (from {earlier})",
                "rename one, or give them different service labels or namespaces",
            )
    problems = [taken[id(o)] for o in objectives if id(o) in taken]
    if problems:
        raise SpecError(problems)
    for objective in objectives:
        _join(path, objective, result)


def _join(path: str, objective: _Objective, result: Imported) -> None:
    name = objective.service
    service = result.service(name)
    if service is None:
        owner = objective.team
        if owner is None:
            owner = "unowned"
            result.lose(
                str(objective.at),
                "metadata.labels",
                f"no {', '.join(TEAM_LABELS)} label; service {name!r} gets team 'unowned' "
                "(use --team)",
            )
        service = new_service(name, {"service": name, "team": owner}, path)
    elif objective.team not in (None, service.team):
        result.lose(
            str(objective.at),
            "metadata.labels",
            f"team {objective.team!r} differs from the team {service.team!r} of "
            f"service {name!r}; kept that",
        )
    result.put(service.join(path, [objective.slo], [str(objective.at)]))
