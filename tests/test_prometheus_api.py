"""The Prometheus client against servers that misbehave, bad input and credentials.

A small threaded server on 127.0.0.1 plays Prometheus, or a broken or hostile one:
it drips its answer a byte at a time, sends too much, sends what is not the API's
JSON, redirects, or wants credentials. Each case goes through the CLI where a user
would meet it, and ends in a clear message and exit code: 2 for what the user gave
(a URL with credentials in it, a timeout out of range, credential options that do
not fit), 3 for what the server did. No secret appears in any output.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import traceback
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slogen.bounded_http import MAX_ANSWER_BYTES
from slogen.cli_budget import PASSWORD_ENV, TOKEN_ENV
from slogen.prometheus_api import (
    BasicAuth,
    BearerToken,
    Prometheus,
    PrometheusError,
    envelope,
    label_sets,
    redact,
    retention,
    samples,
    strings,
)
from tests.conftest import MINIMAL_SPEC, CliResult, write_spec

RunCli = Callable[..., CliResult]
SECRET = "S3CRETPW"
DRIP_SECONDS = 0.2
DRIP_BYTES = 150
"""A drip of 150 bytes every 0.2 s takes 30 s: what a client without a deadline on the
whole request would wait for."""
Respond = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class FakePrometheus:
    """The server's URL, what it answers (replaceable per test), the Authorization
    headers it saw and how many bytes it dripped before the client gave up."""

    url: str
    respond: Respond
    stop: threading.Event
    authorizations: list[str | None] = field(default_factory=list)
    dripped: int = 0


def send(handler: BaseHTTPRequestHandler, body: bytes, status: int = 200, **headers: str) -> None:
    handler.send_response(status)
    for name, value in {"Content-Length": str(len(body)), **headers}.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def send_json(handler: BaseHTTPRequestHandler, answer: object, status: int = 200) -> None:
    send(handler, json.dumps(answer).encode(), status, Content_Type="application/json")


def prometheus(handler: BaseHTTPRequestHandler) -> None:
    """A healthy Prometheus without slogen's recordings, keeping 400 days of data."""
    path = handler.path.split("?")[0]
    data: object = []
    if path == "/api/v1/query":
        data = {"resultType": "vector", "result": []}
    elif path == "/api/v1/status/runtimeinfo":
        data = {"storageRetention": "400d"}
    send_json(handler, {"status": "success", "data": data})


@pytest.fixture
def server() -> Iterator[FakePrometheus]:
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.authorizations.append(self.headers.get("Authorization"))
            with contextlib.suppress(OSError):  # the client hung up, as it should
                fake.respond(self)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    fake = FakePrometheus(f"http://127.0.0.1:{httpd.server_address[1]}", prometheus, stop)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def specs(tmp_path: Path) -> str:
    write_spec(tmp_path / "specs", "shop.yaml", MINIMAL_SPEC)
    return str(tmp_path / "specs")


def secret_file(tmp_path: Path, content: str | bytes, name: str = "secret") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


def shows_no_secret(result: CliResult, secret: str = SECRET) -> bool:
    return secret not in result.out and secret not in result.err


COMMANDS = ("status", "gate", "lint")


# --- credentials ------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "url",
    [
        f"http://admin:{SECRET}@127.0.0.1:9090/",
        f"https://admin:{SECRET}@prometheus.example.com",
        f"admin:{SECRET}@127.0.0.1:9090",  # no scheme: not an http URL, still not echoed
        f"http://admin:pa/{SECRET}@127.0.0.1:9090",  # a password with a slash
        f"http://admin:pa?{SECRET}@127.0.0.1:9090",
        f"http://127.0.0.1:9090/?token={SECRET}",
        f"http://127.0.0.1:9090/#{SECRET}",
        f"http://{SECRET}@127.0.0.1:9090",  # a token as the user
    ],
)
def test_credentials_in_the_url_are_refused_and_never_echoed(
    run_cli: RunCli, specs: str, command: str, url: str
) -> None:
    result = run_cli(command, specs, "--prometheus", url)
    assert result.code == 2, result.err
    assert shows_no_secret(result)
    assert "--prometheus-password-file" in result.err or "http(s) URL" in result.err


