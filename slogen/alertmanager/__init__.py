"""Alertmanager configuration generated from the model: routes, receivers, inhibitions."""
