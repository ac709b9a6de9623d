"""Rule files on disk: plain Prometheus rule files and prometheus-operator manifests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slogen.layout import manifest_file, rule_file
from slogen.model import SLO, Model, Service
from slogen.render import dump_yaml, generated_header
from slogen.rules.groups import service_groups, slo_groups


def header(service: Service) -> str:
    return generated_header(service.source)


def rule_files(model: Model) -> dict[str, bytes]:
    """``prometheus/<service>.rules.yml`` for every service."""
    return {
        rule_file(service.name): _rule_file(service, _groups(service)) for service in model.services
    }


def slo_group_dicts(slo: SLO, from_recordings: bool = False) -> list[Mapping[str, object]]:
    """One SLO's groups as the rule files write them."""
    return [group.as_dict() for group in slo_groups(slo, from_recordings=from_recordings)]


def service_rule_artifacts(
    model: Model, service: Service, groups: Sequence[Mapping[str, object]]
) -> dict[str, bytes]:
    """One service's rule file and manifest from its groups, built once for the two
    (and, in a full build, for the proofs too)."""
    return {
        rule_file(service.name): _rule_file(service, groups),
        manifest_file(service.name): _manifest(model, service, groups),
    }


def _groups(service: Service) -> list[Mapping[str, object]]:
    return [group.as_dict() for group in service_groups(service)]


def _rule_file(service: Service, groups: Sequence[Mapping[str, object]]) -> bytes:
    return dump_yaml({"groups": list(groups)}, header(service))


def _manifest(model: Model, service: Service, groups: Sequence[Mapping[str, object]]) -> bytes:
    labels = {
        **dict(model.kubernetes.labels),
        "app.kubernetes.io/managed-by": "slogen",
        "app.kubernetes.io/name": service.name,
        "app.kubernetes.io/component": "slo-rules",
    }
    metadata: dict[str, object] = {"name": f"slo-{service.name}", "labels": labels}
    if model.kubernetes.namespace:
        metadata["namespace"] = model.kubernetes.namespace
    manifest = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata,
        "spec": {"groups": list(groups)},
    }
    return dump_yaml(manifest, header(service))
