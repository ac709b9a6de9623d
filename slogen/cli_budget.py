"""``slogen status`` and ``slogen gate``: the error budget, read from a live Prometheus.

Kept apart from the rest of the CLI because these two read a server rather than
write files; they share its spec arguments and exit codes.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import slogen
from slogen import exit_codes
from slogen.errors import Location, Problem, SpecError
from slogen.gate import Decision, override_record, slo_label
from slogen.prometheus_api import (
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
    BasicAuth,
    BearerToken,
    Credentials,
    PrometheusError,
    check_timeout,
    check_url,
    printable,
)
from slogen.status import SLOStatus
from slogen.status_report import LABEL_WIDTH, as_json, history, table


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    spec_args: Callable[[argparse.ArgumentParser], None],
) -> None:
    status = commands.add_parser(
        "status", help="every SLO's SLI, budget, policy state and alerts from a live Prometheus"
    )
    spec_args(status)
    server_args(status)
    status.add_argument("--service", action="append", default=[], help="only these services")
    status.add_argument("--json", action="store_true", help="JSON instead of a table")
    gate = commands.add_parser(
        "gate", help="exit 1 while a service's error budget is spent (a release freeze)"
    )
    spec_args(gate)
    server_args(gate)
    gate.add_argument(
        "--service", action="append", default=[], help="the services releasing (default: all)"
    )
    gate.add_argument(
        "--require-data",
        action="store_true",
        help="also close the gate for an SLO Prometheus has no data for",
    )
    gate.add_argument(
        "--override",
        metavar="REASON",
        help="open the gate anyway, for an exception the policy allows; logged",
    )
    gate.add_argument(
        "--override-log",
        metavar="FILE",
        help="append a JSON line per override to FILE (it is always printed on stderr)",
    )


def server_args(command: argparse.ArgumentParser) -> None:
    """``--prometheus URL``, ``--timeout`` and the credentials, alike for every command
    that reads a live server (``lint`` too)."""
    command.add_argument(
        "--prometheus",
        required=True,
        type=_url,
        metavar="URL",
        help="base URL of the Prometheus running slogen's rules, e.g. http://localhost:9090 "
        "(no credentials in it: see the options below)",
    )
    command.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="deadline for each request to Prometheus, connection, headers and answer "
        f"(more than 0, at most {MAX_TIMEOUT:g}; default {DEFAULT_TIMEOUT:g})",
    )
    command.add_argument(
        "--prometheus-basic-auth-user",
        metavar="USER",
        help="HTTP basic auth user; the password from --prometheus-password-file or "
        f"${PASSWORD_ENV}",
    )
    command.add_argument(
        "--prometheus-password-file",
        metavar="FILE",
        help="file holding the basic auth password (a trailing newline is ignored)",
    )
    command.add_argument(
        "--prometheus-bearer-token-file",
        metavar="FILE",
        help=f"file holding a bearer token (else ${TOKEN_ENV}, if set)",
    )
    for secret in ("--prometheus-password", "--prometheus-bearer-token"):
        # Taken on the command line, a secret would show in process lists and shell
        # history; these exist to refuse it (and so that argparse's prefix matching
        # cannot read a secret as the name of a ...-file).
        command.add_argument(secret, type=_refused_secret, help=argparse.SUPPRESS)


PASSWORD_ENV = "SLOGEN_PROMETHEUS_PASSWORD"
TOKEN_ENV = "SLOGEN_PROMETHEUS_BEARER_TOKEN"
SECRET_FILE_BYTES = 64 * 1024
"""The most read from a credential file: a secret is short, and a mistaken
``/dev/zero`` or log file must not be read whole."""


def _url(text: str) -> str:
    try:
        return check_url(text)
    except PrometheusError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _seconds(text: str) -> float:
    try:
        return check_timeout(float(text))
    except (ValueError, PrometheusError):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a positive number of seconds: the valid range is more "
            f"than 0 and at most {MAX_TIMEOUT:g}"
        ) from None


def _refused_secret(text: str) -> str:
    raise argparse.ArgumentTypeError(
        "secrets are not taken on the command line (they would show in process lists "
        f"and shell history); use --prometheus-password-file FILE or ${PASSWORD_ENV}, "
        f"or --prometheus-bearer-token-file FILE or ${TOKEN_ENV}"
    )


def credentials(
    args: argparse.Namespace, environ: Mapping[str, str] = os.environ
) -> Credentials | None:
    """The credentials the command line and the environment give for Prometheus.

    A file option wins over its variable; an empty variable counts as unset. Both
    basic auth and a bearer token, a password without a user or a user without a
    password is a SpecError (exit 2) rather than a guess. No message names a secret or
    the path of a credential file (which might be a secret given by mistake)."""
    user = args.prometheus_basic_auth_user
    password = _secret(args.prometheus_password_file, "--prometheus-password-file", line=True)
    password_from = "--prometheus-password-file"
    if password is None and environ.get(PASSWORD_ENV):
        password, password_from = environ[PASSWORD_ENV], f"${PASSWORD_ENV}"
    token = _secret(args.prometheus_bearer_token_file, "--prometheus-bearer-token-file")
    token_from = "--prometheus-bearer-token-file"
    if token is None and environ.get(TOKEN_ENV):
        token, token_from = environ[TOKEN_ENV].strip(), f"${TOKEN_ENV}"
    if user is not None and token is not None:
        _refuse(
            token_from,
            f"both basic auth (--prometheus-basic-auth-user) and a bearer token ({token_from}) "
            "are given",
            "give one of them",
        )
    if password is not None and user is None:
        _refuse(password_from, "a password without a user", "add --prometheus-basic-auth-user USER")
    if user is not None and password is None:
        _refuse(
            "--prometheus-basic-auth-user",
            "a user without a password",
            f"add --prometheus-password-file FILE or set ${PASSWORD_ENV}",
        )
    try:
        if user is not None and password is not None:
            return BasicAuth(user, password)
        return None if token is None else BearerToken(token)
    except ValueError as error:  # the message names no secret
        _refuse(token_from if token is not None else "--prometheus-basic-auth-user", str(error), "")


def _secret(path: str | None, option: str, *, line: bool = False) -> str | None:
    """The secret in the file at ``path`` (None when not given): a password loses only
    its line break (``line``), a token all surrounding white space."""
    if path is None:
        return None
    try:
        with open(path, "rb") as file:
            content = file.read(SECRET_FILE_BYTES + 1)
    except OSError as error:
        _refuse(option, f"cannot read the file: {error.strerror or type(error).__name__}", "")
    if len(content) > SECRET_FILE_BYTES:
        _refuse(option, f"the file is longer than {SECRET_FILE_BYTES // 1024} KiB", "")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        _refuse(option, "the file is not UTF-8 text", "")
    secret = text.removesuffix("\n").removesuffix("\r") if line else text.strip()
    if not secret:
        _refuse(option, "the file is empty", "")
    return secret


def _refuse(option: str, message: str, hint: str) -> NoReturn:
    raise SpecError([Problem(Location(option), message, hint)])


def run_status(args: argparse.Namespace, specs: slogen.Specs) -> int:
    statuses = slogen.status(
        specs,
        args.prometheus,
        args.service,
        timeout=args.timeout,
        credentials=credentials(args),
    )
    now = datetime.now(UTC)
    print(as_json(statuses, now) if args.json else table(statuses, now))
    return exit_codes.OK


def run_gate(args: argparse.Namespace, specs: slogen.Specs) -> int:
    decision = slogen.gate(
        specs,
        args.prometheus,
        args.service,
        require_data=args.require_data,
        timeout=args.timeout,
        credentials=credentials(args),
    )
    _explain(decision)
    if decision.open:
        print(f"gate open: {', '.join(decision.services)} may release")
        return exit_codes.OK
    if not args.override:
        closed = sorted({status.service for status in decision.closing})
        print(f"gate closed: {', '.join(closed)} may not release", file=sys.stderr)
        print("  (--override REASON opens it for an exception the policy allows)", file=sys.stderr)
        return exit_codes.GATE_CLOSED
    record = override_record(decision, args.override, _who(), datetime.now(UTC))
    if args.override_log:
        try:
            with Path(args.override_log).open("a", encoding="utf-8") as log:
                log.write(record + "\n")
        except OSError as error:
            print(
                f"slogen: cannot log the override: {error}; the gate stays closed", file=sys.stderr
            )
            return exit_codes.BAD_INPUT
    print(f"gate overridden: {record}", file=sys.stderr)
    return exit_codes.OK


def _explain(decision: Decision) -> None:
    if decision.without_data and len(decision.without_data) == decision.slos:
        print(
            "warning: no SLO has data; is this the Prometheus that runs slogen's rules?",
            file=sys.stderr,
        )
    for status in decision.exhausted:
        print(f"budget spent: {_label(status)} ({_left(status)})", file=sys.stderr)
    for status in decision.short_history:
        if status not in decision.exhausted:
            print(
                f"short history: {_label(status)} ({_left(status)}; judged as it stands, "
                "against the whole period's budget)",
                file=sys.stderr,
            )
    for status in decision.without_data:
        verdict = "closes the gate" if decision.require_data else "not counted"
        print(f"no data: {_label(status)} ({verdict})", file=sys.stderr)


def _label(status: SLOStatus) -> str:
    """The SLO and its group, whose label values came from the server: escaped."""
    return printable(slo_label(status), LABEL_WIDTH)


def _left(status: SLOStatus) -> str:
    """``-400.0% left``, and the history when it is shorter than the period."""
    left = f"{status.remaining:.1%} left"
    return f"{left}, history: {history(status)}" if status.short_history else left


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
