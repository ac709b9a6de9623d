"""Check latency SLOs against a live Prometheus before they silently read nothing.

A classic latency SLI counts good events in the bucket whose bound is the threshold.
If the histogram has no such bucket, the rule is valid PromQL, promtool is happy, and
every request counts as bad. Only the server knows which buckets exist, so this asks
it: the ``le`` values of the histogram's ``_bucket`` series (the label values API,
over all the data it holds), matched with the same pattern the rules use. A native
histogram has no buckets to miss; it is checked to have series at all, and a
histogram found on the other side of the classic/native divide is named as such.

It also asks the server how long it keeps data (``storageRetention`` of
``/api/v1/status/runtimeinfo``). A period longer than that is a configuration error
nothing else catches: the period's error ratio sums what is left of the window, so the
budget forgets every error older than the retention and looks healthier than it is.
A retention by size only cannot be judged from here, nor a server that does not say.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from slogen import latency_units, promql
from slogen import model as m
from slogen.docs.sli import bound
from slogen.durations import format_duration, parse_duration
from slogen.model import SLO, Model
from slogen.prometheus_api import DEFAULT_TIMEOUT, Credentials, Prometheus, printable

LATENCY, RETENTION = "latency", "retention"
RETENTION_FLAG = "--storage.tsdb.retention.time"


@dataclass(frozen=True)
class Finding:
    """The verdict on one SLO, or on the server as a whole (``slo`` is then the name
    of the check, ``retention``)."""

    slo: str
    """``service/slo``, or ``retention`` for the server's verdict"""
    ok: bool
    message: str
    check: str = LATENCY
    """What was checked: ``latency`` (a bucket at the threshold) or ``retention``."""
    note: bool = False
    """Neither ok nor a problem (``ok`` is True): something lint could not judge."""

    def __str__(self) -> str:
        verdict = "note" if self.note else "ok" if self.ok else "problem"
        return f"{verdict}: {self.slo}: {self.message}"


def lint(
    model: Model,
    url: str,
    timeout: float = DEFAULT_TIMEOUT,
    credentials: Credentials | None = None,
) -> list[Finding]:
    """The server's retention against every SLO's period (one finding for the server,
    or one per SLO whose period it does not keep), then one finding per latency SLO,
    in spec order; other SLI kinds have no latency check."""
    server = Prometheus(url, timeout, credentials)
    findings = retention(model, server)
    findings += [
        _native(slo, slo.sli, server) if slo.sli.native else _classic(slo, slo.sli, server)
        for slo in model.slos()
        if isinstance(slo.sli, m.LatencySLI)
    ]
    return findings


def retention(model: Model, server: Prometheus) -> list[Finding]:
    """Does the server keep data for as long as the longest SLO period?"""
    slos = list(model.slos())
    if not slos:
        return []
    longest = format_duration(max(slo.period for slo in slos))
    reported = printable(server.storage_retention(), 60)
    if not reported:
        return [
            _note(
                f"{server.url} does not report its retention ({RETENTION_FLAG} and .size; "
                f"a Prometheus says it at /api/v1/status/runtimeinfo): make sure it keeps "
                f"the longest SLO period, {longest}"
            )
        ]
    keeps, sizes = parse_retention(reported)
    size = f"its size limit ({' or '.join(sizes)}) may delete data sooner" if sizes else ""
    if keeps is None:
        return [
            _note(
                f"Prometheus limits its storage by size only ({reported}), so whether it "
                f"keeps the longest SLO period ({longest}) cannot be judged here: make sure "
                f"{' or '.join(sizes) or 'it'} holds {longest} of samples, or set "
                f"{RETENTION_FLAG}={longest} and a size that holds it"
            )
        ]
    short = [slo for slo in slos if slo.period > keeps]
    if not short:
        message = (
            f"Prometheus keeps {format_duration(keeps)} of data (storage retention "
            f"{reported}), at least the longest SLO period ({longest})"
        )
        return [Finding(RETENTION, True, message + (f"; {size}" if size else ""), RETENTION)]
    kept = format_duration(keeps)
    return [
        Finding(
            f"{slo.service}/{slo.name}",
            False,
            f"its {format_duration(slo.period)} period is longer than the {kept} Prometheus "
            f"keeps (storage retention {reported}), so the period's error ratio and budget "
            "would forget "
            f"every error older than {kept}; start Prometheus with {RETENTION_FLAG}="
            f"{longest} or more (the longest SLO period)",
            RETENTION,
        )
        for slo in short
    ]


