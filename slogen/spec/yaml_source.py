"""Read YAML while remembering where every value came from.

PyYAML's composed node tree carries line and column marks that the plain loaders
throw away. We construct the data from that tree ourselves and keep a map from each
field path (``("slos", 0, "sli")``) to its position, so that an error found later
by pydantic or by the resolver can point at the line the user has to change. Duplicate
keys, which PyYAML silently resolves to the last one, are reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from slogen.errors import Location, Problem, SpecError
from slogen.spec.regular_files import MAX_FILE_BYTES, RefusedFile, read_regular
from slogen.yaml_loader import FastLoader

KeyPath = tuple[str | int, ...]
"""Where a value sits in a document: its keys and list indexes from the root
(``("slos", 0, "objective")``), not a file path."""


@dataclass(frozen=True)
class SourceDocument:
    """A parsed spec file: its data and the position of every field in it."""

    display: str
    relative: str
    data: Any
    positions: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
    text: str = ""
    """The file as written, kept only for one read ``verbatim`` (a file written back)."""
    digest: str = ""
    """A digest of the text parsed, naming the file's content for ``slogen.run_cache``;
    empty for a document that did not come from YAML text (Jsonnet's)."""

    def locate(self, path: KeyPath) -> Location:
        """The location of a field, or of its nearest ancestor the file has."""
        for end in range(len(path), -1, -1):
            position = self.positions.get(path[:end])
            if position is not None:
                return Location(self.display, position[0], position[1], format_path(path))
        return Location(self.display, field=format_path(path))


def format_path(path: KeyPath) -> str:
    """``("slos", 0, "sli")`` as ``slos[0].sli``, the way the user reads the file."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class PlainScalar(str):
    """An unquoted scalar kept as written, with the type YAML 1.1 gave it.

    PyYAML reads ``17:00`` as the integer 1020 and ``on`` as true (YAML 1.1), where
    Alertmanager's Go parser gives a string field the text as written. A config that
    slogen only passes through is read with these, and written back verbatim
    (``render`` emits them unquoted), so its meaning cannot change on the way.
    """

    tag: str

    def __new__(cls, text: str, tag: str) -> PlainScalar:
        scalar = super().__new__(cls, text)
        scalar.tag = tag
        return scalar

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return str(self), self.tag  # so that copies keep the tag


_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"


def read_yaml(path: str, display: str, relative: str, *, verbatim: bool = False) -> SourceDocument:
    """Load one YAML document with positions; raise SpecError on syntax problems.

    Only a regular file of at most :data:`MAX_FILE_BYTES` is read (a pipe or device
    would hang the run). ``verbatim`` keeps unquoted non-string scalars as
    :class:`PlainScalar`."""
    return parse_yaml(read_text(path, display), display, relative, verbatim=verbatim)


def read_text(path: str, display: str, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's text as UTF-8; SpecError naming the file (and, for a byte that
    is not UTF-8, its line and column) otherwise."""
    try:
        data = read_regular(path, limit)
    except RefusedFile as refused:
        raise SpecError([Problem(Location(display), refused.message, refused.hint)]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise SpecError([Problem(Location(display), f"cannot read file: {reason}")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SpecError([not_utf8(data, error, display)]) from None


def not_utf8(data: bytes, error: UnicodeDecodeError, display: str) -> Problem:
    """Where the first byte that is not UTF-8 is, as the user's editor counts it."""
    line_start = data.rfind(b"\n", 0, error.start) + 1
    line = data.count(b"\n", 0, error.start) + 1
    column = len(data[line_start : error.start].decode("utf-8", errors="replace")) + 1
    return Problem(
        Location(display, line, column),
        f"byte 0x{data[error.start]:02x} is not valid UTF-8",
        "save the file as UTF-8",
    )


MAX_NODES = 100_000
"""Values constructed per file at most: a guard against alias expansion bombs and
against files far larger than any spec."""
MAX_DEPTH = 100
"""Nesting of mappings and lists at most: a spec needs about ten levels; a deeper
document (``[[[[...]]]]``) would exhaust the stack of the code that walks it."""

_MERGE_TAG = "tag:yaml.org,2002:merge"


def parse_yaml(text: str, display: str, relative: str, *, verbatim: bool = False) -> SourceDocument:
    """Parse YAML text; the display name is what errors call the file."""
    loader = FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError([Problem(Location(display), "the file is empty")])
        builder = _LocatingReader(loader, display, verbatim)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as error:
        raise SpecError([_syntax_problem(error, text, display)]) from None
    except yaml.reader.ReaderError as error:
        raise SpecError([_reader_problem(error, text, display)]) from None
    except yaml.YAMLError as error:
        raise SpecError([Problem(Location(display), f"invalid YAML: {error}")]) from None
    except RecursionError:  # the pure-Python composer, without libyaml's depth limit
        raise SpecError([_too_deep(Location(display))]) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise SpecError(builder.problems)
    digest = hashlib.sha256(text.encode()).hexdigest()
    kept = text if verbatim else ""
    return SourceDocument(display, relative, data, builder.positions, kept, digest)


def _too_deep(location: Location) -> Problem:
    return Problem(
        location,
        f"values are nested more than {MAX_DEPTH} levels deep",
        "a spec needs a handful of levels; look for unclosed or repeated [ or {",
    )


def _reader_problem(error: yaml.reader.ReaderError, text: str, display: str) -> Problem:
    """A character YAML does not allow (a control character), at its line and column."""
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    code = error.character if isinstance(error.character, int) else ord(error.character)
    return Problem(
        Location(display, line, column),
        f"character U+{code:04X} is not allowed in YAML",
        "remove it, or write it as an escape (\\u....) inside a double-quoted string",
    )


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, display: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    message = " ".join(filter(None, [error.context, error.problem]))
    if mark is None:
        return Problem(Location(display), f"invalid YAML: {message}")
    hint = ""
    lines = text.splitlines()
    if mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        hint = "YAML does not allow tabs for indentation; use spaces"
    return Problem(
        Location(display, mark.line + 1, mark.column + 1), f"invalid YAML: {message}", hint
    )


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _LocatingReader:
    """Reads Python data out of a YAML node tree, recording where each value was
    written (for located errors) and every problem found on the way."""

    def __init__(self, loader: yaml.SafeLoader, display: str, verbatim: bool = False) -> None:
        self.loader = loader
        self.display = display
        self.verbatim = verbatim
        self.positions: dict[KeyPath, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.expanded = 0
        """Values built from a node already built: an alias's copies."""
        self.built: set[int] = set()
        self.active: set[int] = set()

    def _too_many(self, where: Location) -> Problem:
        """Over :data:`MAX_NODES`: say whether aliases or the file's own size did it."""
        if self.expanded:
            return Problem(
                where,
                f"aliases expand the document to more than {MAX_NODES} values "
                f"({self.expanded} of them copies made by aliases)",
                "aliases (*name) are expanded on every use; use fewer nested aliases",
            )
        return Problem(
            where,
            f"the file holds more than {MAX_NODES} values, the limit for one spec file",
            "split it into one file per service",
        )

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        mark = _mark(node)
        self.positions.setdefault(path, mark)
        self.count += 1
        if id(node) in self.built:
            self.expanded += 1
        self.built.add(id(node))
        if self.count > MAX_NODES:
            raise SpecError([self._too_many(self._where(mark, path))])
        if len(path) > MAX_DEPTH:
            raise SpecError([_too_deep(self._where(mark, path))])
        if id(node) in self.active:
            raise SpecError(
                [
                    Problem(
                        self._where(mark, path),
                        "an alias refers to a value that contains it",
                        "a spec cannot be recursive",
                    )
                ]
            )
        if isinstance(node, yaml.MappingNode):
            self.active.add(id(node))
            try:
                return self._mapping(node, path)
            finally:
                self.active.discard(id(node))
        if isinstance(node, yaml.SequenceNode):
            self.active.add(id(node))
            try:
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self.active.discard(id(node))
        plain = isinstance(node, yaml.ScalarNode) and not node.style  # None or "": unquoted
        if self.verbatim and plain and node.tag not in (_STR_TAG, _NULL_TAG):
            return PlainScalar(node.value, node.tag)
        return self.loader.construct_object(node, deep=True)

    def _where(self, mark: tuple[int, int], path: KeyPath) -> Location:
        """A problem's location, spelled only when there is a problem: a spec tree
        holds thousands of values and nearly all of them are fine."""
        return Location(self.display, *mark, format_path(path))

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[Any, Any]:
        explicit = {id(key) for key, _ in node.value if key.tag != _MERGE_TAG}
        self.loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        from_merge: set[Any] = set()
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            if key is None:
                continue
            child: KeyPath = (*path, key)
            if key in result and key not in from_merge:
                self.problems.append(
                    Problem(
                        Location(self.display, *_mark(key_node), format_path(child)),
                        f"duplicate key {key!r}",
                        "YAML keeps only the last one; remove or merge the others",
                    )
                )
            from_merge.discard(key)
            if id(key_node) not in explicit:
                from_merge.add(key)
            self.positions[child] = _mark(key_node)
            result[key] = self.build(value_node, child)
        return result

    def _key(self, key_node: yaml.Node, path: KeyPath) -> str | int | None:
        key = self.loader.construct_object(key_node, deep=True)
        if isinstance(key, bool) or not isinstance(key, str | int):
            raw = getattr(key_node, "value", "")
            hint = (
                f"YAML reads unquoted {raw} as {key!r}; quote it: '{raw}'"
                if isinstance(key, bool)
                else "keys must be plain words"
            )
            self.problems.append(
                Problem(
                    Location(self.display, *_mark(key_node), format_path(path)),
                    f"key {raw!r} is not a string",
                    hint,
                )
            )
            return None
        return key
