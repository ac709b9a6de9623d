"""Put slogen's parts into an Alertmanager config: a user's own, or a minimal one.

The user marks where slogen's alerts go with one route matching ``slo_service=~".+"``
(every alert slogen generates has that label). slogen fills that route's children
with its team routes and adds its receivers, time intervals and inhibition rules;
everything else in the config is kept. What slogen adds is recognisable, so merging
again (into the base or into an earlier result) replaces it rather than adding twice:

- receivers and time intervals whose names start with ``slogen/``;
- routes under the marked route whose receiver starts with ``slogen/``;
- inhibition rules of exactly the shapes slogen writes, or wrote in earlier versions
  (see ``our_rule``).

A user's base is merged as text (:func:`merge_text`): read and written back with
ruamel.yaml (:mod:`slogen.yaml_roundtrip`), so everything outside slogen's
part keeps its comments, key order, quoting and blank lines, values YAML 1.1 would
retype (``17:00``, ``on``) keep their spelling, and merging the result again gives the
same bytes. slogen's part is written as :func:`slogen.render.dump_yaml` writes it
(sorted keys, quoted wherever YAML 1.1 would read a string as something else), in the
file's own indentation. The complete config (no base) is plain data (:func:`merge`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slogen import naming, yaml_roundtrip
from slogen.alertmanager import comment_tails
from slogen.alertmanager.config import Parts, timing
from slogen.alertmanager.matchers import equal, normalise
from slogen.model import Routing
from slogen.model_routing import PARENT_MATCHER, RoutePath, written_by_slogen
from slogen.render import dump_yaml

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
        *(r for r in config.get("receivers") or [] if not _our_receiver(r)),
        *parts.receivers,
    ]
    intervals = [
        *(t for t in config.get("time_intervals") or [] if not _our_receiver(t)),
        *parts.time_intervals,
    ]
    config.pop("time_intervals", None)
    if intervals:
        config["time_intervals"] = intervals
    rules = [
        *(r for r in config.get("inhibit_rules") or [] if not our_rule(r)),
        *parts.inhibit_rules,
    ]
    config.pop("inhibit_rules", None)
    if rules:
        config["inhibit_rules"] = rules
    parent: Any = config
    for key in parent_path:
        parent = parent[key]
    kept = [r for r in parent.get("routes") or [] if not our_route(r)]
    parent["routes"] = [*kept, *parts.routes]
    return config


def merge_text(base: str, parent_path: RoutePath, parts: Parts, header: str) -> str:
    """``base`` (a config's text) with slogen's parts in place of any earlier ones,
    under ``header`` (comment lines; one an earlier merge put there is replaced).

    Lists slogen adds to keep their place (a missing one is added at the end of its
    mapping), slogen's items go at their end, and the comments after a list stay
    after it (:mod:`slogen.alertmanager.comment_tails`). A flow-style list or route
    that slogen adds to (``receivers: [...]``) is written in block style.
    """
    body, _ = yaml_roundtrip.without_header(base, len(header.splitlines()))
    data = yaml_roundtrip.load(body)
    layout = yaml_roundtrip.layout_of(data, body)
    ours = yaml_roundtrip.load(
        dump_yaml(
            {
                "inhibit_rules": list(parts.inhibit_rules),
                "receivers": list(parts.receivers),
                "routes": list(parts.routes),
                "time_intervals": list(parts.time_intervals),
            }
        ).decode("utf-8")
    )
    for key, is_ours in OUR_LISTS:
        _replace(data, key, ours[key], is_ours, 0)
    parent: Any = data
    for step in parent_path:
        parent = parent[step]
        if parent.fa.flow_style():  # block style from the root down: slogen adds here
            parent.fa.set_block_style()
    _replace(parent, "routes", ours["routes"], our_route, _key_column(parent))
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comments + "\n" + yaml_roundtrip.dump(data, layout)


def _key_column(mapping: CommentedMap) -> int:
    """The column of ``mapping``'s keys as written (0 for one slogen made)."""
    try:
        return int(mapping.lc.key(next(iter(mapping)))[1])
    except (KeyError, StopIteration, TypeError):
        return 0


def _replace(
    mapping: CommentedMap,
    key: str,
    new: CommentedSeq,
    is_ours: Callable[[Any], bool],
    owner_column: int,
) -> None:
    """``mapping[key]``'s items without slogen's, then ``new``'s; the list is added at
    the end of ``mapping`` if missing, and dropped if it held only slogen's items and
    ``new`` is empty. ``owner_column`` is where ``key`` is written."""
    items = mapping.get(key)
    if not isinstance(items, CommentedSeq):
        if new:
            _add_key(mapping, key, new)
        return
    tail = comment_tails.take(items)
    if items.fa.flow_style():  # ruamel hangs a comment after [...] on the key as well
        comment_tails.take_on_key(mapping, key)
    had_items = bool(items)
    for index in reversed(range(len(items))):
        if is_ours(items[index]):
            before = comment_tails.take_before(items, index)
            after = comment_tails.take(items[index])  # less its own line's comment
            between = before + comment_tails.Tail(lines=after.lines)
            del items[index]
            if index > 0:  # the comments around it stay where they were
                previous = items[index - 1]
                comment_tails.put(previous, comment_tails.take(previous) + between)
    if new:
        kept, moved = comment_tails.split(tail, owner_column) if items else (None, tail)
        if kept is not None:
            comment_tails.put(items, kept)
        if items.fa.flow_style():
            items.fa.set_block_style()
        items.extend(new)
        comment_tails.put(items, moved)
    elif items:
        comment_tails.put(items, tail)
    elif had_items:
        _drop_key(mapping, key, tail)


def _add_key(mapping: CommentedMap, key: str, value: CommentedSeq) -> None:
    """``key: value`` at the end of ``mapping``; the comments after its last value that
    are not about that value (see :func:`comment_tails.split`) go after the new one."""
    tail = comment_tails.take(mapping)
    kept, moved = comment_tails.split(tail, _key_column(mapping))
    comment_tails.put(mapping, kept)
    if mapping.fa.flow_style():
        mapping.fa.set_block_style()
    mapping[key] = value
    comment_tails.put(mapping, moved)


def _drop_key(mapping: CommentedMap, key: str, tail: comment_tails.Tail) -> None:
    """Take out ``key`` (a list that held only slogen's items); the comments after it
    go after the value before it."""
    keys = list(mapping)
    position = keys.index(key)
    del mapping[key]
    if position > 0:
        previous = keys[position - 1]
        value = mapping[previous]
        if isinstance(value, CommentedMap | CommentedSeq) and value:
            comment_tails.put(value, comment_tails.take(value) + tail)
        else:
            comment_tails.put_on_key(mapping, previous, tail)


def _our_receiver(item: Any) -> bool:
    """A receiver or time interval slogen wrote."""
    return isinstance(item, Mapping) and written_by_slogen(item.get("name"))


def our_route(item: Any) -> bool:
    """A route slogen wrote under the marked route."""
    return isinstance(item, Mapping) and written_by_slogen(item.get("receiver"))


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


def our_rule(rule: Any) -> bool:
    """True for the shapes of rule slogen writes (see ``config``) or wrote before, and
    no other: a rule within one SLO (both sides open with ``slo_service=~".+"``, then
    one of :data:`_WITHIN_AN_SLO`), and a dependency (both sides match
    ``alertname="SLOErrorBudgetBurn"`` and a service, the source a severity too)."""
    if not isinstance(rule, Mapping):
        return False
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


OUR_LISTS: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("receivers", _our_receiver),
    ("time_intervals", _our_receiver),
    ("inhibit_rules", our_rule),
)
"""The top-level lists slogen adds to, each with what marks its items there."""
