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


def _family_reaching(family: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """Like :func:`_reaching`, but by plain name prefix on both sides: ``slogen.model``
    covers ``slogen.model_routing`` and ``slogen.resolve`` covers
    ``slogen.resolve_routing``, which a dotted prefix leaves out."""
    return {
        module: sorted(n for n in imports if n.startswith(forbidden))
        for module, imports in MODULES.items()
        if module.startswith(family) and any(n.startswith(forbidden) for n in imports)
    }


@pytest.mark.parametrize("family", ["slogen.model", "slogen.resolve"])
def test_model_and_resolve_import_no_generator(family: str) -> None:
    generators = tuple(f"slogen.{g}" for g in GENERATORS)
    assert _family_reaching(family, generators) == {}


def test_the_model_family_imports_nothing_built_from_it() -> None:
    later = tuple(f"slogen.{g}" for g in GENERATORS) + LATER
    assert _family_reaching("slogen.model", later) == {}


def test_model_and_alertmanager_read_no_spec_module() -> None:
    """The model holds its own types, so specs can change without the generators.
    No slogen.spec module is allowed at all, not even a pure helper: none is needed."""
    assert _family_reaching("slogen.model", ("slogen.spec",)) == {}
    assert _reaching("slogen.alertmanager", ("slogen.spec",)) == {}


def test_the_new_checks_see_the_split_modules() -> None:
    """Guards the checks above against passing on an empty family."""
    assert {"slogen.model_routing", "slogen.model_receivers"} <= set(MODULES)
    assert {"slogen.resolve_routing", "slogen.resolve_alertmanager_base"} <= set(MODULES)


def test_rules_read_no_spec_module() -> None:
    """Rules are a function of the model alone; a spec type here would mean the rule
    text changes when the spec format does. ``spec.promql_input`` is the one reader of
    user-written PromQL (no pydantic type): a ratio SLI's query is filled in per window
    with it, so that what validation parsed is what the rule says."""
    found = _reaching("slogen.rules", ("slogen.spec",))
    allowed = "slogen.spec.promql_input"
    other = {m: [n for n in names if not n.startswith(allowed)] for m, names in found.items()}
    assert {m: names for m, names in other.items() if names} == {}


@pytest.mark.parametrize("generator", GENERATORS)
def test_generators_import_no_other_generator(generator: str) -> None:
    """What generators share comes through the model and the modules below every
    generator (``layout`` for paths, ``recorded`` for recorded series, ``coverage``
    for what the proofs prove); what one generator needs of another's output, the
    pipeline (``slogen.build``) hands it."""
    others = tuple(f"slogen.{g}" for g in GENERATORS if g != generator)
    assert _reaching(f"slogen.{generator}", others) == {}
