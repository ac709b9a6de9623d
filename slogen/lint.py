"""Check latency SLOs against a live Prometheus before they silently read nothing.

A classic latency SLI counts good events in the bucket whose bound is the threshold.
If the histogram has no such bucket, the rule is valid PromQL, promtool is happy, and
every request counts as bad. Only the server knows which buckets exist, so this asks
it: the ``le`` values of the histogram's ``_bucket`` series (the label values API,
over all the data it holds), matched with the same pattern the rules use. A native
histogram has no buckets to miss; it is checked to have series at all, and a
histogram found on the other side of the classic/native divide is named as such.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from slogen import model as m
from slogen import promql
from slogen.model import SLO, Model
from slogen.prometheus_api import DEFAULT_TIMEOUT, Prometheus


@dataclass(frozen=True)
class Finding:
    """The verdict on one SLO."""

    slo: str
    """``service/slo``"""
    ok: bool
    message: str

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'problem'}: {self.slo}: {self.message}"


def lint(model: Model, url: str, timeout: float = DEFAULT_TIMEOUT) -> list[Finding]:
    """One finding per latency SLO, in spec order; other SLI kinds are not checked."""
    server = Prometheus(url, timeout)
    return [
        _native(slo, slo.sli, server) if slo.sli.native else _classic(slo, slo.sli, server)
        for slo in model.slos()
        if isinstance(slo.sli, m.LatencySLI)
    ]


def _classic(slo: SLO, sli: m.LatencySLI, server: Prometheus) -> Finding:
    name = f"{slo.service}/{slo.name}"
    threshold = _seconds(sli.threshold)
    buckets = sli.histogram.named(sli.histogram.metric + "_bucket").render()
    values = server.label_values("le", buckets)
    pattern = re.compile(promql.number_pattern(sli.threshold))
    found = sorted(v for v in values if pattern.fullmatch(v))
    if found:
        spelled = ", ".join(f'le="{v}"' for v in found)
        return Finding(name, True, f"threshold {threshold} is a bucket bound ({spelled})")
    if values:
        return Finding(
            name,
            False,
            f"threshold {threshold} is not a bucket bound of {buckets}, so no request would "
            f"count as good; its bounds are {_bounds(values)}: use one of them as the "
            "threshold, add the bucket to the histogram, or use a native histogram",
        )
    if server.series(sli.histogram.render()):
        return Finding(
            name,
            False,
            f"no {buckets} series, but {sli.histogram.render()} has series: if it is a "
            "native histogram, set native: true",
        )
    return Finding(name, False, _nothing(buckets, server))


def _native(slo: SLO, sli: m.LatencySLI, server: Prometheus) -> Finding:
    name = f"{slo.service}/{slo.name}"
    histogram = sli.histogram.render()
    count = len(server.series(histogram))
    if count:
        plural = "s" if count != 1 else ""
        return Finding(name, True, f"{histogram} has {count} series{plural}")
    buckets = sli.histogram.named(sli.histogram.metric + "_bucket").render()
    values = server.label_values("le", buckets)
    if values:
        return Finding(
            name,
            False,
            f"{histogram} has no series, but {buckets} has (bounds {_bounds(values)}): it is "
            "a classic histogram here; set native: false, or have Prometheus scrape native "
            "histograms (--enable-feature=native-histograms)",
        )
    return Finding(name, False, _nothing(histogram, server))


def _nothing(selector: str, server: Prometheus) -> str:
    return (
        f"no series match {selector} on {server.url}; check the selector, and that this "
        "Prometheus scrapes the service"
    )


def _seconds(value: Any) -> str:
    return f"{promql.number(value)}s"


def _bounds(values: list[str]) -> str:
    """Distinct bucket bounds in numeric order, each once however it is spelled."""
    numbers: set[float] = set()
    for value in values:
        try:
            numbers.add(float(value))
        except ValueError:
            continue
    finite = [promql.number(v) for v in sorted(numbers) if math.isfinite(v)]
    return ", ".join(finite + (["+Inf"] if math.inf in numbers else []))
