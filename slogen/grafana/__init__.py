"""Grafana dashboards built with grafanalib on the series slogen's own rules record."""
