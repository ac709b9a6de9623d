"""Alertmanager matcher text (``team="payments"``), quoted so no value can break out.

Alertmanager parses a matcher's quoted value with Go-style escapes for backslash,
double quote and newline; a regex value is also a Go RE2 expression, so literal
values inside it are regex-escaped first. Label values from specs (a custom severity
label, say) go through here and are never pasted.

They are the model's because both sides of the model read them: resolving finds the
route a user's base config marks for slogen, and the Alertmanager generator writes
routes and inhibitions with them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def quote(value: str) -> str:
    """A value as Alertmanager's matcher parser reads it back unchanged."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def equal(label: str, value: str) -> str:
    return f"{label}={quote(value)}"


def any_of(label: str, values: Iterable[str]) -> str:
    """``label="v"`` for one value, ``label=~"v1|v2"`` for several (sorted, escaped)."""
    unique = sorted(set(values))
    if len(unique) == 1:
        return equal(label, unique[0])
    return f"{label}=~{quote('|'.join(re.escape(v) for v in unique))}"


def present(label: str) -> str:
    """Matches alerts that carry ``label`` with any non-empty value."""
    return f'{label}=~".+"'


def normalise(matcher: str) -> str:
    """A matcher without the spaces Alertmanager allows around its operator."""
    found = re.fullmatch(r"\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|!~|!=|=)\s*(.*?)\s*", matcher)
    if not found:
        return matcher.strip()
    name, operator, value = found.groups()
    if not (value.startswith('"') and value.endswith('"') and len(value) >= 2):
        value = quote(value)
    return f"{name}{operator}{value}"
