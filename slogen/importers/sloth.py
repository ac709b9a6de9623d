"""Sloth specs (``prometheus/v1`` and ``PrometheusServiceLevel``) as slogen specs.

What maps directly: service, labels, SLO names, objectives and descriptions, the
SLI with the grouping of its queries (``slogen.importers.sloth_sli``: one counter per
side becomes an ``events`` SLI, other ``{{.window}}`` queries a ``ratio`` SLI with
``$window``), and the page/ticket switches and severity labels. A Sloth spec has no
period: the one Sloth ran with (``--default-slo-period``, 30d unless changed) is given
to the import, and said when assumed. What does not map is reported:

- a ``raw`` SLI (a ready error ratio) becomes a ``ratio`` SLI with ``total`` 1 per
  series, so every window averages the 5-minute error ratios, where Sloth evaluates
  the ratio over the whole window;
- Sloth's alert names, annotations and per-severity extra labels: slogen names its
  alerts and writes their text itself, and per-severity labels have no place;
- label values that are Go templates (``{{ $labels.cluster_id }}``), which Prometheus
  expands in Sloth's alerts: slogen's labels are literal, so they are left out (a copy
  of a ``group_by`` label is redundant, slogen's alerts carry those already);
- plugins, which are Sloth's own code.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from fractions import Fraction
from typing import Any

import yaml

from slogen.durations import bounded_duration, format_duration, parse_duration
from slogen.errors import Location, Problem, SpecError
from slogen.importers import burn_policies
from slogen.importers.names import NAME, slug
from slogen.importers.report import Imported
from slogen.importers.sloth_sli import convert
from slogen.naming import is_reserved_label
from slogen.promql import is_label_name
from slogen.spec.models import MAX_PERIOD, MIN_PERIOD

SLOTH_PERIOD = "30d"
"""Sloth's default SLO period (``--default-slo-period``)."""
SLOTH_WINDOW_PERIODS = ("28d", "30d")
"""The periods Sloth has built-in alert windows for; any other needs a windows file
(``--slo-period-windows-path``) that the import does not read."""
SLOTH_BURN_RATE = (
    {"severity": "page", "budget_spent": "2%", "long": "1h", "short": "5m"},
    {"severity": "page", "budget_spent": "5%", "long": "6h", "short": "30m"},
    {"severity": "ticket", "budget_spent": "10%", "long": "1d", "short": "2h"},
    {"severity": "ticket", "budget_spent": "10%", "long": "3d", "short": "6h"},
)
"""Sloth's built-in alert windows (the same shares for 28 and 30 days): an imported
spec keeps alerting when Sloth did, where slogen's own default has one ticket pair."""
_SPEC_KEYS = {"version", "service", "labels", "slos"}
_SLO_KEYS = {"name", "objective", "description", "sli", "labels", "alerting", "plugins"}
_SLI_KEYS = {"events", "raw", "plugin"}
_EVENTS_KEYS = {"error_query", "total_query"}
_RAW_KEYS = {"error_ratio_query"}
_ALERTING_KEYS = {"name", "labels", "annotations", "page_alert", "ticket_alert"}
_SEVERITY_KEYS = {"disable", "labels", "annotations"}
_ONE_LABEL = re.compile(r"\{\{-?\s*(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)\s*-?\}\}")
"""A template that is one series label, as Sloth users write it in alert labels."""


def import_sloth(
    path: str, text: str, result: Imported, team: str | None = None, period: str | None = None
) -> None:
    """Add the services of one Sloth file to ``result``; SpecError if it has none.

    ``period`` is the ``--default-slo-period`` Sloth ran with (a spec has none); None
    assumes Sloth's default, 30d, and says so in the import's notes."""
    period = _period(path, period, result)
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as error:
        raise SpecError([Problem(Location(path), f"invalid YAML: {error}")]) from None
    found = 0
    clashes: list[Problem] = []
    for index, document in enumerate(documents):
        where = f"document {index + 1}" if len(documents) > 1 else "document"
        spec = _spec(document)
        if spec is None:
            result.lose(path, where, "not a Sloth prometheus/v1 or PrometheusServiceLevel spec")
            continue
        found += _service(path, spec, result, team, clashes, period)
    if clashes:  # the file's other services are imported; these are refused
        raise SpecError(clashes)
    if not found:
        raise SpecError(
            [
                Problem(
                    Location(path),
                    "holds no Sloth SLO that slogen can compile",
                    "give a prometheus/v1 spec or a sloth.slok.dev/v1 PrometheusServiceLevel "
                    "with events or raw SLIs",
                )
            ]
        )