def parse_retention(text: str) -> tuple[int | None, list[str]]:
    """``storageRetention`` as Prometheus reports it (``15d``, ``1w3d or 10GiB``,
    ``10GiB``): the time limit in seconds, or None when there is none, and the size
    limits as written."""
    keeps: int | None = None
    sizes = []
    for part in (p.strip() for p in text.split(" or ")):
        try:
            seconds = parse_duration(part)
        except ValueError:
            sizes.append(part)
            continue
        keeps = seconds if keeps is None else min(keeps, seconds)
    return keeps, sizes


def _note(message: str) -> Finding:
    return Finding(RETENTION, True, message, RETENTION, note=True)


def _classic(slo: SLO, sli: m.LatencySLI, server: Prometheus) -> Finding:
    name = f"{slo.service}/{slo.name}"
    threshold = _threshold(sli)
    buckets = sli.histogram.named(sli.histogram.metric + "_bucket").render()
    values = server.label_values("le", buckets)
    pattern = re.compile(promql.number_pattern(sli.bound))
    found = sorted(v for v in values if pattern.fullmatch(v))
    if found:
        spelled = ", ".join(f'le="{v}"' for v in found)
        return Finding(name, True, f"threshold {threshold} is a bucket bound ({spelled})")
    if values:
        return Finding(
            name,
            False,
            f"{_counts(sli, values)}threshold {threshold} is not a bucket bound of {buckets}, "
            f"so no request would count as good; its bounds are {_bounds(values)}: use one "
            "of them as the threshold, add the bucket to the histogram, or use a native "
            "histogram",
        )
    if server.series(sli.histogram.render()):
        return Finding(
            name,
            False,
            f"no {buckets} series, but {sli.histogram.render()} has series: if it is a "
            "native histogram, set native: true",
        )
    return Finding(name, False, _nothing(buckets, server))


def _threshold(sli: m.LatencySLI) -> str:
    """The threshold as checked: ``0.25s``, or with the bound in the histogram's unit
    when that is not seconds: ``250ms (le 250 in milliseconds)``."""
    unit = latency_units.unit_or_seconds(sli.histogram.metric)
    if unit.per_second == 1:
        return _seconds(sli.threshold)
    return f"{bound(sli.threshold)} (le {promql.number(sli.bound)} in {unit.name})"


def _counts(sli: m.LatencySLI, values: list[str]) -> str:
    """What the histogram's unit has to do with a missing bucket, as a sentence to lead
    the problem with: the unit its name gives when that is not seconds, or the unit
    in which the threshold would be one of its bounds, when the name gives none or
    gives one that its bounds contradict."""
    unit = sli.unit
    said = ""
    if unit is not None and unit.per_second != 1:
        said = (
            f"this histogram counts {unit.name} (by its name {sli.histogram.metric}), so "
            f"{bound(sli.threshold)} is the bound {promql.number(sli.bound)}; "
        )
    assumed = unit or latency_units.SECONDS
    for other in latency_units.ALL_UNITS:
        if other == assumed:
            continue
        candidate = sli.threshold * other.per_second
        pattern = re.compile(promql.number_pattern(candidate))
        if any(pattern.fullmatch(v) for v in values):
            named = f"says {assumed.name}" if unit is not None else "gives no unit"
            return said + (
                f"this histogram seems to count {other.name}: its name {named}, but its "
                f"bounds include {promql.number(candidate)}, which is "
                f"{bound(sli.threshold)} in {other.name}; if so, write threshold: "
                f"{promql.number(candidate)} (the bound as the histogram counts it) or "
                "fix the metric's unit suffix; "
            )
    return said


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
