"""Where PrometheusRule manifests go, and whether a tree has them at all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kubernetes:
    """Where PrometheusRule manifests go and the labels an operator selects them by.

    ``manifests`` is False for a Prometheus run without the operator: the manifests
    repeat every rule of the plain rule files, a fifth of a large tree's bytes, for a
    setup that would load the rule files anyway."""

    namespace: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    manifests: bool = True
