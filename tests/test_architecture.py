"""The pipeline's import directions (docs/architecture.md), checked on the source.

A generator that reaches back into resolve or the CLI, or a model that imports what is
built from it, would tie stages together that are meant to change alone; this reads
every module's imports (top-level and inside functions) with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "slogen"
GENERATORS = ("rules", "testgen", "alertmanager", "grafana", "docs")
LATER = ("slogen.resolve", "slogen.importers", "slogen.api", "slogen.cli")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("slogen")}


MODULES = {_module(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def _reaching(modules: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    def under(name: str, prefix: str) -> bool:
        return name == prefix or name.startswith(prefix + ".")

    return {
        module: sorted(n for n in imports if any(under(n, f) for f in forbidden))
        for module, imports in MODULES.items()
        if under(module, modules) and any(under(n, f) for n in imports for f in forbidden)
    }


def test_the_source_was_read() -> None:
    assert "slogen.model" in MODULES and "slogen.rules.groups" in MODULES
    assert "slogen.model" in MODULES["slogen.rules.groups"]


def test_the_model_imports_nothing_built_from_it() -> None:
    later = tuple(f"slogen.{g}" for g in GENERATORS) + LATER
    assert _reaching("slogen.model", later) == {}


def test_rules_import_no_other_generator() -> None:
    others = tuple(f"slogen.{g}" for g in GENERATORS if g != "rules") + LATER
    assert _reaching("slogen.rules", others) == {}


@pytest.mark.parametrize("generator", GENERATORS)
def test_no_generator_reaches_back_to_resolve_importers_api_or_cli(generator: str) -> None:
    assert _reaching(f"slogen.{generator}", LATER) == {}


def test_only_the_cli_imports_the_cli() -> None:
    users = {
        module
        for module, imports in MODULES.items()
        if any(n == "slogen.cli" or n.startswith("slogen.cli.") for n in imports)
    }
    assert users <= {"slogen.__main__"}, users
