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

import json
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from slogen import model as m
from slogen import promql
from slogen.errors import ToolError
from slogen.model import SLO, Model

TIMEOUT_SECONDS = 10.0


class ServerError(ToolError):
    """The Prometheus to lint against cannot be reached or refused the query."""


@dataclass(frozen=True)
class Finding:
    """The verdict on one SLO."""

    slo: str
    """``service/slo``"""
    ok: bool
    message: str

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'problem'}: {self.slo}: {self.message}"


def check_url(url: str) -> str:
    """The base URL of a Prometheus, without a trailing slash; ValueError if not http(s)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not an http(s) URL, for example http://localhost:9090")
    return url.rstrip("/")


def lint(model: Model, url: str, timeout: float = TIMEOUT_SECONDS) -> list[Finding]:
    """One finding per latency SLO, in spec order; other SLI kinds are not checked."""
    server = _Server(check_url(url), timeout)
    return [
        _native(slo, slo.sli, server) if slo.sli.native else _classic(slo, slo.sli, server)
        for slo in model.slos()
        if isinstance(slo.sli, m.LatencySLI)
    ]


def _classic(slo: SLO, sli: m.LatencySLI, server: _Server) -> Finding:
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


def _native(slo: SLO, sli: m.LatencySLI, server: _Server) -> Finding:
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


def _nothing(selector: str, server: _Server) -> str:
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


@dataclass(frozen=True)
class _Server:
    """The two read-only calls of the Prometheus HTTP API that lint needs."""

    url: str
    timeout: float

    def label_values(self, label: str, selector: str) -> list[str]:
        data = self._get(f"/api/v1/label/{label}/values", {"match[]": selector})
        return [str(value) for value in data]

    def series(self, selector: str) -> list[dict[str, str]]:
        data = self._get("/api/v1/series", {"match[]": selector})
        return [dict(series) for series in data]

    def _get(self, path: str, params: dict[str, str]) -> Any:
        address = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(address, timeout=self.timeout) as response:
                body = json.load(response)
        except urllib.error.HTTPError as error:
            raise ServerError(
                f"Prometheus at {self.url} refused {path}: {_reason(error)}"
            ) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ServerError(
                f"cannot reach Prometheus at {self.url} ({reason}); is it running, "
                "and is the URL its base (http://host:9090)?"
            ) from error
        except ValueError as error:
            raise ServerError(
                f"{self.url}{path} did not answer with JSON; is it Prometheus?"
            ) from error
        if not isinstance(body, dict) or body.get("status") != "success":
            raise ServerError(f"Prometheus at {self.url} refused {path}: {body!r}")
        return body.get("data") or []


def _reason(error: urllib.error.HTTPError) -> str:
    """The API's own error text when it sent one, else the HTTP status."""
    try:
        body = json.load(error)
        return str(body.get("error", body))
    except (ValueError, AttributeError, OSError):
        return f"HTTP {error.code} {error.reason}"
