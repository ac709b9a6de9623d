"""Put slogen's parts into an Alertmanager config: a user's own, or a minimal one.

The user marks where slogen's alerts go with one route matching ``slo_service=~".+"``
(every alert slogen generates has that label). slogen fills that route's children
with its team routes and adds its receivers, time intervals and inhibition rules;
everything else in the config is kept. What slogen adds is recognisable, so merging
again (into the base or into an earlier result) replaces it rather than adding twice:

- receivers and time intervals whose names start with ``slogen/``;
- routes under the marked route whose receiver starts with ``slogen/``;
- inhibition rules of exactly the shapes slogen writes, or wrote in earlier versions
  (see ``_our_rule``).

The base is read with unquoted scalars kept verbatim (``yaml_source.PlainScalar``),
so values PyYAML would retype (``17:00``, ``on``) are written back as they were.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from slogen import naming
from slogen.alertmanager.config import Parts, timing
from slogen.alertmanager.matchers import equal, normalise
from slogen.model import Routing
from slogen.model_routing import PARENT_MATCHER, RoutePath, written_by_slogen

COMPLETE_PARENT: RoutePath = ("route", "routes", 0)
"""Where :func:`complete_base` puts the marked route."""


def complete_base(routing: Routing) -> dict[str, Any]:
    """The config slogen writes when the user has none of their own: a root route to
    the default receiver, and the marked route below it."""
    return {
        "route": {
            "receiver": routing.default.name,
            **timing(routing.timing),
            "routes": [{"matchers": [PARENT_MATCHER], "receiver": routing.default.name}],
        }
    }


def merge(base: Mapping[str, Any], parent_path: RoutePath, parts: Parts) -> dict[str, Any]:
    """``base`` with slogen's parts in place of any earlier ones; ``base`` is unchanged.

    ``parent_path`` is where its marked route is: resolving found it while checking
    the base (``slogen.resolve_alertmanager_base``), so there is exactly one.
    """
    config = copy.deepcopy(dict(base))
    config["receivers"] = [
        *(r for r in config.get("receivers") or [] if not written_by_slogen(r.get("name"))),
        *parts.receivers,
    ]
    intervals = [
        *(t for t in config.get("time_intervals") or [] if not written_by_slogen(t.get("name"))),
        *parts.time_intervals,
    ]
    config.pop("time_intervals", None)
    if intervals:
        config["time_intervals"] = intervals
    rules = [
        *(r for r in config.get("inhibit_rules") or [] if not _our_rule(r)),
        *parts.inhibit_rules,
    ]
    config.pop("inhibit_rules", None)
    if rules:
        config["inhibit_rules"] = rules
    parent: Any = config
    for key in parent_path:
        parent = parent[key]
    kept = [r for r in parent.get("routes") or [] if not written_by_slogen(r.get("receiver"))]
    parent["routes"] = [*kept, *parts.routes]
    return config


def _alert(name: str) -> str:
    return normalise(equal("alertname", name))


_SEVERITY = "<severity>"
"""Stands for any ``severity`` matcher in :data:`_WITHIN_AN_SLO`."""

_WITHIN_AN_SLO = {
    # Earlier versions: any page silenced any ticket of the same SLO. Recognised, so
    # that merging into a config written then replaces the rule.
    ((_SEVERITY,), (_SEVERITY,)),
    # A burn page silences the burn ticket.
    ((_alert(naming.BURN_ALERT), _SEVERITY), (_alert(naming.BURN_ALERT), _SEVERITY)),
    # "Budget exhausted" silences "budget low".
    ((_alert(naming.BUDGET_EXHAUSTED_ALERT),), (_alert(naming.BUDGET_LOW_ALERT),)),
    # A vanished group silences "no data".
    ((_alert(naming.VANISHED_ALERT),), (_alert(naming.NO_DATA_ALERT),)),
}
"""The rules slogen writes between the alerts of one SLO, after the ``slo_service``
matcher that opens both sides: source matchers, target matchers."""


def _our_rule(rule: Mapping[str, Any]) -> bool:
    """True for the shapes of rule slogen writes (see ``config``) or wrote before, and
    no other: a rule within one SLO (both sides open with ``slo_service=~".+"``, then
    one of :data:`_WITHIN_AN_SLO`), and a dependency (both sides match
    ``alertname="SLOErrorBudgetBurn"`` and a service, the source a severity too)."""
    if set(rule) - {"source_matchers", "target_matchers", "equal"}:
        return False
    source = [normalise(str(m)) for m in rule.get("source_matchers") or []]
    target = [normalise(str(m)) for m in rule.get("target_matchers") or []]
    severity = f"{naming.SEVERITY_LABEL}="
    service = f"{naming.SERVICE_LABEL}="

    def shape(matchers: list[str]) -> tuple[str, ...]:
        return tuple(_SEVERITY if m.startswith(severity) else m for m in matchers[1:])

    if source[:1] == target[:1] == [PARENT_MATCHER]:
        return (shape(source), shape(target)) in _WITHIN_AN_SLO
    burn = _alert(naming.BURN_ALERT)
    return (
        len(source) == 3
        and len(target) == 2
        and source[0] == target[0] == burn
        and source[1].startswith(service)
        and target[1].startswith(service)
        and source[2].startswith(severity)
    )
