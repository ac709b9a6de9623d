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


class PrometheusTarget(g.Target):  # type: ignore[misc]
    """A Prometheus query target without the legacy fields ``Target`` writes: fixed
    where the object is made, so the JSON writer needs no Grafana knowledge and no
    second walk over the dashboards."""

    def to_json_data(self) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json_data()
        return {key: value for key, value in data.items() if key not in LEGACY_TARGET_KEYS}
