"""How a command that reads a live Prometheus is told where it is and how to log in.

``lint``, ``status`` and ``gate`` take the same ``--prometheus``, ``--timeout`` and
credential options; this module defines them once and turns them into
:class:`~slogen.prometheus_credentials.BasicAuth` or ``BearerToken``. Secrets are read
from files or the environment only, never from the command line, and no message names
one.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import NoReturn

from slogen.errors import Location, Problem, SpecError
from slogen.prometheus_api import DEFAULT_TIMEOUT, MAX_TIMEOUT, check_timeout, check_url
from slogen.prometheus_credentials import BasicAuth, BearerToken, Credentials
from slogen.prometheus_messages import PrometheusError


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
