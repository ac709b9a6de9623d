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
from slogen.spec.routing import credential_in_url
from slogen.spec.yaml_source import Path, SourceDocument

PARENT_MATCHER = present(naming.SERVICE_LABEL)

SECRET_KEYS = {
    "api_key": "api_key_file",
    "api_secret": "api_secret_file",
    "auth_password": "auth_password_file",
    "auth_secret": "auth_password_file",
    "bearer_token": "authorization.credentials_file",
    "bot_token": "bot_token_file",
    "client_secret": "client_secret_file",
    "credentials": "credentials_file",
    "opsgenie_api_key": "opsgenie_api_key_file",
    "password": "password_file",
    "routing_key": "routing_key_file",
    "secret_key": "a credentials file of the AWS SDK",
    "service_key": "service_key_file",
    "slack_api_url": "slack_api_url_file",
    "smtp_auth_password": "smtp_auth_password_file",
    "smtp_auth_secret": "smtp_auth_password_file",
    "token": "token_file",
    "user_key": "user_key_file",
    "victorops_api_key": "victorops_api_key_file",
    "webhook_url": "webhook_url_file",
    "wechat_api_secret": "wechat_api_secret_file",
}
"""Alertmanager's secret-typed keys, and what to write instead of each."""


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
    for path in _inline_secrets(data, ()):
        problems.append(
            Problem(
                base.locate(path),
                f"{path[-1]!r} holds a secret inline, which would be copied into the "
                "generated config",
                f"use {SECRET_KEYS.get(str(path[-1]), 'api_url_file')} with the path of a "
                "file holding it",
            )
        )
    for path, why in _urls_with_credentials(data, ()):
        problems.append(
            Problem(
                base.locate(path),
                f"{why}, which would be copied into the generated config",
                "send it as a header (http_config.authorization.credentials_file) or read "
                "the URL from a file where the integration allows it",
            )
        )
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


def _routes(route: Any, path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    if not isinstance(route, dict):
        return
    yield path, route
    for index, child in enumerate(route.get("routes") or []):
        yield from _routes(child, (*path, "routes", index))


def _inline_secrets(data: Any, root: Path) -> Iterator[Path]:
    for path, _ in _scalars(data, root):
        key = path[-1]
        slack_url = key == "api_url" and path[-3:-2] == ("slack_configs",)
        if key in SECRET_KEYS or slack_url:
            yield path


def _shape_problems(base: SourceDocument) -> list[Problem]:
    """Lists that merging edits must hold mappings; say where one does not."""
    data = base.data
    listed: list[Path] = [("receivers",), ("time_intervals",), ("inhibit_rules",)]
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


def _scalars(node: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    """Every non-empty scalar of a document with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _scalars(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _scalars(item, (*path, index))
    elif node is not None and node != "":
        yield path, node


def _urls_with_credentials(data: Any, root: Path) -> Iterator[tuple[Path, str]]:
    for path, value in _scalars(data, root):
        key = str(path[-1])
        if key == "url" or key.endswith("_url"):
            why = credential_in_url(str(value))
            if why is not None:
                yield path, why
