"""Indented, key-sorted JSON, written the way ``json.dumps(indent=2, sort_keys=True)``
writes it, at a fraction of the cost; optionally with short containers on one line.

With ``indent`` set, the standard library falls back from its C encoder to a Python
generator that yields every token; for a thousand SLOs' dashboards (23 MiB) that was
most of the time spent on Grafana. This writer appends strings to one list and still
escapes text with the C ``encode_basestring_ascii``. It takes what ``json.dumps``
takes: dicts (keys sorted, then written as strings), lists and tuples, strings,
numbers, booleans and None, subclasses included; any other object goes through
``default``, and without one is a ``TypeError``.
``tests/test_json_writer.py`` holds it to ``json.dumps``.

Dashboards are mostly small objects (grid positions, colours, threshold steps), and
two-space indentation spends more bytes on them than their content does. With
``width``, any list or object whose one-line form (``json.dumps``' ``", "`` and
``": "`` separators) fits on its line within ``width`` columns is written on that
line: a thousand SLOs' dashboards shrink by about a fifth, and a diff still shows one
panel field a line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from typing import Any

_SPECIAL_FLOATS = {float("inf"): "Infinity", float("-inf"): "-Infinity"}


def _refuse(node: Any) -> Any:
    raise TypeError(f"{type(node).__name__} is not JSON")


def dumps_indented(
    data: Any, *, default: Callable[[Any], Any] = _refuse, width: int | None = None
) -> str:
    """``json.dumps(data, indent=2, sort_keys=True, default=default)``, byte for byte;
    with ``width``, containers that fit within it are written on one line."""
    out: list[str] = []
    copies: list[Any] = []
    fits = _OneLine(default, width) if width is not None else None
    convert = fits.default if fits is not None else default

    def write(node: Any, newline: str) -> None:
        """Append ``node``; ``newline`` is a line break and its line's indentation."""
        kind = type(node)
        if kind is str:
            out.append(encode_basestring_ascii(node))
            return
        if fits is not None and (kind is dict or kind is list or kind is tuple):
            line = fits(node, len(newline) - 1, out[-1] if out else "")
            if line is not None:
                out.append(line)
                return
        if kind is dict:
            if not node:
                out.append("{}")
                return
            inner = newline + "  "
            opening = "{" + inner
            for key, value in sorted(node.items()):
                text = key if type(key) is str else _key(key)
                head = opening + encode_basestring_ascii(text) + ": "
                if type(value) is str:  # the commonest value, written without a call
                    out.append(head + encode_basestring_ascii(value))
                else:
                    out.append(head)
                    write(value, inner)
                opening = "," + inner
            out.append(newline + "}")
        elif kind is list or kind is tuple:
            if not node:
                out.append("[]")
                return
            inner = newline + "  "
            opening = "[" + inner
            for item in node:
                if type(item) is str:
                    out.append(opening + encode_basestring_ascii(item))
                else:
                    out.append(opening)
                    write(item, inner)
                opening = "," + inner
            out.append(newline + "]")
        elif node is None:
            out.append("null")
        elif kind is bool:
            out.append("true" if node else "false")
        elif isinstance(node, str):  # a subclass, written by value as json.dumps does
            out.append(encode_basestring_ascii(node))
        elif isinstance(node, int):  # an int or a subclass such as IntEnum
            out.append(int.__repr__(node))
        elif isinstance(node, float):
            out.append(_float(node))
        elif isinstance(node, (dict, list, tuple)):  # a subclass, written as a plain copy
            copy = dict(node) if isinstance(node, dict) else list(node)
            copies.append(copy)  # alive while written: ``fits`` knows containers by id
            write(copy, newline)
        else:
            write(convert(node), newline)

    write(data, "\n")
    return "".join(out)


