"""What an import produced, and what it could not carry over, per file and field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slogen.errors import Problem
from slogen.importers.services import Service


@dataclass(frozen=True)
class Loss:
    """Something in the source that the slogen spec does not say, and why."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


@dataclass
class Imported:
    """What one import run gathers: the services (each a frozen :class:`Service` that
    importers replace, never edit), the losses and notes, and the finishing steps.

    It is the one mutable thing of a run, handed from file to file, so that SLOs of one
    service in several files meet."""

    built: dict[str, Service] = field(default_factory=dict)
    """Service name -> the service as imported so far."""
    losses: list[Loss] = field(default_factory=list)
    finishing: dict[str, Callable[[Imported], list[Problem]]] = field(default_factory=dict)
    """Steps that need every file of the run (an OpenSLO SLO may name an SLI in another
    file), by format; ``import_files`` runs each once after the last file and treats
    the problems they return as refused input."""

    alerting: dict[str, str] = field(default_factory=dict)
    """``service/slo`` -> what it alerts on once compiled (``alerting_summary``)."""
    notes: dict[str, str] = field(default_factory=dict)
    """What the import decided that the user may not expect, by subject, each said once
    however many objects it concerns (several SLOs put into one service, say)."""

    @property
    def services(self) -> dict[str, dict[str, Any]]:
        """Service name -> spec data, as a slogen YAML file holds it (a fresh copy)."""
        return {name: service.spec() for name, service in self.built.items()}

    @property
    def sources(self) -> dict[str, str]:
        """Service name -> the files its SLOs came from, as the spec file's header says."""
        return {name: service.from_files for name, service in self.built.items()}

    def service(self, name: str) -> Service | None:
        return self.built.get(name)

    def put(self, service: Service) -> None:
        """Add ``service``, or replace the one of its name with what joined it."""
        self.built[service.name] = service

    def report(self, shown: int = 4) -> list[str]:
        """The losses as lines, one per distinct message in first-seen order: a
        42-SLO import that loses the same thing from every SLO says it once, with
        where (the first ``shown`` places and how many more), not 42 times."""
        places: dict[str, list[str]] = {}
        for loss in self.losses:
            places.setdefault(loss.message, []).append(f"{loss.file}: {loss.field}")
        lines = []
        for message, where in places.items():
            if len(where) == 1:
                lines.append(f"{where[0]}: {message}")
                continue
            more = f" and {len(where) - shown} more" if len(where) > shown else ""
            lines.append(f"{message} ({len(where)} places: {'; '.join(where[:shown])}{more})")
        return lines

    def lose(self, file: str, where: str, message: str) -> None:
        self.losses.append(Loss(file, where, message))

    def note(self, subject: str, message: str) -> None:
        self.notes.setdefault(subject, message)
