"""slogen's part of an Alertmanager config, as plain data, from the model alone.

The parts are the same whether they become a complete config or are merged into a
user's own: team routes (one per team, a child per severity), their receivers, the
maintenance windows as ``time_intervals``, and inhibition rules.

Inhibition rules only ever compare alerts that slogen made: both sides match
``slo_service``, so a user's own ``severity="page"`` alerts without slogen's labels
never take part (Alertmanager treats a label missing on both sides as equal, which
would otherwise let any page silence any ticket). They are few and narrow:

- a burn page silences the burn ticket of the same SLO and group (the page says it
  all);
- ``SLOErrorBudgetExhausted`` silences ``SLOErrorBudgetLow`` of the same SLO and group
  ("exhausted" implies "low");
- ``SLOSeriesVanished`` (one group stopped reporting) silences ``SLONoData`` of the
  same SLO (every group did);
- a service's burn pages silence the burn alerts of the services depending on it.

No budget alert ever silences a burn alert: a spent budget lasts for weeks, and a new
burn during it must still be seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from slogen import model as m
from slogen import naming
from slogen.alertmanager.matchers import any_of, equal, present
from slogen.model_receivers import KEY


@dataclass(frozen=True)
class Parts:
    """What slogen contributes to an Alertmanager config."""

    routes: tuple[dict[str, Any], ...]
    receivers: tuple[dict[str, Any], ...]
    time_intervals: tuple[dict[str, Any], ...]
    inhibit_rules: tuple[dict[str, Any], ...]


def parts(model: m.Model, routing: m.Routing) -> Parts:
    """The routes, receivers, time intervals and inhibitions for ``routing``."""
    receivers = [routing.default] + [r for team in routing.teams for _, r in team.receivers]
    maintenance = [*routing.maintenance, *(w for team in routing.teams for w in team.maintenance)]
    return Parts(
        routes=tuple(_team_route(team, routing, model) for team in routing.teams),
        receivers=tuple(receiver_config(r) for r in receivers),
        time_intervals=tuple(
            {
                "name": window.name,
                "time_intervals": [_plain(interval) for interval in window.intervals],
            }
            for window in maintenance
        ),
        inhibit_rules=(
            *_burn_page_silences_burn_ticket(model),
            *_exhausted_silences_low(model),
            *_vanished_silences_no_data(model),
            *_dependencies(model),
        ),
    )


def timing(value: m.Timing) -> dict[str, Any]:
    return {
        "group_by": list(value.group_by),
        "group_wait": value.group_wait,
        "group_interval": value.group_interval,
        "repeat_interval": value.repeat_interval,
    }


def _team_route(team: m.Team, routing: m.Routing, model: m.Model) -> dict[str, Any]:
    slos = [slo for slo in model.slos() if slo.team == team.name]
    windows = [*routing.maintenance, *team.maintenance]
    children = []
    for key, receiver in team.receivers:
        child: dict[str, Any] = {
            "matchers": [any_of(naming.SEVERITY_LABEL, m.severity_labels(slos, key) or {key})],
            "receiver": receiver.name,
        }
        muted = [window.name for window in windows if key in window.mute]
        if muted:
            child["mute_time_intervals"] = muted
        children.append(child)
    return {
        "matchers": [equal(naming.TEAM_LABEL, team.name)],
        "receiver": routing.default.name,
        **timing(team.timing),
        "group_by": team_group_by(team.timing.group_by, slos),
        "routes": children,
    }


def team_group_by(configured: Iterable[str], slos: Iterable[m.SLO]) -> list[str]:
    """A team route's ``group_by``: what routing.yaml says, then the grouping labels of
    the team's SLOs (sorted) that it does not list already, so that the alerts of two
    clusters of one SLO are two notifications, not one. ``['...']`` already groups by
    every label and is kept as it is."""
    labels = list(configured)
    if labels == ["..."]:
        return labels
    return labels + sorted({label for slo in slos for label in slo.group_by} - set(labels))


def receiver_config(receiver: m.Receiver) -> dict[str, Any]:
    """An Alertmanager receiver: ``<type>_configs`` lists from its integrations."""
    out: dict[str, Any] = {"name": receiver.name}
    for kind, configs in receiver.integrations:
        out[f"{kind}_configs"] = [_integration(config) for config in configs]
    return out


def _integration(config: m.Integration) -> dict[str, Any]:
    data = _plain(config)
    if isinstance(config, m.Webhook):
        http = {key: data.pop(key) for key in ("authorization", "basic_auth") if key in data}
        if http:
            data["http_config"] = http
    return data


def _plain(value: Any) -> dict[str, Any]:
    """A model dataclass as the config writes it: Alertmanager's keys in field order,
    unset (None) fields left out, nested dataclasses and tuples as mappings and lists."""
    return {
        field.metadata.get(KEY, field.name): _value(item)
        for field in fields(value)
        if (item := getattr(value, field.name)) is not None
    }


def _value(item: object) -> object:
    if is_dataclass(item) and not isinstance(item, type):
        return _plain(item)
    if isinstance(item, tuple):
        return [_value(element) for element in item]
    return item


def _group_labels(model: m.Model) -> list[str]:
    return sorted({label for slo in model.slos() for label in slo.group_by})


def _same_slo_and_group(model: m.Model) -> list[str]:
    """What an inhibition within one SLO compares: the SLO's identity, every grouping
    label used by any SLO, and routing.yaml's ``inhibit_equal`` labels.

    An SLO's alerts either all carry a grouping label (it groups by it) or none do, so
    comparing every SLO's grouping labels is right for each SLO at once and one rule
    covers them all. The ``inhibit_equal`` labels (cluster, environment) keep one
    Prometheus's alerts from silencing another's.
    """
    identity = [naming.SERVICE_LABEL, naming.SLO_LABEL]
    return identity + sorted({*_group_labels(model), *_inhibit_equal(model)})


def _burn_page_silences_burn_ticket(model: m.Model) -> list[dict[str, Any]]:
    """A firing burn page silences the burn ticket of the same SLO (and group): one rule
    per pair of severity label values that SLOs with both burn severities use."""
    pairs = sorted(
        {
            (slo.severity_label("page"), slo.severity_label("ticket"))
            for slo in model.slos()
            if {"page", "ticket"} <= {alert.severity for alert in slo.alerting.burn}
        }
    )
    burn = equal("alertname", naming.BURN_ALERT)
    return [
        {
            "source_matchers": [
                present(naming.SERVICE_LABEL),
                burn,
                equal(naming.SEVERITY_LABEL, page),
            ],
            "target_matchers": [
                present(naming.SERVICE_LABEL),
                burn,
                equal(naming.SEVERITY_LABEL, ticket),
            ],
            "equal": _same_slo_and_group(model),
        }
        for page, ticket in pairs
    ]


def _exhausted_silences_low(model: m.Model) -> list[dict[str, Any]]:
    """A spent budget silences the "budget low" alert of the same SLO (and group), of
    any severity: it says the same and more."""
    both = any(
        {policy.exhausted for policy in slo.alerting.budget} == {True, False}
        for slo in model.slos()
    )
    if not both:
        return []
    return [
        {
            "source_matchers": [
                present(naming.SERVICE_LABEL),
                equal("alertname", naming.BUDGET_EXHAUSTED_ALERT),
            ],
            "target_matchers": [
                present(naming.SERVICE_LABEL),
                equal("alertname", naming.BUDGET_LOW_ALERT),
            ],
            "equal": _same_slo_and_group(model),
        }
    ]


def _vanished_silences_no_data(model: m.Model) -> list[dict[str, Any]]:
    """A group that stopped reporting (``SLOSeriesVanished``, per group) silences
    ``SLONoData`` of the same SLO, which fires once every group is gone: the first
    alert already told. ``SLONoData`` carries no grouping labels, so only the SLO's
    identity and the ``inhibit_equal`` labels are compared."""
    alerting = [slo.alerting for slo in model.slos()]
    if not any(a.no_data is not None and a.vanished is not None for a in alerting):
        return []
    return [
        {
            "source_matchers": [
                present(naming.SERVICE_LABEL),
                equal("alertname", naming.VANISHED_ALERT),
            ],
            "target_matchers": [
                present(naming.SERVICE_LABEL),
                equal("alertname", naming.NO_DATA_ALERT),
            ],
            "equal": [naming.SERVICE_LABEL, naming.SLO_LABEL, *_inhibit_equal(model)],
        }
    ]


def _inhibit_equal(model: m.Model) -> tuple[str, ...]:
    """The labels routing.yaml asks every silence to compare (cluster, environment)."""
    return model.routing.inhibit_equal if model.routing is not None else ()


def _dependencies(model: m.Model) -> list[dict[str, Any]]:
    """While a service pages for burning its budget, the burn alerts of the services
    that depend on it are silenced: the root cause pages, its echoes do not.

    Only burn pages count as the cause: a budget alert can last for weeks
    and must not hide a dependant's own outage for that long. Where both services
    group every SLO by the same labels, the silence is confined to equal values, and
    always to equal values of routing.yaml's ``inhibit_equal`` labels.
    """
    rules = []
    for service, needed, pages in model.dependency_pages():
        if not pages:
            continue
        rule: dict[str, Any] = {
            "source_matchers": [
                equal("alertname", naming.BURN_ALERT),
                equal(naming.SERVICE_LABEL, needed.name),
                any_of(naming.SEVERITY_LABEL, pages),
            ],
            "target_matchers": [
                equal("alertname", naming.BURN_ALERT),
                equal(naming.SERVICE_LABEL, service.name),
            ],
        }
        shared = set.intersection(*(set(slo.group_by) for slo in (*service.slos, *needed.slos)))
        if shared or _inhibit_equal(model):
            rule["equal"] = sorted(shared | set(_inhibit_equal(model)))
        rules.append(rule)
    return rules


def routing_notes(model: m.Model) -> list[str]:
    """What the specs ask for that the Alertmanager config will not do, and why."""
    if model.routing is None:
        note = "no routing.yaml among the specs, so no Alertmanager config is generated"
        if any(service.depends_on for service in model.services):
            note += " and depends_on silences nothing"
        return [note]
    return [
        f"{service.name} depends on {needed.name}, which never pages for a burn, so none "
        f"of {service.name}'s alerts are silenced for it"
        for service, needed, pages in model.dependency_pages()
        if not pages
    ]
