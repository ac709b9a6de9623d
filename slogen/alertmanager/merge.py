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
from collections.abc import Iterator, Mapping
from typing import Any

from slogen import naming
from slogen.alertmanager.config import Parts, timing
from slogen.alertmanager.matchers import equal, normalise, present
from slogen.errors import Problem
from slogen.model import Routing
from slogen.secrets import (
    ALERTMANAGER_VERSION,
    alertmanager_secret_key,
    chat_webhook,
    looks_like_token,
    url_secret_reason,
)
from slogen.spec.yaml_source import KeyPath, SourceDocument, format_path

PARENT_MATCHER = present(naming.SERVICE_LABEL)


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


def merge(base: Mapping[str, Any], parts: Parts) -> dict[str, Any]:
    """``base`` with slogen's parts in place of any earlier ones; ``base`` is unchanged.

    The base must have passed :func:`base_problems`.
    """
    config = copy.deepcopy(dict(base))
    config["receivers"] = [
        *(r for r in config.get("receivers") or [] if not _ours(r.get("name"))),
        *parts.receivers,
    ]
    intervals = [
        *(t for t in config.get("time_intervals") or [] if not _ours(t.get("name"))),
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
    parent = next(route for _, route in _routes(config["route"], ("route",)) if _is_parent(route))
    kept = [r for r in parent.get("routes") or [] if not _ours(r.get("receiver"))]
    parent["routes"] = [*kept, *parts.routes]
    return config


def base_problems(base: SourceDocument) -> list[Problem]:
    """Why ``base`` cannot take slogen's parts: not a config of the shape merging needs,
    no marked route, or a secret inline (which would be copied into the output)."""
    data = base.data
    if not isinstance(data, dict) or not isinstance(data.get("route"), dict):
        return [
            Problem(
                base.locate(("route",)),
                "not an Alertmanager config: no top-level route",
                "give the path of your alertmanager.yml",
            )
        ]
    problems = _shape_problems(base)
    if problems:
        return problems
    problems.extend(secret_problems(base))
    parents = [path for path, route in _routes(data["route"], ("route",)) if _is_parent(route)]
    if not parents:
        problems.append(
            Problem(
                base.locate(("route",)),
                "no route marks where slogen's alerts go",
                "add one under route.routes: "
                f"{{matchers: ['{PARENT_MATCHER}'], receiver: <one of your receivers>}}",
            )
        )
    for path in parents[1:]:
        problems.append(
            Problem(
                base.locate(path),
                f"a second route matches {PARENT_MATCHER}; slogen's routes go under one",
                f"the first is at {base.locate(parents[0])}",
            )
        )
    return problems


def _ours(name: object) -> bool:
    return isinstance(name, str) and name.startswith(naming.ALERTMANAGER_PREFIX)


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


def _is_parent(route: Mapping[str, Any]) -> bool:
    matchers = route.get("matchers") or []
    legacy = route.get("match_re") or {}
    return PARENT_MATCHER in {normalise(str(m)) for m in matchers} or (
        isinstance(legacy, dict) and legacy.get(naming.SERVICE_LABEL) == ".+"
    )


def _routes(route: Any, path: KeyPath) -> Iterator[tuple[KeyPath, dict[str, Any]]]:
    if not isinstance(route, dict):
        return
    yield path, route
    for index, child in enumerate(route.get("routes") or []):
        yield from _routes(child, (*path, "routes", index))


def _shape_problems(base: SourceDocument) -> list[Problem]:
    """Lists that merging edits must hold mappings; say where one does not."""
    data = base.data
    listed: list[KeyPath] = [("receivers",), ("time_intervals",), ("inhibit_rules",)]
    listed += [(*path, "routes") for path, _ in _routes(data["route"], ("route",))]
    problems = []
    for path in listed:
        node: Any = data
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            continue
        if not isinstance(node, list):
            problems.append(Problem(base.locate(path), "expected a list of mappings"))
            continue
        for index, item in enumerate(node):
            if not isinstance(item, dict):
                problems.append(
                    Problem(base.locate((*path, index)), "expected a mapping (key: value)")
                )
    return problems


def _scalars(node: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    """Every non-empty scalar of a document with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _scalars(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _scalars(item, (*path, index))
    elif node is not None and node != "":
        yield path, node


def secret_problems(base: SourceDocument) -> list[Problem]:
    """Every value of ``base`` that would copy a credential into the merged config:
    Alertmanager's secret keys given inline (``api_url``, ``routing_key``,
    ``password``, ``credentials``, ``bot_token``, ...), URLs that may carry one (see
    :func:`slogen.secrets.url_secret_reason`), and keys that look like a URL or a
    token. Each names the receiver and field and the ``*_file`` key to use; none
    repeats the value."""
    problems = []
    for path, value in _scalars(base.data, ()):
        key = path[-1]
        if not isinstance(key, str) or _replaced(base.data, path):
            continue
        integration = _integration(path)
        secret, file_key = alertmanager_secret_key(integration, key)
        if secret:
            problems.append(
                Problem(
                    base.locate(path),
                    f"{_owner(base.data, path)}{key!r} holds a secret inline, which would "
                    "be copied into the generated config",
                    _file_hint(key, file_key),
                )
            )
            continue
        if key != "url" and not key.endswith("_url"):
            continue
        why = url_secret_reason(str(value))
        if why is not None:
            problems.append(
                Problem(
                    base.locate(path),
                    f"{_owner(base.data, path)}{key!r}: {why}, which would be copied into the "
                    "generated config",
                    _url_hint(integration, str(value)),
                )
            )
    for path in _secret_looking_keys(base.data, ()):
        if _replaced(base.data, path):
            continue
        problems.append(
            Problem(
                base.locate(path),
                f"{_owner(base.data, (*path, ''))}a key here looks like a URL or a token "
                "(not repeated here), which would be copied into the generated config",
                "a secret belongs in a file that a *_file key names",
            )
        )
    return problems


def _integration(path: KeyPath) -> str | None:
    """``slack_configs`` for a path inside one, and so on; None outside any."""
    for part in reversed(path):
        if isinstance(part, str) and part.endswith("_configs"):
            return part
    return None


def _owner(data: Any, path: KeyPath) -> str:
    """``receiver 'ops': `` for a path inside a receiver, else nothing."""
    if len(path) > 2 and path[0] == "receivers" and isinstance(path[1], int):
        receivers = data.get("receivers") if isinstance(data, dict) else None
        if isinstance(receivers, list) and path[1] < len(receivers):
            name = receivers[path[1]].get("name") if isinstance(receivers[path[1]], dict) else None
            if isinstance(name, str):
                inner = format_path(path[2:-1])
                return f"receiver {name!r}, in {inner}: " if inner else f"receiver {name!r}: "
    return ""


def _replaced(data: Any, path: KeyPath) -> bool:
    """True inside a receiver or time interval slogen wrote, which merging replaces
    (so what it holds is not copied)."""
    if len(path) < 2 or path[0] not in ("receivers", "time_intervals"):
        return False
    items = data.get(path[0]) if isinstance(data, dict) else None
    index = path[1]
    if not isinstance(items, list) or not isinstance(index, int) or index >= len(items):
        return False
    item = items[index]
    return isinstance(item, dict) and _ours(item.get("name"))


def _file_hint(key: str, file_key: str | None) -> str:
    if file_key is not None:
        return f"use {file_key} with the path of a file holding it"
    return (
        f"Alertmanager {ALERTMANAGER_VERSION} cannot read {key} from a file, so the merged "
        "config would hold it in clear; take that integration out of the base (send "
        "through a relay that keeps the secret) before merging"
    )


def _url_hint(integration: str | None, url: str) -> str:
    service = chat_webhook(url)
    if service == "Slack":
        return "use slack_configs with api_url_file (or global slack_api_url_file)"
    if integration == "webhook_configs" or service is not None:
        return (
            f"Alertmanager {ALERTMANAGER_VERSION} cannot read a webhook URL from a file "
            "(url_file came in later releases); send the credential as a header with "
            "http_config.authorization.credentials_file, or through a relay that keeps it"
        )
    return (
        "send it as a header (http_config.authorization.credentials_file) or read the URL "
        "from a file where the integration allows it (slack_api_url_file, api_url_file)"
    )


def _secret_looking_keys(node: Any, path: KeyPath) -> Iterator[KeyPath]:
    """Paths of the mappings that have a key looking like a URL or a token (a value
    pasted where a key belongs); the key itself is left out of the path."""
    if isinstance(node, dict):
        if any(isinstance(key, str) and ("://" in key or looks_like_token(key)) for key in node):
            yield path
        for key, value in node.items():
            if isinstance(key, str) and ("://" in key or looks_like_token(key)):
                continue
            yield from _secret_looking_keys(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _secret_looking_keys(item, (*path, index))
