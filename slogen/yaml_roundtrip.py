"""Read and write a user's Alertmanager config so that what slogen does not own stays
as written: comments, key order, quoting, blank lines, anchors and the file's own
indentation.

ruamel.yaml keeps comments, order and quoting, but writes every block with one
indentation. That indentation is read off the file (the one most of its mappings and
lists use), so a consistently indented file comes back byte for byte; a file that
mixes styles comes back in its most common one. Scalars are read as YAML 1.2, which
keeps ``17:00`` and ``on`` as the text they are (Alertmanager's Go parser gives a
string field the text as written), and every scalar keeps its spelling.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter


@dataclass(frozen=True)
class Layout:
    """Indentation as ruamel counts it: a nested mapping's keys ``mapping`` columns in
    from their parent key, a list's items ``sequence`` in and their dashes ``offset``
    in."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2
    explicit_start: bool = False
    """The document opens with ``---``."""


class Verbatim(str):
    """A null or boolean as written (``~``, ``null``, nothing, ``True``): ruamel would
    write them back as it spells them (nothing, ``true``)."""

    tag: str

    def __new__(cls, text: str, tag: str) -> Verbatim:
        scalar = super().__new__(cls, text)
        scalar.tag = tag
        return scalar


class _Constructor(RoundTripConstructor):
    pass


class _Representer(RoundTripRepresenter):
    pass


def _construct_verbatim(constructor: RoundTripConstructor, node: ScalarNode) -> Any:
    if node.style:  # quoted: a string, never a null or a boolean
        return constructor.construct_scalar(node)
    return Verbatim(node.value, node.tag or "tag:yaml.org,2002:null")


def _represent_verbatim(representer: RoundTripRepresenter, value: Verbatim) -> Any:
    return representer.represent_scalar(value.tag, str(value))


for _tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"):
    _Constructor.add_constructor(_tag, _construct_verbatim)
_Representer.add_representer(Verbatim, _represent_verbatim)


def reader() -> YAML:
    """A round-trip YAML that keeps quotes and the spelling of nulls and booleans."""
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    return yaml


def load(text: str) -> Any:
    """``text`` as ruamel's commented data (mappings and lists that know their comments
    and where they were written)."""
    return reader().load(text)


def dump(data: Any, layout: Layout) -> str:
    """``data`` as YAML text in ``layout``, lines never wrapped."""
    yaml = reader()
    yaml.width = 1_000_000
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # [{url: x}] stays so
    yaml.indent(mapping=layout.mapping, sequence=layout.sequence, offset=layout.offset)
    yaml.explicit_start = layout.explicit_start
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def layout_of(data: Any, text: str) -> Layout:
    """The indentation most of ``data``'s block mappings and lists use in ``text``;
    slogen's own style (lists indented under their key) where the file has none."""
    lines = text.splitlines()
    mappings: Counter[int] = Counter()
    sequences: Counter[tuple[int, int]] = Counter()
    for key_column, value in _block_values(data):
        if isinstance(value, CommentedMap):
            first = next(iter(value))
            mappings[value.lc.key(first)[1] - key_column] += 1
        else:
            line, column = value.lc.item(0)
            before = lines[line][:column].rstrip() if line < len(lines) else ""
            if before.endswith("-"):
                sequences[(column - key_column, len(before) - 1 - key_column)] += 1
    mapping = mappings.most_common(1)[0][0] if mappings else Layout.mapping
    mapping = mapping if mapping > 0 else Layout.mapping
    sequence, offset = sequences.most_common(1)[0][0] if sequences else (mapping + 2, mapping)
    if offset < 0 or sequence < offset + 2:
        sequence, offset = mapping + 2, mapping
    return Layout(mapping, sequence, offset, _opens_with_marker(lines))


def _opens_with_marker(lines: list[str]) -> bool:
    """The first line that is not blank or a comment is ``---``."""
    for line in lines:
        if line.strip() and not line.startswith("#"):
            return line.rstrip() == "---" or line.startswith("--- ")
    return False


def _block_values(node: Any) -> Any:
    """(column of the key, value) for every non-empty block mapping or list that is
    the value of a key in a block mapping."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if _is_block(value) and len(value) and _has_position(value):
                yield node.lc.key(key)[1], value
            yield from _block_values(value)
    elif isinstance(node, CommentedSeq):
        for item in node:
            yield from _block_values(item)


def _is_block(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq) and not node.fa.flow_style()


def _has_position(node: CommentedMap | CommentedSeq) -> bool:
    """Read from the file (not added since): ruamel recorded where it was."""
    return getattr(node.lc, "data", None) is not None and bool(node.lc.data)


HEADER_START = "# Alertmanager config generated by slogen from "
"""How the comment slogen puts on top of a merged config begins."""


def without_header(text: str, header_lines: int) -> tuple[str, int]:
    """``text`` without the header an earlier merge put on top (its ``header_lines``
    lines and the blank line after them), and how many lines were cut."""
    if not text.startswith(HEADER_START):
        return text, 0
    lines = text.splitlines(keepends=True)
    cut = header_lines
    if all(line.startswith("#") for line in lines[:cut]):
        if len(lines) > cut and not lines[cut].strip():
            cut += 1
        return "".join(lines[cut:]), cut
    return text, 0
