"""OpenSLO specs (``openslo/v1`` and ``openslo/v1alpha``) as slogen specs.

A file may hold one object, several ``---`` documents, or one document that is a list
of objects. References (``indicatorRef``, ``alertPolicyRef``, ``conditionRef``,
``targetRef``, ``metricSourceRef``) resolve across every file of one import, in any
order: each file's objects are collected, and the SLOs are converted once the last
file has been read (the finishing step ``import_files`` runs). SLOs of one service
may come from several files; an SLO name given twice for one service is an error
located at the second file, which is then not imported.

Only Prometheus sources can be compiled. An SLO over another source (``Any``,
Datadog, ...) is skipped and reported; a file none of whose SLOs compile, and none of
whose objects an imported SLO uses, is refused with the reasons. How indicators,
objectives, windows and alert policies map is described in ``openslo_sli``,
``openslo_slo`` and ``openslo_alerting``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from slogen.errors import Location, Problem, SpecError
from slogen.importers.documents import read_documents
from slogen.importers.names import is_name
from slogen.importers.openslo_slo import ConvertedSLO, convert_slo, labels_of
from slogen.importers.openslo_values import Unmappable
from slogen.importers.report import Imported, Loss
from slogen.importers.services import Service, duplicates, new_service

API_VERSIONS = ("openslo/v1", "openslo/v1alpha")
KINDS = (
    "SLO",
    "SLI",
    "AlertPolicy",
    "AlertCondition",
    "AlertNotificationTarget",
    "Service",
    "DataSource",
)
FORMAT = "openslo"


@dataclass(frozen=True)
class _Object:
    file: str
    version: str
    kind: str
    name: str
    body: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.kind}/{self.name}"


def import_openslo(path: str, text: str, result: Imported, team: str | None = None) -> None:
    """Collect the OpenSLO objects of one file; they are converted after the last file.

    SpecError at once if the file is not YAML or holds no OpenSLO object."""
    objects = _objects(path, text, result)
    if not objects:
        raise SpecError(
            [
                Problem(
                    Location(path),
                    "holds no OpenSLO object",
                    f"give objects with apiVersion {' or '.join(API_VERSIONS)} and a kind "
                    f"among {', '.join(KINDS)}",
                )
            ]
        )
    run = result.finishing.get(FORMAT)
    if not isinstance(run, _Run):
        run = _Run(team)
        result.finishing[FORMAT] = run
    run.files.append(path)
    run.objects.extend(objects)


def _objects(path: str, text: str, result: Imported) -> list[_Object]:
    """The file's objects: its documents, the items of a document that is a list one by
    one; anything else is reported and skipped."""
    documents = read_documents(path, text)
    found = []
    for document in documents:
        data = document.data
        items = data if isinstance(data, list) else [data]
        for index, item in enumerate(items):
            where = document.where(len(documents))
            where += f"[{index}]" if isinstance(data, list) else ""
            if not isinstance(item, dict) or item.get("apiVersion") not in API_VERSIONS:
                seen = item.get("apiVersion") if isinstance(item, dict) else None
                said = f"apiVersion {seen!r}" if seen is not None else "no apiVersion"
                result.lose(
                    path,
                    where,
                    f"{said}: not an OpenSLO object slogen reads "
                    f"({' or '.join(API_VERSIONS)}); skipped",
                )
                continue
            name = (item.get("metadata") or {}).get("name")
            if item.get("kind") not in KINDS or not isinstance(name, str) or not name:
                result.lose(
                    path,
                    where,
                    f"kind {item.get('kind')!r} without a known kind and a name; skipped",
                )
                continue
            found.append(_Object(path, item["apiVersion"], item["kind"], name, item))
    return found


@dataclass
class _Run:
    """Every OpenSLO object of one import run, converted after the last file."""

    team: str | None
    files: list[str] = field(default_factory=list)
    objects: list[_Object] = field(default_factory=list)

    def __call__(self, result: Imported) -> list[Problem]:
        problems: list[Problem] = []
        index: dict[tuple[str, str], _Object] = {}
        refused: set[str] = set()
        for obj in self.objects:
            first = index.setdefault((obj.kind, obj.name), obj)
            if first is not obj:
                problems.append(
                    Problem(
                        Location(obj.file, field=f"{obj.where} metadata.name"),
                        f"{obj.kind} {obj.name!r} is defined twice; first in {first.file}",
                        "OpenSLO names are unique per kind; rename one",
                    )
                )
                refused.add(obj.file)
        converted, used = self._convert(index, result)
        services: dict[str, Service] = {}
        teams: dict[str, list[str]] = {}
        for path in self.files:
            slos = converted.get(path, ([], []))
            if path in refused:
                continue
            if not slos[0] and path not in used:
                problems.append(self._refusal(path, slos[1]))
                continue
            clashes = self._clashes(path, slos[0], services)
            if clashes:
                problems.extend(clashes)
                continue
            for slo in slos[0]:
                service = services.get(slo.service) or new_service(
                    slo.service, {"service": slo.service}, path
                )
                services[slo.service] = service.join(path, [slo.slo], [path])
                teams.setdefault(slo.service, []).extend(slo.teams)
        for service in services.values():
            self._service(service, teams[service.name], index, result)
        return problems

    def _convert(
        self, index: dict[tuple[str, str], _Object], result: Imported
    ) -> tuple[dict[str, tuple[list[ConvertedSLO], list[str]]], set[str]]:
        """Each file's imported SLOs and skip reasons, and the files an SLO used."""
        converted: dict[str, tuple[list[ConvertedSLO], list[str]]] = {}
        used: set[str] = set()
        default_burn = _default_burn()
        for obj in self.objects:
            if obj.kind != "SLO" or index.get((obj.kind, obj.name)) is not obj:
                continue
            slos, reasons = converted.setdefault(obj.file, ([], []))
            touched: set[str] = set()

            def find(kind: str, name: Any, touched: set[str] = touched) -> dict[str, Any] | None:
                found = index.get((kind, str(name)))
                if found is not None:
                    touched.add(found.file)
                return found.body if found is not None else None

            notes: list[tuple[str, str]] = []

            def lose(where: str, message: str, notes: list[tuple[str, str]] = notes) -> None:
                notes.append((where, message))

            try:
                found = convert_slo(obj.version, obj.name, obj.body, find, default_burn, lose)
            except Unmappable as lost:
                # What else this SLO would have lost does not matter once it is skipped.
                notes[:] = [(lost.field, f"{lost.reason}; SLO skipped")]
                reasons.append(f"SLO {obj.name!r}: {lost.field}: {lost.reason}")
            else:
                slos.extend(_unique(found, slos, lose))
                used |= touched - {obj.file}
            for where, message in notes:
                _lose(result, obj.file, f"{obj.where} {where}", message)
        return converted, used

    def _refusal(self, path: str, reasons: list[str]) -> Problem:
        if reasons:
            why = "; ".join(reasons[:3]) + (
                f"; and {len(reasons) - 3} more" if len(reasons) > 3 else ""
            )
        else:
            kinds = sorted({o.kind for o in self.objects if o.file == path})
            why = f"it holds no SLO (only {', '.join(kinds)}) that an imported SLO refers to"
        return Problem(
            Location(path),
            f"holds no OpenSLO SLO that slogen can compile: {why}",
            "slogen compiles SLOs whose indicators query Prometheus",
        )

    def _clashes(
        self, path: str, slos: list[ConvertedSLO], services: dict[str, Service]
    ) -> list[Problem]:
        """The file's SLOs whose names their services have from earlier files."""
        problems = []
        for slo in slos:
            for taken in duplicates(services.get(slo.service), [(slo.slo["name"], path)]):
                problems.append(
                    Problem(
                        Location(path, field=f"SLO {taken.slo}"),
                        f"service {slo.service!r} already has an SLO "
                        f"{taken.slo!r}, from {taken.earlier_in_service}",
                        "SLOs of one service from several files need distinct names",
                    )
                )
        return problems

    def _service(
        self,
        gathered: Service,
        teams: list[str],
        index: dict[tuple[str, str], _Object],
        result: Imported,
    ) -> None:
        """The service with its team and description, its files listed sorted: its
        objects refer to each other across files, so their order says nothing."""
        name = gathered.name
        files = tuple(sorted(gathered.sources))
        settings: dict[str, Any] = {
            "service": name,
            "team": self._team(name, teams, gathered.origins[0], index, result),
        }
        described = index.get(("Service", name))
        if described is not None and (described.body.get("spec") or {}).get("description"):
            settings["description"] = str(described.body["spec"]["description"])
        if result.service(name) is not None:
            raise SpecError([Problem(Location(files[0]), f"service {name!r} was imported twice")])
        result.put(replace(gathered, settings=settings, sources=files))

    def _team(
        self,
        name: str,
        teams: list[str],
        first: str,
        index: dict[tuple[str, str], _Object],
        result: Imported,
    ) -> str:
        """``--team``, else the first team its SLOs or its Service object name."""
        if self.team:
            return self.team
        candidates = [team for team in teams if is_name(team)]
        described = index.get(("Service", name))
        if described is not None:
            _, named = labels_of(described.body.get("metadata") or {}, "", lambda *_: None)
            candidates += [team for team in named if is_name(team)]
        if not candidates:
            _lose(
                result,
                first,
                f"service {name}",
                "no team or owner label; team set to 'unowned' (use --team)",
            )
            return "unowned"
        others = sorted(set(candidates) - {candidates[0]})
        if others:
            _lose(
                result,
                first,
                f"service {name}",
                f"team {candidates[0]!r} kept; {others} also named",
            )
        return candidates[0]


def _unique(slos: list[ConvertedSLO], earlier: list[ConvertedSLO], lose: Any) -> list[ConvertedSLO]:
    """Names made unique within one file's service by a numeric suffix, said so."""
    taken = {(s.service, s.slo["name"]) for s in earlier}
    out = []
    for slo in slos:
        name, number = slo.slo["name"], 2
        while (slo.service, name) in taken:
            name = f"{slo.slo['name'][:60]}-{number}"
            number += 1
        if name != slo.slo["name"]:
            lose(
                "metadata.name",
                f"SLO name {slo.slo['name']!r} taken in this file; imported as {name!r}",
            )
            slo = ConvertedSLO(slo.service, {**slo.slo, "name": name}, slo.teams)
        taken.add((slo.service, name))
        out.append(slo)
    return out


def _default_burn() -> list[dict[str, Any]]:
    from slogen.spec.loader import builtin_defaults

    policies = builtin_defaults().spec.alerting
    return [p.model_dump() for p in (policies.burn_rate or [])] if policies else []


def _lose(result: Imported, path: str, where: str, message: str) -> None:
    """Report once: each objective of an SLO meets the same alert policies."""
    if Loss(path, where, message) not in result.losses:
        result.lose(path, where, message)
