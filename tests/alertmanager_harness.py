"""The real Alertmanager on loopback, and a webhook receiver that records what it sends.

The server gets a free port, a scratch storage directory and no cluster listener; it
is stopped by its pid when the test ends, whatever happens in between.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.server_harness import running, wait_for

__all__ = ["WebhookSink", "alert_states", "post_alerts", "running_alertmanager", "wait_for"]

BINARY = "prometheus-alertmanager"


class WebhookSink:
    """Records every notification posted to it, with the path it was posted to."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with sink._lock:
                    sink.received.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def alerts(self, path: str) -> list[dict[str, str]]:
        """Labels of every alert notified at ``path`` so far."""
        with self._lock:
            return [
                alert["labels"]
                for where, payload in self.received
                if where == path
                for alert in payload["alerts"]
            ]

    def notifications(self, path: str) -> list[list[dict[str, str]]]:
        """Every notification posted at ``path`` so far, as the labels of its alerts."""
        with self._lock:
            return [
                [alert["labels"] for alert in payload["alerts"]]
                for where, payload in self.received
                if where == path
            ]

    def __enter__(self) -> WebhookSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def running_alertmanager(config: Path, workdir: Path) -> Iterator[str]:
    """Start Alertmanager with ``config``; yields its base URL once it is ready."""
    with running(
        BINARY,
        lambda port: [
            f"--config.file={config}",
            f"--storage.path={workdir / 'alertmanager-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        workdir,
    ) as url:
        yield url


def post_alerts(url: str, alerts: list[dict[str, str]]) -> None:
    """Send firing alerts with these labels, as Prometheus would."""
    now = datetime.now(UTC)
    body = [
        {
            "labels": labels,
            "annotations": {"summary": "posted by the test"},
            "startsAt": now.isoformat(),
            "endsAt": (now + timedelta(hours=1)).isoformat(),
        }
        for labels in alerts
    ]
    request = urllib.request.Request(
        f"{url}/api/v2/alerts",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def alert_states(url: str) -> list[dict[str, Any]]:
    """Every alert Alertmanager holds, with its status (inhibitedBy, silencedBy...)."""
    with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=5) as response:
        return list(json.loads(response.read()))
