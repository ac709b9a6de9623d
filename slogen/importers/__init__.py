"""Importers: other tools' SLO specs as slogen spec files that users then own."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from slogen.errors import Location, Problem, SpecError
from slogen.importers.openslo import import_openslo
from slogen.importers.pyrra import import_pyrra
from slogen.importers.report import Imported, Loss
from slogen.importers.sloth import import_sloth
from slogen.render import dump_yaml

Importer = Callable[[str, str, Imported, "str | None"], None]
"""Adds the services of one file (path, text) to the result; SpecError if it has none.

An importer whose files refer to each other may instead collect them and leave a
finishing step in ``Imported.finishing``, run once after the last file."""

IMPORTERS: dict[str, Importer] = {
    "openslo": import_openslo,
    "pyrra": import_pyrra,
    "sloth": import_sloth,
}
FORMATS = tuple(sorted(IMPORTERS))

__all__ = ["FORMATS", "IMPORTERS", "Imported", "Loss", "import_files", "spec_files"]


def import_files(
    format: str, paths: Sequence[str | Path], *, team: str | None = None
) -> tuple[Imported, list[Problem]]:
    """Import every file; a file with nothing to compile is a problem, the rest import.

    The imported specs are checked by compiling them, so what is returned loads."""
    if format not in FORMATS:
        raise SpecError([Problem(Location(format), f"unknown format; known: {', '.join(FORMATS)}")])
    result = Imported()
    refused: list[Problem] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            refused.append(Problem(Location(str(path)), f"cannot read file: {error}"))
            continue
        try:
            IMPORTERS[format](str(path), text, result, team)
        except SpecError as error:
            refused.extend(error.problems)
    for finish in result.finishing.values():
        try:
            refused.extend(finish(result))
        except SpecError as error:
            refused.extend(error.problems)
    if result.services:
        _check(result)
    return result, refused


def spec_files(result: Imported) -> dict[str, bytes]:
    """``<service>.yaml`` for every imported service, saying where it came from."""
    return {
        f"{name}.yaml": dump_yaml(
            spec,
            f"Imported by `slogen import` from {result.sources[name]}; this file is yours now.",
        )
        for name, spec in sorted(result.services.items())
    }


def _check(result: Imported) -> None:
    from slogen.api import compile_model, load

    with tempfile.TemporaryDirectory(prefix="slogen-import-") as scratch:
        for name, content in spec_files(result).items():
            (Path(scratch) / name).write_bytes(content)
        compile_model(load(scratch))
