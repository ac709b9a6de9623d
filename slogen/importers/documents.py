"""The YAML documents of one imported file, each with the line it starts on.

Sloth, Pyrra and OpenSLO files all hold several ``---`` documents, and Pyrra's and
OpenSLO's may hold lists of objects; every importer reads them here, the same way, so
an invalid file is refused with the same message whatever its format, and a report
can point at the line an object starts on.

:mod:`slogen.spec.yaml_source` is not used: it reads one document of a slogen spec,
refuses duplicate keys and reads with libyaml, where the importers have always read
other tools' files as PyYAML's pure-Python ``safe_load_all`` does (same data, same
error text); changing that would change what an import accepts and says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from slogen.errors import Location, Problem, SpecError


@dataclass(frozen=True)
class Document:
    """One document that is not empty: its data, its place among the file's non-empty
    documents (1-based) and the line it starts on."""

    number: int
    line: int
    data: Any
    node: yaml.Node = field(repr=False, compare=False)
    """The composed node, kept so that lines inside the document can be found."""

    def where(self, total: int) -> str:
        """``document 2`` in a file of several documents, ``document`` in a file of one:
        how a report names a document that has no name of its own."""
        return f"document {self.number}" if total > 1 else "document"

    def item_lines(self, key: str | None = None) -> tuple[int, ...]:
        """The line of each item of the list under ``key`` (the document itself when
        None), for objects listed in one document (``kind: List``). The first ``key``
        in the mapping is used, and no lines when there is no such list."""
        node: yaml.Node | None = self.node
        if key is not None:
            pairs = node.value if isinstance(node, yaml.MappingNode) else []
            node = next((v for k, v in pairs if k.value == key), None)
        if not isinstance(node, yaml.SequenceNode):
            return ()
        return tuple(item.start_mark.line + 1 for item in node.value)


def read_documents(path: str, text: str) -> tuple[Document, ...]:
    """Every non-empty document of ``text``; SpecError naming ``path`` when it is not
    YAML, before any document is used, so a broken file adds nothing."""
    loader = yaml.SafeLoader(text)
    documents: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            data = loader.construct_document(node)
            if data is not None:
                line = node.start_mark.line + 1
                documents.append(Document(len(documents) + 1, line, data, node))
    except yaml.YAMLError as error:
        raise SpecError([Problem(Location(path), f"invalid YAML: {error}")]) from None
    finally:
        loader.dispose()
    return tuple(documents)
