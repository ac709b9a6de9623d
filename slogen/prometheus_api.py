"""Reading a live Prometheus over its HTTP API.

One place talks to the server, so every command that does (``lint``, ``status``,
``gate``) has the same timeout, the same credentials, the same error for an
unreachable or failing server, and never hangs a release pipeline on a slow one.

The server is not trusted: its answer may be slow, huge, cut off or not what the API
promises (a proxy's login page, a half-written body, a hostile server). ``--timeout``
is a deadline for a whole request (connection, headers and body), an answer is read
up to :data:`MAX_ANSWER_BYTES`, and every part of it is checked before use, so each
of these ends in a :class:`PrometheusError` that says what happened, not a traceback.
Credentials go in a header only, never in a URL, a message or a ``repr``.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from slogen.bounded_http import MAX_ANSWER_BYTES, CutOff, Deadline, TooLarge, opener, read_bounded
from slogen.errors import SlogenError

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for one answer: long enough for a loaded server, short enough for CI."""
MAX_TIMEOUT = 3600.0
"""The longest ``--timeout``: an hour is more than any query of slogen's needs, and a
bound keeps a mistyped ``1e12`` from reaching the socket layer (which overflows)."""
_T = TypeVar("_T")
_SHOWN = 120
"""Characters of server-sent text quoted in a message, at most."""


class PrometheusError(SlogenError):
    """The server could not be reached, did not answer in time, refused the query or
    answered with something that is not a Prometheus API answer."""


class _Malformed(PrometheusError):
    """Part of an answer is not what the API promises; the message says which part."""


# --- what a message may show -------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str, limit: int = _SHOWN) -> str:
    """Server-sent text made safe for a terminal: control and bidi characters escaped
    (a label value cannot move the cursor or rewrite a line), and cut to ``limit``
    characters (a huge error string does not flood the log)."""
    shown = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def redact(url: str) -> str:
    """``url`` as a message may show it: without userinfo (``user:password@``), query
    string or fragment, which may hold credentials.

    A password may itself hold ``/``, ``?`` or ``#``, so where the userinfo ends is
    not certain: only what follows the last ``@`` is kept, and no host at all when a
    ``?`` or ``#`` comes before that ``@``."""
    scheme, separator, rest = url.partition("://")
    prefix = f"{scheme}://" if separator else ""
    if not separator:
        rest = url
    if "@" in rest:
        before, _, after = rest.rpartition("@")
        host = "" if re.search(r"[?#]", before) else re.split(r"[/?#]", after)[0]
        return printable(f"{prefix}***@{host}")
    head = re.split(r"[?#]", rest)[0]
    return printable(prefix + head + ("?***" if head != rest else ""))


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
    if _CONTROL.search(url) or any(c.isspace() for c in url):
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


# --- credentials ---------------------------------------------------------------------


@dataclass(frozen=True)
class BasicAuth:
    """HTTP basic authentication. The password is kept out of ``repr``, so it shows in
    no message, log line or traceback that prints the object."""

    user: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.user or ":" in self.user or _CONTROL.search(self.user):
            raise ValueError(
                "the basic auth user must be non-empty, without ':' or control characters"
            )
        if not self.password:
            raise ValueError("the basic auth password is empty")

    def header(self) -> str:
        pair = f"{self.user}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


_TOKEN = re.compile(r"[\x21-\x7e]+")
"""Visible ASCII: what a header can carry as it is (RFC 6750 tokens are a subset)."""


@dataclass(frozen=True)
class BearerToken:
    """A bearer token (``Authorization: Bearer ...``), kept out of ``repr``."""

    token: str = field(repr=False)

    def __post_init__(self) -> None:
        if not _TOKEN.fullmatch(self.token):
            raise ValueError(
                "the bearer token is empty or has characters a header cannot carry "
                "(spaces, line breaks, non-ASCII)"
            )

    def header(self) -> str:
        return f"Bearer {self.token}"


Credentials = BasicAuth | BearerToken


# --- answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One series of an instant vector: its labels and its value."""

    labels: tuple[tuple[str, str], ...]
    value: float

    @cached_property
    def _by_name(self) -> dict[str, str]:
        return dict(self.labels)

    def label(self, name: str) -> str:
        return self._by_name.get(name, "")


def _quote(value: object) -> str:
    return printable(repr(value), 60)


