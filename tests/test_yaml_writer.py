"""The fast YAML writer against PyYAML itself: same bytes or an honest refusal."""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pytest
import yaml

import slogen
from slogen import render
from slogen.spec.yaml_source import PlainScalar
from slogen.yaml_writer import Unsupported, write_yaml
from tests.conftest import SPECS
from tests.random_documents import nested

BOOL = "tag:yaml.org,2002:bool"

# Pieces that decide a scalar's style: indicators, document markers, words YAML 1.1
# reads as bools, nulls, numbers or dates, quotes, breaks, tabs and non-ASCII.
PIECES = [
    "a", "Z", "0", "1", "-", " ", ":", "#", "?", "'", '"', "\n", "é", "\t", "~", ".",
    "y", "n", "true", "No", "null", "0x1F", "1e3", "<<", "=", "---", "...", "[", "{",
    ",", "!", "&", "*", "|", ">", "%", "@", "`", "\\", "\x85", "\u2028", "\ufeff", "😀",
    ".inf", ".5", "+1", "0o7", "12:30", "2001-12-14", "x: y", "a #b", "- ", "job=\"x\"",
]  # fmt: skip


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 6)))


def _value(rng: random.Random, depth: int) -> Any:
    return nested(rng, depth, max_depth=4, dict_below=0.2, list_below=0.35, key=_text, leaf=_leaf)


def _leaf(rng: random.Random) -> Any:
    return rng.choice(
        [
            _text(rng),
            _text(rng),
            _text(rng),
            rng.randrange(-(10**20), 10**20),
            rng.choice([True, False, None]),
            rng.choice([0.5, 1e-05, 1e16, -2.0, float("inf"), 0.1 + 0.2]),
        ]
    )


def _documents(count: int) -> list[dict[str, Any]]:
    rng = random.Random(20261204)
    return [
        {_text(rng) or "k": _value(rng, 1) for _ in range(rng.randrange(1, 5))}
        for _ in range(count)
    ]


class _PurePythonDumper(yaml.SafeDumper):
    """render's dumper on PyYAML's Python emitter, for machines without libyaml."""

    def ignore_aliases(self, data: object) -> bool:
        return True


_PurePythonDumper.add_representer(str, render._represent_str)


def _pure_python(data: Any) -> str:
    return render._pyyaml(data, _PurePythonDumper)


DUMPERS: dict[str, Callable[[Any], str]] = {"render": render._pyyaml, "python": _pure_python}


@pytest.mark.parametrize("name", DUMPERS)
def test_same_bytes_as_pyyaml_or_a_refusal(name: str) -> None:
    dump = DUMPERS[name]
    written = 0
    for document in _documents(4000):
        try:
            fast = write_yaml(document, lambda value: dump([value]))
        except Unsupported:
            continue
        written += 1
        assert fast == dump(document), document
    assert written > 2000, "the writer refused most documents"


def test_dump_yaml_is_pyyaml_on_every_generated_file() -> None:
    bundle = slogen.compile(slogen.load([SPECS]))
    documents = [
        yaml.safe_load(content)
        for path, content in bundle.files.items()
        if path.endswith((".yml", ".yaml"))
    ]
    assert len(documents) > 20
    for document in documents:
        assert render.dump_yaml(document) == render._pyyaml(document).encode("utf-8")


def test_literal_blocks_are_indented_where_they_sit() -> None:
    document = {"a": {"b": ["x\ny\n", {"c": " lead\n\nz"}]}, "d": "q\n"}
    assert write_yaml(document, lambda value: render._pyyaml([value])) == render._pyyaml(document)
    assert "  - c: |2-\n       lead\n\n      z\n" in render._pyyaml(document)


def test_floats_equal_in_value_keep_their_own_spelling() -> None:
    for document in ({"a": 0.0, "b": -0.0}, {"a": [-0.0, 0.0]}):
        assert write_yaml(document, lambda value: render._pyyaml([value])) == render._pyyaml(
            document
        )


def test_a_plain_key_never_takes_a_string_key_s_spelling() -> None:
    document = {"a": {"on": 1}, "b": {PlainScalar("on", BOOL): 1}}
    assert render.dump_yaml(document) == render._pyyaml(document).encode()
    assert b"\n  on: 1\n" in render.dump_yaml(document)


def test_shapes_it_does_not_know_are_refused() -> None:
    refused = [{1: "a"}, {"a": (1, 2)}, {"": 1}, {"k" * 100: 1}, {"a": {"b": b"x"}}]
    refused += [{"a": "kept\n\n"}, {"a\u2028b": 1}, {"é" * 60: 1}, {"a\rb": 1}]
    refused += [{"a": "x" * 100_001}, OrderedDict(a=1), {"a": {PlainScalar("on", BOOL): 1}}]
    for document in refused:
        with pytest.raises(Unsupported):
            write_yaml(document, lambda value: render._pyyaml([value]))
        try:  # PyYAML takes it instead, with PyYAML's bytes or PyYAML's refusal
            expected = render._pyyaml(document).encode()
        except yaml.YAMLError:
            with pytest.raises(yaml.YAMLError):
                render.dump_yaml(document)
        else:
            assert render.dump_yaml(document) == expected
