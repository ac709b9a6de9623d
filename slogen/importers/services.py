"""One imported service: its settings, its SLOs and the files they came from.

Every importer may gather SLOs from several files into one service (one Sloth
``PrometheusServiceLevel`` or Pyrra object per SLO is a common layout), so joining
them, remembering the files for the spec file's header, and finding an SLO name the
service already has are done here once. What an importer says about a clash, and
which settings a service has, stay with the importer: they are its field mapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Service:
    """A service spec being imported; joining returns a new one, so a file that is
    refused halfway leaves the service as it was."""

    name: str
    settings: Mapping[str, Any]
    """What the spec file says before ``slos`` (``service``, ``team``, ...), in order."""
    slos: tuple[Mapping[str, Any], ...] = ()
    origins: tuple[str, ...] = ()
    """Where each SLO came from (a file, or a file and line), as the SLOs are ordered."""
    sources: tuple[str, ...] = ()
    """The files the SLOs came from, each once, in the order they joined."""

    @property
    def team(self) -> Any:
        return self.settings.get("team")

    @property
    def from_files(self) -> str:
        """The files as the spec file's header and the import's messages list them."""
        return ", ".join(self.sources)

    def join(self, file: str, slos: Sequence[Mapping[str, Any]], origins: Sequence[str]) -> Service:
        """This service with ``slos`` (from ``file``, each from its origin) added."""
        files = self.sources if file in self.sources else (*self.sources, file)
        return replace(
            self,
            slos=(*self.slos, *slos),
            origins=(*self.origins, *origins),
            sources=files,
        )

    def spec(self) -> dict[str, Any]:
        """The service as a slogen spec file holds it."""
        return {**self.settings, "slos": [dict(slo) for slo in self.slos]}

    def origin_of(self, slo: str) -> str | None:
        """Where the service's SLO of that name came from, or None."""
        found = [
            origin for s, origin in zip(self.slos, self.origins, strict=True) if s["name"] == slo
        ]
        return found[-1] if found else None


def new_service(name: str, settings: Mapping[str, Any], file: str) -> Service:
    """A service with no SLOs yet, first seen in ``file``."""
    return Service(name, dict(settings), sources=(file,))


@dataclass(frozen=True)
class Duplicate:
    """An SLO whose name its service already has: refused, never renamed silently."""

    index: int
    """Its place among the incoming SLOs."""
    slo: str
    origin: str
    """Where the refused SLO is."""
    earlier_here: str | None
    """Where the latest SLO of that name earlier among the same incoming SLOs is."""
    earlier_in_service: str | None
    """Where the service's SLO of that name came from, when it has one."""


def duplicates(service: Service | None, incoming: Sequence[tuple[str, str]]) -> list[Duplicate]:
    """The rule for SLOs joining a service: each ``(name, origin)`` whose name is taken,
    by an SLO earlier among ``incoming`` or by one the service has (an earlier file or
    document). The caller refuses all of ``incoming`` if any is taken, so that a file
    joins whole or not at all."""
    found = []
    seen: dict[str, str] = {}
    for index, (name, origin) in enumerate(incoming):
        before = service.origin_of(name) if service is not None else None
        if name in seen or before is not None:
            found.append(Duplicate(index, name, origin, seen.get(name), before))
        seen[name] = origin
    return found
