"""What each unit of output is built from, as a digest: its recipe.

A unit's files are a pure function of slogen's code and of the parts of the model
they read, so a digest of those parts says whether a previous run's files can be
taken as they are. The digest is over ``repr`` of frozen model objects (dataclasses,
tuples, Fractions, strings: the same text on every machine and Python version) and
over slogen's own source files, so a changed generator rebuilds everything even
where the version number stayed the same.

What a service's files read beyond the service itself is part of its recipe: the
Kubernetes, routing and rule grouping settings (an edit there rebuilds every
service), and of the services it needs or that need it, whether they are among the
specs, whether they page and the grouping they share (its document says what the
dependency silences).
An edit inside one service rebuilds that service, the services related to it by
``depends_on``, those whose SLOs are proven as one of its SLOs, and the unit that
reads them all.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path

from slogen import model as m
from slogen.coverage import Coverage
from slogen.model import Model

MODEL_UNIT = "model"
"""The unit of the files that read every service: overview, index, Alertmanager."""
PACKAGE = Path(__file__).parent


def service_unit(name: str) -> str:
    """The unit of one service's files."""
    return f"service:{name}"


def recipes(model: Model, proven: Mapping[tuple[str, str], Coverage]) -> dict[str, str]:
    """Every unit's recipe; ``proven`` is each SLO's coverage, which its service's
    document prints (and which names the SLO it is proven as, in another service)."""
    code = code_digest()
    settings = repr((model.kubernetes, model.routing, model.rule_groups))
    summaries = {service.name: _summary(service) for service in model.services}
    found = {}
    for service in model.services:
        dependants = tuple(s.name for s in model.services if service.name in s.depends_on)
        related = tuple(summaries.get(name, (name,)) for name in (*service.depends_on, *dependants))
        coverage = tuple(proven[service.name, slo.name] for slo in service.slos)
        unit = service_unit(service.name)
        parts = (repr(service), settings, repr((dependants, related)), repr(coverage))
        found[unit] = _digest(code, unit, *parts)
    found[MODEL_UNIT] = _digest(code, MODEL_UNIT, settings, *sorted(found.values()))
    return found


def _summary(service: m.Service) -> tuple[object, ...]:
    """What another service's document reads of this one when they depend on each
    other: that it is among the specs, whether it pages for a burn (and with which
    severity labels), and the grouping labels all its SLOs share."""
    paging = (slo for slo in service.slos if slo.pages_for_burn)
    groupings = [set(slo.group_by) for slo in service.slos]
    shared = set.intersection(*groupings) if groupings else set()
    return (service.name, tuple(sorted(m.severity_labels(paging, "page"))), tuple(sorted(shared)))


def _digest(*parts: str) -> str:
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode("utf-8"))
        hashed.update(b"\0")
    return hashed.hexdigest()[:32]


@functools.cache
def code_digest() -> str:
    """slogen's own files (code, built-in defaults, the Jsonnet library), read once
    per process: what the generators are, as much as the model is what they read."""
    hashed = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".libsonnet"):
            hashed.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            hashed.update(path.read_bytes())
    return hashed.hexdigest()
