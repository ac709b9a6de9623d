"""The real Prometheus on loopback with a backfilled history and the generated rules.

``backfill`` writes raw history with ``promtool tsdb create-blocks-from openmetrics``
and then the recording rules over it with ``create-blocks-from rules``, level by
level: promtool evaluates a rule with range queries against a running server, so a
rule that reads another recording can only be backfilled once that recording's
blocks are loaded. Between levels the server is stopped and started again on the
grown data directory (a running server picks up new blocks only once a minute).

Every server gets a scratch data directory, a free port and no scrape targets, and is
stopped by its pid when the test ends, whatever happens in between. promtool always
runs to completion in the foreground.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.server_harness import running

BINARY = "prometheus"
# Long windows read many samples per query; the 50 million default can be too few
# for a range query over days.
MAX_SAMPLES = 500_000_000
# A range query at a 1m step may return at most 11,000 points, so promtool must
# not evaluate more than about 183 h per block (fewer, larger blocks are faster to
# write: each is synced to disk).
RULE_BLOCK = "180h"
# promtool reads the whole OpenMetrics file once per block (2 h by default).
HISTORY_BLOCK = "240h"
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


@dataclass(frozen=True)
class Prometheus:
    """A running server's HTTP API."""

    url: str

    def api(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}?{query}", timeout=60) as reply:
            body = json.loads(reply.read())
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str, at_ms: int) -> list[dict[str, Any]]:
        """An instant query's result at a millisecond timestamp."""
        return list(self.api("query", query=expr, time=_seconds(at_ms))["result"])

    def samples(self, expr: str, at_ms: int) -> int:
        """How many samples the query reads: ``totalQueryableSamples``, deterministic."""
        return int(self.stats(expr, at_ms)["samples"]["totalQueryableSamples"])

    def stats(self, expr: str, at_ms: int) -> dict[str, Any]:
        """An instant query's ``stats=all``: samples read and the server's own timings."""
        data = self.api("query", query=expr, time=_seconds(at_ms), stats="all")
        return dict(data["stats"])

    def recorded(self, selector: str, at_ms: int) -> float:
        """The one sample a recording has at exactly ``at_ms`` (NaN stays NaN).

        Fails when there is none: ``create-blocks-from rules`` reports success for a
        rule whose inputs were missing and simply writes nothing.
        """
        result = self.query(f"{selector}[1ms]", at_ms)
        found = [(series["metric"], value) for series in result for value in series["values"]]
        if len(found) != 1 or round(found[0][1][0] * 1000) != at_ms:
            pytest.fail(f"expected one sample of {selector} at {at_ms} ms, found {found}")
        return float(found[0][1][1])

    def alerts(self) -> list[dict[str, Any]]:
        """Alerts the server holds, pending or firing."""
        return list(self.api("alerts")["alerts"])


def _seconds(at_ms: int) -> str:
    return f"{at_ms // 1000}.{at_ms % 1000:03d}"


def write_config(
    path: Path, rule_files: Sequence[Path] = (), alertmanager: str | None = None
) -> Path:
    """A config with no scrape targets: only rules and, optionally, an Alertmanager."""
    config: dict[str, Any] = {"rule_files": [str(f) for f in rule_files]}
    if alertmanager is not None:
        target = urllib.parse.urlsplit(alertmanager).netloc
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [target]}]}]}
    path.write_text(yaml.safe_dump(config))
    return path


@contextmanager
def running_prometheus(
    data: Path,
    config: Path,
    workdir: Path,
    retention: Sequence[str] = ("--storage.tsdb.retention.time=100y",),
) -> Iterator[Prometheus]:
    """Start Prometheus on ``data``; yields its API once ready. ``retention`` are the
    ``--storage.tsdb.retention.*`` flags (by default a century: backfilled history
    must not be deleted)."""
    with running(
        BINARY,
        lambda port: [
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            *retention,
            f"--web.listen-address=127.0.0.1:{port}",
            f"--query.max-samples={MAX_SAMPLES}",
            "--log.level=warn",
        ],
        workdir,
    ) as url:
        yield Prometheus(url)


def promtool(*args: str | Path, timeout_s: int = 300) -> None:
    """Run ``promtool`` to completion; a failure fails the test with its output."""
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool not found; run `make tools`")
    result = subprocess.run(
        [binary, *map(str, args)], capture_output=True, text=True, timeout=timeout_s, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"promtool {' '.join(map(str, args))}:\n{result.stdout}{result.stderr}")


