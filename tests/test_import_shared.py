"""The document reader and the service builder every importer shares.

Each importer once read multi-document YAML its own way and kept its services in a
shared dict with their files comma-joined; these pin the one way they now share."""

from __future__ import annotations

import pytest

from slogen.errors import SpecError
from slogen.importers.documents import read_documents
from slogen.importers.services import duplicates, new_service

TEXT = """\
# a comment
a: 1
---
---
kind: List
items:
  - x: 1
  - y: 2
---
- one
- two
"""


def test_documents_keep_their_number_and_starting_line_and_skip_empty_ones() -> None:
    documents = read_documents("f.yaml", TEXT)
    assert [(d.number, d.line) for d in documents] == [(1, 2), (2, 5), (3, 10)]
    assert documents[0].data == {"a": 1}
    assert documents[0].where(len(documents)) == "document 1"
    assert documents[0].where(1) == "document"


def test_list_items_have_their_own_lines() -> None:
    documents = read_documents("f.yaml", TEXT)
    assert documents[1].item_lines("items") == (7, 8)
    assert documents[2].item_lines() == (10, 11)
    assert documents[0].item_lines("items") == ()


def test_a_file_that_is_not_yaml_is_refused_naming_it() -> None:
    with pytest.raises(SpecError) as raised:
        read_documents("bad.yaml", "a: [\n b: c")
    [problem] = raised.value.problems
    assert str(problem).startswith("bad.yaml: invalid YAML: ")


def test_joining_lists_each_file_once_and_leaves_the_service_unchanged() -> None:
    first = new_service("api", {"service": "api", "team": "web"}, "a.yaml")
    joined = first.join("a.yaml", [{"name": "x"}], ["a.yaml:3"])
    joined = joined.join("b.yaml", [{"name": "y"}], ["b.yaml:1"])
    joined = joined.join("a.yaml", [{"name": "z"}], ["a.yaml:9"])
    assert first.slos == () and first.sources == ("a.yaml",)
    assert joined.sources == ("a.yaml", "b.yaml") and joined.from_files == "a.yaml, b.yaml"
    assert joined.spec() == {
        "service": "api",
        "team": "web",
        "slos": [{"name": "x"}, {"name": "y"}, {"name": "z"}],
    }
    assert joined.origin_of("y") == "b.yaml:1" and joined.origin_of("w") is None


def test_a_name_taken_in_the_service_or_earlier_in_the_file_is_a_duplicate() -> None:
    service = new_service("api", {"service": "api"}, "a.yaml").join(
        "a.yaml", [{"name": "x"}], ["a.yaml:3"]
    )
    found = duplicates(service, [("x", "b.yaml:1"), ("y", "b.yaml:5"), ("y", "b.yaml:9")])
    assert [(d.index, d.slo, d.earlier_here, d.earlier_in_service) for d in found] == [
        (0, "x", None, "a.yaml:3"),
        (2, "y", "b.yaml:5", None),
    ]
    assert duplicates(None, [("x", "a.yaml")]) == []
