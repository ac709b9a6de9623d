"""Check a user's own Alertmanager config before slogen's parts are merged into it.

Refusing a base config is resolving's work, not the generator's: the reasons name
lines of the user's file, and the model keeps only what merging needs (the data and
where the marked route is), so rendering it cannot fail. The base must be a config
of the shape merging edits, with exactly one route marked for slogen, and hold no
secret inline, because merging copies everything it holds into the output.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from ruamel.yaml.error import YAMLError

from slogen import naming, yaml_roundtrip
from slogen.errors import Location, Problem, SpecError
from slogen.model_matchers import normalise
from slogen.model_routing import PARENT_MATCHER, AlertmanagerBase, written_by_slogen
from slogen.secrets import (
    ALERTMANAGER_VERSION,
    alertmanager_secret_key,
    chat_webhook,
    looks_like_token,
    url_secret_reason,
)
from slogen.spec.yaml_source import KeyPath, SourceDocument, format_path


def checked_base(base: SourceDocument) -> AlertmanagerBase:
    """``base`` as the model holds it; SpecError with every reason it cannot take
    slogen's parts (see :func:`base_problems`)."""
    problems = base_problems(base)
    if problems:
        raise SpecError(problems)
    return alertmanager_base(base)


def alertmanager_base(base: SourceDocument) -> AlertmanagerBase:
    """``base`` as the model holds it; it must have passed :func:`base_problems`."""
    parent = next(
        path for path, route in _routes(base.data["route"], ("route",)) if is_parent(route)
    )
    return AlertmanagerBase(base.relative, MappingProxyType(base.data), parent, base.text)


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
    problems = _shape_problems(base) or _round_trip_problems(base)
    if problems:
        return problems
    problems.extend(secret_problems(base))
    parents = [path for path, route in _routes(data["route"], ("route",)) if is_parent(route)]
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


def _round_trip_problems(base: SourceDocument) -> list[Problem]:
    """Merging writes the file back with ruamel.yaml (``slogen.yaml_roundtrip``); where
    it cannot read what PyYAML read, say where rather than fail while merging."""
    if not base.text:
        return []
    try:
        yaml_roundtrip.load(base.text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        reason = " ".join(str(error).split())
        return [
            Problem(
                Location(base.display, line, column),
                f"cannot be kept as written when merging: {reason}",
            )
        ]
    return []


def is_parent(route: Mapping[str, Any]) -> bool:
    """The route marked for slogen's alerts: it matches ``slo_service=~".+"``."""
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
    return isinstance(item, dict) and written_by_slogen(item.get("name"))


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
