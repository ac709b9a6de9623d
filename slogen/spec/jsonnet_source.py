"""Jsonnet specs: evaluated with the ``jsonnet`` package, then validated like YAML.

A ``.jsonnet`` file evaluates to one service spec (an object) or several (an array),
so a team can stamp the same SLOs over many services. Imports are confined: a file
may import ``slogen.libsonnet`` (the helper library shipped with slogen) and files
inside its own spec tree, nothing else, so evaluating a spec never reads an
arbitrary file of the machine it runs on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from slogen.errors import Location, Problem, SpecError
from slogen.spec.yaml_source import SourceDocument

HELPER = "slogen.libsonnet"
JSONNET_SUFFIXES = (".jsonnet",)


def helper_library() -> bytes:
    return resources.files("slogen").joinpath(HELPER).read_bytes()


def read_jsonnet(
    path: str, display: str, relative: str, root: Path, ext_vars: Mapping[str, str]
) -> list[SourceDocument]:
    """Evaluate a Jsonnet spec; one document per service it defines."""
    import _jsonnet  # the C extension loads only when a spec tree has Jsonnet in it

    confined = root.resolve()

    def imported(directory: str, name: str) -> tuple[str, bytes]:
        if name == HELPER:
            return HELPER, helper_library()
        target = (Path(directory) / name).resolve()
        if not target.is_relative_to(confined):
            raise RuntimeError(
                f"{name!r} is outside the spec tree {root}; a spec may import "
                f"{HELPER} and files under {root} only"
            )
        return str(target), target.read_bytes()

    try:
        text = _jsonnet.evaluate_file(
            path, ext_vars=dict(ext_vars), import_callback=imported, max_trace=5
        )
    except RuntimeError as error:
        lines = str(error).strip().splitlines()
        where = "; ".join(line.strip() for line in lines[1:3] if line.strip())
        raise SpecError(
            [
                Problem(
                    Location(display),
                    f"Jsonnet: {lines[0]}",
                    where.replace(str(confined), str(root)),
                )
            ]
        ) from None

    data: Any = json.loads(text)
    if isinstance(data, dict):
        return [SourceDocument(display, relative, data)]
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        return [
            SourceDocument(f"{display}[{index}]", relative, item) for index, item in enumerate(data)
        ]
    raise SpecError(
        [
            Problem(
                Location(display),
                f"evaluates to {type(data).__name__}, not a service spec",
                "a .jsonnet spec evaluates to one service object or an array of them",
            )
        ]
    )
