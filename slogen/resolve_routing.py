"""Resolve ``routing.yaml`` against the services: every alert must have somewhere to go.

A team named in a service spec but missing from the routing file, or a severity a
team's SLOs alert with but that the team has no receiver for, would leave alerts to
the default receiver, which is how pages get lost. Both are errors here, naming the
service file and the routing file.

Receivers and maintenance windows are copied into the model's own types here (see
:data:`MODEL_TYPES`), and the user's base config is checked here, so the Alertmanager
generator reads no spec type and refuses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from slogen import model as m
from slogen import naming
from slogen.durations import format_duration, parse_duration
from slogen.errors import Problem
from slogen.spec.loader import RoutingFile, ServiceFile
from slogen.spec.routing import (
    AuthorizationSpec,
    BasicAuthSpec,
    EmailSpec,
    MaintenanceSpec,
    OpsgenieSpec,
    PagerDutySpec,
    ReceiverSpec,
    ResponderSpec,
    SlackSpec,
    TimingSpec,
    WebhookSpec,
)
from slogen.spec.time_intervals import TimeIntervalSpec, TimeRangeSpec
from slogen.spec.yaml_source import KeyPath

BUILTIN_TIMING = m.Timing(
    group_by=(naming.SERVICE_LABEL, naming.SLO_LABEL, "alertname"),
    group_wait="30s",
    group_interval="5m",
    repeat_interval="4h",
)
"""One notification per SLO and alert, re-sent every 4h while it fires."""


def resolve_routing(
    routing: RoutingFile,
    files: Sequence[ServiceFile],
    services: Sequence[m.Service],
    problems: list[Problem],
) -> m.Routing | None:
    """The model's routing, or None with the reasons added to ``problems``."""
    spec, source = routing.spec, routing.source
    found_before = len(problems)
    by_service = {file.spec.service: file for file in files}
    for service in services:
        if service.team not in spec.teams:
            problems.append(
                Problem(
                    by_service[service.name].source.locate(("team",)),
                    f"team {service.team!r} has no entry in {source.display}",
                    f"add teams.{service.team} there with a receiver for each severity; "
                    f"teams there: {', '.join(sorted(spec.teams))}",
                )
            )
    for team_name, team in sorted(spec.teams.items()):
        for key in m.SEVERITY_KEYS:
            if getattr(team, key) is not None:
                continue
            users = sorted(
                by_service[s.name].source.display
                for s in services
                if s.team == team_name and any(key in slo.alert_severities for slo in s.slos)
            )
            if users:
                problems.append(
                    Problem(
                        source.locate(("teams", team_name)),
                        f"team {team_name!r} has no {key} receiver, but {', '.join(users)} "
                        f"raise {key} alerts",
                        f"add teams.{team_name}.{key} with a receiver, or disable {key} "
                        "alerts in those specs",
                    )
                )
        problems.extend(_duplicate_names(team.maintenance, ("teams", team_name), routing))
    problems.extend(_duplicate_names(spec.maintenance, (), routing))
    problems.extend(_ambiguous_labels(services, by_service))
    problems.extend(_email_senders(routing))
    base = None
    if routing.base is not None:  # ruamel.yaml reads it: imported for a base only
        from slogen.resolve_alertmanager_base import alertmanager_base, base_problems

        wrong = base_problems(routing.base)
        problems.extend(wrong)
        base = None if wrong else alertmanager_base(routing.base)
    if len(problems) > found_before:
        return None
    timing = _timing(spec, BUILTIN_TIMING)
    return m.Routing(
        source=source.relative,
        timing=timing,
        default=_receiver(naming.DEFAULT_RECEIVER, spec.default),
        teams=tuple(
            m.Team(
                name=name,
                timing=_timing(team, timing),
                receivers=tuple(
                    (key, _receiver(naming.receiver_name(name, key), receiver))
                    for key in m.SEVERITY_KEYS
                    if isinstance(receiver := getattr(team, key), ReceiverSpec)
                ),
                maintenance=_maintenance(team.maintenance, name),
            )
            for name, team in sorted(spec.teams.items())
        ),
        maintenance=_maintenance(spec.maintenance, None),
        base=base,
        inhibit_equal=tuple(sorted(set(spec.inhibit_equal))),
    )


def _timing(spec: TimingSpec, above: m.Timing) -> m.Timing:
    """The level's own timing where set, the level above's elsewhere; durations are
    printed canonically (``90s`` as ``1m30s``) so equal settings give equal bytes."""

    def duration(value: str | None, inherited: str) -> str:
        if value is None:
            return inherited
        seconds = parse_duration(value)
        return format_duration(seconds) if seconds else "0s"

    return m.Timing(
        group_by=tuple(spec.group_by) if spec.group_by is not None else above.group_by,
        group_wait=duration(spec.group_wait, above.group_wait),
        group_interval=duration(spec.group_interval, above.group_interval),
        repeat_interval=duration(spec.repeat_interval, above.repeat_interval),
    )


