"""Reading a live Prometheus over its HTTP API.

One place talks to the server, so every command that does (``lint``, ``status``,
``gate``) has the same timeout, the same error for an unreachable or failing server,
and never hangs a release pipeline on a slow one.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from slogen.errors import SlogenError

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for one answer: long enough for a loaded server, short enough for CI."""


class PrometheusError(SlogenError):
    """The server could not be reached, did not answer in time, or refused the query."""


def check_url(url: str) -> str:
    """The base URL of a Prometheus, without a trailing slash; PrometheusError if it is
    not http(s)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PrometheusError(f"{url!r} is not an http(s) URL, for example http://localhost:9090")
    return url.rstrip("/")


@dataclass(frozen=True)
class Sample:
    """One series of an instant vector: its labels and its value."""

    labels: tuple[tuple[str, str], ...]
    value: float

    def label(self, name: str) -> str:
        return dict(self.labels).get(name, "")


@dataclass(frozen=True)
class Prometheus:
    """A server's base URL (``http://host:9090``, with any path prefix) and a timeout."""

    url: str
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", check_url(self.url))

    def query(self, expr: str) -> list[Sample]:
        """An instant query at the server's now; a scalar or vector result as samples."""
        data = self._get("/api/v1/query", {"query": expr})
        if not isinstance(data, dict):
            raise PrometheusError(f"{self.url}: answer without data for {expr}")
        kind, result = data.get("resultType"), data.get("result")
        if kind == "vector" and isinstance(result, list):
            return [_sample(item) for item in result]
        if kind == "scalar" and isinstance(result, list):
            return [Sample((), float(result[1]))]
        raise PrometheusError(f"{self.url}: unexpected {kind} result for {expr}")

    def label_values(self, label: str, selector: str) -> list[str]:
        """Every value of ``label`` on series matching ``selector``, over all stored data."""
        data = self._get(f"/api/v1/label/{label}/values", {"match[]": selector})
        return [str(value) for value in data or []]

    def series(self, selector: str) -> list[dict[str, str]]:
        """The label sets of every series matching ``selector``."""
        data = self._get("/api/v1/series", {"match[]": selector})
        return [dict(series) for series in data or []]

    def runtime_info(self) -> dict[str, Any] | None:
        """``/api/v1/status/runtimeinfo`` (``storageRetention`` and more), or None from
        a server that does not have it (404): Thanos, Mimir and others that speak the
        query API only."""
        data = self._get("/api/v1/status/runtimeinfo", {}, missing_ok=True)
        return data if isinstance(data, dict) else None

    def _get(self, path: str, params: dict[str, str], *, missing_ok: bool = False) -> Any:
        address = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(address, timeout=self.timeout) as response:
                body = json.load(response)
        except urllib.error.HTTPError as error:
            if missing_ok and error.code == 404:
                return None
            body = _error_body(error)
            if body is None:
                raise PrometheusError(
                    f"Prometheus at {self.url} refused {path}: HTTP {error.code} {error.reason}"
                ) from None
        except TimeoutError:
            raise PrometheusError(
                f"{self.url}: no answer within {self.timeout:g}s (raise --timeout if the "
                "server is just slow)"
            ) from None
        except urllib.error.URLError as error:
            reason = error.reason
            raise PrometheusError(
                f"cannot reach Prometheus at {self.url} ({reason}); is it running, and is "
                "the URL its base (http://host:9090)?"
            ) from None
        except (OSError, ValueError) as error:
            raise PrometheusError(f"{self.url}: not a Prometheus API answer: {error}") from None
        if not isinstance(body, dict) or body.get("status") != "success":
            reason = body.get("error", body) if isinstance(body, dict) else body
            raise PrometheusError(f"Prometheus at {self.url} refused {path}: {reason}")
        return body.get("data")


def _error_body(error: urllib.error.HTTPError) -> dict[str, Any] | None:
    """Prometheus explains a bad query in a JSON body of its 4xx answer."""
    try:
        body = json.load(error)
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _sample(item: dict[str, Any]) -> Sample:
    labels = tuple(sorted((str(k), str(v)) for k, v in item.get("metric", {}).items()))
    return Sample(labels, float(item["value"][1]))
