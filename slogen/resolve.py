"""Resolve validated specs into the model: apply defaults, derive, reject the impossible.

Alerting settings come in layers: slogen's built-in defaults, the spec tree's
``defaults.yaml``, the service file, the SLO. Each layer overrides keys of the one
below; ``page``, ``ticket``, ``no_data`` and ``vanished`` merge key by key, lists are
replaced whole.
Every merged value remembers which file set it, so an impossible setting is reported
where it was written, not where it happened to be used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from slogen import latency_units, naming, promql
from slogen import model as m
from slogen.dependencies import dependency_problems
from slogen.durations import format_duration, parse_duration, parse_seconds
from slogen.errors import Location, Problem, SpecError
from slogen.promql import Selector
from slogen.resolve_routing import resolve_routing
from slogen.spec.loader import BUILTIN_DEFAULTS, ServiceFile, Specs
from slogen.spec.models import (
    AlertingSpec,
    DefaultsSpec,
    SLISpec,
    SLOSpec,
    Tier,
    TierSpec,
    factor_fraction,
    percent_fraction,
)
from slogen.spec.promql_input import labels_dropped, parse_selector
from slogen.spec.yaml_source import Path, SourceDocument

_MERGED_BY_KEY = ("page", "ticket", "no_data", "vanished")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class _Setting:
    value: Any
    source: SourceDocument
    path: Path

    def where(self) -> Location:
        return self.source.locate(self.path)


class _Layers:
    """Merged alerting settings with the origin of each value."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, ...], _Setting] = {}

    def add(self, spec: AlertingSpec | None, source: SourceDocument, base: Path) -> None:
        if spec is None:
            return
        data = spec.model_dump(exclude_unset=True, by_alias=True)
        for key, value in data.items():
            if key in _MERGED_BY_KEY and isinstance(value, dict):
                for sub, subvalue in value.items():
                    self.values[(key, sub)] = _Setting(subvalue, source, (*base, key, sub))
            else:
                self.values[(key,)] = _Setting(value, source, (*base, key))

    def copy(self) -> _Layers:
        layers = _Layers()
        layers.values = dict(self.values)
        return layers

    def get(self, *key: str) -> _Setting:
        return self.values[key]


@dataclass
class _Defaults:
    """The defaults layers merged: later files override earlier ones key by key."""

    alerting: _Layers = field(default_factory=_Layers)
    window: _Setting | None = None
    runbook: _Setting | None = None
    grafana_url: str = ""
    tiers: dict[Tier, TierSpec] = field(default_factory=dict)
    namespace: str | None = None
    manifest_labels: dict[str, str] = field(default_factory=dict)

    def add(self, spec: DefaultsSpec, source: SourceDocument) -> None:
        self.alerting.add(spec.alerting, source, ("alerting",))
        if spec.window is not None:
            self.window = _Setting(spec.window, source, ("window",))
        if spec.runbook is not None:
            self.runbook = _Setting(spec.runbook, source, ("runbook",))
        if spec.grafana_url is not None:
            self.grafana_url = spec.grafana_url.rstrip("/")
        self.tiers.update(spec.tiers or {})
        if spec.kubernetes is not None:
            self.namespace = spec.kubernetes.namespace or self.namespace
            self.manifest_labels.update(spec.kubernetes.labels)


def resolve(specs: Specs) -> m.Model:
    """Build the model from loaded specs or raise SpecError with every problem."""
    problems: list[Problem] = []
    defaults = _Defaults()
    for layer in specs.defaults:
        defaults.add(layer.spec, layer.source)
    services = [_ServiceContext(file, defaults).resolve(problems) for file in specs.services]
    problems.extend(dependency_problems(specs.services, specs.siblings))
    routing = None
    if specs.routing is not None and not problems:
        routing = resolve_routing(specs.routing, specs.services, services, problems)
    if problems:
        raise SpecError(problems)
    return m.Model(
        services=tuple(sorted(services, key=lambda s: s.name)),
        kubernetes=m.Kubernetes(
            defaults.namespace, tuple(sorted(defaults.manifest_labels.items()))
        ),
        routing=routing,
    )