def check_period(period: str) -> str:
    """The period Sloth ran with, as slogen writes it (``4w`` is ``28d``); ValueError
    when slogen cannot use it as an SLO period. The CLI may call this once for its
    ``--sloth-period`` before importing any file."""
    seconds = bounded_duration(period, MAX_PERIOD, "SLO period (window)", MIN_PERIOD)
    return format_duration(seconds)


def _period(path: str, period: str | None, result: Imported) -> str:
    """The SLO period to write, checked as slogen checks a spec's; a period Sloth has
    no built-in windows for is said, since its windows file is not read."""
    if period is None:
        result.note(
            "sloth-period",
            f"period {SLOTH_PERIOD}: Sloth's default --default-slo-period; pass "
            "--sloth-period if yours differs",
        )
        return SLOTH_PERIOD
    try:
        written = check_period(period)
    except ValueError as error:
        raise SpecError(
            [
                Problem(
                    Location(path, field="period"),
                    f"Sloth period: {error}",
                    "give the --default-slo-period Sloth ran with, e.g. 28d or 30d",
                )
            ]
        ) from None
    if written not in SLOTH_WINDOW_PERIODS:
        result.note(
            "sloth-period-windows",
            f"period {written}: Sloth has built-in alert windows for "
            f"{' and '.join(SLOTH_WINDOW_PERIODS)} only, so yours came from a "
            "--slo-period-windows-path file, which the import does not read: the built-in "
            "windows and budget shares are used; compare them with your file",
        )
    return written


def _spec(document: Any) -> dict[str, Any] | None:
    """The spec body, with the CRD's camelCase keys spelt as in prometheus/v1."""
    if not isinstance(document, dict):
        return None
    if document.get("version") == "prometheus/v1":
        return document
    body = document.get("spec")
    if document.get("kind") == "PrometheusServiceLevel" and isinstance(body, dict):
        snake: dict[str, Any] = _snake(body)
        return snake
    return None


