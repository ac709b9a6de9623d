"""One HTTP request that ends by a deadline and reads a bounded answer.

urllib's timeout applies to each socket operation, so a server that drips a byte
every few seconds keeps a request alive for ever, and a server that sends gigabytes
fills memory. Here every connect, send and read gets what is left of one deadline as
its timeout, and a body is read in chunks up to :data:`MAX_ANSWER_BYTES`.
Redirects are not followed (the caller's credentials are for the URL it gave).
"""

from __future__ import annotations

import http.client
import io
import socket
import time
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol

MAX_ANSWER_BYTES = 64 * 1024 * 1024
"""The largest answer read (64 MiB): far more than the few series per SLO that slogen
asks for, small enough that a server sending gigabytes cannot exhaust memory."""
_CHUNK = 1024 * 1024


class Deadline:
    """The instant by which a whole request must be done."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; TimeoutError once there are none."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        return left


class _RawReader(Protocol):
    def readinto(self, buffer: Any, /) -> int | None: ...

    def close(self) -> None: ...


class _DeadlineReader(io.RawIOBase):
    """Reads the socket with a timeout that shrinks to what is left of the deadline, so
    a server dripping a byte at a time runs out of time instead of resetting a
    per-read timeout forever."""

    def __init__(self, raw: _RawReader, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._raw, self._sock, self._deadline = raw, sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any, /) -> int | None:
        self._sock.settimeout(self._deadline.remaining())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """A connected socket whose sends and receives all end by the deadline; handed to
    http.client in place of the socket itself."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock, self._deadline = sock, deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.remaining())
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        raw = self._sock.makefile("rb", buffering=0)
        return io.BufferedReader(_DeadlineReader(raw, self._sock, self._deadline))

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _HTTPConnection(http.client.HTTPConnection):
    deadline: Deadline

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()
        super().connect()
        self.sock = _DeadlineSocket(self.sock, self.deadline)


class _HTTPSConnection(http.client.HTTPSConnection):
    deadline: Deadline

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()
        super().connect()  # TLS is set up on the plain socket, then wrapped
        self.sock = _DeadlineSocket(self.sock, self.deadline)


def _factory(
    kind: type[_HTTPConnection | _HTTPSConnection], deadline: Deadline
) -> Callable[..., http.client.HTTPConnection]:
    """What ``do_open`` calls to make a connection: one of ``kind`` bound to ``deadline``."""

    def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        made = kind(host, **kwargs)
        made.deadline = deadline
        return made

    return connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_factory(_HTTPConnection, self._deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_factory(_HTTPSConnection, self._deadline), req)


def opener(deadline: Deadline) -> urllib.request.OpenerDirector:
    """An opener whose requests end by ``deadline`` and do not follow redirects."""
    return urllib.request.build_opener(
        _HTTPHandler(deadline), _HTTPSHandler(deadline), _NoRedirect()
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are reported, not followed: the credentials are for the URL given,
    and a redirected base URL is better fixed where it is configured."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class TooLarge(Exception):
    """The answer is larger than :data:`MAX_ANSWER_BYTES`."""


class CutOff(Exception):
    """The answer ended before its Content-Length."""

    def __init__(self, received: int, missing: int) -> None:
        super().__init__(f"{received} bytes, {missing} fewer than announced")


def read_bounded(response: http.client.HTTPResponse) -> bytes:
    """The body, at most :data:`MAX_ANSWER_BYTES`, in chunks (each read ends by the
    deadline). A body shorter than its Content-Length is an error, not an answer."""
    if response.length is not None and response.length > MAX_ANSWER_BYTES:  # Content-Length
        raise TooLarge
    chunks, size = [], 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise TooLarge
        chunks.append(chunk)
    if response.length:  # what Content-Length announced and never came
        raise CutOff(size, response.length)
    return b"".join(chunks)
