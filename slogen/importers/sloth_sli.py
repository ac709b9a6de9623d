"""A Sloth SLI as a slogen SLI, keeping what one SLO series stands for.

Sloth alerts on ``error_query / total_query`` as written: a query grouped ``by
(request_host)`` gives one SLO, and its alerts, per host. slogen computes an SLO per
``group_by`` group and sums every query by those labels, so the import must set
``group_by`` to the queries' grouping, or the hosts would merge into one fleet-wide
ratio. What maps:

- both queries one counter summed over the window, grouped alike: an ``events`` SLI
  (slogen writes the sums itself) with that ``group_by``;
- other queries whose parts all group by the same labels on both sides: a ``ratio``
  SLI with that ``group_by``, and a report of any series read other than as counts
  over the window, whose meaning changes;
- a raw error ratio: as before (see ``slogen.importers.sloth``), with its grouping;
- anything whose grouping cannot be told or differs between the two sides: refused,
  with the reason, rather than imported fleet-wide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slogen.importers.report import Imported
from slogen.importers.sloth_queries import CounterSum, counter_sum, grouping, unwindowed
from slogen.naming import is_reserved_label
from slogen.spec.promql_input import WINDOW_PLACEHOLDER, check_window_query, labels_dropped


@dataclass(frozen=True)
class SLI:
    """The slogen ``sli`` of an imported SLO and the ``group_by`` it needs."""

    sli: dict[str, Any]
    group_by: tuple[str, ...] = ()


class Refused(Exception):
    """The SLO cannot be imported faithfully; the message says why."""


def window_template(query: str) -> str:
    """Sloth's ``{{.window}}`` as slogen's ``$window``."""
    return re.sub(r"\{\{\s*\.window\s*\}\}", WINDOW_PLACEHOLDER, query.strip())


def convert(path: str, where: str, sli: dict[str, Any], result: Imported) -> SLI | None:
    """The SLI of one Sloth SLO, or None (reported) when it cannot be imported."""
    try:
        if isinstance(sli.get("events"), dict):
            return _events(path, where, sli["events"], result)
        if isinstance(sli.get("raw"), dict):
            return _raw(path, where, sli["raw"], result)
    except Refused as reason:
        result.lose(path, f"{where}.sli", f"{reason}; SLO skipped")
        return None
    result.lose(path, f"{where}.sli", "only events and raw SLIs can be imported; SLO skipped")
    return None


def _query(node: dict[str, Any], key: str) -> str:
    value = node.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Refused(f"{key} is missing or not a query")
    return window_template(value)


def _events(path: str, where: str, events: dict[str, Any], result: Imported) -> SLI:
    errors, total = _query(events, "error_query"), _query(events, "total_query")
    counted = _counted(errors, total)
    if counted is not None:
        errors_sum, total_sum = counted
        by = _allowed(errors_sum.by)
        if by:
            _per_group_note(path, where, "events", by, result)
        sli = {"errors": errors_sum.selector.render(), "total": total_sum.selector.render()}
        return SLI({"events": sli}, by)
    by = _grouping({"error_query": errors, "total_query": total})
    if by:
        _per_group_note(path, where, "ratio", by, result)
    for side, query in (("error_query", errors), ("total_query", total)):
        _report_unwindowed(path, f"{where}.sli.events.{side}", query, result)
    return SLI({"ratio": {"errors": errors, "total": total}}, by)


def _raw(path: str, where: str, raw: dict[str, Any], result: Imported) -> SLI:
    query = _query(raw, "error_ratio_query")
    by = _grouping({"error_ratio_query": query})
    if by:
        _per_group_note(path, where, "ratio", by, result)
    result.lose(
        path,
        f"{where}.sli.raw",
        "a ready error ratio: imported with total 1 per series, so windows average the "
        "5-minute ratios instead of evaluating the ratio over each window",
    )
    return SLI({"ratio": {"errors": f"({query})", "total": f"({query}) * 0 + 1"}}, by)


def _counted(errors: str, total: str) -> tuple[CounterSum, CounterSum] | None:
    """Both queries as one counter summed alike (same function, same ``by`` labels in
    any order), which slogen's ``events`` SLI computes exactly."""
    errors_sum, total_sum = counter_sum(errors), counter_sum(total)
    if errors_sum is None or total_sum is None:
        return None
    if errors_sum.function != total_sum.function or set(errors_sum.by) != set(total_sum.by):
        return None
    return errors_sum, total_sum


def _grouping(queries: dict[str, str]) -> tuple[str, ...]:
    """The ``by`` labels every query groups by; Refused when a query's grouping cannot
    be told or the queries disagree, since Sloth's division matches series on all
    their labels and slogen could only guess which groups Sloth alerted on."""
    found = {}
    for side, query in queries.items():
        _windowed(side, query)
        shape = grouping(query)
        if shape.unclear:
            raise Refused(
                f"{side} {shape.unclear}; slogen cannot tell which labels one SLO series "
                "stands for, and importing it as one series for all would merge what "
                "Sloth alerted on separately (aggregate it with sum by (...) the labels "
                "to alert per)"
            )
        found[side] = shape.by
    if len({frozenset(by) for by in found.values()}) > 1:
        said = " and ".join(f"{side} {_spelt(by)}" for side, by in found.items())
        raise Refused(
            f"{said}: Sloth divides them matching every label, so the ratio is empty "
            "wherever the label sets differ; give both queries the same by (...)"
        )
    by = _allowed(next(iter(found.values())))
    for side, query in queries.items():
        dropped = labels_dropped(query, by)
        if dropped:  # slogen's own check, which the spec must pass to compile
            raise Refused(
                f"{side} aggregates away {', '.join(dropped)} in one of its parts, so slogen "
                f"cannot compute it per {', '.join(by)}"
            )
    return by


def _windowed(side: str, query: str) -> None:
    """Refused unless the query is one slogen's ``ratio`` SLI accepts: one without
    ``{{.window}}`` reads the same over every window, which slogen does not compute."""
    try:
        check_window_query(query)
    except ValueError as error:
        raise Refused(f"{side} cannot be a slogen ratio query: {error}") from None


def _allowed(by: tuple[str, ...]) -> tuple[str, ...]:
    """Grouping labels slogen can keep; Refused for one it sets itself."""
    reserved = [label for label in by if is_reserved_label(label)]
    if reserved:
        raise Refused(
            f"the queries group by {', '.join(reserved)}, a label slogen sets on what it "
            "generates, so it cannot be a group_by label; rename it in the queries"
        )
    return by


def _spelt(by: tuple[str, ...]) -> str:
    return f"groups by ({', '.join(by)})" if by else "has one series for all"


def _per_group_note(
    path: str, where: str, kind: str, by: tuple[str, ...], result: Imported
) -> None:
    """Said once per SLO: the grouping is what makes it alert per host, not fleet-wide."""
    labels = ", ".join(by)
    result.note(
        f"{path}: {where}.sli",
        f"{path}: {where}.sli: {kind} SLI per {labels}, as Sloth's queries group by "
        f"({labels}); group_by: [{labels}]",
    )


def _report_unwindowed(path: str, where: str, query: str, result: Imported) -> None:
    metrics = unwindowed(query)
    if metrics:
        result.lose(
            path,
            where,
            f"reads {', '.join(metrics)} other than as a rate or count over {{{{.window}}}}: "
            "Sloth reads it at the alert's instant, slogen averages it over each alert "
            "window (it sums the query's 5-minute values)",
        )
