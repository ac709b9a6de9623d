"""Block-style YAML for slogen's own output, written without PyYAML's representer.

PyYAML builds a node for every value and asks its resolver about every scalar in
Python, even with the C emitter; for a thousand SLOs that was over a third of the
compile time, almost all of it spent on proof files whose values are short ASCII
strings. This writer covers exactly the shapes slogen emits (dicts with string keys,
lists, strings, ints, bools, None) and writes the same bytes PyYAML writes with
``sort_keys``, block style, ``indent=2`` and an unlimited width. A scalar it cannot
place on its own (non-ASCII or multi-line text, a float) is written by PyYAML alone
and re-indented, and any other shape raises :class:`Unsupported` so the caller can
hand the whole document to PyYAML. ``tests/test_yaml_writer.py`` holds the two
writers to the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from yaml.resolver import Resolver

_LEADING_INDICATORS = frozenset(" #,[]{}&*!|>'\"%@`")
_IMPLICIT = Resolver.yaml_implicit_resolvers
_WILDCARD = _IMPLICIT.get(None, [])
_UNICODE_BREAKS = re.compile("[\x85\u2028\u2029]")  # breaks to YAML, not to str.split
_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")  # libyaml's, in a key
_SIMPLE_KEY_LIMIT = 100  # PyYAML writes keys of 128 characters or more as "? key"
_LONGEST = 100_000  # well inside the width of 1,000,000 where PyYAML would fold


class Unsupported(Exception):
    """The data has a shape this writer does not reproduce; use PyYAML for it."""


def write_yaml(data: Any, scalar_fallback: Callable[[Any], str]) -> str:
    """The YAML text of the mapping ``data``.

    ``scalar_fallback(value)`` must return PyYAML's dump of ``[value]``; it is called
    once per distinct scalar this writer cannot spell itself.
    """
    if type(data) is not dict or not data:
        raise Unsupported("only a non-empty mapping at the top")
    writer = _Writer(scalar_fallback)
    writer.mapping(data, 0, first_prefix="")
    return "".join(writer.out)


class _Writer:
    """One document's output and the scalars spelled so far."""

    def __init__(self, scalar_fallback: Callable[[Any], str]) -> None:
        self.out: list[str] = []
        self.fallback = scalar_fallback
        self.spelled: dict[tuple[type, str], str] = {}
        self.keys: dict[Any, str] = {}  # a document repeats few keys many times
        self.strings: dict[str, str] = {}  # and many values

    def mapping(self, data: dict[Any, Any], indent: int, first_prefix: str) -> None:
        """Keys at ``indent``; the first line starts with ``first_prefix`` ("- " in a
        list) instead of the indentation."""
        pad = " " * indent
        prefix = first_prefix
        try:
            items = sorted(data.items())
        except TypeError as error:
            raise Unsupported("keys that do not sort") from error
        for key, value in items:
            spelled = self.keys.get(key) if type(key) is str else None
            if spelled is None:
                spelled = self.keys[key] = self.key(key)
            text = self.one_line(value)
            if text is not None:
                self.out.append(f"{prefix}{spelled}: {text}\n")
            else:
                self.out.append(prefix + spelled + ":")
                self.value(value, indent, in_mapping=True)
            prefix = pad

    def sequence(self, data: list[Any], indent: int, first_prefix: str) -> None:
        pad = " " * indent
        prefix = first_prefix
        for item in data:
            text = self.one_line(item)
            if text is not None:
                self.out.append(f"{prefix}- {text}\n")
            else:
                self.out.append(prefix + "-")
                self.value(item, indent, in_mapping=False)
            prefix = pad

    def one_line(self, value: Any) -> str | None:
        """The spelling of a one-line ASCII string, the common case, without going
        through :meth:`value`; None for anything else."""
        if type(value) is not str:
            return None
        if len(value) > _LONGEST:
            raise Unsupported("a string long enough to be folded")
        spelled = self.strings.get(value)
        if spelled is None:
            spelled = _ascii_string(value)
            if spelled is not None:
                self.strings[value] = spelled
        return spelled

    def value(self, value: Any, indent: int, in_mapping: bool) -> None:
        """``value`` after a key's ":" or an item's "-" of a collection at ``indent``."""
        kind = type(value)
        if kind is dict and value:
            if in_mapping:
                self.out.append("\n")
                self.mapping(value, indent + 2, " " * (indent + 2))
            else:
                self.out.append(" ")
                self.mapping(value, indent + 2, "")
        elif kind is list and value:
            if in_mapping:  # PyYAML does not indent a list under a key
                self.out.append("\n")
                self.sequence(value, indent, " " * indent)
            else:
                self.out.append(" ")
                self.sequence(value, indent + 2, "")
        else:
            self.out.append(" " + self.scalar(value, indent + 2) + "\n")

    def key(self, key: Any) -> str:
        """A simple key: one line, short and not empty, spelled as a value would be."""
        if type(key) is not str or not key or len(key) >= _SIMPLE_KEY_LIMIT:
            raise Unsupported(f"key {key!r}")
        spelled = _ascii_string(key)
        if spelled is None:
            # libyaml measures a key in UTF-8 bytes and takes any YAML break as a
            # second line, so such keys are written as "? key" there.
            if len(key.encode()) >= _SIMPLE_KEY_LIMIT or _BREAKS.search(key):
                raise Unsupported(f"key {key!r}")
            spelled = self.pyyaml(key)
        return spelled

    def scalar(self, value: Any, content_indent: int) -> str:
        kind = type(value)
        if kind is str:
            spelled = self.one_line(value)
            if spelled is not None:
                return spelled
        elif kind is bool:
            return "true" if value else "false"
        elif kind is int:
            return str(value)
        elif value is None:
            return "null"
        elif kind is dict:
            return "{}"
        elif kind is list:
            return "[]"
        elif kind is not float:
            raise Unsupported(f"a value of type {kind.__name__}")
        spelled = self.pyyaml(value)
        if "\n" not in spelled:
            return spelled
        # A literal block: PyYAML put its lines at 2 under a top-level "- "; here they
        # go at content_indent. Empty lines carry no indentation in either.
        head, *lines = spelled.split("\n")
        if head.startswith("|") and "+" in head:
            # It keeps its trailing breaks, so PyYAML ends the document with "...".
            raise Unsupported("a literal block that keeps its trailing line breaks")
        pad = " " * (content_indent - 2)
        return "\n".join([head, *(pad + line if line else line for line in lines)])

    def pyyaml(self, value: str | float) -> str:
        """PyYAML's spelling of a scalar as a top-level list item, once per value."""
        known = (type(value), repr(value))  # 0.0 == -0.0, but they are spelled apart
        spelled = self.spelled.get(known)
        if spelled is None:
            spelled = self.fallback(value).removeprefix("- ").removesuffix("\n")
            if _UNICODE_BREAKS.search(spelled):
                raise Unsupported("a line break other than \\n")
            self.spelled[known] = spelled
        return spelled


def _ascii_string(text: str) -> str | None:
    """The spelling of a one-line printable-ASCII string, plain where PyYAML would
    write it plain, else single-quoted; None for any other string."""
    if not (text and text.isascii() and text.isprintable()):
        return None
    if _plain_allowed(text) and (text[0] not in _IMPLICIT or _reads_as_string(text)):
        return text
    return "'" + text.replace("'", "''") + "'"


def _plain_allowed(text: str) -> bool:
    """Whether PyYAML's analysis lets printable ASCII be a plain scalar in block
    context: no leading indicator, no "-", "?" or ":" before a space at the start, no
    document marker, no ": " or " #" inside, no trailing ":" or space."""
    first = text[0]
    if first in _LEADING_INDICATORS or text.startswith(("---", "...")):
        return False
    if first in "-?:" and text[1:2] in ("", " "):
        return False
    return ": " not in text and " #" not in text and text[-1] not in ": "


def _reads_as_string(text: str) -> bool:
    """Whether a plain ``text`` would load as a string, not a number, bool or null."""
    patterns = _IMPLICIT.get(text[0], []) + _WILDCARD
    return not any(pattern.match(text) for _tag, pattern in patterns)
