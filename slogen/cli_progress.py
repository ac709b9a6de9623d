"""Progress of a long build on a terminal: ``building: 37 of 101 services``.

Shown only when standard error is a terminal and the work has already taken
``AFTER`` seconds, so a commit hook or CI log never sees it and a quick run prints
nothing extra; rewritten in place at most ten times a second, and cleared at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

AFTER = 2.0
EVERY = 0.1


class Progress:
    """A callable for ``slogen.compile(progress=...)``: units done of total."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.start < AFTER or (now - self.last < EVERY and done < total):
            return
        self.last = now
        self.shown = True
        self.stream.write(f"\rbuilding: {done} of {total} units (a service's files each)")
        self.stream.flush()

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


@contextmanager
def progress() -> Iterator[Progress | None]:
    """A progress line on standard error if it is a terminal, else None."""
    if not sys.stderr.isatty():
        yield None
        return
    shown = Progress(sys.stderr)
    try:
        yield shown
    finally:
        shown.clear()