def test_a_refused_url_is_shown_without_userinfo_or_query() -> None:
    assert redact(f"http://admin:{SECRET}@host:9090/prom") == "http://***@host:9090"
    assert redact(f"http://host:9090/prom?token={SECRET}") == "http://host:9090/prom?***"
    assert redact(f"http://u:p?{SECRET}@host") == "http://***@"
    assert redact("http://host:9090") == "http://host:9090"
    with pytest.raises(PrometheusError) as refused:
        Prometheus(f"http://admin:{SECRET}@host:9090")
    assert SECRET not in str(refused.value) and "admin" not in str(refused.value)


def test_basic_auth_from_a_password_file(
    run_cli: RunCli, specs: str, server: FakePrometheus, tmp_path: Path
) -> None:
    expected = "Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode()

    def guarded(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("Authorization") != expected:
            send(handler, b"Unauthorized\n", 401, WWW_Authenticate='Basic realm="prometheus"')
        else:
            prometheus(handler)

    server.respond = guarded
    password = secret_file(tmp_path, SECRET + "\n")  # as `echo` writes it
    auth = ("--prometheus-basic-auth-user", "alice", "--prometheus-password-file", password)
    for command in COMMANDS:
        result = run_cli(command, specs, "--prometheus", server.url, *auth)
        assert result.code == 0, result.err
        assert shows_no_secret(result)
    assert set(server.authorizations) == {expected}

    wrong = secret_file(tmp_path, "wrong", "wrong")
    refused = run_cli(
        "status", specs, "--prometheus", server.url, *auth[:2], "--prometheus-password-file", wrong
    )
    assert refused.code == 3 and "HTTP 401" in refused.err and "not accepted" in refused.err
    anonymous = run_cli("status", specs, "--prometheus", server.url)
    assert anonymous.code == 3 and "--prometheus-basic-auth-user" in anonymous.err


def test_basic_auth_password_from_the_environment(
    run_cli: RunCli, specs: str, server: FakePrometheus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, SECRET)
    result = run_cli(
        "gate", specs, "--prometheus", server.url, "--prometheus-basic-auth-user", "alice"
    )
    assert result.code == 0, result.err
    assert (
        server.authorizations[0]
        == "Basic " + base64.b64encode(b"alice:" + SECRET.encode()).decode()
    )


def test_bearer_token_from_a_file_or_the_environment(
    run_cli: RunCli,
    specs: str,
    server: FakePrometheus,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def guarded(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("Authorization") == f"Bearer {SECRET}":
            prometheus(handler)
        else:
            send_json(handler, {"status": "error", "error": "forbidden"}, 403)

    server.respond = guarded
    token = secret_file(tmp_path, f"  {SECRET}\n")
    for command in COMMANDS:
        result = run_cli(
            command, specs, "--prometheus", server.url, "--prometheus-bearer-token-file", token
        )
        assert result.code == 0, result.err
        assert shows_no_secret(result)
    monkeypatch.setenv(TOKEN_ENV, SECRET)
    assert run_cli("lint", specs, "--prometheus", server.url).code == 0
    monkeypatch.setenv(TOKEN_ENV, "expired")
    refused = run_cli("status", specs, "--prometheus", server.url)
    assert refused.code == 3 and "HTTP 403" in refused.err and "not accepted" in refused.err
    assert "expired" not in refused.err


@pytest.mark.parametrize(
    ("arguments", "environment", "message"),
    [
        (["--prometheus-password-file", "{pw}"], {}, "a password without a user"),
        ([], {PASSWORD_ENV: SECRET}, "a password without a user"),
        (["--prometheus-basic-auth-user", "alice"], {}, "a user without a password"),
        (
            ["--prometheus-basic-auth-user", "alice", "--prometheus-bearer-token-file", "{pw}"],
            {PASSWORD_ENV: SECRET},
            "both basic auth",
        ),
        (["--prometheus-basic-auth-user", "alice"], {TOKEN_ENV: SECRET}, "both basic auth"),
        (["--prometheus-bearer-token-file", "{empty}"], {}, "the file is empty"),
        (["--prometheus-bearer-token-file", "{spaced}"], {}, "characters a header cannot"),
        (["--prometheus-bearer-token-file", "{binary}"], {}, "not UTF-8"),
        (["--prometheus-bearer-token-file", "/dev/zero"], {}, "longer than 64 KiB"),
        # the password given where a file belongs: its "path" is not echoed
        (["--prometheus-bearer-token-file", SECRET], {}, "cannot read the file"),
        (
            ["--prometheus-basic-auth-user", "al:ice", "--prometheus-password-file", "{pw}"],
            {},
            "':'",
        ),
    ],
)
def test_credential_options_that_do_not_fit_are_bad_input(
    run_cli: RunCli,
    specs: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    environment: dict[str, str],
    message: str,
) -> None:
    files = {
        "pw": secret_file(tmp_path, SECRET, "pw"),
        "empty": secret_file(tmp_path, "\n", "empty"),
        "spaced": secret_file(tmp_path, f"{SECRET} {SECRET}", "spaced"),
        "binary": secret_file(tmp_path, b"\xff" + SECRET.encode(), "binary"),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    given_arguments = [a.format(**files) for a in arguments]
    for command in COMMANDS:
        # the URL is unreachable: the options are refused before anything is asked
        result = run_cli(command, specs, "--prometheus", "http://127.0.0.1:1", *given_arguments)
        assert result.code == 2, result.err
        assert message in result.err
        assert shows_no_secret(result)


@pytest.mark.parametrize("option", ["--prometheus-password", "--prometheus-bearer-token"])
def test_a_secret_on_the_command_line_is_refused_unechoed(
    run_cli: RunCli, specs: str, option: str
) -> None:
    result = run_cli("status", specs, "--prometheus", "http://127.0.0.1:1", option, SECRET)
    assert result.code == 2 and "not taken on the command line" in result.err
    assert shows_no_secret(result)


@pytest.mark.parametrize(
    "arguments",
    [
        ("status", "--prometheus-pass=" + SECRET),
        ("status", "--prometheus-bearer=" + SECRET),
        ("explain", "--token", SECRET),
        ("generate", "--api-key=" + SECRET),
    ],
)
def test_a_mistyped_option_is_named_without_its_value(
    run_cli: RunCli, specs: str, arguments: tuple[str, ...]
) -> None:
    """argparse repeats what it cannot parse; slogen's parser names the option only."""
    result = run_cli(arguments[0], specs, *arguments[1:])
    assert result.code == 2 and "error:" in result.err
    assert shows_no_secret(result)


def test_no_repr_message_or_traceback_shows_a_credential(server: FakePrometheus) -> None:
    server.respond = lambda handler: send(handler, b"no", 401)
    for credentials in (BasicAuth("alice", SECRET), BearerToken(SECRET)):
        client = Prometheus(server.url, 2, credentials)
        assert SECRET not in repr(client) and SECRET not in str(client)
        assert SECRET not in repr(credentials) and SECRET not in str(credentials)
        with pytest.raises(PrometheusError) as refused:
            client.query("up")
        shown = "".join(traceback.format_exception(refused.value))
        assert "HTTP 401" in shown and SECRET not in shown
        assert base64.b64encode(f"alice:{SECRET}".encode()).decode() not in shown


# --- a deadline for the whole request ---------------------------------------------


def drip_body(fake: FakePrometheus) -> Respond:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(DRIP_BYTES))
        handler.end_headers()
        handler.wfile.flush()
        drip(fake, handler)

    return respond


def drip_headers(fake: FakePrometheus) -> Respond:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        drip(fake, handler)

    return respond


def drip_chunks(fake: FakePrometheus) -> Respond:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        drip(fake, handler, b"1\r\n \r\n")

    return respond


def drip(fake: FakePrometheus, handler: BaseHTTPRequestHandler, piece: bytes = b" ") -> None:
    """One piece every DRIP_SECONDS, until the client hangs up (a write fails) or the
    test ends."""
    for _ in range(DRIP_BYTES):
        if fake.stop.wait(DRIP_SECONDS):
            return
        handler.wfile.write(piece)
        handler.wfile.flush()
        fake.dripped += 1


@pytest.mark.parametrize("dripping", [drip_body, drip_headers, drip_chunks])
def test_a_dripping_server_runs_out_of_time(
    run_cli: RunCli,
    specs: str,
    server: FakePrometheus,
    dripping: Callable[[FakePrometheus], Respond],
) -> None:
    """--timeout bounds the whole request, not each read: the client gives up after
    about 1 s of drip (5 pieces), not after the 150 pieces of 30 s a per-read timeout
    would wait for. Counted in pieces the server sent, not in wall time."""
    server.respond = dripping(server)
    result = run_cli("status", specs, "--prometheus", server.url, "--timeout", "1")
    assert result.code == 3, result.err
    assert "no answer within 1s" in result.err
    assert server.dripped < DRIP_BYTES // 3


def test_a_silent_server_is_a_timeout_for_each_command(
    run_cli: RunCli, specs: str, server: FakePrometheus
) -> None:
    server.respond = lambda handler: server.stop.wait(30) and None
    for command in COMMANDS:
        result = run_cli(command, specs, "--prometheus", server.url, "--timeout", "0.3")
        assert result.code == 3 and "no answer within 0.3s" in result.err


@pytest.mark.parametrize("timeout", ["1e12", "nan", "-1", "0", "inf", "-inf", "3601", "soon"])
def test_a_timeout_out_of_range_is_refused_when_parsing(
    run_cli: RunCli, specs: str, timeout: str
) -> None:
    for command in COMMANDS:
        result = run_cli(
            command, specs, "--prometheus", "http://127.0.0.1:1", f"--timeout={timeout}"
        )
        assert result.code == 2
        assert "valid range is more than 0 and at most 3600" in result.err


def test_the_python_api_refuses_a_timeout_out_of_range() -> None:
    for timeout in (float("nan"), 0, -1, 1e12, float("inf")):
        with pytest.raises(PrometheusError, match="at most 3600 seconds"):
            Prometheus("http://127.0.0.1:1", timeout)


# --- answers too large --------------------------------------------------------------


def test_an_answer_declared_too_large_is_refused_unread(
    run_cli: RunCli, specs: str, server: FakePrometheus
) -> None:
    def huge(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(10 * 2**30))
        handler.end_headers()
        handler.wfile.write(b"[" * 1024)

    server.respond = huge
    result = run_cli("status", specs, "--prometheus", server.url)
    assert result.code == 3 and "larger than 64 MiB" in result.err


def test_an_endless_answer_is_cut_at_the_bound(
    run_cli: RunCli, specs: str, server: FakePrometheus
) -> None:
    """No Content-Length, the body ends when the server closes: it never does."""
    chunk = b" " * 2**20
    sent = []

    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n")
        for _ in range(4 * MAX_ANSWER_BYTES // len(chunk)):
            handler.wfile.write(chunk)
            sent.append(len(chunk))

    server.respond = endless
    result = run_cli("status", specs, "--prometheus", server.url, "--timeout", "60")
    assert result.code == 3 and "larger than 64 MiB" in result.err
    assert sum(sent) < 2 * MAX_ANSWER_BYTES  # it stopped reading at the bound


# --- answers that are not the API's -----------------------------------------------


def vector(*items: object) -> dict[str, object]:
    return {"status": "success", "data": {"resultType": "vector", "result": list(items)}}


def sample(value: object, metric: object = None) -> dict[str, object]:
    return {"metric": {"slo_service": "shop"} if metric is None else metric, "value": value}


MALFORMED: dict[str, object] = {
    "value null": vector(sample(None)),
    "value not a number": vector(sample([1, "abc"])),
    "value of one element": vector(sample(["1"])),
    "timestamp not a number": vector(sample(["now", "1"])),
    "result of numbers": vector(1),
    "data a number": {"status": "success", "data": 5},
    "no data": {"status": "success"},
    "no resultType": {"status": "success", "data": {"result": []}},
    "a matrix": {"status": "success", "data": {"resultType": "matrix", "result": []}},
    "no value": vector({"metric": {}}),
    "no metric": vector({"value": [1, "1"]}),
    "label not a string": vector(sample([1, "1"], {"slo_service": 5})),
    "labels a list": vector(sample([1, "1"], ["slo_service"])),
    "a JSON list": [vector()],
    "a JSON string": "success",
    "no status": {"data": {"resultType": "vector", "result": []}},
    "status not a string": {"status": ["success"]},
    "error without a reason": {"status": "error"},
}
RAW: dict[str, bytes] = {
    "not JSON": b"<html><body>Please log in</body></html>",
    "not UTF-8": b'{"status": "\xff\xfe"}',
    "an integer of 5,000 digits": b'{"status": "success", "data": ' + b"9" * 5000 + b"}",
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "empty": b"",
    "cut off": b'{"status": "success", "data": {"resultType": "vec',
}


@pytest.mark.parametrize(
    "body",
    [json.dumps(v).encode() for v in MALFORMED.values()] + list(RAW.values()),
    ids=[*MALFORMED, *RAW],
)
def test_a_malformed_answer_is_a_clear_error(
    run_cli: RunCli, specs: str, server: FakePrometheus, body: bytes
) -> None:
    server.respond = lambda handler: send(handler, body)
    result = run_cli("status", specs, "--prometheus", server.url)
    assert result.code == 3, result.err
    assert "not a Prometheus API answer" in result.err
    assert len(result.err) < 1000  # a quote of the answer, not the answer


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (vector(sample([1, "+Inf"]), sample([1, "NaN"]), sample([1, "1e400"])), "ok"),
        (vector(sample([1, 1e308 * 10])), "ok"),  # json.dumps writes Infinity
        ({"status": "error", "errorType": "bad_data", "error": "parse error\x1b[2J"}, "refused"),
    ],
)
def test_extreme_numbers_and_refusals_are_no_crash(
    run_cli: RunCli, specs: str, server: FakePrometheus, answer: object, shown: str
) -> None:
    server.respond = lambda handler: send_json(handler, answer)
    result = run_cli("status", specs, "--prometheus", server.url)
    if shown == "ok":
        assert result.code == 0, result.err
    else:
        assert result.code == 3 and "refused: parse error\\x1b[2J" in result.err
        assert "\x1b" not in result.err


@pytest.mark.parametrize(
    "raw",
    [
        b"HELLO\r\n\r\n",  # not HTTP
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{",  # cut off
        b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 200 + b"\r\n",  # too many headers
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # bad chunk
    ],
    ids=["not HTTP", "cut off", "too many headers", "bad chunk"],
)
def test_broken_http_is_a_clear_error(
    run_cli: RunCli, specs: str, server: FakePrometheus, raw: bytes
) -> None:
    def broken(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(raw)
        handler.close_connection = True

    server.respond = broken
    result = run_cli("status", specs, "--prometheus", server.url)
    assert result.code == 3, result.err
    assert f"{server.url}/api/v1/query" in result.err


def test_a_redirect_is_reported_not_followed(
    run_cli: RunCli, specs: str, server: FakePrometheus, tmp_path: Path
) -> None:
    server.respond = lambda handler: send(
        handler, b"", 302, Location=f"http://elsewhere.example.com/login?token={SECRET}"
    )
    token = secret_file(tmp_path, SECRET)
    result = run_cli(
        "status", specs, "--prometheus", server.url, "--prometheus-bearer-token-file", token
    )
    assert result.code == 3 and "does not follow redirects" in result.err
    assert "http://elsewhere.example.com/login?***" in result.err
    assert shows_no_secret(result)


def test_lint_checks_the_retention_it_is_sent(
    run_cli: RunCli, specs: str, server: FakePrometheus
) -> None:
    server.respond = lambda handler: send_json(
        handler, {"status": "success", "data": {"storageRetention": {"time": "15d"}}}
    )
    result = run_cli("lint", specs, "--prometheus", server.url)
    assert result.code == 3 and "storageRetention is {'time': '15d'}, not a string" in result.err


def test_a_label_value_cannot_write_to_the_terminal(
    run_cli: RunCli, tmp_path: Path, server: FakePrometheus
) -> None:
    write_spec(
        tmp_path / "specs",
        "shop.yaml",
        MINIMAL_SPEC.replace(
            "    objective: 99.9\n", "    objective: 99.9\n    group_by: [zone]\n"
        ),
    )
    ours = {"slo_service": "shop", "slo_name": "availability", "zone": "a\x1b[2J\u202e"}
    server.respond = lambda handler: send_json(handler, vector(sample([1, "0.5"], ours)))
    table = run_cli("status", str(tmp_path / "specs"), "--prometheus", server.url)
    assert table.code == 0, table.err
    assert "\x1b" not in table.out and "\u202e" not in table.out
    assert 'zone="a\\x1b[2J\\u202e"' in table.out


# --- any JSON: results or a PrometheusError ---------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["1", "+Inf", "NaN", "abc", "1e400", "vector", "scalar", "success"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["metric", "value", "status", "data", "result", "resultType", "x"])
            | st.text(max_size=4),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)
NUMBERS = st.sampled_from(["0.5", "+Inf", "-Inf", "NaN", "1e400", "abc", ""]) | JSON


def _maybe_without(d: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    """The dict with some of its keys dropped: the API's shapes with parts missing."""
    return {k: v for k, v in d.items() if draw(st.booleans()) or draw(st.booleans())}


@st.composite
def near_answers(draw: st.DrawFn) -> object:
    """Answers shaped like the API's, with any part of them wrong or missing."""
    metric = draw(
        st.dictionaries(st.text(max_size=6), st.text(max_size=6) | JSON, max_size=3) | JSON
    )
    point = draw(st.lists(st.integers() | st.floats() | JSON, max_size=1).map(tuple) | JSON)
    value = draw(st.tuples(st.integers() | st.floats(), NUMBERS).map(list) | st.just(point))
    items = draw(
        st.lists(st.builds(dict, metric=st.just(metric), value=st.just(value)) | JSON, max_size=3)
    )
    kind = draw(st.sampled_from(["vector", "scalar", "matrix", "string"]) | JSON)
    result = draw(st.just(items) | st.just(value) | JSON)
    data = _maybe_without({"resultType": kind, "result": result}, draw)
    status = draw(st.sampled_from(["success", "error"]) | JSON)
    answer = _maybe_without(
        {"status": status, "data": draw(st.just(data) | JSON), "error": draw(JSON)}, draw
    )
    return draw(st.just(answer) | JSON)


PARSERS = (samples, strings, label_sets, retention)


def parses_or_refuses(body: bytes) -> None:
    for parse in PARSERS:
        try:
            parse(envelope(body))
        except PrometheusError as error:
            assert str(error)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_answer_is_results_or_a_prometheus_error(answer: object) -> None:
    parses_or_refuses(json.dumps(answer).encode())


@settings(max_examples=300, deadline=None)
@given(near_answers())
def test_near_prometheus_answers_are_results_or_a_prometheus_error(answer: object) -> None:
    parses_or_refuses(json.dumps(answer).encode())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_are_results_or_a_prometheus_error(body: bytes) -> None:
    parses_or_refuses(body)


def test_a_good_answer_parses_to_samples() -> None:
    body = json.dumps(vector(sample([1.5, "0.25"], {"b": "2", "a": "1"}))).encode()
    [only] = samples(envelope(body))
    assert only.labels == (("a", "1"), ("b", "2")) and only.value == 0.25
    assert only.label("a") == "1" and only.label("missing") == ""
    scalar = {"status": "success", "data": {"resultType": "scalar", "result": [1, "3"]}}
    assert samples(envelope(json.dumps(scalar).encode()))[0].value == 3.0


@pytest.mark.parametrize(
    "url", ["http://a..b", "http://" + "a" * 70 + ".com", "http://a%00b", "http://a b", "ftp://h"]
)
def test_an_unusable_host_is_a_clear_error(url: str) -> None:
    with pytest.raises(PrometheusError, match=r"not usable|spaces|http\(s\) URL"):
        Prometheus(url, 1).query("up")


def test_extreme_figures_for_an_slo_are_shown_not_crashed_on(
    run_cli: RunCli, specs: str, server: FakePrometheus
) -> None:
    """A budget of 1e308 at a burn rate above 1 would run out beyond the calendar; a
    coverage of -Inf is no share of the period."""
    ours = {"slo_service": "shop", "slo_name": "availability"}
    figures = {
        "error_budget_remaining": "1e308",
        "coverage": "-Inf",
        "burn_rate": "1.5",
        "ratio_period": "-1e308",
    }

    def respond(handler: BaseHTTPRequestHandler) -> None:
        query = urllib.parse.unquote_plus(handler.path)
        found = [value for record, value in figures.items() if record in query]
        send_json(handler, vector(*(sample([1, value], ours) for value in found)))

    server.respond = respond
    for output in ([], ["--json"]):
        result = run_cli("status", specs, "--prometheus", server.url, *output)
        assert result.code == 0, result.err
    assert json.loads(result.out)[0]["exhausted_by"] is None
    assert json.loads(result.out)[0]["period_coverage"] == 0.0
    assert run_cli("gate", specs, "--prometheus", server.url).code == 0
