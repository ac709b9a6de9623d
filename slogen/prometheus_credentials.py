"""The credentials a Prometheus may want, and how they go on the wire.

Kept apart from the transport so that what a secret is allowed to be, and that it
never shows in a ``repr``, message or traceback, is checked in one small place: the
CLI builds these from files and variables, the API takes them from callers.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from slogen.prometheus_messages import CONTROL


@dataclass(frozen=True)
class BasicAuth:
    """HTTP basic authentication. The password is kept out of ``repr``, so it shows in
    no message, log line or traceback that prints the object."""

    user: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.user or ":" in self.user or CONTROL.search(self.user):
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
