"""What an output directory holds, read without ever following a symbolic link.

The output directory is slogen's, but a user may put anything into it: a symlink to a
file outside, a link to another directory, an unreadable file. Comparing or carrying
those over must not read or write through them, so every lookup here goes one path
component at a time, relative to an open directory, refusing links on the way
(``O_NOFOLLOW``): a link is an entry in its own right, described by its target string.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".slogen-manifest"
"""The file listing what slogen wrote; also how its staging trees are recognised."""
FILE, LINK, DIRECTORY, SPECIAL = "file", "link", "directory", "special"
_OPEN_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_OPEN_FILE = (
    os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
)


@dataclass(frozen=True)
class Entry:
    """One thing in the output tree: a file and its bytes (when they were asked for and
    could be read), a symlink and its target, a directory and its mode, or a special
    file (a fifo, a socket, a device)."""

    kind: str
    data: bytes | None = None
    mode: int = 0

    def is_file_with(self, content: bytes) -> bool:
        return self.kind == FILE and self.data == content

    def describe(self) -> str:
        """What the entry is, for a message about why it is not the generated file
        (only a compared file has its bytes read, so only one can be unreadable)."""
        if self.kind == LINK:
            target = os.fsdecode(self.data or b"")
            return f"a symbolic link to {target} (not followed)"
        if self.kind == DIRECTORY:
            return "a directory"
        if self.kind == SPECIAL:
            return "not a regular file"
        return "a file" if self.data is not None else "a file slogen cannot read"


Wanted = Callable[[str], bool]
"""Whose bytes to read: a file's contents are only read when they are compared."""


def walk(
    directory: Path, wanted: Wanted, known: Mapping[str, bytes] | None = None
) -> dict[str, Entry]:
    """Every entry under ``directory`` (which must be a real directory), keyed by POSIX
    path relative to it, in sorted order. Links are listed, not followed; the bytes of
    a regular file are read only when ``wanted(path)``. A file whose bytes equal
    ``known[path]`` holds that bytes object rather than its own copy: a tree compared
    with what is about to be written is then in memory once, not twice."""
    found: dict[str, Entry] = {}
    with _opened_directory(directory) as fd:
        _walk(fd, directory, "", wanted, found, known or {})
    return found


def _walk(
    dir_fd: int,
    root: Path,
    prefix: str,
    wanted: Wanted,
    into: dict[str, Entry],
    known: Mapping[str, bytes],
) -> None:
    for name in sorted(_listed(dir_fd, root / prefix)):
        path = prefix + name
        entry = _entry(dir_fd, name, wanted(path))
        if entry is None:
            continue
        entry = _shared(entry, known.get(path))
        into[path] = entry
        if entry.kind == DIRECTORY:
            child = _open_child(dir_fd, name, root / path)
            try:
                _walk(child, root, path + "/", wanted, into, known)
            finally:
                os.close(child)


def _open_child(dir_fd: int, name: str, shown: Path) -> int:
    """Open a subdirectory, never a link; an error names it by its full path."""
    try:
        return os.open(name, _OPEN_DIRECTORY, dir_fd=dir_fd)
    except OSError as error:
        raise OSError(error.errno, f"cannot read it: {error.strerror}", str(shown)) from error


def _listed(dir_fd: int, shown: Path) -> list[str]:
    """The names in an open directory; an error names the directory by its full path."""
    try:
        return os.listdir(dir_fd)
    except OSError as error:
        raise OSError(error.errno, f"cannot read it: {error.strerror}", str(shown)) from error


def read_paths(
    directory: Path, paths: list[str], known: Mapping[str, bytes] | None = None
) -> dict[str, Entry]:
    """The entries at these relative paths, each looked up without following a link in
    any component: a path below a symlinked directory is absent, not read through.
    ``known`` as for :func:`walk`."""
    if not _is_real_directory(directory):
        return {}
    found: dict[str, Entry] = {}
    known = known or {}
    with _opened_directory(directory) as fd:
        for path in paths:
            entry = _lookup(fd, path.split("/"))
            if entry is not None:
                found[path] = _shared(entry, known.get(path))
    return found


def _shared(entry: Entry, same: bytes | None) -> Entry:
    """The entry, holding ``same`` in place of its own bytes where they are equal."""
    if same is not None and entry.kind == FILE and entry.data == same:
        return Entry(FILE, same, entry.mode)
    return entry


def _lookup(root_fd: int, parts: list[str]) -> Entry | None:
    if any(part in ("", ".", "..") for part in parts):
        return None
    fds: list[int] = []
    try:
        dir_fd = root_fd
        for part in parts[:-1]:
            dir_fd = os.open(part, _OPEN_DIRECTORY, dir_fd=dir_fd)
            fds.append(dir_fd)
        return _entry(dir_fd, parts[-1], True)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None
    except OSError as error:
        if error.errno == getattr(os, "ELOOP", -1):
            return None
        raise
    finally:
        for fd in fds:
            os.close(fd)


def _entry(dir_fd: int, name: str, read: bool) -> Entry | None:
    """The entry ``name`` in the open directory, or None when it vanished meanwhile."""
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return Entry(LINK, os.fsencode(os.readlink(name, dir_fd=dir_fd)))
    if stat.S_ISDIR(info.st_mode):
        return Entry(DIRECTORY, mode=stat.S_IMODE(info.st_mode))
    if not stat.S_ISREG(info.st_mode):
        return Entry(SPECIAL)
    return Entry(FILE, _read(dir_fd, name) if read else None, stat.S_IMODE(info.st_mode))


def _read(dir_fd: int, name: str) -> bytes | None:
    """A regular file's bytes, or None when they cannot be read (a mode of 000)."""
    try:
        fd = os.open(name, _OPEN_FILE, dir_fd=dir_fd)
    except PermissionError:
        return None
    with os.fdopen(fd, "rb") as stream:
        return stream.read()


def _is_real_directory(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


@contextmanager
def _opened_directory(directory: Path) -> Iterator[int]:
    fd = os.open(directory, _OPEN_DIRECTORY)
    try:
        yield fd
    finally:
        os.close(fd)
