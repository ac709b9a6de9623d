"""Importers: other tools' SLO specs as slogen spec files that users then own."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from slogen.durations import format_duration
from slogen.errors import Location, Problem, SpecError
from slogen.importers.openslo import import_openslo
from slogen.importers.pyrra import import_pyrra
from slogen.importers.report import Imported, Loss
from slogen.importers.sloth import import_sloth
from slogen.model import SLO
from slogen.render import dump_yaml
from slogen.spec.loader import service_files

Importer = Callable[[str, str, Imported, "str | None"], None]
"""Adds the services of one file (path, text) to the result; SpecError if it has none,
or for the services it refuses after adding the others (a service already imported).

An importer whose files refer to each other may instead collect them and leave a
finishing step in ``Imported.finishing``, run once after the last file."""

IMPORTERS: dict[str, Importer] = {
    "openslo": import_openslo,
    "pyrra": import_pyrra,
    "sloth": import_sloth,
}
FORMATS = tuple(sorted(IMPORTERS))

__all__ = [
    "FORMATS",
    "IMPORTERS",
    "Imported",
    "Loss",
    "defined_elsewhere",
    "import_files",
    "spec_files",
    "summary",
]


def import_files(
    format: str,
    paths: Sequence[str | Path],
    *,
    team: str | None = None,
    defaults: str | Path | None = None,
    sloth_period: str | None = None,
) -> tuple[Imported, list[Problem]]:
    """Import every file; a file with nothing to compile is a problem, the rest import.

    ``defaults`` is the ``defaults.yaml`` the imported specs will live beside: where it
    supplies a runbook, an SLO without one of its own takes it instead of being written
    with ``runbook: false``. The imported specs are checked by compiling them (with
    those defaults), so what is returned loads. ``sloth_period`` is the
    ``--default-slo-period`` Sloth ran with (Sloth specs only; 30d when None)."""
    if format not in FORMATS:
        raise SpecError([Problem(Location(format), f"unknown format; known: {', '.join(FORMATS)}")])
    if sloth_period is not None and format != "sloth":
        raise SpecError([Problem(Location(format), "a Sloth period applies to Sloth specs only")])
    importer = IMPORTERS[format]
    if sloth_period is not None:
        importer = partial(import_sloth, period=sloth_period)
    result = Imported()
    refused: list[Problem] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            refused.append(Problem(Location(str(path)), f"cannot read file: {error}"))
            continue
        try:
            importer(str(path), text, result, team)
        except SpecError as error:
            refused.extend(error.problems)
    for finish in result.finishing.values():
        try:
            refused.extend(finish(result))
        except SpecError as error:
            refused.extend(error.problems)
    if defaults is not None and _gives_runbook(Path(defaults)):
        _inherit_runbooks(result)
    if result.services:
        _check(result, defaults)
    return result, refused


def _gives_runbook(defaults: Path) -> bool:
    """A first look only: the compile check that follows validates the file."""
    try:
        data = yaml.safe_load(defaults.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and bool(data.get("runbook"))


def _inherit_runbooks(result: Imported) -> None:
    """No ``runbook: false`` where the defaults give one: it would switch theirs off."""
    for service in list(result.built.values()):
        result.put(
            replace(
                service,
                settings=_without_false_runbook(service.settings),
                slos=tuple(_without_false_runbook(slo) for slo in service.slos),
            )
        )


def _without_false_runbook(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in spec.items() if not (key == "runbook" and value is False)}


def spec_files(result: Imported) -> dict[str, bytes]:
    """``<service>.yaml`` for every imported service, saying where it came from."""
    return {
        f"{name}.yaml": dump_yaml(
            spec,
            f"Imported by `slogen import` from {result.sources[name]}; this file is yours now.",
        )
        for name, spec in sorted(result.services.items())
    }


def defined_elsewhere(result: Imported, output: Path) -> list[Problem]:
    """Spec files under ``output`` (subdirectories included, as ``load`` reads them)
    that already define an imported service, other than ``<service>.yaml`` itself.
    Writing that file beside them would define the service twice, and ``--force``
    replaces only the file of that name, so these always refuse. Jsonnet specs are not
    evaluated here; ``validate`` reports a duplicate they define."""
    return [
        Problem(
            Location(str(existing)),
            f"already defines service {service!r}, which this import writes to "
            f"{output / (service + '.yaml')}",
            "import into another directory, or remove or rename this file first",
        )
        for existing, service in service_files(output).items()
        if service in result.services
        and existing.resolve() != (output / f"{service}.yaml").resolve()
    ]


def summary(result: Imported, name: str) -> str:
    """What one written spec file holds: the service, its team, its SLOs and the files
    they came from, so an import that merges several files says where each SLO went."""
    spec = result.services[name]
    slos = [str(slo.get("name")) for slo in spec.get("slos", [])]
    team = f", team {spec['team']}" if spec.get("team") else ""
    return (
        f"service {name}{team}: {len(slos)} SLO{'s' if len(slos) != 1 else ''} "
        f"({', '.join(slos)}) from {result.sources[name]}"
    )


def _check(result: Imported, defaults: str | Path | None) -> None:
    from slogen.api import compile_model, load

    with tempfile.TemporaryDirectory(prefix="slogen-import-") as scratch:
        for name, content in spec_files(result).items():
            (Path(scratch) / name).write_bytes(content)
        model = compile_model(load(scratch, defaults=defaults))
    result.alerting = {f"{slo.service}/{slo.name}": alerting_summary(slo) for slo in model.slos()}


def alerting_summary(slo: SLO) -> str:
    """What an imported SLO alerts on, as slogen compiled it: each severity's windows
    and burn factors, the grouping, and the policies its objective left out. Put beside
    the source tool's rules, a changed meaning shows (a 28d period read as 30d, a
    window that cannot fire, per-host alerting that became fleet-wide)."""
    parts = [f"{format_duration(slo.period)} period"]
    for severity, pairs in slo.alerting.burn_by_severity().items():
        windows = ", ".join(f"{p.windows} x{float(p.factor):g}" for p in pairs)
        parts.append(f"{severity} {windows}")
    if not slo.alerting.burn:
        parts.append("no burn alert")
    parts.append(f"per {', '.join(slo.group_by)}" if slo.group_by else "one series for all")
    if slo.alerting.left_out:
        parts.append(f"left out: {'; '.join(slo.alerting.left_out)}")
    return "; ".join(parts)