def recording_levels(rules: dict[str, Any]) -> list[dict[str, Any]]:
    """The recording rules of a rule file split into files that can run in order.

    Level 1 reads only raw series; level n reads recordings of levels below n. Each
    level keeps the group names and intervals, so promtool evaluates its rules on
    the same grid as the whole file would be.
    """
    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    level: dict[str, int] = {}
    pending = [r for g in rules["groups"] for r in g["rules"] if "record" in r]
    while pending:
        ready = [r for r in pending if _reads(r, recorded) <= level.keys()]
        if not ready:
            pytest.fail(f"recordings read each other in a cycle: {pending}")
        for rule in ready:
            reads = _reads(rule, recorded)
            level[rule["record"]] = 1 + max((level[name] for name in reads), default=0)
        pending = [r for r in pending if r["record"] not in level]
    files = []
    for n in range(1, max(level.values(), default=0) + 1):
        groups = [
            {**group, "rules": [r for r in group["rules"] if level.get(r.get("record")) == n]}
            for group in rules["groups"]
        ]
        files.append({"groups": [g for g in groups if g["rules"]]})
    return files


def _reads(rule: dict[str, Any], recorded: set[str]) -> set[str]:
    """The recordings a rule's expression names, other than its own."""
    return (set(_NAME.findall(rule["expr"])) & recorded) - {rule["record"]}


def backfill(
    openmetrics: str, rules_text: str, rule_file: Path, start_ms: int, end_ms: int, workdir: Path
) -> Path:
    """A data directory holding the history and every recording over it.

    The recordings are evaluated from ``start_ms`` to ``end_ms`` on the grid of
    ``rule_file``: each level is written to that path in turn, so a server later
    loading the whole file from there evaluates on the same grid. Ends with the
    whole rule file at ``rule_file`` and no server running.
    """
    history = workdir / "history.om"
    history.write_text(openmetrics)
    data = load_history(history, workdir)
    backfill_recordings(data, rules_text, rule_file, lambda _record: (start_ms, end_ms), workdir)
    return data


def load_history(openmetrics: Path, workdir: Path, timeout_s: int = 300) -> Path:
    """A new data directory in ``workdir`` holding the raw series of an OpenMetrics file."""
    data = workdir / "prometheus-data"
    promtool(
        "tsdb",
        "create-blocks-from",
        "openmetrics",
        "--quiet",
        f"--max-block-duration={HISTORY_BLOCK}",
        openmetrics,
        data,
        timeout_s=timeout_s,
    )
    return data


def backfill_recordings(
    data: Path,
    rules_text: str,
    rule_file: Path,
    span: Callable[[str], tuple[int, int]],
    workdir: Path,
) -> None:
    """Add the recordings of ``rules_text`` to ``data``, level by level.

    ``span(record)`` says from when to when (milliseconds) a recording is evaluated:
    a caller that reads a long window at one instant only needs the recordings that
    window covers, and the shorter spans keep promtool's range queries cheap. Rules
    of one level with the same span run in one promtool call; a group evaluates on
    the grid of its name and ``rule_file`` whatever the span's start. Ends with the
    whole rule file at ``rule_file`` and no server running.
    """
    config = write_config(workdir / "backfill.yml")
    for n, level in enumerate(recording_levels(yaml.safe_load(rules_text)), start=1):
        spans = sorted({span(r["record"]) for g in level["groups"] for r in g["rules"]})
        for k, (start_ms, end_ms) in enumerate(spans):
            part = _only(level, lambda record, s=(start_ms, end_ms): span(record) == s)
            rule_file.write_text(yaml.safe_dump(part, sort_keys=False))
            blocks = workdir / f"rule-blocks-{rule_file.stem}-{n}-{k}"
            with running_prometheus(data, config, workdir) as server:
                promtool(
                    "tsdb",
                    "create-blocks-from",
                    "rules",
                    "--quiet",
                    f"--url={server.url}",
                    f"--start={_seconds(start_ms)}",
                    f"--end={_seconds(end_ms)}",
                    f"--output-dir={blocks}",
                    f"--max-block-duration={RULE_BLOCK}",
                    rule_file,
                )
            for block in blocks.iterdir():
                block.rename(data / block.name)
    rule_file.write_text(rules_text)


def _only(rules: dict[str, Any], keep: Callable[[str], bool]) -> dict[str, Any]:
    """The groups of a rule file with only the recordings ``keep`` accepts."""
    groups = [
        {**group, "rules": [r for r in group["rules"] if keep(r["record"])]}
        for group in rules["groups"]
    ]
    return {"groups": [g for g in groups if g["rules"]]}


def close(actual: float, expected: float | None) -> bool:
    """Equal up to float rounding; ``None`` (0/0 in the rules) must be NaN."""
    if expected is None:
        return math.isnan(actual)
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)
