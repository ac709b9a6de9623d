"""Where every generated alert must end up: the receiver its team has for its severity.

Read from the generated rule files rather than from the model, so that what is
checked is what Prometheus will really send.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from slogen import naming
from slogen.layout import is_rule_file
from slogen.model import SEVERITY_KEYS, SLO, Model
from slogen.yaml_loader import load_fast

GROUP_VALUE = "example"
"""The value given to grouping labels, which come from the data at run time."""


@dataclass(frozen=True)
class Expectation:
    """An alert's labels (as Alertmanager receives them) and the receiver it must reach."""

    labels: tuple[tuple[str, str], ...]
    receiver: str

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.labels)
        return f"{{{shown}}} -> {self.receiver}"


def expectations(model: Model, files: Mapping[str, bytes]) -> list[Expectation]:
    """One expectation per alerting rule in the generated rule files."""
    routing = model.routing
    if routing is None:
        return []
    slos = {(slo.service, slo.name): slo for slo in model.slos()}
    receivers = {
        (team.name, key): receiver.name
        for team in routing.teams
        for key, receiver in team.receivers
    }
    found = []
    for labels in _alert_labels(files):
        slo = slos[(labels[naming.SERVICE_LABEL], labels[naming.SLO_LABEL])]
        key = _severity_key(slo, labels[naming.SEVERITY_LABEL])
        labels.update({name: GROUP_VALUE for name in slo.group_by})
        found.append(Expectation(tuple(sorted(labels.items())), receivers[(slo.team, key)]))
    return found


def _alert_labels(files: Mapping[str, bytes]) -> Iterator[dict[str, str]]:
    for path, content in sorted(files.items()):
        if not is_rule_file(path):
            continue
        for group in load_fast(content)["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    labels = {k: _expanded(v) for k, v in rule.get("labels", {}).items()}
                    yield {"alertname": rule["alert"], **labels}


def _expanded(value: str) -> str:
    """A literal label value as Prometheus expands it (see ``rules.templates.literal``)."""
    return value.replace('{{ "{{" }}', "{{")


def _severity_key(slo: SLO, label: str) -> str:
    return next(key for key in SEVERITY_KEYS if slo.severity_label(key) == label)