def _snake(node: Any) -> Any:
    """The CRD's ``errorQuery`` as ``error_query``; user label and annotation names
    inside ``labels``/``annotations`` are kept as written."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            name = re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()
            out[name] = value if name in ("labels", "annotations") else _snake(value)
        return out
    if isinstance(node, list):
        return [_snake(item) for item in node]
    return node


def _service(
    path: str,
    spec: dict[str, Any],
    result: Imported,
    team: str | None,
    clashes: list[Problem],
    period: str,
) -> int:
    """Add one service, or its SLOs to the service of that name imported before: one
    ``PrometheusServiceLevel`` per SLO, several per service, is a common layout. 1 if
    SLOs were added. Two files that disagree on the service's team or labels, or both
    define an SLO of one name, clash: nothing of the second is taken."""
    name = slug(spec.get("service", ""))
    if name != spec.get("service"):
        result.lose(path, "service", f"{spec.get('service')!r} renamed to {name!r}")
    labels = {str(k): str(v) for k, v in (spec.get("labels") or {}).items()}
    owner = team or next(
        (labels[k] for k in ("team", "owner") if k in labels and NAME.match(labels[k])), None
    )
    _unknown(path, "", spec, _SPEC_KEYS, result)
    slos = []
    for index, slo in enumerate(spec.get("slos") or []):
        converted = _slo(path, f"slos[{index}]", slo, result, period)
        if converted is not None:
            slos.append(converted)
    if not slos:
        result.lose(path, "slos", f"service {name!r} has no SLO slogen can compile; skipped")
        return 0
    grouped_by_all = set.intersection(*(set(slo.get("group_by", ())) for slo in slos))
    kept = {}
    for key, value in labels.items():
        templated = _templated(key, value, grouped_by_all, "every SLO of this service")
        if templated:
            result.lose(path, f"labels.{key}", templated)
        elif is_reserved_label(key) or not is_label_name(key):
            result.lose(path, f"labels.{key}", "a label slogen reserves or cannot use; dropped")
        else:
            kept[key] = value
    earlier = result.services.get(name)
    if earlier is not None:
        return _merge(path, name, earlier, owner or "unowned", kept, slos, result, clashes)
    if owner is None:
        owner = "unowned"
        result.lose(path, "labels", "no team or owner label; team set to 'unowned' (use --team)")
    service: dict[str, Any] = {"service": name, "team": owner, "window": period}
    if kept:
        service["labels"] = kept
    service["alerting"] = {"burn_rate": [dict(policy) for policy in SLOTH_BURN_RATE]}
    service["slos"] = slos
    result.services[name] = service
    result.sources[name] = path
    return 1


def _merge(
    path: str,
    name: str,
    earlier: dict[str, Any],
    owner: str,
    labels: dict[str, str],
    slos: list[dict[str, Any]],
    result: Imported,
    clashes: list[Problem],
) -> int:
    """Add ``slos`` to the service imported before from another file or document."""
    before = result.sources[name]
    problems = []
    if owner != earlier["team"]:
        problems.append(f"team {owner!r} where {before} gave {earlier['team']!r}")
    if labels != earlier.get("labels", {}):
        problems.append(f"labels {labels} where {before} gave {earlier.get('labels', {})}")
    known = {slo["name"] for slo in earlier["slos"]}
    problems += [f"SLO {slo['name']!r} is also in {before}" for slo in slos if slo["name"] in known]
    if problems:
        clashes.append(
            Problem(
                Location(path, field="service"),
                f"service {name!r} was already imported from {before}, and this file "
                f"disagrees: {'; '.join(problems)}",
                "make the files agree, or import them into different directories",
            )
        )
        return 0
    earlier["slos"] = [*earlier["slos"], *slos]
    result.sources[name] = ", ".join([*before.split(", "), path])
    return 1


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


def _unknown(
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


def _slo(
    path: str, where: str, slo: dict[str, Any], result: Imported, period: str
) -> dict[str, Any] | None:
    """One SLO as slogen's, or None (reported) when its SLI cannot be imported without
    changing what Sloth alerted on."""
    _unknown(path, f"{where}.", slo, _SLO_KEYS, result)
    given = slo.get("sli")
    sli: dict[str, Any] = given if isinstance(given, dict) else {}
    _unknown(path, f"{where}.sli.", sli, _SLI_KEYS, result)
    for kind, known in (("events", _EVENTS_KEYS), ("raw", _RAW_KEYS)):
        if isinstance(sli.get(kind), dict):
            _unknown(path, f"{where}.sli.{kind}.", sli[kind], known, result)
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
        templated = _templated(key, value, group_by, "this SLO")
        if templated:
            result.lose(path, field, templated)
        elif is_reserved_label(key):
            result.lose(path, field, "a label slogen reserves; dropped")
        else:
            kept[key] = value
    return kept


def _templated(key: str, value: str, group_by: Collection[str], whose: str) -> str | None:
    """Why a label whose value is a Go template is left out; None for a plain value.

    Prometheus expands ``{{ $labels.cluster_id }}`` in Sloth's alert labels, while
    slogen's label values are literal (it escapes ``{{``): carried over, every alert
    would show the template's text. A copy of a ``group_by`` label under its own name is
    redundant, as slogen's alerts carry the group_by labels already."""
    if "{{" not in value:
        return None
    template = f"alert label {key}: {value!r} is a template"
    match = _ONE_LABEL.fullmatch(value.strip())
    if match is None:
        return f"{template} other than one series label; slogen alert labels are static; left out"
    label = match[1]
    if label in group_by and label == key:
        return (
            f"{template} of the series label {key}, a group_by label of {whose}, which "
            "slogen's alerts carry already; dropped as redundant"
        )
    if label in group_by:
        return (
            f"{template}; slogen alert labels are static, and its alerts carry {label} (a "
            f"group_by label of {whose}) but cannot copy it to {key}; left out (match on "
            f"{label} instead)"
        )
    return (
        f"{template}; slogen alert labels are static, and {label} is not a group_by label "
        f"of {whose}; left out"
    )


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
    _unknown(path, f"{where}.", alerting, _ALERTING_KEYS, result)
    for severity_key in ("page_alert", "ticket_alert"):
        if isinstance(alerting.get(severity_key), dict):
            _unknown(
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
            templated = _templated(label, value, group_by, "this SLO")
            if templated is None and label == "severity":
                settings["label"] = value
                continue
            result.lose(
                path,
                f"{where}.{sloth_key}.labels.{label}",
                templated or "labels of one severity only have no place in slogen; dropped",
            )
        _lose_annotations(path, f"{where}.{sloth_key}", severity, result)
        if settings:
            out[key] = settings
    return out
