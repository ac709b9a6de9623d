"""Find spec files, read them and validate them; report every problem at once.

A spec tree is a directory of service files (``*.yaml``, ``*.yml``), optionally with a
``defaults.yaml`` at its top that overrides slogen's built-in defaults. Files and
directories whose names start with ``.`` or ``_`` are skipped (editor and draft files).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeVar

from slogen.errors import Location, Problem, SpecError
from slogen.spec.models import DefaultsSpec, ServiceSpec
from slogen.spec.validation import validate
from slogen.spec.yaml_source import SourceDocument, parse_yaml, read_yaml

DEFAULTS_NAMES = ("defaults.yaml", "defaults.yml")
SPEC_SUFFIXES = (".yaml", ".yml")
SpecModel = TypeVar("SpecModel", DefaultsSpec, ServiceSpec)


@dataclass(frozen=True)
class DefaultsFile:
    """One layer of defaults and the file it came from."""

    spec: DefaultsSpec
    source: SourceDocument


@dataclass(frozen=True)
class ServiceFile:
    """A validated service spec and the file it came from."""

    spec: ServiceSpec
    source: SourceDocument


@dataclass(frozen=True)
class Specs:
    """Everything loaded: defaults layers (built-in first) and the service specs."""

    defaults: tuple[DefaultsFile, ...]
    services: tuple[ServiceFile, ...]


def builtin_defaults() -> DefaultsFile:
    """slogen's own defaults: the SRE Workbook's windows and policies."""
    text = resources.files("slogen").joinpath("defaults.yaml").read_text(encoding="utf-8")
    source = parse_yaml(text, "<slogen built-in defaults.yaml>", "defaults.yaml")
    return DefaultsFile(validate(DefaultsSpec, source), source)


def load(
    paths: str | Path | Sequence[str | Path] = ("specs",), *, defaults: str | Path | None = None
) -> Specs:
    """Load spec files and directories; raise SpecError listing every problem found.

    A directory contributes every spec file below it and its top-level defaults.yaml;
    a spec file given on its own brings the defaults.yaml beside it, so validating one
    file gives the same verdict as validating its directory.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    problems: list[Problem] = []
    default_paths, service_paths = _discover(paths, problems)
    if defaults is not None:
        default_paths.append((str(defaults), Path(defaults).name))
    layers = [builtin_defaults()]
    for display, relative in default_paths:
        layer = _collect(DefaultsSpec, display, relative, problems)
        if layer is not None:
            layers.append(DefaultsFile(*layer))
    services = []
    for display, relative in service_paths:
        service = _collect(ServiceSpec, display, relative, problems)
        if service is not None:
            services.append(ServiceFile(*service))
    problems.extend(_duplicate_services(services))
    if not service_paths and not problems:
        shown = ", ".join(str(p) for p in paths)
        problems.append(
            Problem(Location(shown), "no service specs found", "add a <service>.yaml file")
        )
    if problems:
        raise SpecError(problems)
    return Specs(tuple(layers), tuple(sorted(services, key=lambda s: s.spec.service)))


def _collect(
    model: type[SpecModel], display: str, relative: str, problems: list[Problem]
) -> tuple[SpecModel, SourceDocument] | None:
    try:
        source = read_yaml(display, display, relative)
        return validate(model, source), source
    except SpecError as error:
        problems.extend(error.problems)
        return None


def _discover(
    paths: Iterable[str | Path], problems: list[Problem]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Split the given paths into defaults files and service files, as (display, relative)."""
    defaults: list[tuple[str, str]] = []
    services: list[tuple[str, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in sorted(_spec_files(path)):
                relative = file.relative_to(path).as_posix()
                if relative in DEFAULTS_NAMES:
                    _add(defaults, (str(file), relative))
                elif file.name in DEFAULTS_NAMES:
                    problems.append(
                        Problem(
                            Location(str(file)),
                            "defaults files are only read at the top of a spec directory",
                            f"move it to {path / file.name} or give it with --defaults",
                        )
                    )
                else:
                    services.append((str(file), relative))
        elif path.is_file():
            if path.name in DEFAULTS_NAMES:
                _add(defaults, (str(path), path.name))
                continue
            services.append((str(path), path.name))
            for name in DEFAULTS_NAMES:
                beside = path.parent / name
                if beside.is_file():
                    _add(defaults, (str(beside), name))
        else:
            problems.append(Problem(Location(str(path)), "no such file or directory"))
    return defaults, services


def _add(found: list[tuple[str, str]], entry: tuple[str, str]) -> None:
    if all(Path(known).resolve() != Path(entry[0]).resolve() for known, _ in found):
        found.append(entry)


def _spec_files(root: Path) -> Iterable[Path]:
    for file in root.rglob("*"):
        parts = file.relative_to(root).parts
        if any(part.startswith((".", "_")) for part in parts):
            continue
        if file.is_file() and file.suffix in SPEC_SUFFIXES:
            yield file


def _duplicate_services(services: list[ServiceFile]) -> list[Problem]:
    seen: dict[str, ServiceFile] = {}
    problems = []
    for service in services:
        name = service.spec.service
        if name in seen:
            problems.append(
                Problem(
                    service.source.locate(("service",)),
                    f"service {name!r} is also defined in {seen[name].source.display}",
                    "service names must be unique across all specs",
                )
            )
        else:
            seen[name] = service
    return problems