@dataclass
class _ServiceContext:
    file: ServiceFile
    defaults: _Defaults

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
        self, index: int, spec: SLOSpec, service_layers: _Layers, uid: str, problems: list[Problem]
    ) -> m.SLO | None:
        service, source = self.file.spec, self.file.source
        here: Path = ("slos", index)
        found_before = len(problems)
        objective = self._objective(spec, here, problems)
        window = self._setting(spec.window, ("window",), service.window, self.defaults.window, here)
        period = parse_duration(window.value)
        layers = service_layers.copy()
        layers.add(spec.alerting, source, (*here, "alerting"))
        alerting = _alerting(layers, period, objective, source.locate(here), problems)
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
        if len(problems) > found_before or objective is None or alerting is None:
            return None
        return m.SLO(
            service=service.service,
            team=service.team,
            tier=service.tier,
            name=spec.name,
            description=spec.description,
            objective=objective,
            period=period,
            group_by=tuple(spec.group_by),
            labels=tuple(sorted(labels.items())),
            runbook_url=runbook_url,
            dashboard_url=(
                f"{self.defaults.grafana_url}/d/{uid}/{service.service}"
                if self.defaults.grafana_url
                else None
            ),
            sli=_sli(spec.sli),
            alerting=alerting,
            source=source.relative,
            position=index,
            notes=(*_sli_notes(spec.sli), *_budget_notes(objective, period, alerting)),
        )

    def _setting(
        self, slo_value: Any, key: Path, service_value: Any, default: _Setting | None, here: Path
    ) -> _Setting:
        source = self.file.source
        if slo_value is not None:
            return _Setting(slo_value, source, (*here, *key))
        if service_value is not None:
            return _Setting(service_value, source, key)
        assert default is not None, "built-in defaults set every key"
        return default

    def _objective(self, spec: SLOSpec, here: Path, problems: list[Problem]) -> Fraction | None:
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

    def _runbook(self, spec: SLOSpec, here: Path, problems: list[Problem]) -> str | None:
        setting = self._setting(
            spec.runbook,
            ("runbook",),
            self.file.spec.runbook,
            self.defaults.runbook or _UNSET,
            here,
        )
        if setting is _UNSET:
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


_UNSET = _Setting(None, SourceDocument("", "", None), ())


def _alerting(
    layers: _Layers,
    period: int,
    objective: Fraction | None,
    slo_where: Location,
    problems: list[Problem],
) -> m.Alerting | None:
    found_before = len(problems)
    severities = tuple(
        m.Severity(
            key=key,
            label=layers.values[(key, "label")].value if (key, "label") in layers.values else key,
            enabled=layers.get(key, "enabled").value,
            for_seconds=parse_duration(layers.get(key, "for").value),
        )
        for key in m.SEVERITY_KEYS
    )
    enabled = {s.key for s in severities if s.enabled}
    if severities[0].label == severities[1].label:
        set_here = ("page", "label") if ("page", "label") in layers.values else ("ticket", "label")
        problems.append(
            Problem(
                layers.get(*set_here).where(),
                f"page and ticket alerts would both carry severity={severities[0].label!r}",
                "give each severity its own label value, so routing can tell them apart",
            )
        )
    burn_setting = layers.get("burn_rate")
    burn = []
    left_out: list[str] = []
    for index, policy in enumerate(burn_setting.value):
        if policy["severity"] not in enabled:
            continue
        alert = _burn_alert(
            policy,
            period,
            objective,
            _Setting(policy, burn_setting.source, (*burn_setting.path, index)),
            slo_where,
            problems,
            left_out,
        )
        if alert is not None:
            burn.append(alert)
    wanted = {policy["severity"] for policy in burn_setting.value} & enabled
    left_out += _severities_left_without_burn(wanted, burn)
    budget_setting = layers.get("budget_remaining")
    budget = []
    for index, policy in enumerate(budget_setting.value):
        below = percent_fraction(policy["below"])
        if below >= 1:
            problems.append(
                Problem(
                    budget_setting.source.locate((*budget_setting.path, index, "below")),
                    "a budget_remaining threshold of 100% would always fire",
                    "use a share below 100%, such as 25%",
                )
            )
        elif policy["severity"] in enabled:
            budget.append(m.BudgetAlert(policy["severity"], below))
    problems.extend(_budget_collisions(budget_setting))
    no_data = None
    no_data_severity = layers.get("no_data", "severity").value
    if layers.get("no_data", "enabled").value and no_data_severity in enabled:
        no_data = m.NoDataAlert(
            no_data_severity, parse_duration(layers.get("no_data", "after").value)
        )
    vanished = None
    vanished_severity = layers.get("vanished", "severity").value
    if layers.get("vanished", "enabled").value and vanished_severity in enabled:
        vanished = m.VanishedAlert(vanished_severity)
    rate_setting = layers.get("min_request_rate")
    if len(problems) > found_before:
        return None
    return m.Alerting(
        severities=severities,
        burn=tuple(burn),
        budget=tuple(sorted(budget, key=lambda b: -b.below)),
        no_data=no_data,
        vanished=vanished,
        min_request_rate=Fraction(repr(rate_setting.value)),
        left_out=tuple(left_out),
    )


