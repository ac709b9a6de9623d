"""Sloth specs (``prometheus/v1`` and ``PrometheusServiceLevel``) as slogen specs.

What maps directly: service, labels, SLO names, objectives and descriptions, the
``events`` SLI (its ``{{.window}}`` queries become a ``ratio`` SLI with ``$window``),
and the page/ticket switches and severity labels. What does not is reported:

- a ``raw`` SLI (a ready error ratio) becomes a ``ratio`` SLI with ``total`` 1 per
  series, so every window averages the 5-minute error ratios, where Sloth evaluates
  the ratio over the whole window;
- Sloth's alert names, annotations and per-severity extra labels: slogen names its
  alerts and writes their text itself, and per-severity labels have no place;
- plugins, which are Sloth's own code.
"""

from __future__ import annotations

import difflib
import re
from fractions import Fraction
from typing import Any

import yaml

from slogen.durations import parse_duration
from slogen.errors import Location, Problem, SpecError
from slogen.importers.names import NAME, slug
from slogen.importers.report import Imported
from slogen.naming import is_reserved_label

SLOTH_PERIOD = "30d"
"""Sloth's default SLO period (``--default-slo-period``)."""
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


def _window(query: str) -> str:
    return re.sub(r"\{\{\s*\.window\s*\}\}", "$window", query.strip())


def import_sloth(path: str, text: str, result: Imported, team: str | None = None) -> None:
    """Add the services of one Sloth file to ``result``; SpecError if it has none."""
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
        found += _service(path, spec, result, team, clashes)
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
    path: str, spec: dict[str, Any], result: Imported, team: str | None, clashes: list[Problem]
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
    kept = {}
    for key, value in labels.items():
        if is_reserved_label(key) or not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", key):
            result.lose(path, f"labels.{key}", "a label slogen reserves or cannot use; dropped")
        else:
            kept[key] = value
    _unknown(path, "", spec, _SPEC_KEYS, result)
    slos = []
    for index, slo in enumerate(spec.get("slos") or []):
        converted = _slo(path, f"slos[{index}]", slo, result)
        if converted is not None:
            slos.append(converted)
    if not slos:
        result.lose(path, "slos", f"service {name!r} has no SLO slogen can compile; skipped")
        return 0
    earlier = result.services.get(name)
    if earlier is not None:
        return _merge(path, name, earlier, owner or "unowned", kept, slos, result, clashes)
    if owner is None:
        owner = "unowned"
        result.lose(path, "labels", "no team or owner label; team set to 'unowned' (use --team)")
    service: dict[str, Any] = {"service": name, "team": owner, "window": SLOTH_PERIOD}
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


def _possible_burn_rates(objective: object) -> list[dict[str, str]] | None:
    """Sloth's windows whose burn rate an error ratio of at most 100% can reach at this
    objective (all of them from 93.1% up); None when the objective is not a number,
    which validation then reports."""
    try:
        budget = 1 - Fraction(str(objective)) / 100
    except (ValueError, ZeroDivisionError):
        return None
    period = parse_duration(SLOTH_PERIOD)
    return [
        dict(p)
        for p in SLOTH_BURN_RATE
        if Fraction(p["budget_spent"].rstrip("%"))
        / 100
        * period
        / parse_duration(p["long"])
        * budget
        < 1
    ]


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


def _slo(path: str, where: str, slo: dict[str, Any], result: Imported) -> dict[str, Any] | None:
    _unknown(path, f"{where}.", slo, _SLO_KEYS, result)
    sli = slo.get("sli") or {}
    if isinstance(sli, dict):
        _unknown(path, f"{where}.sli.", sli, _SLI_KEYS, result)
        for kind, known in (("events", _EVENTS_KEYS), ("raw", _RAW_KEYS)):
            if isinstance(sli.get(kind), dict):
                _unknown(path, f"{where}.sli.{kind}.", sli[kind], known, result)
    out: dict[str, Any] = {"name": slug(slo.get("name", "")), "objective": slo.get("objective")}
    if slo.get("description"):
        out["description"] = str(slo["description"])
    if "events" in sli:
        events = sli["events"]
        out["sli"] = {
            "ratio": {
                "errors": _window(events["error_query"]),
                "total": _window(events["total_query"]),
            }
        }
    elif "raw" in sli:
        query = _window(sli["raw"]["error_ratio_query"])
        out["sli"] = {"ratio": {"errors": f"({query})", "total": f"({query}) * 0 + 1"}}
        result.lose(
            path,
            f"{where}.sli.raw",
            "a ready error ratio: imported with total 1 per series, so windows average the "
            "5-minute ratios instead of evaluating the ratio over each window",
        )
    else:
        result.lose(path, f"{where}.sli", "only events and raw SLIs can be imported; SLO skipped")
        return None
    labels = {str(k): str(v) for k, v in (slo.get("labels") or {}).items()}
    if slo.get("plugins"):
        result.lose(path, f"{where}.plugins", "Sloth plugins are Sloth's own code; not imported")
    alerting = slo.get("alerting") or {}
    labels.update({str(k): str(v) for k, v in (alerting.get("labels") or {}).items()})
    kept = {k: v for k, v in labels.items() if not is_reserved_label(k)}
    for key in sorted(set(labels) - set(kept)):
        result.lose(path, f"{where}.labels.{key}", "a label slogen reserves; dropped")
    if kept:
        out["labels"] = kept
    settings = _alerting(path, f"{where}.alerting", alerting, result)
    possible = _possible_burn_rates(out["objective"])
    if possible is not None and len(possible) < len(SLOTH_BURN_RATE):
        settings["burn_rate"] = possible
        left_out = [p for p in SLOTH_BURN_RATE if p not in possible]
        result.lose(
            path,
            f"{where}.objective",
            f"at {out['objective']}% Sloth's "
            + ", ".join(f"{p['long']}/{p['short']} {p['severity']}" for p in left_out)
            + " would need more than 100% errors to fire (Sloth writes them anyway, and they "
            "never fire); left out",
        )
    if settings:
        out["alerting"] = settings
    runbook = _runbook(alerting)
    if runbook and "{{" not in str(runbook):
        out["runbook"] = str(runbook)
    else:
        out["runbook"] = False
        result.lose(path, f"{where}.alerting.annotations", "no plain runbook URL; set runbook")
    return out


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


def _alerting(path: str, where: str, alerting: dict[str, Any], result: Imported) -> dict[str, Any]:
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
        labels = dict(severity.get("labels") or {})
        if "severity" in labels:
            settings["label"] = str(labels.pop("severity"))
        for label in sorted(labels):
            result.lose(
                path,
                f"{where}.{sloth_key}.labels.{label}",
                "labels of one severity only have no place in slogen; dropped",
            )
        _lose_annotations(path, f"{where}.{sloth_key}", severity, result)
        if settings:
            out[key] = settings
    return out
