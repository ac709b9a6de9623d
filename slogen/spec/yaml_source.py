"""Read YAML while remembering where every value came from.

PyYAML's composed node tree carries line and column marks that the plain loaders
throw away. We construct the data from that tree ourselves and keep a map from each
field path (``("slos", 0, "sli")``) to its position, so that an error found later
by pydantic or by the resolver can point at the line the user has to change. Duplicate
keys, which PyYAML silently resolves to the last one, are reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from slogen.errors import Location, Problem, SpecError

if TYPE_CHECKING:
    _Loader = yaml.SafeLoader
else:  # the C loader when PyYAML was built with libyaml: same result, much faster
    _Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceDocument:
    """A parsed spec file: its data and the position of every field in it."""

    display: str
    relative: str
    data: Any
    positions: Mapping[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path) -> Location:
        """The location of a field, or of its nearest ancestor the file has."""
        for end in range(len(path), -1, -1):
            position = self.positions.get(path[:end])
            if position is not None:
                return Location(self.display, position[0], position[1], format_path(path))
        return Location(self.display, field=format_path(path))


def format_path(path: Path) -> str:
    """``("slos", 0, "sli")`` as ``slos[0].sli``, the way the user reads the file."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def read_yaml(path: str, display: str, relative: str) -> SourceDocument:
    """Load one YAML document with positions; raise SpecError on syntax problems."""
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError([Problem(Location(display), f"cannot read file: {error}")]) from None
    return parse_yaml(text, display, relative)


def parse_yaml(text: str, display: str, relative: str) -> SourceDocument:
    """Parse YAML text; the display name is what errors call the file."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError([Problem(Location(display), "the file is empty")])
        positions: dict[Path, tuple[int, int]] = {(): _mark(node)}
        problems: list[Problem] = []
        data = _construct(loader, node, (), positions, problems, display)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
        message = " ".join(filter(None, [error.context, error.problem]))
        raise SpecError([Problem(location, f"invalid YAML: {message}")]) from None
    except yaml.YAMLError as error:
        raise SpecError([Problem(Location(display), f"invalid YAML: {error}")]) from None
    finally:
        loader.dispose()
    if problems:
        raise SpecError(problems)
    return SourceDocument(display, relative, data, positions)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _construct(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path,
    positions: dict[Path, tuple[int, int]],
    problems: list[Problem],
    display: str,
) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                problems.append(
                    Problem(Location(display, *_mark(key_node)), "mapping keys must be plain")
                )
                continue
            child: Path = (*path, key if isinstance(key, str | int) else str(key))
            if key in result:
                problems.append(
                    Problem(
                        Location(display, *_mark(key_node), format_path(child)),
                        f"duplicate key {key!r}",
                        "YAML keeps only the last one; remove or merge the others",
                    )
                )
            positions[child] = _mark(key_node)
            result[key] = _construct(loader, value_node, child, positions, problems, display)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            child = (*path, index)
            positions[child] = _mark(item_node)
            items.append(_construct(loader, item_node, child, positions, problems, display))
        return items
    return loader.construct_object(node, deep=True)
