"""Reading a live Prometheus over its HTTP API.

One place talks to the server, so every command that does (``lint``, ``status``,
``gate``) has the same timeout, the same credentials, the same error for an
unreachable or failing server, and never hangs a release pipeline on a slow one.

The server is not trusted: its answer may be slow, huge, cut off or not what the API
promises (a proxy's login page, a half-written body, a hostile server). ``--timeout``
is a deadline for a whole request (connection, headers and body), an answer is read
up to :data:`slogen.bounded_http.MAX_ANSWER_BYTES`, and every part of it is checked
before use, so each of these ends in a :class:`PrometheusError` that says what
happened, not a traceback.
Credentials go in a header only, never in a URL, a message or a ``repr``.

This module is the transport and the checks of what a caller gives it (URL, timeout);
what a message may show is :mod:`slogen.prometheus_messages`, the credentials
:mod:`slogen.prometheus_credentials`, and the taking apart of answers
:mod:`slogen.prometheus_answers`. Their names are re-exported here, where the rest of
slogen has always found them; the bounded reading (:mod:`slogen.bounded_http`) and the
HTTP client are imported only by a request, which most commands never make.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from slogen.prometheus_answers import (
    Malformed,
    Sample,
    Series,
    envelope,
    label_sets,
    matrix,
    retention,
    samples,
    strings,
)
from slogen.prometheus_credentials import BasicAuth, BearerToken, Credentials
from slogen.prometheus_messages import CONTROL, PrometheusError, printable, redact

if TYPE_CHECKING:
    import urllib.error
    import urllib.request

__all__ = [
    "CREDENTIALS_HINT",
    "DEFAULT_TIMEOUT",
    "MAX_TIMEOUT",
    "BasicAuth",
    "BearerToken",
    "Credentials",
    "Prometheus",
    "PrometheusError",
    "Sample",
    "Series",
    "check_timeout",
    "check_url",
    "envelope",
    "label_sets",
    "printable",
    "redact",
    "retention",
    "samples",
    "strings",
]

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for one answer: long enough for a loaded server, short enough for CI."""
MAX_TIMEOUT = 3600.0
"""The longest ``--timeout``: an hour is more than any query of slogen's needs, and a
bound keeps a mistyped ``1e12`` from reaching the socket layer (which overflows)."""
_T = TypeVar("_T")


CREDENTIALS_HINT = (
    "pass a user and password with --prometheus-basic-auth-user USER and "
    "--prometheus-password-file FILE (or the SLOGEN_PROMETHEUS_PASSWORD variable), or a "
    "token with --prometheus-bearer-token-file FILE (or SLOGEN_PROMETHEUS_BEARER_TOKEN); "
    "from Python, the credentials argument"
)


