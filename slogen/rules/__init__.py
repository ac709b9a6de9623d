"""Prometheus rules for SLOs: recordings, alerts, and their rendering to files."""
