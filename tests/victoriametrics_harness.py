"""The real VictoriaMetrics on loopback with an imported history, and vmalert replaying
the generated rules over it.

``victoria-metrics`` (the single-node server) and ``vmalert`` come from Debian's
``victoria-metrics`` package; ``make tools`` unpacks it into .tools/ when they are not
on PATH. The server gets a scratch storage directory, a free port and a century of
retention (the history lies in the past and must not be dropped as too old), and is
stopped by its pid when the test ends (tests/server_harness.py). Its response cache
is off: the tests write into the past and read back at once, which is exactly when a
cached answer would be stale.

The history goes in through ``/api/v1/import/prometheus``: the same text
``promtool tsdb create-blocks-from openmetrics`` backfills into Prometheus, with its
timestamps turned from seconds into the milliseconds that format carries.

``replay`` runs ``vmalert -replay.timeFrom/-replay.timeTo``: vmalert evaluates each rule
with one range query per ``-replay.maxDatapointsPerQuery`` points, on the grid
``timeFrom + k * interval`` of the rule's group, and remote-writes the results (and, for
alerting rules, ``ALERTS``/``ALERTS_FOR_STATE``) back to the server. vmalert only sleeps
between the rules of a group to let chained recordings become visible; instead the
rules run level by level as for promtool (``recording_levels``), one vmalert to
completion per level and a forced flush of the server before the next, so every rule
reads complete inputs, and the alerting rules run last.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.prometheus_harness import recording_levels
from tests.server_harness import free_port, running

PACKAGE = "victoria-metrics"
SERVER = "victoria-metrics"
VMALERT = "vmalert"
# One range query per rule: vmalert cannot read a rule's own earlier results within a
# replay anyway, and a single query keeps a rule that reads itself deterministic.
# The server answers at most 30,000 points per series by default.
MAX_POINTS = 30_000


def require(binary: str) -> str:
    """A binary of the victoria-metrics package on PATH.

    Missing where apt can fetch the package is a failure (``make tools`` installs it,
    so ``make test`` never skips); missing where apt does not know the package, e.g.
    off Debian, is a skip that says so.
    """
    found = shutil.which(binary)
    if found is not None:
        return found
    apt = shutil.which("apt-cache")
    if (
        apt
        and subprocess.run([apt, "show", PACKAGE], capture_output=True, check=False).returncode == 0
    ):
        pytest.fail(f"{binary} not found on PATH; run `make tools` (Debian's {PACKAGE})")
    pytest.skip(f"{binary} not on PATH and apt has no {PACKAGE} package to install")


@dataclass(frozen=True)
class VictoriaMetrics:
    """A running server's import and query APIs."""

    url: str

    def _get(self, path: str, **params: str) -> bytes:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=60) as reply:
            return bytes(reply.read())

    def import_openmetrics(self, openmetrics: str) -> None:
        """Load OpenMetrics text (timestamps in seconds) and make it searchable."""
        body = "".join(_milliseconds(line) for line in openmetrics.splitlines(keepends=True))
        request = urllib.request.Request(
            f"{self.url}/api/v1/import/prometheus", data=body.encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            assert reply.status == 204, reply.read()
        self.flush()

    def flush(self) -> None:
        """Make everything received so far visible to queries."""
        self._get("/internal/force_flush")

    def query(self, expr: str, at_ms: int) -> list[dict[str, Any]]:
        """An instant query's result at a millisecond timestamp."""
        body = json.loads(self._get("/api/v1/query", query=expr, time=_seconds(at_ms)))
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def sample(self, selector: str, at_ms: int) -> float | None:
        """The one sample a series has at exactly ``at_ms``; None when it has none.

        VictoriaMetrics keeps no NaN: where Prometheus records NaN (0/0) vmalert
        writes nothing, so an absent sample is an answer here, not a failure.
        """
        found = [
            (round(float(stamp) * 1000), float(value))
            for series in self.query(f"{selector}[1s]", at_ms)
            for stamp, value in series["values"]
        ]
        if not found:
            return None
        if len(found) != 1 or found[0][0] != at_ms:
            pytest.fail(f"expected one sample of {selector} at {at_ms} ms, found {found}")
        return found[0][1]

    def timestamps(self, selector: str, first_ms: int, last_ms: int) -> list[int]:
        """Millisecond timestamps of every sample ``selector`` matches in the span."""
        window = f"{(last_ms - first_ms) // 1000 + 1}s"
        return sorted(
            round(float(stamp) * 1000)
            for series in self.query(f"{selector}[{window}]", last_ms)
            for stamp, _ in series["values"]
            if round(float(stamp) * 1000) >= first_ms
        )


def _milliseconds(line: str) -> str:
    """An OpenMetrics sample line with its timestamp in milliseconds; comments and
    ``# EOF`` pass through (the import ignores them)."""
    if line.startswith("#") or not line.strip():
        return line
    head, stamp = line.rstrip("\n").rsplit(" ", 1)
    return f"{head} {int(stamp) * 1000}\n"


def _seconds(at_ms: int) -> str:
    return f"{at_ms // 1000}.{at_ms % 1000:03d}"


def _rfc3339(at_ms: int) -> str:
    if at_ms % 1000:
        raise ValueError(f"{at_ms}: vmalert replays from whole seconds only")
    return datetime.fromtimestamp(at_ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def running_victoriametrics(workdir: Path) -> Iterator[VictoriaMetrics]:
    """Start the single-node server on scratch storage; yields its API once ready."""
    require(SERVER)
    with running(
        SERVER,
        lambda port: [
            f"-storageDataPath={workdir / 'victoria-metrics-data'}",
            f"-httpListenAddr=127.0.0.1:{port}",
            "-retentionPeriod=100y",
            "-search.disableCache",
            "-loggerLevel=WARN",
        ],
        workdir,
    ) as url:
        yield VictoriaMetrics(url)


def replay_parts(rules: dict[str, Any]) -> list[dict[str, Any]]:
    """The rule file as files that can be replayed in order: each level of
    recordings, then every alerting rule (groups and intervals kept)."""
    alerts = [
        {**group, "rules": [r for r in group["rules"] if "alert" in r]} for group in rules["groups"]
    ]
    alerting = {"groups": [g for g in alerts if g["rules"]]}
    return [*recording_levels(rules), *([alerting] if alerting["groups"] else [])]


def replay(
    server: VictoriaMetrics, rules_text: str, from_ms: int, to_ms: int, workdir: Path
) -> None:
    """Evaluate a rule file with vmalert's replay mode over ``[from_ms, to_ms]``.

    Every group runs on the grid ``from_ms + k * interval``; results are in the server
    and searchable when this returns.
    """
    binary = require(VMALERT)
    for n, part in enumerate(replay_parts(yaml.safe_load(rules_text)), start=1):
        rule_file = workdir / f"replay-{n}.rules.yml"
        rule_file.write_text(yaml.safe_dump(part, sort_keys=False))
        command = [
            binary,
            f"-rule={rule_file}",
            f"-datasource.url={server.url}",
            f"-remoteWrite.url={server.url}",
            f"-replay.timeFrom={_rfc3339(from_ms)}",
            f"-replay.timeTo={_rfc3339(to_ms)}",
            f"-replay.maxDatapointsPerQuery={MAX_POINTS}",
            "-replay.rulesDelay=0s",
            "-datasource.queryStep=0s",
            "-replay.disableProgressBar",
            "-remoteWrite.maxQueueSize=1000000",
            f"-httpListenAddr=127.0.0.1:{free_port()}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        rule_file.with_suffix(".log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            pytest.fail(f"{' '.join(command)}:\n{result.stdout}{result.stderr}")
        server.flush()