def _budget_collisions(setting: _Setting) -> list[Problem]:
    """budget_remaining policies that would make the same alert: a 0% threshold makes
    SLOErrorBudgetExhausted and any other SLOErrorBudgetLow, so one severity may have
    one of each (ticket below 25% and ticket below 0% is fine), but not two of one."""
    problems = []
    first: dict[tuple[bool, str], int] = {}
    for index, policy in enumerate(setting.value):
        below = percent_fraction(policy["below"])
        if below >= 1:
            continue  # refused on its own
        key = (below == 0, policy["severity"])
        if key not in first:
            first[key] = index
            continue
        alert = naming.BUDGET_EXHAUSTED_ALERT if below == 0 else naming.BUDGET_LOW_ALERT
        kind = "at 0%" if below == 0 else "above 0%"
        problems.append(
            Problem(
                setting.source.locate((*setting.path, index)),
                f"budget_remaining[{first[key]}] is a {policy['severity']} threshold "
                f"{kind} too: both would be one {policy['severity']} {alert} alert",
                "give each severity at most one threshold above 0% (SLOErrorBudgetLow) "
                "and one at 0% (SLOErrorBudgetExhausted), for example ticket below 25% "
                "and ticket below 0%",
            )
        )
    return problems


def _severities_left_without_burn(wanted: set[str], burn: list[m.BurnAlert]) -> list[str]:
    """Severities that had burn policies and kept none. Policies are only dropped when
    built-in ones are left out (any other problem refuses the SLO), and an 80% SLO
    that never pages for a burn must be told so outright, not only by implication."""
    kept = {alert.severity for alert in burn}
    return [
        f"no {severity} burn alert at all: every built-in {severity} policy is left out; "
        f"give this SLO alerting.burn_rate policies that can fire if it should {severity}"
        for severity in sorted(wanted - kept)
    ]


class PolicyProblem(NamedTuple):
    """Why a burn policy cannot work for an SLO, and what would."""

    message: str
    hint: str
    objective: bool
    """The objective rules it out (the windows alone would work)."""


