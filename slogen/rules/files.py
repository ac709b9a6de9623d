"""Rule files on disk: plain Prometheus rule files, prometheus-operator manifests and,
when asked for, the files ``mimirtool rules load`` reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slogen.layout import manifest_file, mimir_rule_file, rule_file
from slogen.model import SLO, Model, Service
from slogen.render import dump_yaml, generated_header
from slogen.rules.groups import slo_groups
from slogen.rules.packing import Deployed, deployed


def header(service: Service) -> str:
    return generated_header(service.source)


def rule_files(model: Model) -> dict[str, bytes]:
    """``prometheus/<service>.rules.yml`` for every service."""
    return {
        rule_file(service.name): _rule_file(service, service_deployed(model, service).dicts())
        for service in model.services
    }


def service_deployed(model: Model, service: Service) -> Deployed:
    """The service's groups under the model's grouping, and each SLO's share."""
    return deployed(service, model.rule_groups)


def slo_group_dicts(slo: SLO, from_recordings: bool = False) -> list[Mapping[str, object]]:
    """One SLO's groups as the default (``per-slo``) rule files write them."""
    return [group.as_dict() for group in slo_groups(slo, from_recordings=from_recordings)]


def service_rule_artifacts(model: Model, service: Service, groups: Deployed) -> dict[str, bytes]:
    """One service's rule file and manifest (and Mimir file, when asked for) from its
    groups, built once for them all (and, in a full build, for the proofs too)."""
    written = groups.dicts()
    files = {rule_file(service.name): _rule_file(service, written)}
    if model.kubernetes.manifests:
        files[manifest_file(service.name)] = _manifest(model, service, written)
    if model.rule_groups.mimirtool:
        files[mimir_rule_file(service.name)] = _mimir_file(service, groups.dicts(thanos=False))
    return files


def _rule_file(service: Service, groups: Sequence[Mapping[str, object]]) -> bytes:
    return dump_yaml({"groups": list(groups)}, header(service))


def _mimir_file(service: Service, groups: Sequence[Mapping[str, object]]) -> bytes:
    """``mimirtool rules load``'s format: a namespace and its groups. The namespace is
    the service, so ``mimirtool rules sync`` replaces one service's groups at a time."""
    text = (
        f"The rule groups of {service.name} for `mimirtool rules load` "
        f"(namespace {service.name}).\n" + header(service)
    )
    return dump_yaml({"namespace": service.name, "groups": list(groups)}, text)


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
