"""promtool test files, one per SLO and evaluation step.

promtool takes one evaluation interval per file, and long windows need a coarse
step to stay fast, so each SLO gets a file per step its scenarios use:
``tests/<service>/<slo>.<step>.test.yml``. promtool evaluates every rule of a file's
``rule_files`` at every step of every test, so proofs that named a service's whole
rule file would cost the square of its SLO count (a 42-SLO service: over an hour of
CPU). Each SLO's proofs therefore run on that SLO's groups alone: the service's rule
file itself where it holds only that SLO, else ``tests/<service>/<slo>.rules.yml``,
the SLO's share of the groups ``prometheus/<service>.rules.yml`` writes: the groups
holding its rules, with its rules alone, in the deployed order (no rule reads another
SLO's recordings, so that is what it computes deployed). Where the deployed groups
carry a key promtool refuses (Thanos' ``partial_response_strategy``), the proofs run
such a file, without that key, even for a service of one SLO.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from slogen import naming
from slogen.durations import format_duration
from slogen.layout import proof_file, proof_rule_file, rule_file
from slogen.model import SLO, Service
from slogen.promql import escape_string
from slogen.render import dump_yaml, generated_header
from slogen.ruler_keys import for_promtool, refused_by_prometheus
from slogen.testgen.plan import Plan
from slogen.testgen.profile import Profile
from slogen.testgen.recording_checks import recording_checks
from slogen.testgen.scenarios import Check, Scenario
from slogen.testgen.series import CounterValues, Layout, Phase, render_series, series_layout
from slogen.testgen.shapes import Shape, other_group
from slogen.testgen.timing import calendar_lead

SloRules = Callable[[SLO, bool], Sequence[Mapping[str, object]]]
"""The rule groups of one SLO as the rule files write them, and with ``True`` less the
two rules that read raw series: handed in by the pipeline, so that the proofs run the
very groups that are deployed without this package importing the rule generator."""


def service_test_files(
    service: Service, plans: Mapping[tuple[str, str], Plan], rules: SloRules, values: CounterValues
) -> dict[str, bytes]:
    """One service's proof files and recording check. ``values`` caches counter
    values spelled for earlier services (the same phases recur across a tree)."""
    files = {}
    deployed = {(slo.service, slo.name): rules(slo, False) for slo in service.slos}
    for slo in service.slos:
        found = plans[slo.service, slo.name]
        if found.proven_as is None:
            files.update(_slo_files(service, found, rules, values))
    files.update(recording_checks(service, plans, deployed, values))
    return files


def _slo_files(
    service: Service, found: Plan, rules_of: SloRules, values: CounterValues
) -> dict[str, bytes]:
    """The SLO's proof files and, where its proofs need one, their own rule file;
    nothing without a scenario, since promtool passes a file with no test."""
    if not found.scenarios:
        return {}
    slo = found.slo
    groups = rules_of(slo, found.from_recordings)
    files = {}
    if found.from_recordings or len(service.slos) > 1 or refused_by_prometheus(groups):
        rules_path = proof_rule_file(service.name, slo.name, found.from_recordings)
        files[rules_path] = _slo_rules(service, slo, groups, found.from_recordings)
        rules = rules_path.rsplit("/", 1)[1]
    else:
        rules = f"../../{rule_file(service.name)}"
    names = tuple(str(group["name"]) for group in groups)
    files.update(_proof_files(service, found, rules, names, values))
    return files


def _proof_files(
    service: Service, found: Plan, rules: str, groups: tuple[str, ...], values: CounterValues
) -> dict[str, bytes]:
    """One file per evaluation step the SLO's scenarios use."""
    slo, form = found.slo, found.form
    beside = _beside(slo, form)
    laid = (form, series_layout(slo, form))
    alerts = _AlertSelectors(slo, dict(found.groups))
    by_step: dict[int, list[Scenario]] = {}
    for scenario in found.scenarios:
        by_step.setdefault(scenario.step, []).append(scenario)
    notes = [*found.gaps, *([f"not proven: {found.unproven}"] if found.from_recordings else [])]
    files = {}
    for step, made in sorted(by_step.items()):
        document = {
            "rule_files": [rules],
            "evaluation_interval": format_duration(step),
            # promtool evaluates groups in an arbitrary order unless told; at steps
            # longer than the 5m lookback an alert must see this step's recordings.
            "group_eval_order": list(groups),
            "tests": [_group(slo, laid, alerts, scenario, beside, values) for scenario in made],
        }
        header = (
            f"promtool unit tests of the alerts of {service.name}/{slo.name}, evaluated "
            f"every {format_duration(step)}.\nGenerated by slogen from {service.source}; "
            "do not edit. Run: promtool test rules <this file>\n"
            + (_FROM_RECORDINGS_NOTE if found.from_recordings else "")
            + "\n"
            + "\n".join([*(scenario.name for scenario in made), *notes])
        )
        files[proof_file(service.name, slo.name, step, found.from_recordings)] = dump_yaml(
            document, header
        )
    return files


