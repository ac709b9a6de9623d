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

This module reads the file, takes the period and gathers SLOs into services; each SLO
is mapped in :mod:`slogen.importers.sloth_slo`, and templated labels are judged in
:mod:`slogen.importers.sloth_templates`, as both the service and its SLOs have labels.
"""

from __future__ import annotations

import re
from typing import Any

from slogen.durations import bounded_duration, format_duration
from slogen.errors import Location, Problem, SpecError
from slogen.importers.documents import read_documents
from slogen.importers.names import NAME, slug
from slogen.importers.report import Imported
from slogen.importers.services import Service, duplicates, new_service
from slogen.importers.sloth_slo import SLOTH_BURN_RATE, import_slo, unknown_keys
from slogen.importers.sloth_templates import templated
from slogen.naming import is_reserved_label
from slogen.promql import is_label_name
from slogen.spec.models import MAX_PERIOD, MIN_PERIOD

SLOTH_PERIOD = "30d"
"""Sloth's default SLO period (``--default-slo-period``)."""
SLOTH_WINDOW_PERIODS = ("28d", "30d")
"""The periods Sloth has built-in alert windows for; any other needs a windows file
(``--slo-period-windows-path``) that the import does not read."""
_SPEC_KEYS = {"version", "service", "labels", "slos"}


def import_sloth(
    path: str, text: str, result: Imported, team: str | None = None, period: str | None = None
) -> None:
    """Add the services of one Sloth file to ``result``; SpecError if it has none.

    ``period`` is the ``--default-slo-period`` Sloth ran with (a spec has none); None
    assumes Sloth's default, 30d, and says so in the import's notes."""
    period = _period(path, period, result)
    documents = read_documents(path, text)
    found = 0
    clashes: list[Problem] = []
    for document in documents:
        spec = _spec(document.data)
        if spec is None:
            result.lose(
                path,
                document.where(len(documents)),
                "not a Sloth prometheus/v1 or PrometheusServiceLevel spec",
            )
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
    unknown_keys(path, "", spec, _SPEC_KEYS, result)
    slos = []
    for index, slo in enumerate(spec.get("slos") or []):
        converted = import_slo(path, f"slos[{index}]", slo, result, period)
        if converted is not None:
            slos.append(converted)
    if not slos:
        result.lose(path, "slos", f"service {name!r} has no SLO slogen can compile; skipped")
        return 0
    grouped_by_all = set.intersection(*(set(slo.get("group_by", ())) for slo in slos))
    kept = {}
    for key, value in labels.items():
        why = templated(key, value, grouped_by_all, "every SLO of this service")
        if why:
            result.lose(path, f"labels.{key}", why)
        elif is_reserved_label(key) or not is_label_name(key):
            result.lose(path, f"labels.{key}", "a label slogen reserves or cannot use; dropped")
        else:
            kept[key] = value
    earlier = result.service(name)
    if earlier is not None:
        return _merge(path, earlier, owner or "unowned", kept, slos, result, clashes)
    if owner is None:
        owner = "unowned"
        result.lose(path, "labels", "no team or owner label; team set to 'unowned' (use --team)")
    settings: dict[str, Any] = {"service": name, "team": owner, "window": period}
    if kept:
        settings["labels"] = kept
    settings["alerting"] = {"burn_rate": [dict(policy) for policy in SLOTH_BURN_RATE]}
    service = new_service(name, settings, path)
    result.put(service.join(path, slos, [path] * len(slos)))
    return 1


def _merge(
    path: str,
    earlier: Service,
    owner: str,
    labels: dict[str, str],
    slos: list[dict[str, Any]],
    result: Imported,
    clashes: list[Problem],
) -> int:
    """Add ``slos`` to the service imported before from another file or document, if
    this one agrees with it on team and labels and repeats none of its SLO names (a
    name repeated within this spec is left to validation, as Sloth leaves it)."""
    before = earlier.from_files
    problems = []
    if owner != earlier.team:
        problems.append(f"team {owner!r} where {before} gave {earlier.team!r}")
    if labels != earlier.settings.get("labels", {}):
        problems.append(f"labels {labels} where {before} gave {earlier.settings.get('labels', {})}")
    taken = duplicates(earlier, [(slo["name"], path) for slo in slos])
    problems += [
        f"SLO {taken.slo!r} is also in {before}"
        for taken in taken
        if taken.earlier_in_service is not None
    ]
    if problems:
        clashes.append(
            Problem(
                Location(path, field="service"),
                f"service {earlier.name!r} was already imported from {before}, and this file "
                f"disagrees: {'; '.join(problems)}",
                "make the files agree, or import them into different directories",
            )
        )
        return 0
    result.put(earlier.join(path, slos, [path] * len(slos)))
    return 1
