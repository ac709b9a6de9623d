"""Find spec files, read them and validate them; report every problem at once.

A spec tree is a directory of service files (``*.yaml``, ``*.yml``), optionally with a
``defaults.yaml`` at its top that overrides slogen's built-in defaults and a
``routing.yaml`` that says which receivers get each team's alerts. Files and
directories whose names start with ``.`` or ``_`` are skipped (editor and draft files).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml

from slogen.errors import Location, Problem, SpecError
from slogen.run_cache import remembered
from slogen.spec.jsonnet_source import (
    JSONNET_SUFFIXES,
    JsonnetEvaluator,
    JsonnetLimits,
    evaluator,
    read_jsonnet,
)
from slogen.spec.models import DefaultsSpec, ServiceSpec
from slogen.spec.regular_files import RefusedFile, not_regular, read_regular, refusal
from slogen.spec.routing import RoutingSpec
from slogen.spec.validation import validate
from slogen.spec.yaml_source import SourceDocument, parse_yaml, read_text, read_yaml
from slogen.yaml_loader import FastLoader

DEFAULTS_NAMES = ("defaults.yaml", "defaults.yml")
ROUTING_NAMES = ("routing.yaml", "routing.yml")
TOP_LEVEL_NAMES = (*DEFAULTS_NAMES, *ROUTING_NAMES)
SPEC_SUFFIXES = (".yaml", ".yml", *JSONNET_SUFFIXES)
BUILTIN_DEFAULTS = "<slogen built-in defaults.yaml>"
"""How slogen's own defaults are named in messages, and told apart from the user's."""
SpecModel = TypeVar("SpecModel", DefaultsSpec, ServiceSpec, RoutingSpec)


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
class RoutingFile:
    """The validated routing spec, and the user's Alertmanager config it names, if any."""

    spec: RoutingSpec
    source: SourceDocument
    base: SourceDocument | None = None


@dataclass(frozen=True)
class Specs:
    """Everything loaded: defaults layers (built-in first), the service specs and the
    routing, which is optional: without it no Alertmanager config is generated."""

    defaults: tuple[DefaultsFile, ...]
    services: tuple[ServiceFile, ...]
    routing: RoutingFile | None = None
    siblings: frozenset[str] = frozenset()
    """Names of services in files beside a file given alone: not compiled, but known,
    so that a ``depends_on`` naming one is not reported as unknown."""


def builtin_defaults() -> DefaultsFile:
    """slogen's own defaults: the SRE Workbook's windows and policies."""
    text = resources.files("slogen").joinpath("defaults.yaml").read_text(encoding="utf-8")
    source = parse_yaml(text, BUILTIN_DEFAULTS, "defaults.yaml")
    return DefaultsFile(validate(DefaultsSpec, source), source)


