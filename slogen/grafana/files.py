"""Grafana dashboards as generated files, and a provisioning file that loads them."""

from __future__ import annotations

from slogen.layout import GRAFANA_DIR, dashboard_file
from slogen.model import Model, Service
from slogen.render import dump_yaml

PROVISIONING = f"{GRAFANA_DIR}/provisioning/slogen.yaml"


def service_dashboard_file(service: Service) -> dict[str, bytes]:
    """``grafana/<service>.json``."""
    from slogen.grafana.dashboards import (  # grafanalib is slow to import; only here
        dashboard_json,
        service_dashboard,
    )

    return {dashboard_file(service.name): dashboard_json(service_dashboard(service))}


def overview_files(model: Model) -> dict[str, bytes]:
    """The overview of every SLO and the dashboard provider: rebuilt on any change."""
    from slogen.grafana.dashboards import OVERVIEW_UID, dashboard_json, overview_dashboard

    files = {dashboard_file(OVERVIEW_UID): dashboard_json(overview_dashboard(model))}
    provider = {
        "apiVersion": 1,
        "providers": [
            {
                "name": "slogen",
                "folder": "SLOs",
                "type": "file",
                "disableDeletion": False,
                "allowUiUpdates": False,
                "updateIntervalSeconds": 60,
                "options": {
                    "path": "/var/lib/grafana/dashboards/slogen",
                    "foldersFromFilesStructure": False,
                },
            }
        ],
    }
    header = (
        "Grafana dashboard provider for the dashboards beside this directory. Copy it to\n"
        "Grafana's provisioning/dashboards/ and the *.json files to options.path."
    )
    files[PROVISIONING] = dump_yaml(provider, header)
    return files