def burn_policy_problem(
    severity: str,
    spent: Fraction,
    long: int,
    short: int,
    period: int,
    objective: Fraction | None,
    *,
    by_factor: bool = False,
) -> PolicyProblem | None:
    """The limits every burn policy must meet for one SLO, or None when it meets them.

    ``spent`` is the share of the budget, whichever way the policy gave it;
    ``by_factor`` says it was written as a ``factor``, so that hints name what the
    user can change. Importers ask too, so that what they write compiles."""
    if spent <= 0:
        return PolicyProblem(
            "budget_spent must be more than 0%", "2% in 1h is the usual fast page", False
        )
    windows = _burn_window_problem(long, short, period)
    if windows is not None:
        return windows
    factor = m.burn_factor(spent, period, long)
    if spent > 1:
        return PolicyProblem(
            f"factor {float(factor):g} over {format_duration(long)} spends "
            f"{float(spent * 100):g}% of the budget in that window, more than all of it, "
            "before the alert can fire",
            f"lower the factor to {float(m.burn_factor(Fraction(1), period, long)):g} or "
            "less, which spends the whole budget in the long window, or shorten the window",
            False,
        )
    if objective is None:
        return None
    if severity == "page" and factor < 1:
        return PolicyProblem(
            f"this page would fire at burn rate {float(factor):g}, while the budget "
            "is spent slower than it accrues",
            "a page's factor must be at least 1; 14 is the usual fast page"
            if by_factor
            else "budget_spent is a percent of the whole budget: write 2% (or 2), not 0.02",
            False,
        )
    if factor * (1 - objective) >= 1:
        return PolicyProblem(
            f"this alert can never fire: burn factor {float(factor):g} needs an error "
            f"ratio of {float(factor * (1 - objective) * 100):g}%, more than 100%",
            f"lower factor below {float(1 / (1 - objective)):g}, the fastest this "
            "objective's budget can burn"
            if by_factor
            else "lower budget_spent or lengthen the long window",
            True,
        )
    return None


def _burn_window_problem(long: int, short: int, period: int) -> PolicyProblem | None:
    """Windows that cannot work whatever the rate: they must nest inside the period
    and each other, and none can be shorter than the 5m rates they are built from."""
    if long >= period:
        return PolicyProblem(
            f"long window {format_duration(long)} is not shorter than the SLO period "
            f"{format_duration(period)}",
            "alert windows must be shorter than the period they protect",
            False,
        )
    if short >= long:
        return PolicyProblem(
            f"short window {format_duration(short)} is not shorter than long window "
            f"{format_duration(long)}",
            "the SRE Workbook uses a short window of 1/12 of the long one",
            False,
        )
    if short < m.BASE_WINDOW:
        return PolicyProblem(
            f"short window {format_duration(short)} is below 5m",
            "every window is computed from 5-minute rates; use 5m or longer",
            False,
        )
    return None


def policy_budget_spent(policy: Mapping[str, Any], period: int) -> Fraction:
    """The share of the budget a policy (in spec-file form) spends in its long window,
    from ``budget_spent`` or, exactly, from ``factor``: the one number every check and
    every rule is derived from, however the user wrote it."""
    factor = policy.get("factor")
    if factor is not None:
        long = parse_duration(str(policy["long"]))
        return m.budget_share(factor_fraction(factor), period, long)
    return percent_fraction(policy["budget_spent"])


def policy_problem(
    policy: Mapping[str, Any], period: int, objective: Fraction | None
) -> PolicyProblem | None:
    """:func:`burn_policy_problem` of a policy in spec-file form (``budget_spent`` or
    ``factor``), as resolving asks it and as importers ask it before they write."""
    return burn_policy_problem(
        str(policy["severity"]),
        policy_budget_spent(policy, period),
        parse_duration(str(policy["long"])),
        parse_duration(str(policy["short"])),
        period,
        objective,
        by_factor=policy.get("factor") is not None,
    )