def _maintenance(specs: Sequence[MaintenanceSpec], team: str | None) -> tuple[m.Maintenance, ...]:
    return tuple(
        m.Maintenance(
            name=naming.time_interval_name(spec.name, team),
            mute=tuple(key for key in m.SEVERITY_KEYS if key in spec.mute),
            intervals=tuple(_model(m.TimeInterval, interval) for interval in spec.time_intervals),
        )
        for spec in specs
    )


MODEL_TYPES: dict[type[BaseModel], type] = {
    PagerDutySpec: m.PagerDuty,
    ResponderSpec: m.Responder,
    OpsgenieSpec: m.Opsgenie,
    SlackSpec: m.Slack,
    EmailSpec: m.Email,
    AuthorizationSpec: m.Authorization,
    BasicAuthSpec: m.BasicAuth,
    WebhookSpec: m.Webhook,
    TimeIntervalSpec: m.TimeInterval,
    TimeRangeSpec: m.TimeRange,
}
"""The model's type for each validated spec type that the Alertmanager config copies
field for field; the model's fields are the spec's, in the spec's order."""

_Model = TypeVar("_Model")


def _receiver(name: str, spec: ReceiverSpec) -> m.Receiver:
    return m.Receiver(
        name,
        tuple(
            (kind, tuple(_model(m.Integration, config) for config in configs))
            for kind, configs in spec.integrations()
        ),
    )


def _model(kind: type[_Model], spec: BaseModel) -> _Model:
    """The model's copy of ``spec``: every field, lists as tuples. A spec field the
    model lacks is a TypeError, so a new key in routing.yaml cannot be dropped
    silently on its way to the config."""
    made = MODEL_TYPES[type(spec)](
        **{name: _copied(getattr(spec, name)) for name in type(spec).model_fields}
    )
    if not isinstance(made, kind):
        raise TypeError(f"{type(spec).__name__} is copied as a {type(made).__name__}")
    return made


def _copied(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _model(object, value)
    if isinstance(value, list):
        return tuple(_copied(item) for item in value)
    return value


def _duplicate_names(
    specs: Sequence[MaintenanceSpec], base: tuple[str, ...], routing: RoutingFile
) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, spec in enumerate(specs):
        if spec.name in seen:
            problems.append(
                Problem(
                    routing.source.locate((*base, "maintenance", index, "name")),
                    f"maintenance window {spec.name!r} is defined twice here",
                )
            )
        seen.add(spec.name)
    return problems


def _ambiguous_labels(
    services: Sequence[m.Service], by_service: dict[str, ServiceFile]
) -> list[Problem]:
    """A ``severity`` value must mean one severity within a team: routes match on the
    value, so a value that pages for one SLO and tickets for another would send both
    to whichever route comes first."""
    meaning: dict[tuple[str, str], tuple[str, str]] = {}
    problems = []
    for service in services:
        for slo in service.slos:
            for key in sorted(slo.alert_severities):
                label = slo.severity_label(key)
                first = meaning.setdefault(
                    (service.team, label), (key, f"{slo.service}/{slo.name}")
                )
                if first[0] != key:
                    file = by_service[service.name]
                    index = next(i for i, s in enumerate(file.spec.slos) if s.name == slo.name)
                    problems.append(
                        Problem(
                            file.source.locate(("slos", index)),
                            f"severity={label!r} marks {key} alerts here but {first[0]} "
                            f"alerts of {first[1]}, in the same team {service.team!r}",
                            "within a team, give each severity its own label values "
                            "(alerting.page.label / alerting.ticket.label)",
                        )
                    )
    return problems


def _email_senders(routing: RoutingFile) -> list[Problem]:
    """Alertmanager refuses an email receiver with no sender or smarthost unless the
    config's ``global`` section sets them; only a base config can have that section."""
    base = routing.base.data if routing.base is not None else {}
    section = base.get("global") if isinstance(base, dict) else None
    defaults: dict[str, object] = section if isinstance(section, dict) else {}
    spec = routing.spec
    receivers: list[tuple[KeyPath, ReceiverSpec | None]] = [(("default",), spec.default)]
    for name, team in sorted(spec.teams.items()):
        receivers += [(("teams", name, key), getattr(team, key)) for key in m.SEVERITY_KEYS]
    problems = []
    for path, receiver in receivers:
        emails = receiver.email or [] if receiver is not None else []
        for index, email in enumerate(emails):
            where = (*path, "email") if len(emails) == 1 else (*path, "email", index)
            for key, value, fallback in (
                ("from", email.from_, "smtp_from"),
                ("smarthost", email.smarthost, "smtp_smarthost"),
            ):
                if value is None and not defaults.get(fallback):
                    problems.append(
                        Problem(
                            routing.source.locate(where),
                            f"this email receiver has no {key!r}",
                            f"set {key} here, or {fallback} in the global section of the "
                            "base config you merge into",
                        )
                    )
    return problems
