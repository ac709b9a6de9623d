"""Alerting settings in layers, each value remembering the file that set it.

The layers are slogen's built-in defaults, the spec tree's ``defaults.yaml``, the
service file, the SLO. Each layer overrides keys of the one below; ``page``,
``ticket``, ``no_data`` and ``vanished`` merge key by key, lists are replaced whole.
Every merged value remembers which file set it, so an impossible setting is reported
where it was written, not where it happened to be used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slogen.errors import Location
from slogen.spec.models import AlertingSpec, DefaultsSpec, Tier, TierSpec
from slogen.spec.yaml_source import KeyPath, SourceDocument

MERGED_BY_KEY = ("page", "ticket", "no_data", "vanished")
"""Settings whose keys merge one by one: an SLO that changes ``page.for`` keeps the
``page.label`` it inherits."""


@dataclass(frozen=True)
class Setting:
    """A merged value and where it was written, to report it there."""

    value: Any
    source: SourceDocument
    path: KeyPath

    def where(self) -> Location:
        return self.source.locate(self.path)


UNSET = Setting(None, SourceDocument("", "", None), ())
"""No layer set it: told apart from a value of None by identity."""


class Layers:
    """Merged alerting settings with the origin of each value."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, ...], Setting] = {}

    def add(self, spec: AlertingSpec | None, source: SourceDocument, base: KeyPath) -> None:
        if spec is None:
            return
        data = spec.model_dump(exclude_unset=True, by_alias=True)
        for key, value in data.items():
            if key in MERGED_BY_KEY and isinstance(value, dict):
                for sub, subvalue in value.items():
                    self.values[(key, sub)] = Setting(subvalue, source, (*base, key, sub))
            else:
                self.values[(key,)] = Setting(value, source, (*base, key))

    def copy(self) -> Layers:
        """A layer below others: what they add must not leak into their siblings."""
        layers = Layers()
        layers.values = dict(self.values)
        return layers

    def get(self, *key: str) -> Setting:
        return self.values[key]


@dataclass
class Defaults:
    """The defaults layers merged: later files override earlier ones key by key."""

    alerting: Layers = field(default_factory=Layers)
    window: Setting | None = None
    runbook: Setting | None = None
    grafana_url: str = ""
    tiers: dict[Tier, TierSpec] = field(default_factory=dict)
    namespace: str | None = None
    manifest_labels: dict[str, str] = field(default_factory=dict)
    manifests: bool = True
    rule_groups: dict[str, Setting] = field(default_factory=dict)
    """``rule_groups`` key by key, each where it was written (``resolve.rule_groups``)."""

    def add(self, spec: DefaultsSpec, source: SourceDocument) -> None:
        self.alerting.add(spec.alerting, source, ("alerting",))
        if spec.window is not None:
            self.window = Setting(spec.window, source, ("window",))
        if spec.runbook is not None:
            self.runbook = Setting(spec.runbook, source, ("runbook",))
        if spec.grafana_url is not None:
            self.grafana_url = spec.grafana_url.rstrip("/")
        self.tiers.update(spec.tiers or {})
        if spec.kubernetes is not None:
            self.namespace = spec.kubernetes.namespace or self.namespace
            self.manifest_labels.update(spec.kubernetes.labels)
            if spec.kubernetes.manifests is not None:
                self.manifests = spec.kubernetes.manifests
        if spec.rule_groups is not None:
            for key, value in spec.rule_groups.model_dump(exclude_none=True).items():
                self.rule_groups[key] = Setting(value, source, ("rule_groups", key))
