"""Markdown text built safely from user-written strings.

A spec's description may hold ``|``, ``*`` or a backtick; pasted into a table it would
split a cell or start emphasis. Everything a user wrote goes through :func:`text`
(or :func:`code`, :func:`fenced`, :func:`link`) before it reaches a page, the way
``slogen.promql`` treats label values. Output follows CommonMark and GitHub/GitLab
tables, and is a pure function of its input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")
"""Characters that start inline markup, a table cell, an HTML tag or an entity."""
_BLOCK_START = re.compile(r"^(\s*[-+=>]|\s*\d+[.)])")
"""What would turn the start of a line into a list item, heading underline or quote;
the escape goes before its last character (``\\-``, ``1\\.``)."""
_URL_SAFE = ":/?#[]@!$&'*+,;=%~-._"
"""Characters kept as they are in a link target; the rest (spaces, parentheses, ``|``,
``<``, ``>``, quotes, backslashes) are percent-encoded so the target cannot end early."""


def text(value: str) -> str:
    """User text as literal inline markdown, on one line (safe in a table cell too)."""
    flat = " ".join(value.split())
    escaped = _SPECIAL.sub(r"\\\1", flat)
    return _BLOCK_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped, count=1)


def code(value: str, *, in_table: bool = False) -> str:
    """Inline code that shows ``value`` as written, even with backticks in it.

    The fence is one backtick longer than the longest run inside. In a table, ``|``
    is escaped: GitHub and GitLab split cells before they parse code spans, and take
    ``\\|`` back to ``|`` there (outside a table it would show the backslash)."""
    flat = " ".join(value.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") else flat
    span = f"{fence}{padded}{fence}"
    return span.replace("|", "\\|") if in_table else span


def fenced(body: str, language: str = "") -> str:
    """A fenced code block whose fence no line of ``body`` can close."""
    longest = max((len(run) for run in re.findall(r"`{3,}", body)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{language}\n{body.rstrip()}\n{fence}"


def url(target: str) -> str:
    """A link target that ends where it should: unsafe characters percent-encoded."""
    return quote(target, safe=_URL_SAFE)


def link(label: str, target: str) -> str:
    """``[label](target)`` with the label escaped and the target encoded."""
    return f"[{text(label)}]({url(target)})"


def anchor(heading: str) -> str:
    """The fragment GitHub and GitLab give a heading made of names (letters, digits,
    ``-``, spaces and ``:``): lowercase, punctuation dropped, spaces as ``-``."""
    kept = re.sub(r"[^\w\- ]", "", heading.lower())
    return kept.replace(" ", "-")


def table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table of cells that are already markdown (escape user text before)."""
    if any(len(row) != len(headings) for row in rows):
        raise ValueError("every row needs one cell per heading")
    lines = ["| " + " | ".join(headings) + " |", "|" + " --- |" * len(headings)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)
