"""grafanalib's rough edges, each covered here and nowhere else.

grafanalib (0.7) builds the panels; its JSON is then corrected where it would load
wrongly into Grafana. Each function names the behaviour it covers.
"""

from __future__ import annotations

from typing import Any

from grafanalib import core as g

LEGACY_TARGET_KEYS = ("target", "metric", "step", "intervalFactor", "query")
"""``Target.to_json_data`` writes Graphite/legacy fields beside ``expr`` (``step: 10``
and ``intervalFactor: 2`` change the query resolution of Prometheus panels)."""


def soft_axis(low: float, high: float) -> dict[str, Any]:
    """``extraJson`` for soft axis bounds (the axis grows when values pass them):
    ``TimeSeries.axisSoftMin``/``axisSoftMax`` only accept ints, so an SLI axis that
    starts at 0.99 cannot be set through them."""
    return {"fieldConfig": {"defaults": {"custom": {"axisSoftMin": low, "axisSoftMax": high}}}}


def threshold_steps(base: str, steps: list[tuple[float, str]]) -> list[dict[str, Any]]:
    """Threshold steps as Grafana stores them. ``Threshold`` writes the base step's
    value as the string ``"null"`` (Grafana wants JSON null, meaning minus infinity),
    and ``Stat``'s default thresholds are an empty string rather than a list."""
    return [{"color": base, "value": None}] + [
        {"color": color, "value": value} for value, color in steps
    ]


TARGET_DEFAULTS: dict[str, Any] = {"format": "time_series", "hide": False, "interval": ""}
"""What a Prometheus query is when these are absent (Grafana's Prometheus query model):
a time series, shown, at the panel's interval. A target without ``datasource`` queries
its panel's, which is how slogen's panels are written."""

PANEL_DEFAULTS: dict[str, Any] = {
    "description": "",
    "editable": True,
    "error": False,
    "hideTimeOverride": False,
    "transformations": [],
    "transparent": False,
}
"""Panel fields grafanalib always writes that Grafana reads the same when absent:
``editable`` and ``error`` are not panel fields (Grafana drops them), the rest are
Grafana's own defaults."""

ROW_FIELDS = frozenset({"collapsed", "gridPos", "id", "panels", "repeat", "title", "type"})
"""What a row is to Grafana; ``RowPanel`` also writes a graph panel's empty queries,
links, thresholds and ``maxDataPoints``, which a row has no use for."""

FIELD_DEFAULTS: dict[str, Any] = {"custom": {}, "mappings": []}
"""``fieldConfig.defaults`` entries that say nothing."""

GRAPH_DEFAULTS: dict[str, Any] = {
    "barAlignment": 0,
    "drawStyle": "line",
    "fillOpacity": 0,
    "gradientMode": "none",
    "lineInterpolation": "linear",
    "lineWidth": 1,
}
"""A time series panel's ``fieldConfig.defaults.custom`` as Grafana sets it when the
field is absent (its ``defaultGraphConfig``, unchanged from Grafana 8 to 12)."""


class PrometheusTarget(g.Target):  # type: ignore[misc]
    """A Prometheus query target without the legacy fields ``Target`` writes, nor
    those equal to Grafana's defaults: fixed where the object is made, so the JSON
    writer needs no Grafana knowledge and no second walk over the dashboards."""

    def to_json_data(self) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json_data()
        return _without(
            TARGET_DEFAULTS, {k: v for k, v in data.items() if k not in LEGACY_TARGET_KEYS}
        )


def without_defaults(panel: dict[str, Any]) -> dict[str, Any]:
    """A panel's JSON without the fields grafanalib writes as Grafana's defaults: a
    thousand SLOs' dashboards lose a quarter of their size, and Grafana shows them the
    same. A row keeps only what makes a row."""
    if panel.get("type") == "row":
        return {key: value for key, value in panel.items() if key in ROW_FIELDS}
    kept = _without(PANEL_DEFAULTS, panel)
    config = kept.get("fieldConfig")
    if isinstance(config, dict) and isinstance(config.get("defaults"), dict):
        defaults = _without(FIELD_DEFAULTS, config["defaults"])
        custom = defaults.get("custom")
        if isinstance(custom, dict) and kept.get("type") == "timeseries":
            defaults["custom"] = _without(GRAPH_DEFAULTS, custom)
        kept["fieldConfig"] = _without(_NO_OVERRIDES, config) | {"defaults": defaults}
    return kept


_NO_OVERRIDES: dict[str, Any] = {"overrides": []}


def _without(defaults: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the fields equal, in type and value, to ``defaults``."""
    return {key: value for key, value in data.items() if not _is_default(defaults, key, value)}


def _is_default(defaults: dict[str, Any], key: str, value: Any) -> bool:
    return key in defaults and type(value) is type(defaults[key]) and value == defaults[key]
