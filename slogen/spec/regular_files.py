"""Read a spec file only if it is a regular file, and only up to a size.

A named pipe (FIFO) blocks its reader until something writes to it, and a device such as
``/dev/zero`` never ends: read as a spec, either would hang the run or fill its memory.
The file is opened without blocking and checked on the open descriptor, so a pipe
swapped in after the check is refused too. Only the standard library is used here, as
the Jsonnet evaluation process reads its imports with this module as well.
"""

from __future__ import annotations

import os
import stat

MAX_FILE_BYTES = 10 * 2**20
"""A spec file's size at most (10 MiB): a real one is a few kilobytes."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class RefusedFile(Exception):
    """A file that is not read, with why and what would be right."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def not_regular(mode: int) -> str | None:
    """What a file of this mode is, if it is not a regular file; None if it is one."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def refusal(kind: str) -> RefusedFile:
    """The refusal for a file that is ``kind`` rather than a regular file."""
    return RefusedFile(
        f"is {kind}, not a regular file; slogen reads only regular files",
        "give the path of a spec file saved on disk",
    )


def read_regular(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises RefusedFile for anything else, and OSError when the file cannot be opened."""
    kind = not_regular(os.stat(path).st_mode)
    if kind is not None:
        raise refusal(kind)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    try:
        found = os.fstat(descriptor)
        kind = not_regular(found.st_mode)
        if kind is not None:
            raise refusal(kind)
        if found.st_size > limit:
            raise too_large(found.st_size, limit)
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise too_large(len(data), limit)
    return data


def too_large(size: int, limit: int) -> RefusedFile:
    """The refusal for a file over the size limit, with both sizes."""
    return RefusedFile(
        f"the file is {_mib(size)}, over the {_mib(limit)} limit for a spec file",
        "split it into one file per service",
    )


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size % 2**20 else f"{size // 2**20} MiB"
