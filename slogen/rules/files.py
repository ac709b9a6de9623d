"""Rule files on disk: plain Prometheus rule files and prometheus-operator manifests."""

from __future__ import annotations

from slogen.layout import manifest_file, rule_file
from slogen.model import Model, Service
from slogen.render import dump_yaml, generated_header
from slogen.rules.groups import service_groups


def header(service: Service) -> str:
    return generated_header(service.source)


def rule_files(model: Model) -> dict[str, bytes]:
    """``prometheus/<service>.rules.yml`` for every service."""
    return {
        rule_file(service.name): _rule_file(service, _groups(service)) for service in model.services
    }


def rule_artifacts(model: Model) -> dict[str, bytes]:
    """The rule files and ``kubernetes/<service>.yaml``, the same groups as a
    ``PrometheusRule`` resource; each service's groups are built once for the two."""
    files = {}
    for service in model.services:
        groups = _groups(service)
        files[rule_file(service.name)] = _rule_file(service, groups)
        files[manifest_file(service.name)] = _manifest(model, service, groups)
    return files


def _groups(service: Service) -> list[dict[str, object]]:
    return [group.as_dict() for group in service_groups(service)]


def _rule_file(service: Service, groups: list[dict[str, object]]) -> bytes:
    return dump_yaml({"groups": groups}, header(service))


def _manifest(model: Model, service: Service, groups: list[dict[str, object]]) -> bytes:
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
        "spec": {"groups": groups},
    }
    return dump_yaml(manifest, header(service))