def _number(value: object, where: str) -> float:
    """A sample value: Prometheus sends a string (``"0.5"``, ``"+Inf"``, ``"NaN"``)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except (ValueError, OverflowError):
            pass
    raise _Malformed(f"{where} is {_quote(value)}, not a number")


def _point(value: object, where: str) -> float:
    """``[timestamp, "value"]`` as the API writes an instant sample or a scalar."""
    if not isinstance(value, list) or len(value) != 2:
        raise _Malformed(f"{where} is {_quote(value)}, not [timestamp, value]")
    _number(value[0], f"{where}[0] (the timestamp)")
    return _number(value[1], f"{where}[1]")


def _labels(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _Malformed(f"{where} is {_quote(value)}, not an object of labels")
    for name, label in value.items():
        if not isinstance(label, str):
            raise _Malformed(f"{where}.{printable(name, 60)} is {_quote(label)}, not a string")
    return value


def _sample(item: object, where: str) -> Sample:
    if not isinstance(item, dict):
        raise _Malformed(f"{where} is {_quote(item)}, not a sample object")
    if "metric" not in item:
        raise _Malformed(f"{where} has no metric")
    if "value" not in item:
        raise _Malformed(f"{where} has no value (a histogram sample?)")
    labels = _labels(item["metric"], f"{where}.metric")
    return Sample(tuple(sorted(labels.items())), _point(item["value"], f"{where}.value"))


def samples(data: object) -> list[Sample]:
    """The samples of an instant query's ``data``: a vector, or a scalar as one sample
    without labels. PrometheusError for anything else."""
    if not isinstance(data, dict):
        raise _Malformed(f"data is {_quote(data)}, not an object")
    kind, result = data.get("resultType"), data.get("result")
    if kind == "vector":
        if not isinstance(result, list):
            raise _Malformed(f"the vector result is {_quote(result)}, not a list")
        return [_sample(item, f"result[{i}]") for i, item in enumerate(result)]
    if kind == "scalar":
        return [Sample((), _point(result, "the scalar result"))]
    raise _Malformed(f"resultType is {_quote(kind)}, not vector or scalar")


def strings(data: object) -> list[str]:
    """A list of strings, as the label values API answers (``null`` for none)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise _Malformed(f"data is {_quote(data)}, not a list of label values")
    for i, value in enumerate(data):
        if not isinstance(value, str):
            raise _Malformed(f"data[{i}] is {_quote(value)}, not a string")
    return data


def label_sets(data: object) -> list[dict[str, str]]:
    """A list of label sets, as the series API answers (``null`` for none)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise _Malformed(f"data is {_quote(data)}, not a list of series")
    return [_labels(item, f"data[{i}]") for i, item in enumerate(data)]


def retention(data: object) -> str:
    """``storageRetention`` of a runtime info answer, or "" when the server does not
    report one."""
    if data is None:
        return ""
    if not isinstance(data, dict):
        raise _Malformed(f"data is {_quote(data)}, not an object")
    value = data.get("storageRetention")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Malformed(f"storageRetention is {_quote(value)}, not a string")
    return value


def envelope(body: bytes) -> object:
    """The ``data`` of a successful answer. A refusal (``"status": "error"``) raises
    PrometheusError with the server's reason; anything that is not the API's envelope
    raises :class:`_Malformed`."""
    try:
        answer = json.loads(body)
    except RecursionError:
        raise _Malformed("JSON nested too deeply") from None
    except ValueError as error:  # not JSON, not UTF-8, an integer of 5,000 digits
        start = printable(body[:40].decode("utf-8", "replace"), 40)
        raise _Malformed(f"not JSON ({printable(str(error), 80)}; it starts {start!r})") from None
    if not isinstance(answer, dict):
        raise _Malformed(f"the answer is {_quote(answer)}, not a JSON object")
    status = answer.get("status")
    if status == "success":
        if "data" not in answer:
            raise _Malformed("a success without data")
        return answer["data"]
    if status == "error" and isinstance(answer.get("error"), str):
        raise PrometheusError(f"refused: {printable(answer['error'], 300)}")
    raise _Malformed(f"status is {_quote(status)}, not success or error")


# --- the server ------------------------------------------------------------------------


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
        except _Malformed as error:
            raise PrometheusError(
                f"{self.url}{path}: not a Prometheus API answer: {error}; is {self.url} "
                "the base URL of a Prometheus (http://host:9090)?"
            ) from None
        except PrometheusError as error:
            raise PrometheusError(f"Prometheus at {self.url} {error} ({path})") from None

    def _request(self, path: str, params: Mapping[str, str]) -> urllib.request.Request:
        address = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(address, headers={"Accept": "application/json"})
        if self.credentials is not None:
            request.add_unredirected_header("Authorization", self.credentials.header())
        return request

    def _get(self, path: str, params: Mapping[str, str], *, missing_ok: bool) -> bytes | None:
        """The body of the answer to ``GET path?params`` (an error answer's too, as
        Prometheus explains a refused query there); None for a 404 when ``missing_ok``."""
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
        except _Malformed:
            pass
        except PrometheusError as reason:
            return PrometheusError(f"Prometheus at {self.url} {reason} ({path}, {status})")
        return PrometheusError(f"Prometheus at {self.url} refused {path}: {status}")