class _OneLine:
    """A container's one-line form, when it fits.

    The form is ``json.dumps``' own, from its C encoder (made once). Encoding a
    container only to find it too long was most of the cost: a dashboard's panel, its
    ``fieldConfig`` and its ``defaults`` each held the same kilobyte, encoded at every
    level (27 MB encoded in vain for 16 MB of a thousand SLOs' dashboards). So a
    container is measured before it is encoded: its brackets, separators, keys and
    strings, and the one-line forms of the containers it holds, each found (and kept)
    the same way. A container is encoded only once all that fits, so at most its own
    width is encoded in vain, and each form is found once however deep it is nested.

    Objects go through ``default`` once each however often they are tried, so
    ``default`` must give the same answer for the same object, as a converter does."""

    def __init__(self, default: Callable[[Any], Any], width: int) -> None:
        self.width = width
        self._outer_default = default
        self._converted: dict[int, tuple[Any, Any]] = {}
        self._encode = _one_line_encoder(self.default)
        self._lines: dict[int, str] = {}
        """Containers encoded so far, by ``id``. Every container tried is alive until
        the writing is done: held by the document, by ``_converted``, or (a subclass'
        plain copy) by the writer."""
        self._longer: dict[int, int] = {}
        """Containers found too long, with a length their one-line form exceeds."""

    def default(self, obj: Any) -> Any:
        """``default(obj)``, computed once per object. The object is kept alive with its
        answer, so its ``id`` names it alone until the writing is done: one made on the
        fly (a mapping's ``items()`` may make its values) would otherwise be freed and
        its ``id`` given to the next one."""
        key = id(obj)
        found = self._converted.get(key)
        if found is None:
            found = self._converted[key] = (obj, self._outer_default(obj))
        return found[1]

    def __call__(self, node: Any, indent: int, before: str) -> str | None:
        """``node`` on one line after ``before`` (its key, on a line indented by
        ``indent``), leaving room for a trailing comma; None when it does not fit."""
        lead = len(before) - before.rfind("\n") - 1 if "\n" in before else indent
        return self._line(node, self.width - lead - 1)

    def _line(self, node: Any, budget: int) -> str | None:
        """The one-line form of a dict, list or tuple if at most ``budget`` long."""
        key = id(node)
        line = self._lines.get(key)
        if line is not None:
            return line if len(line) <= budget else None
        if self._longer.get(key, -1) >= budget:
            return None
        if self._fits(node, budget):
            line = self._lines[key] = self._encode(node)
            if len(line) <= budget:
                return line
        self._longer[key] = budget
        return None

    def _fits(self, node: Any, budget: int) -> bool:
        """Whether ``node`` may fit in ``budget``: False when what it surely holds (its
        brackets and separators, keys, strings and the one-line forms of its
        containers) is already longer."""
        size = 2 * len(node)  # the brackets, and ", " between items
        if size > budget:
            return False
        if type(node) is dict:
            # in json.dumps' order, which is the order ``default`` is asked in
            for key, value in sorted(node.items()):
                # "key": _ (a str subclass is written by its value, even an empty one)
                size += str.__len__(key) + 4 if isinstance(key, str) else 5
                size += self._least(value, budget - size)
                if size > budget:
                    return False
            return True
        for value in node:
            size += self._least(value, budget - size)
            if size > budget:
                return False
        return True

    def _least(self, value: Any, room: int) -> int:
        """How long ``value`` is at least in one line; more than ``room`` will not fit."""
        kind = type(value)
        if kind is str:
            return len(value) + 2
        if kind is dict or kind is list or kind is tuple:
            if not value:
                return 2
            line = self._line(value, room)
            return len(line) if line is not None else room + 1
        if value is None or kind is bool or kind is int or kind is float:
            return 1
        if isinstance(value, (dict, list, tuple)):  # a subclass: at least its brackets
            return 2
        if isinstance(value, (str, int, float)):  # a subclass, written by value
            return 1
        return self._least(self.default(value), room)  # as json.dumps would convert it


def _one_line_encoder(default: Callable[[Any], Any]) -> Callable[[Any], str]:
    """``json.dumps(node, sort_keys=True, default=default)``'s text, from the C encoder
    made once: ``JSONEncoder.encode`` makes a new one on every call, which cost as much
    as the encoding of a dashboard's small objects."""
    make: Callable[..., Any] | None = getattr(json.encoder, "c_make_encoder", None)
    if make is not None:  # None in a Python built without the _json accelerator
        try:
            # (markers, default, encoder, indent, key and item separators, sort_keys,
            # skipkeys, allow_nan), as JSONEncoder.iterencode passes them
            chunks = make(
                None, default, encode_basestring_ascii, None, ": ", ", ", True, False, True
            )
        except TypeError:  # an accelerator that takes other arguments
            pass
        else:
            return lambda node: "".join(chunks(node, 0))
    return json.JSONEncoder(sort_keys=True, default=default, check_circular=False).encode


def _float(number: float) -> str:
    special = "NaN" if number != number else _SPECIAL_FLOATS.get(number)
    return special or float.__repr__(number)


def _key(key: Any) -> str:
    """A key that is not a string, as ``json.dumps`` writes it."""
    if isinstance(key, str):
        return str.__str__(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return _float(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