def load(
    paths: str | Path | Sequence[str | Path] = ("specs",),
    *,
    defaults: str | Path | None = None,
    ext_vars: Mapping[str, str] | None = None,
    jsonnet_limits: JsonnetLimits | None = None,
) -> Specs:
    """Load spec files and directories; raise SpecError listing every problem found.

    A directory contributes every spec file below it and its top-level defaults.yaml
    and routing.yaml; a spec file given on its own brings those beside it, so
    validating one file gives the same verdict as validating its directory.
    ``jsonnet_limits`` bounds the time and memory of each Jsonnet file (by default
    :data:`slogen.spec.jsonnet_source.DEFAULT_LIMITS`: 10 s and 1024 MiB).
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    problems: list[Problem] = []
    found = _discover(paths, problems)
    if defaults is not None:
        found.defaults.append((str(defaults), Path(defaults).name))
    layers = [builtin_defaults()]
    for display, relative in found.defaults:
        layer = _collect(DefaultsSpec, display, relative, problems)
        if layer is not None:
            layers.append(DefaultsFile(*layer))
    routing = _routing(found.routing, problems)
    if routing is not None and routing.base is not None:
        base = Path(routing.base.display).resolve()
        found.services = [s for s in found.services if Path(s[0]).resolve() != base]
    with evaluator(jsonnet_limits) as engine:
        services = [
            ServiceFile(spec, source)
            for display, relative in found.services
            for spec, source in _services(display, relative, ext_vars or {}, engine, problems)
        ]
    problems.extend(_duplicate_services(services))
    if not found.services and not problems:
        shown = ", ".join(str(p) for p in paths)
        problems.append(
            Problem(Location(shown), "no service specs found", "add a <service>.yaml file")
        )
    if problems:
        raise SpecError(problems)
    return Specs(
        tuple(layers),
        tuple(sorted(services, key=lambda s: s.spec.service)),
        routing,
        frozenset(_service_names(found.siblings)) - {s.spec.service for s in services},
    )


def _service_names(paths: Iterable[str]) -> Iterator[str]:
    """The ``service:`` of each file that has one; a file that does not parse is not
    ours to report here (it was not asked for)."""
    for path in paths:
        name = declared_service(Path(path))
        if name is not None:
            yield name


def declared_service(path: Path) -> str | None:
    """The ``service:`` a YAML spec file declares, read without validating it; None for
    a file that does not parse or declares none, and for Jsonnet, which would have to
    be evaluated."""
    if path.suffix in JSONNET_SUFFIXES:
        return None
    try:
        data = yaml.load(read_regular(path).decode("utf-8"), Loader=FastLoader)
    except (OSError, RefusedFile, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None
    service = data.get("service") if isinstance(data, dict) else None
    return service if isinstance(service, str) else None


def service_files(root: Path) -> dict[Path, str]:
    """Every spec file under ``root`` that ``load`` would read, with the service it
    declares (see :func:`declared_service`)."""
    found = {}
    for file in sorted(_spec_files(root)) if root.is_dir() else ():
        if file.name in TOP_LEVEL_NAMES:
            continue
        service = declared_service(file)
        if service is not None:
            found[file] = service
    return found


def _collect(
    model: type[SpecModel], display: str, relative: str, problems: list[Problem]
) -> tuple[SpecModel, SourceDocument] | None:
    """One YAML file parsed and validated: a pure function of its text, so a file
    that did not change since the last run is read back from ``slogen.run_cache``."""
    try:
        text = read_text(display, display)
        key = (model.__name__, display, relative, hashlib.sha256(text.encode()).hexdigest())
        return remembered("spec", key, lambda: _parsed(model, text, display, relative))
    except SpecError as error:
        problems.extend(error.problems)
        return None


def _parsed(
    model: type[SpecModel], text: str, display: str, relative: str
) -> tuple[SpecModel, SourceDocument]:
    source = parse_yaml(text, display, relative)
    return validate(model, source), source


def _services(
    display: str,
    relative: str,
    ext_vars: Mapping[str, str],
    engine: JsonnetEvaluator,
    problems: list[Problem],
) -> list[tuple[ServiceSpec, SourceDocument]]:
    """The services of one spec file: one from YAML, one or more from Jsonnet."""
    if not display.endswith(JSONNET_SUFFIXES):
        found = _collect(ServiceSpec, display, relative, problems)
        return [found] if found is not None else []
    root = Path(display)
    for _ in Path(relative).parts:
        root = root.parent
    try:
        documents = read_jsonnet(display, display, relative, root, ext_vars, engine)
    except SpecError as error:
        problems.extend(error.problems)
        return []
    valid = []
    for document in documents:
        try:
            valid.append((validate(ServiceSpec, document), document))
        except SpecError as error:
            problems.extend(error.problems)
    return valid


def _routing(found: list[tuple[str, str]], problems: list[Problem]) -> RoutingFile | None:
    """The one routing file, and the base Alertmanager config it points at."""
    if not found:
        return None
    if len(found) > 1:
        others = ", ".join(display for display, _ in found[1:])
        problems.append(
            Problem(
                Location(found[0][0]),
                f"more than one routing file: also {others}",
                "keep one routing.yaml at the top of the spec tree",
            )
        )
        return None
    display, relative = found[0]
    collected = _collect(RoutingSpec, display, relative, problems)
    if collected is None:
        return None
    spec, source = collected
    if spec.alertmanager.base is None:
        return RoutingFile(spec, source)
    base_path = Path(display).parent / spec.alertmanager.base
    if not base_path.is_file():
        problems.append(
            Problem(
                source.locate(("alertmanager", "base")),
                f"no such file: {base_path}",
                "give the path of your own alertmanager.yml, relative to this file",
            )
        )
        return None
    base_relative = (Path(relative).parent / spec.alertmanager.base).as_posix()
    try:
        base = read_yaml(str(base_path), str(base_path), base_relative, verbatim=True)
    except SpecError as error:
        problems.extend(error.problems)
        return None
    return RoutingFile(spec, source, base)


@dataclass
class _Found:
    """Spec files by role, each as (path to show, path relative to its spec tree)."""

    defaults: list[tuple[str, str]] = field(default_factory=list)
    routing: list[tuple[str, str]] = field(default_factory=list)
    services: list[tuple[str, str]] = field(default_factory=list)
    siblings: list[str] = field(default_factory=list)

    def add_top_level(self, display: str, name: str) -> None:
        _add(self.defaults if name in DEFAULTS_NAMES else self.routing, (display, name))


def _discover(paths: Iterable[str | Path], problems: list[Problem]) -> _Found:
    """Sort the given paths into defaults, routing and service files."""
    found = _Found()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            problems.extend(_unreadable(path))
            for file in sorted(_spec_files(path)):
                relative = file.relative_to(path).as_posix()
                if relative in TOP_LEVEL_NAMES:
                    found.add_top_level(str(file), relative)
                elif file.name in TOP_LEVEL_NAMES:
                    problems.append(
                        Problem(
                            Location(str(file)),
                            f"{file.name} is only read at the top of a spec directory",
                            f"move it to {path / file.name}"
                            + (
                                " or give it with --defaults" if file.name in DEFAULTS_NAMES else ""
                            ),
                        )
                    )
                else:
                    found.services.append((str(file), relative))
        elif path.is_file():
            if path.name in TOP_LEVEL_NAMES:
                found.add_top_level(str(path), path.name)
                continue
            found.services.append((str(path), path.name))
            for name in TOP_LEVEL_NAMES:
                beside = path.parent / name
                if beside.is_file():
                    found.add_top_level(str(beside), name)
            found.siblings += [
                str(other)
                for other in sorted(path.parent.iterdir())
                if other.suffix in SPEC_SUFFIXES
                and other.is_file()
                and other.name not in TOP_LEVEL_NAMES
                and not other.name.startswith((".", "_"))
                and other != path
            ]
        elif path.exists():
            kind = not_regular(path.stat().st_mode) or "not a regular file"
            refused = refusal(kind)
            problems.append(Problem(Location(str(path)), refused.message, refused.hint))
        else:
            problems.append(Problem(Location(str(path)), "no such file or directory"))
    return found


def _add(found: list[tuple[str, str]], entry: tuple[str, str]) -> None:
    if all(Path(known).resolve() != Path(entry[0]).resolve() for known, _ in found):
        found.append(entry)


def _spec_files(root: Path) -> Iterable[Path]:
    for file in _named_specs(root):
        if file.is_file():
            yield file


def _named_specs(root: Path) -> Iterator[Path]:
    """Every path under ``root`` named like a spec file, outside hidden and draft
    directories, whatever its kind."""
    for file in root.rglob("*"):
        parts = file.relative_to(root).parts
        if any(part.startswith((".", "_")) for part in parts):
            continue
        if file.suffix in SPEC_SUFFIXES:
            yield file


def _unreadable(root: Path) -> Iterator[Problem]:
    """A pipe or device named like a spec file: refused, not read and not skipped in
    silence (reading it would hang; skipping it would hide a service)."""
    for file in sorted(_named_specs(root)):
        try:
            kind = not_regular(file.stat().st_mode)
        except OSError:
            continue  # a dangling link: not a spec, as before
        if kind is not None and kind != "a directory":
            refused = refusal(kind)
            yield Problem(Location(str(file)), refused.message, refused.hint)


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
