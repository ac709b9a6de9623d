"""Keep the comments after a list where they were when slogen's items are appended
to it or taken out of it.

ruamel.yaml hangs the comment lines after a value on the last scalar before them (or
on the ``end`` of the lists around it). After the last item of a list, those lines
are often not about that item at all: a blank line and a comment on the next key
(``# inhibitions`` above ``inhibit_rules:``). Appending slogen's items would leave
them above slogen's items, and taking slogen's items out would take them along. So
before a list changes, its *tail* (those lines) is taken off; afterwards the lines
that belong to the item before them (comments indented deeper than the key that owns
the list, up to the first blank line) go back on that item and the rest on the new
last one. Doing this each time is what makes merging a merged config change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken


@dataclass(frozen=True)
class Tail:
    """The comment text after a value: what stands on the value's own line after it
    (``# to``, or nothing) at ``column``, then whole lines as written."""

    same_line: str = ""
    column: int = 0
    lines: tuple[str, ...] = ()

    def __add__(self, other: Tail) -> Tail:
        if not self.same_line and not self.lines:
            return other
        return Tail(self.same_line, self.column, (*self.lines, *_all_lines(other)))


def _all_lines(tail: Tail) -> tuple[str, ...]:
    first = (" " * tail.column + tail.same_line,) if tail.same_line else ()
    return (*first, *tail.lines)


def take(node: Any) -> Tail:
    """Take the comments after ``node``'s last value off it (see the module)."""
    chain = _last_chain(node)
    tail = Tail()
    seen: set[tuple[str, int, object]] = set()
    for container, last in reversed(chain):
        slot = container.ca.items.get(last)
        index = 2 if isinstance(container, CommentedMap) else 0
        if slot is not None and slot[index] is not None and _after(container, last, slot[index]):
            token = slot[index]
            slot[index] = None
            if _key(token) not in seen:  # ruamel may hang one comment twice
                seen.add(_key(token))
                tail = tail + _from_value(token)
        if container.fa.flow_style() and container.ca.comment and container.ca.comment[0]:
            token = container.ca.comment[0]
            container.ca.comment[0] = None
            if _key(token) not in seen:  # ruamel may hang one comment twice
                seen.add(_key(token))
                tail = tail + _from_value(token)
        for token in container.ca.end or []:
            tail = tail + Tail(lines=tuple(_end_lines(token)))
        container.ca.end = []
    return tail


def _key(token: CommentToken) -> tuple[str, int, object]:
    return token.value, token.column, getattr(token.start_mark, "line", None)


def _after(container: Any, last: Any, token: CommentToken) -> bool:
    """False for a comment that stands before the value it hangs on: one ruamel copies
    onto every alias (``*name``) of an anchored value, written only at the anchor."""
    line = getattr(token.start_mark, "line", None)
    try:
        where = container.lc.key(last) if isinstance(container, CommentedMap) else None
        where = where or container.lc.item(last)
    except (KeyError, TypeError, AttributeError):
        return True
    return line is None or line >= where[0]


def _from_value(token: CommentToken) -> Tail:
    same_line, *lines = token.value.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return Tail(same_line, token.column, tuple(lines))


def _end_lines(token: CommentToken) -> list[str]:
    """A whole-line comment token's lines: its first at its column, then blank ones."""
    first, *rest = token.value.split("\n")
    if rest and rest[-1] == "":
        rest.pop()
    return [" " * token.column + first if first.strip() else "", *rest]


def take_before(items: CommentedSeq, index: int) -> Tail:
    """Take the comment lines standing before ``items[index]`` off it (ruamel keeps
    some comments after an item as the next item's)."""
    slot = items.ca.items.get(index)
    if slot is None or len(slot) < 2 or not slot[1]:
        return Tail()
    tokens, slot[1] = slot[1], None
    return Tail(lines=tuple(line for token in tokens for line in _end_lines(token)))


def split(tail: Tail, owner_column: int) -> tuple[Tail, Tail]:
    """The lines that belong to the value they follow (its own line's comment and the
    comments right under it, indented past ``owner_column``), and the rest."""
    kept = 0
    for line in tail.lines:
        stripped = line.lstrip()
        if not stripped.startswith("#") or len(line) - len(stripped) <= owner_column:
            break
        kept += 1
    return (
        Tail(tail.same_line, tail.column, tail.lines[:kept]),
        Tail(lines=tail.lines[kept:]),
    )


def put(node: Any, tail: Tail) -> None:
    """Hang ``tail`` after ``node``'s last value (replacing what hangs there)."""
    if not tail.same_line and not tail.lines:
        return
    chain = _last_chain(node, into_flow=False)
    if chain:
        _set(*chain[-1], tail)


def _last_chain(node: Any, into_flow: bool = True) -> list[tuple[Any, Any]]:
    """(container, its last key or index) from ``node`` down to the last scalar, or
    only down to the last flow-style value (``[...]``, ``{...}``) unless ``into_flow``:
    a comment hung inside one would be written inside its brackets."""
    chain: list[tuple[Any, Any]] = []
    while isinstance(node, CommentedMap | CommentedSeq) and len(node):
        if chain and not into_flow and node.fa.flow_style():
            break
        last = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        chain.append((node, last))
        node = node[last]
    return chain


def take_on_key(mapping: CommentedMap, key: Any) -> Tail:
    """Take the comment after ``mapping[key]``'s value, as hung on the key, off it."""
    slot = mapping.ca.items.get(key)
    if slot is None or slot[2] is None:
        return Tail()
    token, slot[2] = slot[2], None
    return _from_value(token)


def put_on_key(mapping: CommentedMap, key: Any, tail: Tail) -> None:
    """Hang ``tail`` after the scalar value of ``mapping[key]`` (added to what hangs
    there)."""
    slot = mapping.ca.items.setdefault(key, [None, None, None, None])
    before = _from_value(slot[2]) if slot[2] is not None else Tail()
    _set(mapping, key, before + tail)


def _set(container: Any, last: Any, tail: Tail) -> None:
    slot = container.ca.items.setdefault(last, [None, None, None, None])
    index = 2 if isinstance(container, CommentedMap) else 0
    if not tail.same_line and not tail.lines:
        slot[index] = None
        return
    text = "\n".join((tail.same_line, *tail.lines)) + "\n"
    slot[index] = CommentToken(text, CommentMark(tail.column), None)
