"""Where each line of a merged Alertmanager config came from, so that amtool's
verdict on the merged text names lines of the user's base file.

amtool checks the merged config, and names its lines (``line 40: field ... not
found``) or only a value (``undefined receiver "ops" used in route``). The merged
text and its base are read side by side: everything outside slogen's part is the
base's (merging only takes slogen's items out of four lists and appends new ones),
so the two documents are matched key by key, and item by item once slogen's items
are set aside. A line then maps to the base line of the nearest key or item at or
above it, or to slogen's part.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slogen import yaml_roundtrip
from slogen.alertmanager.merge import OUR_LISTS, our_route
from slogen.resolve_alertmanager_base import is_parent
from slogen.tools import ToolResult

UNPLACED = "unplaced"
"""Said of a merged line or value that cannot be placed (nothing above it to go by)."""

Origin = int | str | None
"""A base line (1-based), None for slogen's part, or :data:`UNPLACED`."""


@dataclass(frozen=True)
class Origins:
    """For lines of a merged config (0-based, sorted), the base line each comes from
    (0-based), or None for slogen's part; and each scalar value with its line."""

    merged_lines: tuple[int, ...]
    base_lines: tuple[int | None, ...]
    values: tuple[tuple[int, str], ...]

    def of_line(self, line: int) -> Origin:
        """The base line (1-based) merged ``line`` (1-based) came from; None for
        slogen's part; :data:`UNPLACED` where nothing is known (before the first key)."""
        index = bisect.bisect_right(self.merged_lines, line - 1) - 1
        if index < 0:
            return UNPLACED
        found = self.base_lines[index]
        return None if found is None else found + 1

    def of_value(self, value: str) -> Origin:
        """Where the first scalar equal to ``value`` came from (as :meth:`of_line`)."""
        for line, text in self.values:
            if text == value:
                return self.of_line(line + 1)
        return UNPLACED


def origins(base_text: str, merged_text: str) -> Origins:
    """The origins of ``merged_text``'s lines, merged from ``base_text``."""
    found = _Found()
    _match(yaml_roundtrip.load(base_text), yaml_roundtrip.load(merged_text), None, found, top=True)
    pairs = sorted(found.pairs, key=lambda pair: pair[0])
    return Origins(
        tuple(line for line, _ in pairs), tuple(base for _, base in pairs), tuple(found.values)
    )


def _match(
    base: Any,
    merged: Any,
    ours: Callable[[Any], bool] | None,
    found: _Found,
    top: bool = False,
) -> None:
    """Pair the keys and items of ``merged`` with ``base``'s (``base`` None: none of
    it is the base's); ``ours`` tells slogen's items in a list slogen adds to."""
    if isinstance(merged, CommentedMap):
        for key, value in merged.items():
            known = isinstance(base, CommentedMap) and key in base
            found.pairs.append((merged.lc.key(key)[0], base.lc.key(key)[0] if known else None))
            if not isinstance(value, CommentedMap | CommentedSeq):
                found.values.append((merged.lc.value(key)[0], str(value)))
            inner = _ours_in(merged, key, top)
            _match(base[key] if known else None, value, inner, found)
    elif isinstance(merged, CommentedSeq):
        theirs = _kept(base, ours) if isinstance(base, CommentedSeq) else iter(())
        for index, item in enumerate(merged):
            line = merged.lc.item(index)[0]
            source = None if ours is not None and ours(item) else next(theirs, None)
            found.pairs.append((line, source[0] if source else None))
            if not isinstance(item, CommentedMap | CommentedSeq):
                found.values.append((line, str(item)))
            _match(source[1] if source else None, item, None, found)


@dataclass
class _Found:
    pairs: list[tuple[int, int | None]] = field(default_factory=list)
    values: list[tuple[int, str]] = field(default_factory=list)


def _kept(base: CommentedSeq, ours: Callable[[Any], bool] | None) -> Iterator[tuple[int, Any]]:
    """(line, item) of ``base``'s items that merging keeps, in order."""
    for index, item in enumerate(base):
        if ours is None or not ours(item):
            yield base.lc.item(index)[0], item


def _ours_in(mapping: CommentedMap, key: Any, top: bool) -> Callable[[Any], bool] | None:
    """What marks slogen's items in ``mapping[key]``, if it is a list slogen adds to."""
    if key == "routes" and is_parent(mapping):
        return our_route
    return dict(OUR_LISTS).get(key) if top else None


_LINE = re.compile(r"\bline (\d+)\b")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def located(result: ToolResult, where: Origins, base: str) -> tuple[ToolResult, bool | None]:
    """``amtool check-config``'s ``result`` with merged lines named as lines of
    ``base``; and whether what it rejects is all in the base (True), in slogen's part
    (False), or could not be placed (None)."""
    found: list[Origin] = []

    def line(match: re.Match[str]) -> str:
        origin = where.of_line(int(match.group(1)))
        found.append(origin)
        return _said(origin, match.group(0), base)

    lines = []
    for text in result.output.splitlines():
        if _LINE.search(text):
            lines.append(_LINE.sub(line, text))
            continue
        quoted = _QUOTED.findall(text) if "FAILED" in text else []
        origin = next((o for o in map(where.of_value, quoted) if o != UNPLACED), UNPLACED)
        if quoted and origin != UNPLACED:
            found.append(origin)
            text += f" ({_said(origin, 'there', base)})"
        lines.append(text)
    output = "\n".join(lines) + ("\n" if result.output.endswith("\n") else "")
    verdict = None if not found or UNPLACED in found else None not in found
    return replace(result, output=output), verdict


def _said(origin: Origin, merged: str, base: str) -> str:
    if origin is None:
        return f"{merged} of the merged config, in slogen's part"
    if origin == UNPLACED:
        return f"{merged} of the merged config"
    return f"{base}:{origin}"
