"""Label sets for synthetic series that a spec's selectors do (or do not) select.

A generated test needs, say, an errors series that both the errors and the total
selector match, and a good series that only the total selector matches. Values come
from the matchers themselves (equality values, literal alternatives of a regex) or
from a short list of values that real metrics use; when none fits, the SLI is
reported as not synthesisable rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from slogen.promql import Matcher, Selector

_COMMON_VALUES = (
    "500", "503", "200", "404", "5xx", "2xx", "error", "errors", "failed", "failure",
    "fail", "false", "true", "ok", "success", "succeeded", "1", "0", "yes", "no",
    "timeout", "slow", "fast", "synthetic", "x",
)  # fmt: skip


class NotSynthesisable(Exception):
    """No label set satisfies the selectors as asked; the message says which."""


def _matches(matcher: Matcher, value: str) -> bool:
    if matcher.op == "=":
        return value == matcher.value
    if matcher.op == "!=":
        return value != matcher.value
    try:
        found = re.fullmatch(matcher.value, value) is not None
    except re.error:
        return False
    return found if matcher.op == "=~" else not found


def _examples(pattern: str) -> list[str]:
    """Strings a simple regex probably matches: each alternative with wildcards and
    classes filled in (``eu-.*`` gives ``eu-``, ``eu-x``). Callers test the result."""
    fills = [
        (r"\.\*|\.\+|\.\?", ("x", "")),
        (r"\\d[*+?]?|\[0-9\][*+?]?", ("0",)),
        (r"\\w[*+?]?|\[a-z\][*+?]?", ("x",)),
        (r"\.", ("x",)),
    ]
    out = []
    for alternative in pattern.split("|"):
        for choice in range(2):
            text = alternative.strip("()^$")
            for regex, values in fills:
                text = re.sub(regex, values[min(choice, len(values) - 1)], text)
            text = text.replace("\\", "")
            if re.fullmatch(r"[\w:/.-]*", text):
                out.append(text)
    return out


def _candidates(matchers: Iterable[Matcher]) -> list[str]:
    """Equality values first, then common values, then examples of regexes."""
    exact: list[str] = []
    examples: list[str] = []
    for matcher in matchers:
        if matcher.op == "=":
            exact.append(matcher.value)
        elif matcher.op == "=~":
            examples.extend(_examples(matcher.value))
    return list(dict.fromkeys([*exact, *_COMMON_VALUES, *examples, ""]))


def _pick(label: str, want: Sequence[Matcher], avoid: Sequence[Matcher] = ()) -> str | None:
    """A value satisfying every matcher in ``want`` and failing every one in ``avoid``."""
    for value in _candidates([*want, *avoid]):
        if all(_matches(m, value) for m in want) and not any(_matches(m, value) for m in avoid):
            return value
    return None


def selects(selector: Selector, metric: str, labels: dict[str, str]) -> bool:
    """Whether the selector selects a series with this name and labels."""
    return selector.metric == metric and all(
        _matches(m, labels.get(m.name, "")) for m in selector.matchers
    )


def label_set(
    metric: str, selected_by: Sequence[Selector], not_by: Sequence[Selector] = ()
) -> dict[str, str]:
    """Labels for a series of ``metric`` that every selector in ``selected_by`` selects and
    none in ``not_by`` does; raise NotSynthesisable when no such set is found."""
    wanted = [m for s in selected_by if s.metric == metric for m in s.matchers]
    labels: dict[str, str] = {}
    for name in sorted({m.name for m in wanted}):
        value = _pick(name, [m for m in wanted if m.name == name])
        if value is None:
            raise NotSynthesisable(f"no value of {name!r} satisfies {_describe(wanted, name)}")
        if value:
            labels[name] = value
    for selector in not_by:
        if not selects(selector, metric, labels):
            continue
        for matcher in selector.matchers:
            value = _pick(matcher.name, [m for m in wanted if m.name == matcher.name], [matcher])
            if value is not None:
                if value:
                    labels[matcher.name] = value
                else:
                    labels.pop(matcher.name, None)
                break
        else:
            raise NotSynthesisable(
                f"every series that {_render(selected_by)} selects is also selected by "
                f"{selector.render()}"
            )
    if any(not selects(s, metric, labels) for s in selected_by if s.metric == metric):
        raise NotSynthesisable(f"no label set of {metric} satisfies {_render(selected_by)}")
    return labels


def _describe(matchers: Sequence[Matcher], name: str) -> str:
    return ", ".join(m.render() for m in matchers if m.name == name)


def _render(selectors: Sequence[Selector]) -> str:
    return " and ".join(s.render() for s in selectors)