def _burn_alert(
    policy: dict[str, Any],
    period: int,
    objective: Fraction | None,
    origin: _Setting,
    slo_where: Location,
    problems: list[Problem],
    left_out: list[str],
) -> m.BurnAlert | None:
    """One burn policy for one SLO; a policy that cannot work for this SLO's period or
    objective is reported at the SLO when it was inherited, naming where it came from.
    A built-in policy that only the objective rules out is left out and said instead:
    the user did not write it, and low objectives are common."""
    long, short = parse_duration(policy["long"]), parse_duration(policy["short"])
    spent = policy_budget_spent(policy, period)
    wrong = policy_problem(policy, period, objective)
    if wrong is None:
        if objective is None:
            return None
        factor = m.burn_factor(spent, period, long)
        return m.BurnAlert(policy["severity"], spent, long, short, factor)
    if wrong.objective and origin.source.display == BUILTIN_DEFAULTS:
        left_out.append(
            f"built-in {policy['severity']} policy {format_duration(long)}/"
            f"{format_duration(short)} left out: {wrong.message}"
        )
        return None
    if origin.path[0] == "slos":
        problems.append(Problem(origin.where(), wrong.message, wrong.hint))
    else:
        inherited = f"burn policy {origin.where()} (inherited): {wrong.message}"
        problems.append(Problem(slo_where, inherited, wrong.hint))
    return None


def _ratio_grouping(spec: SLOSpec, source: SourceDocument, here: Path) -> list[Problem]:
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
    budget_seconds = (1 - objective) * period
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


LIKELY_MILLISECONDS = latency_units.LIKELY_MILLISECONDS


def _sli_notes(spec: SLISpec) -> tuple[str, ...]:
    """A bare number is the bucket bound as the histogram counts it, which is right for
    a histogram in milliseconds; on a ``_seconds`` histogram, 100 is more likely 100ms
    written without its unit than a 100-second objective. Writing the unit either way
    says what was meant and ends the note.

    A duration is converted to the unit the histogram's name gives (``250ms`` is
    ``le="250"`` on ``*_milliseconds``); a name that gives none is taken as seconds,
    which is said, since nothing else would tell a histogram of milliseconds apart."""
    latency = spec.latency
    if latency is None:
        return ()
    metric = latency_units.histogram_name(parse_selector(latency.histogram).metric)
    unit = latency_units.histogram_unit(metric)
    if not latency_units.is_bare(latency.threshold):
        if unit is not None:
            return ()
        seconds = parse_seconds(latency.threshold)
        bound = promql.number(latency_units.bucket_bound(seconds, metric))
        return (
            f"{metric} has no unit in its name (_seconds, _milliseconds, _microseconds), "
            f'so latency threshold {latency.threshold} is taken as le="{bound}" in '
            "seconds; if the histogram counts another unit, write its bound as a plain "
            "number as the histogram counts it",
        )
    value = parse_seconds(latency.threshold)
    if unit is not latency_units.SECONDS or value <= LIKELY_MILLISECONDS:
        return ()
    bound = f"{float(value):g}"
    return (
        f"latency threshold {bound} on {metric} means {bound} seconds; write {bound}ms "
        f"for milliseconds, or {bound}s to keep seconds without this note",
    )


def _sli(spec: SLISpec) -> m.SLI:
    if spec.events is not None:
        events = spec.events
        return m.EventsSLI(
            total=parse_selector(events.total),
            errors=parse_selector(events.errors) if events.errors else None,
            good=parse_selector(events.good) if events.good else None,
        )
    if spec.latency is not None:
        histogram = parse_selector(spec.latency.histogram)
        return m.LatencySLI(
            histogram=histogram if spec.latency.native else _histogram_base(histogram),
            threshold=latency_units.spec_threshold(spec.latency.threshold, histogram.metric),
            native=spec.latency.native,
        )
    if spec.up is not None:
        return m.UpSLI(parse_selector(spec.up.metric))
    if spec.freshness is not None:
        return m.FreshnessSLI(
            parse_selector(spec.freshness.timestamp), parse_duration(spec.freshness.max_age)
        )
    assert spec.ratio is not None
    return m.RatioSLI(total=spec.ratio.total, errors=spec.ratio.errors, good=spec.ratio.good)


def _histogram_base(selector: Selector) -> Selector:
    """Accept ``x_bucket`` as well as ``x``: the model always holds the histogram name."""
    return selector.named(selector.metric.removesuffix("_bucket"))