def check_url(url: str) -> str:
    """The base URL of a Prometheus, without a trailing slash; PrometheusError if it is
    not a plain http(s) URL. Userinfo, a query string or a fragment are refused, never
    echoed: credentials belong in :class:`BasicAuth` or :class:`BearerToken`."""
    shown = repr(redact(url))
    if "@" in url:
        raise PrometheusError(
            f"{shown}: credentials in the URL are not accepted (they would show in "
            f"process lists, logs and messages); {CREDENTIALS_HINT}"
        )
    if "?" in url or "#" in url:
        raise PrometheusError(
            f"{shown}: the base URL of Prometheus takes no query string or fragment, "
            f"for example http://localhost:9090 or https://host/prometheus; {CREDENTIALS_HINT}"
        )
    if CONTROL.search(url) or any(c.isspace() for c in url):
        raise PrometheusError(f"{shown}: a URL cannot hold spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (parsing the port is the check)
    except ValueError as error:
        raise PrometheusError(f"{shown} is not a valid URL ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PrometheusError(f"{shown} is not an http(s) URL, for example http://localhost:9090")
    return url.rstrip("/")


def check_timeout(seconds: float) -> float:
    """``seconds`` if it is a usable deadline: a number above 0 and at most an hour."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise PrometheusError(f"the timeout must be a number of seconds, not {seconds!r}")
    if not 0 < seconds <= MAX_TIMEOUT:  # also refuses NaN
        raise PrometheusError(
            f"the timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {seconds!r}"
        )
    return float(seconds)


@dataclass(frozen=True)
class Prometheus:
    """A server's base URL (``http://host:9090``, with any path prefix), a deadline per
    request in seconds, and the credentials it wants, if any (not in ``repr``)."""

    url: str
    timeout: float = DEFAULT_TIMEOUT
    credentials: Credentials | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", check_url(self.url))
        object.__setattr__(self, "timeout", check_timeout(self.timeout))
        if self.credentials is not None and not isinstance(
            self.credentials, BasicAuth | BearerToken
        ):
            raise TypeError("credentials must be a BasicAuth or a BearerToken")

    def query(self, expr: str) -> list[Sample]:
        """An instant query at the server's now; a scalar or vector result as samples."""
        return self._answer("/api/v1/query", {"query": expr}, samples)

    def query_range(self, expr: str, start: float, end: float, step: int) -> list[Series]:
        """A range query from ``start`` to ``end`` (unix seconds) every ``step`` seconds."""
        params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": str(step)}
        return self._answer("/api/v1/query_range", params, matrix)

    def label_values(self, label: str, selector: str) -> list[str]:
        """Every value of ``label`` on series matching ``selector``, over all stored data."""
        path = f"/api/v1/label/{urllib.parse.quote(label, safe='')}/values"
        return self._answer(path, {"match[]": selector}, strings)

    def series(self, selector: str) -> list[dict[str, str]]:
        """The label sets of every series matching ``selector``."""
        return self._answer("/api/v1/series", {"match[]": selector}, label_sets)

    def storage_retention(self) -> str:
        """``storageRetention`` of ``/api/v1/status/runtimeinfo`` (``15d``, ``10GiB``),
        or "" from a server that does not report it: one without that endpoint (404:
        Thanos, Mimir and others that speak the query API only) or without the field."""
        return self._answer("/api/v1/status/runtimeinfo", {}, retention, missing_ok=True)

    def _answer(
        self,
        path: str,
        params: Mapping[str, str],
        parse: Callable[[object], _T],
        *,
        missing_ok: bool = False,
    ) -> _T:
        """The answer to ``path``, checked and taken apart by ``parse``."""
        body = self._get(path, params, missing_ok=missing_ok)
        try:
            return parse(None if body is None else envelope(body))
        except Malformed as error:
            raise PrometheusError(
                f"{self.url}{path}: not a Prometheus API answer: {error}; is {self.url} "
                "the base URL of a Prometheus (http://host:9090)?"
            ) from None
        except PrometheusError as error:
            raise PrometheusError(f"Prometheus at {self.url} {error} ({path})") from None

    def _request(self, path: str, params: Mapping[str, str]) -> urllib.request.Request:
        import urllib.request  # with http.client, a tenth of `slogen generate`'s start

        address = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(address, headers={"Accept": "application/json"})
        if self.credentials is not None:
            request.add_unredirected_header("Authorization", self.credentials.header())
        return request

    def _get(self, path: str, params: Mapping[str, str], *, missing_ok: bool) -> bytes | None:
        """The body of the answer to ``GET path?params`` (an error answer's too, as
        Prometheus explains a refused query there); None for a 404 when ``missing_ok``."""
        import http.client
        import urllib.error

        from slogen.bounded_http import (
            MAX_ANSWER_BYTES,
            CutOff,
            Deadline,
            TooLarge,
            opener,
            read_bounded,
        )

        try:
            try:
                with opener(Deadline(self.timeout)).open(
                    self._request(path, params), timeout=self.timeout
                ) as answer:
                    return read_bounded(answer)
            except urllib.error.HTTPError as error:
                with error:
                    if missing_ok and error.code == 404:
                        return None
                    body = (
                        read_bounded(error.fp)
                        if isinstance(error.fp, http.client.HTTPResponse)
                        else b""
                    )
                raise self._refused(path, error, body) from None
        except TooLarge:
            raise PrometheusError(
                f"{self.url}{path}: the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB, "
                "the most slogen reads; is this a Prometheus?"
            ) from None
        except CutOff as error:
            raise PrometheusError(
                f"{self.url}{path}: the answer broke off after {error}; is the server or a "
                "proxy before it failing?"
            ) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise self._late() from None
            raise PrometheusError(
                f"cannot reach Prometheus at {self.url} ({printable(str(error.reason))}); "
                "is it running, and is the URL its base (http://host:9090)?"
            ) from None
        except TimeoutError:
            raise self._late() from None
        except (UnicodeError, http.client.InvalidURL) as error:  # a host IDNA cannot encode
            raise PrometheusError(
                f"cannot ask Prometheus at {self.url}: its host name is not usable "
                f"({printable(str(error))})"
            ) from None
        except http.client.HTTPException as error:
            what = printable(type(error).__name__ + (f": {error}" if str(error) else ""))
            raise PrometheusError(
                f"{self.url}{path}: not a Prometheus API answer: broken HTTP ({what})"
            ) from None
        except OSError as error:
            raise PrometheusError(
                f"{self.url}{path}: the connection failed mid-answer ({printable(str(error))})"
            ) from None

    def _late(self) -> PrometheusError:
        return PrometheusError(
            f"{self.url}: no answer within {self.timeout:g}s (the deadline for each "
            "request: connection, headers and body); raise --timeout if the server is "
            "just slow"
        )

    def _refused(self, path: str, error: urllib.error.HTTPError, body: bytes) -> PrometheusError:
        """Why the server said no: its JSON reason if it gave one, else the HTTP status
        with what to do about it."""
        status = f"HTTP {error.code} {printable(str(error.reason), 60)}"
        if 300 <= error.code < 400:
            target = redact(error.headers.get("Location", "") or "elsewhere")
            return PrometheusError(
                f"Prometheus at {self.url} redirected {path} ({status}) to {target}; "
                "slogen does not follow redirects: pass the URL it should ask"
            )
        if error.code in (401, 403):
            advice = (
                "the credentials given were not accepted"
                if self.credentials is not None
                else f"it wants credentials: {CREDENTIALS_HINT}"
            )
            return PrometheusError(f"Prometheus at {self.url} refused {path}: {status}; {advice}")
        try:
            envelope(body)
        except Malformed:
            pass
        except PrometheusError as reason:
            return PrometheusError(f"Prometheus at {self.url} {reason} ({path}, {status})")
        return PrometheusError(f"Prometheus at {self.url} refused {path}: {status}")
