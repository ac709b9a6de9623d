"""Services and their SLOs: each setting from the nearest layer that gives it, every
problem of a service collected before any is raised."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from slogen import model as m
from slogen import naming
from slogen.dependencies import dependency_problems
from slogen.durations import format_duration
from slogen.errors import Problem, SpecError
from slogen.model_calendar import parse_window
from slogen.resolve.alerting import alerting
from slogen.resolve.layers import UNSET, Defaults, Layers, Setting
from slogen.resolve.rule_groups import resolve_rule_groups
from slogen.resolve.sli import sli, sli_notes
from slogen.resolve_routing import resolve_routing
from slogen.run_cache import remembered
from slogen.spec.loader import ServiceFile, Specs
from slogen.spec.models import SLOSpec
from slogen.spec.promql_input import labels_dropped
from slogen.spec.yaml_source import KeyPath, SourceDocument

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def resolve(specs: Specs) -> m.Model:
    """Build the model from loaded specs or raise SpecError with every problem."""
    problems: list[Problem] = []
    defaults = Defaults()
    for layer in specs.defaults:
        defaults.add(layer.spec, layer.source)
    services = [_resolved(file, defaults, specs, problems) for file in specs.services]
    problems.extend(dependency_problems(specs.services, specs.siblings))
    rule_groups = resolve_rule_groups(defaults.rule_groups, problems)
    routing = None
    if specs.routing is not None and not problems:
        routing = resolve_routing(specs.routing, specs.services, services, problems)
    if problems:
        raise SpecError(problems)
    return m.Model(
        services=tuple(sorted(services, key=lambda s: s.name)),
        kubernetes=m.Kubernetes(
            defaults.namespace,
            tuple(sorted(defaults.manifest_labels.items())),
            defaults.manifests,
        ),
        routing=routing,
        rule_groups=rule_groups,
    )


def _resolved(
    file: ServiceFile, defaults: Defaults, specs: Specs, problems: list[Problem]
) -> m.Service:
    """One service, resolved or read back from ``slogen.run_cache``: a pure function
    of its file's text and of the defaults files' beneath it. A service with problems
    is not kept, so they are found and reported again on the next run."""
    layers = tuple((layer.source.display, layer.source.digest) for layer in specs.defaults)
    texts = (file.source.digest, *(digest for _, digest in layers))
    if not all(texts):  # a Jsonnet service, or defaults not read from YAML text
        return _ServiceContext(file, defaults).resolve(problems)
    key = (file.source.display, file.source.relative, file.source.digest, layers)

    def compute() -> tuple[m.Service, tuple[Problem, ...]]:
        found: list[Problem] = []
        return _ServiceContext(file, defaults).resolve(found), tuple(found)

    service, found = remembered("service", key, compute, keep=lambda done: not done[1])
    problems.extend(found)
    return service


@dataclass(frozen=True)
class _ServiceContext:
    """One service file and the defaults beneath it."""

    file: ServiceFile
    defaults: Defaults

    def resolve(self, problems: list[Problem]) -> m.Service:
        spec, source = self.file.spec, self.file.source
        layers = self.defaults.alerting.copy()
        layers.add(spec.alerting, source, ("alerting",))
        uid = naming.dashboard_uid(spec.service)
        slos = []
        first_index: dict[str, int] = {}
        for index, slo_spec in enumerate(spec.slos):
            earlier = first_index.setdefault(slo_spec.name, index)
            if earlier != index:
                problems.append(
                    Problem(
                        source.locate(("slos", index, "name")),
                        f"SLO name {slo_spec.name!r} is already used by slos[{earlier}]",
                        "SLO names must be unique within a service",
                    )
                )
                continue
            slo = self._slo(index, slo_spec, layers, uid, problems)
            if slo is not None:
                slos.append(slo)
        return m.Service(
            spec.service,
            spec.team,
            spec.tier,
            spec.description,
            source.relative,
            uid,
            tuple(slos),
            tuple(sorted(set(spec.depends_on))),
        )

    def _slo(
        self, index: int, spec: SLOSpec, service_layers: Layers, uid: str, problems: list[Problem]
    ) -> m.SLO | None:
        service, source = self.file.spec, self.file.source
        here: KeyPath = ("slos", index)
        found_before = len(problems)
        objective = self._objective(spec, here, problems)
        window = self._setting(spec.window, ("window",), service.window, self.defaults.window, here)
        period, calendar = parse_window(window.value)
        layers = service_layers.copy()
        layers.add(spec.alerting, source, (*here, "alerting"))
        alerts = alerting(layers, period, objective, source.locate(here), problems)
        labels = {**service.labels, **spec.labels}
        clash = sorted(set(labels) & set(spec.group_by))
        if clash:
            problems.append(
                Problem(
                    source.locate((*here, "group_by")),
                    f"labels {clash} are both static labels of the service and in group_by",
                    "a grouping label takes its value from the data; drop the static label",
                )
            )
        runbook_url = self._runbook(spec, here, problems)
        problems.extend(_ratio_grouping(spec, source, here))
        guard = spec.alerting.min_request_rate if spec.alerting else None
        if guard and spec.sli.kind in ("up", "freshness"):
            problems.append(
                Problem(
                    source.locate((*here, "alerting", "min_request_rate")),
                    f"min_request_rate has no meaning for a {spec.sli.kind} SLI",
                    "it counts requests per second; remove it from this SLO",
                )
            )
        if len(problems) > found_before or objective is None or alerts is None:
            return None
        return m.SLO(
            service=service.service,
            team=service.team,
            tier=service.tier,
            name=spec.name,
            description=spec.description,
            objective=objective,
            period=period,
            calendar=calendar,
            group_by=tuple(spec.group_by),
            labels=tuple(sorted(labels.items())),
            runbook_url=runbook_url,
            dashboard_url=(
                f"{self.defaults.grafana_url}/d/{uid}/{service.service}"
                if self.defaults.grafana_url
                else None
            ),
            sli=sli(spec.sli),
            alerting=alerts,
            source=source.relative,
            position=index,
            notes=(*sli_notes(spec.sli), *_budget_notes(objective, period, alerts)),
        )

    def _setting(
        self,
        slo_value: Any,
        key: KeyPath,
        service_value: Any,
        default: Setting | None,
        here: KeyPath,
    ) -> Setting:
        source = self.file.source
        if slo_value is not None:
            return Setting(slo_value, source, (*here, *key))
        if service_value is not None:
            return Setting(service_value, source, key)
        assert default is not None, "built-in defaults set every key"
        return default

    def _objective(self, spec: SLOSpec, here: KeyPath, problems: list[Problem]) -> Fraction | None:
        if spec.objective is not None:
            return Fraction(repr(spec.objective)) / 100
        tier = self.file.spec.tier
        if tier is not None and tier in self.defaults.tiers:
            return Fraction(repr(self.defaults.tiers[tier].objective)) / 100
        problems.append(
            Problem(
                self.file.source.locate(here),
                f"SLO {spec.name!r} has no objective",
                "set objective: (a percent such as 99.9), or give the service a tier "
                "(critical, important, standard, experimental) that implies one",
            )
        )
        return None

    def _runbook(self, spec: SLOSpec, here: KeyPath, problems: list[Problem]) -> str | None:
        setting = self._setting(
            spec.runbook,
            ("runbook",),
            self.file.spec.runbook,
            self.defaults.runbook or UNSET,
            here,
        )
        if setting is UNSET:
            problems.append(
                Problem(
                    self.file.source.locate(here),
                    f"SLO {spec.name!r} has no runbook",
                    "set runbook: to a URL on the SLO, the service or in defaults.yaml "
                    "(it may use {service} and {slo}), or runbook: false to alert without one",
                )
            )
            return None
        if setting.value is False:
            return None
        template = str(setting.value)
        unknown = sorted(set(_PLACEHOLDER.findall(template)) - {"service", "slo"})
        if unknown:
            problems.append(
                Problem(
                    setting.where(),
                    f"runbook template uses unknown placeholders {unknown}",
                    "only {service} and {slo} are substituted",
                )
            )
            return None
        url = template.replace("{service}", self.file.spec.service).replace("{slo}", spec.name)
        if "{" in url or "}" in url:
            problems.append(
                Problem(
                    setting.where(),
                    f"runbook template {template!r} has braces left after substitution",
                    "write placeholders as {service} and {slo}, with single braces",
                )
            )
            return None
        return url


def _ratio_grouping(spec: SLOSpec, source: SourceDocument, here: KeyPath) -> list[Problem]:
    """Raw queries of a grouped SLO must keep the grouping labels in their result."""
    ratio = spec.sli.ratio
    if ratio is None or not spec.group_by:
        return []
    problems = []
    for side in ("errors", "good", "total"):
        query = getattr(ratio, side)
        dropped = labels_dropped(query, tuple(spec.group_by)) if query else []
        if dropped:
            keep = ", ".join(spec.group_by)
            problems.append(
                Problem(
                    source.locate((*here, "sli", "ratio", side)),
                    f"the query aggregates away the group_by labels {dropped}, so every "
                    "group would merge into one",
                    f"aggregate with by ({keep}), e.g. sum by ({keep}) (rate(...[$window]))",
                )
            )
    return problems


def _budget_notes(objective: Fraction, period: int, alerting: m.Alerting) -> tuple[str, ...]:
    """A budget smaller than the page's ``for`` is spent by a total outage before the
    page can fire: valid, but rarely what a 99.9999% objective meant."""
    budget_seconds = m.error_budget(objective) * period
    pages = [s for s in alerting.severities if s.key == "page" and s.enabled]
    if not pages or not any(p.severity == "page" for p in alerting.burn):
        return ()
    if budget_seconds >= pages[0].for_seconds:
        return ()
    return (
        f"the whole error budget is {float(budget_seconds):.3g}s of full outage per "
        f"{format_duration(period)}, less than the page's `for` "
        f"({format_duration(pages[0].for_seconds)}): an outage spends it all before the "
        "page can fire",
    )
