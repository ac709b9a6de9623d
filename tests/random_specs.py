"""A seeded set of random, valid specs covering every SLI kind and alerting option.

A change meant to keep behaviour (a refactor, a faster writer) must leave the output of
any spec byte-identical, not only of the examples: ``test_output_digest`` compiles this
set and compares the digest of every file. The set is drawn from a fixed seed, so the
same specs come out on every machine and Python version (``random.Random`` with an
integer seed is stable across versions)."""

from __future__ import annotations

import random
from pathlib import Path

OBJECTIVES = ("80", "90", "95", "99", "99.5", "99.9", "99.95", "99.99", "99.999")
PERIODS = ("7d", "14d", "28d", "30d", "90d")
FACTOR_POLICIES = (
    "\n      burn_rate:"
    "\n        - {severity: page, factor: 7, long: 26m, short: 5m}"
    "\n        - {severity: ticket, factor: 2, long: 1h43m, short: 9m}"
)
"""Explicit factor policies for the 2d specs, where the built-in ones do not fit."""


def _sli(rng: random.Random, job: str, grouped: bool) -> str:
    """One SLI of a random kind, its selectors on their own ``job``."""
    sel = f'{{job="{job}"}}'
    bad = f'{{job="{job}", code=~"5.."}}'
    sum_ = "sum by (cluster) " if grouped else "sum"
    kinds = [
        f"events: {{errors: 'requests_total{bad}', total: 'requests_total{sel}'}}",
        f'events: {{good: \'requests_total{{job="{job}", code!~"5.."}}\', '
        f"total: 'requests_total{sel}'}}",
        f"latency: {{histogram: 'request_duration_seconds{sel}', "
        f"threshold: {rng.choice(['100ms', '250ms', '1s', '2.5s'])}}}",
        f"latency: {{histogram: 'request_duration_milliseconds{sel}', threshold: 500ms}}",
        f"latency: {{histogram: 'request_duration_seconds{sel}', threshold: 300ms, native: true}}",
        f"ratio: {{errors: '{sum_}(rate(requests_total{bad}[$window]))', "
        f"total: '{sum_}(rate(requests_total{sel}[$window]))'}}",
        f'ratio: {{errors: \'{sum_}(increase(jobs_total{{job="{job}", result="failed"}}'
        f"[$window])) + {sum_}(increase(timeouts_total{sel}[$window]))', "
        f"total: '{sum_}(increase(jobs_total{sel}[$window]))'}}",
    ]
    if not grouped:  # whole targets and timestamps are not grouped here
        kinds += [
            f"up: {{metric: 'probe_success{sel}'}}",
            f"freshness: {{timestamp: 'last_success_timestamp_seconds{sel}', "
            f"max_age: {rng.choice(['15m', '1h', '6h'])}}}",
        ]
    return rng.choice(kinds)


def _alerting(rng: random.Random, period: str, sli: str) -> str:
    lines = []
    counts_requests = not sli.startswith(("up:", "freshness:"))
    if counts_requests and rng.random() < 0.3:
        lines.append(f"min_request_rate: {rng.choice(['0.1', '0.5', '3'])}")
    if rng.random() < 0.2:
        lines.append("page: {enabled: false}")
    elif rng.random() < 0.3:
        lines.append(f"page: {{for: {rng.choice(['1m', '5m'])}}}")
    if rng.random() < 0.2:
        lines.append("no_data: {enabled: false}")
    text = "".join(f"\n      {line}" for line in lines)
    if period == "2d":
        text += FACTOR_POLICIES
    return f"\n    alerting:{text}" if text else ""


def _slo(rng: random.Random, index: int, grouped: bool, period: str) -> str:
    """One SLO with its alerting; at 2d, objectives where a 7x page can fire."""
    description = rng.choice(["", 'Requests: served "fast" & right (p95 < 250 ms).'])
    objective = rng.choice(OBJECTIVES[1:] if period == "2d" else OBJECTIVES)
    text = f"  - name: slo-{index}\n    objective: {objective}\n"
    if description:
        text += f"    description: '{description}'\n"
    if grouped:
        text += "    group_by: [cluster]\n"
    sli = _sli(rng, f"job-{index}", grouped)
    text += f"    sli: {{{sli}}}"
    return text + _alerting(rng, period, sli)


def write_random_specs(directory: Path, slos: int = 200, seed: int = 20261206) -> None:
    """``slos`` SLOs in services of one to eight, each service with its own period,
    team, grouping and labels."""
    rng = random.Random(seed)
    index = service = 0
    while index < slos:
        size = min(rng.randint(1, 8), slos - index)
        period = rng.choice([*PERIODS, "2d"])
        grouped = rng.random() < 0.3
        lines = [
            f"service: svc-{service}",
            f"team: team-{rng.randint(0, 5)}",
            "runbook: false"
            if rng.random() < 0.5
            else f"runbook: https://runbooks.example.com/{service}",
            f"window: {period}",
        ]
        if rng.random() < 0.3:
            lines.append(f"labels: {{tier: '{rng.randint(1, 3)}'}}")
        lines.append("slos:")
        body = ""
        for _ in range(size):
            body += _slo(rng, index, grouped, period) + "\n"
            index += 1
        (directory / f"svc-{service}.yaml").write_text("\n".join(lines) + "\n" + body)
        service += 1