_FROM_RECORDINGS_NOTE = (
    "These proofs feed each SLO's two 5m recordings (slo:sli_total:rate5m and "
    "slo:sli_errors:rate5m)\nto the rules that read them: every window, burn rate, "
    "budget and alert is proven; the\nqueries that make the two recordings are not "
    "(why: below). Check those on live data\nwith `slogen lint --prometheus URL`.\n"
)


def _slo_rules(
    service: Service, slo: SLO, groups: Sequence[Mapping[str, object]], from_recordings: bool
) -> bytes:
    where = rule_file(service.name)
    what = (
        f"in {where}, less the two rules that read raw series"
        if from_recordings
        else f"exactly as {where} deploys them"
    )
    header = (
        f"The rule groups of {slo.name}, {what}:\n"
        "promtool's proofs only; do not deploy.\n" + generated_header(service.source)
    )
    return dump_yaml({"groups": [for_promtool(group) for group in groups]}, header)


Laid = tuple[Shape, Layout | None]
"""An SLO's series shape and the names of its counter series (``series_layout``)."""


def _beside(slo: SLO, form: Shape) -> tuple[Laid, Fraction] | None:
    """For grouped SLOs, a second group's series and the healthy ratio it runs at."""
    other = other_group(slo, form)
    if other is None:
        return None
    return (other, series_layout(slo, other)), Profile.of(slo, form).healthy_ratio()


def _group(
    slo: SLO,
    laid: Laid,
    alerts: _AlertSelectors,
    scenario: Scenario,
    beside: tuple[Laid, Fraction] | None,
    values: CounterValues,
) -> dict[str, Any]:
    phases, interval = list(scenario.phases), scenario.interval
    lead = calendar_lead(slo.calendar)
    if all(phase.traffic is None for phase in phases):  # never seen: no series at all
        series = []
    else:
        series = render_series(slo, *laid, _led(phases, lead), interval, values)
    if beside is not None and series:
        other, healthy = beside
        reporting = next(p.traffic for p in phases if p.traffic is not None)
        calm = [
            Phase(p.seconds, reporting if scenario.others_report else p.traffic, healthy)
            if p.traffic is None
            else Phase(p.seconds, p.traffic, healthy)
            for p in phases
        ]
        series += render_series(slo, *other, _led(calm, lead), interval, values)
    return {
        "name": f"{slo.name}: {scenario.name}",
        "interval": format_duration(scenario.interval),
        "input_series": [{"series": s.labels, "values": s.values} for s in series],
        "promql_expr_test": [alerts.expect(check, lead) for check in scenario.checks],
    }


def _led(phases: list[Phase], lead: int) -> list[Phase]:
    """The phases after ``lead`` seconds of silence, which a calendar zone west of UTC
    needs (``timing.calendar_lead``): the scenarios are timed from their first sample."""
    return [Phase(lead, None), *phases] if lead else phases


class _AlertSelectors:
    """The ALERTS selectors an SLO's checks compare. Every check of its ~19 scenarios
    asks for one of a few alert and severity pairs, so each pair is spelled once."""

    def __init__(self, slo: SLO, groups: dict[str, str]) -> None:
        self.slo = slo
        self.groups = groups
        self._spelled: dict[tuple[str, str], tuple[str, str]] = {}

    def expect(self, check: Check, lead: int) -> dict[str, Any]:
        """The check as promtool reads it, ``lead`` seconds after the scenario's time."""
        key = (check.alert, check.severity)
        query, labels = self._spelled.get(key) or self._spelled.setdefault(key, self._spell(*key))
        return {
            "expr": query,
            "eval_time": format_duration(lead + check.at),
            "exp_samples": [{"labels": labels, "value": 1}] if check.firing else [],
        }

    def _spell(self, alert: str, severity: str) -> tuple[str, str]:
        """The query and the firing alert's full label set."""
        slo = self.slo
        query = {
            "alertname": alert,
            "alertstate": "firing",
            naming.SERVICE_LABEL: slo.service,
            naming.SLO_LABEL: slo.name,
            naming.SEVERITY_LABEL: slo.alerting.severity(severity).label,
        }
        labels = {**query, naming.TEAM_LABEL: slo.team, **dict(slo.labels), **self.groups}
        if alert == naming.NO_DATA_ALERT:
            labels = {k: v for k, v in labels.items() if k not in self.groups}
        return "ALERTS" + _braces(query), "ALERTS" + _braces(labels)


def _braces(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}={escape_string(v)}" for k, v in sorted(labels.items())) + "}"
