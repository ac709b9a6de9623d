"""Building the new output tree beside the old one and swapping it in.

A run builds ``.<out>.new-XXXXXXXX`` next to the output directory, renames the output
to ``.<out>.old-XXXXXXXX`` and the new tree into its place, then removes the old one.
A run that is killed on the way leaves those directories behind, so every write holds
an advisory lock (``flock``) on the output's parent directory, and, once it has the
lock, removes the leftovers of its own output that match exactly that naming: no
other run can be using them while it holds the lock, and the lock dies with the
process that held it. Locking the parent needs no lock file, so nothing is left
beside the output. A run killed between the two renames leaves no output directory
at all: the next run renames the old tree back before anything else.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from slogen.output_guard import refuse
from slogen.output_tree import DIRECTORY, LINK, MANIFEST, Entry

LOCK_WAIT = 120.0
"""Seconds to wait for another run writing beside the same output to finish."""
_UNSUPPORTED = {errno.EBADF, errno.EINVAL, errno.ENOLCK, errno.EOPNOTSUPP}


def staging_prefix(directory: Path, kind: str) -> str:
    """``.<out>.new-`` or ``.<out>.old-``: the names slogen gives its own temporary trees."""
    return f".{directory.name}.{kind}-"


def _leftover_pattern(directory: Path) -> re.Pattern[str]:
    """Exactly the names ``tempfile.mkdtemp`` makes from the staging prefixes."""
    return re.compile(re.escape(f".{directory.name}.") + r"(new|old)-[a-z0-9_]{8}")


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the lock for writing ``directory``; wait up to ``LOCK_WAIT`` seconds.

    Where the file system has no ``flock`` on directories (some network file systems),
    the write goes ahead unlocked and leftovers are not removed."""
    fd = os.open(directory.parent, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        if _lock(fd, directory):
            remove_leftovers(directory)
        yield
    finally:
        os.close(fd)


def _lock(fd: int, directory: Path) -> bool:
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise refuse(
                    directory,
                    f"another slogen run has been writing beside it for {LOCK_WAIT:.0f} s "
                    f"(it holds the lock on {directory.parent})",
                    "wait for it to finish, or stop it",
                ) from None
            time.sleep(0.05)
        except OSError as error:
            if error.errno in _UNSUPPORTED:
                return False
            raise


def remove_leftovers(directory: Path) -> None:
    """Remove the staging trees killed runs left beside ``directory``; first, when the
    output directory itself is missing, rename the newest old tree back into place."""
    pattern = _leftover_pattern(directory)
    leftovers = sorted(
        (path for path in directory.parent.iterdir() if pattern.fullmatch(path.name)),
        key=lambda path: os.lstat(path).st_mtime,
    )
    ours = [path for path in leftovers if _looks_like_staging(path)]
    old = [path for path in ours if path.name.startswith(staging_prefix(directory, "old"))]
    if old and not os.path.lexists(directory):
        os.rename(old[-1], directory)
        ours.remove(old[-1])
    for path in ours:
        remove_tree(path, best_effort=True)


def _looks_like_staging(path: Path) -> bool:
    """A real directory that is empty or holds a manifest: what slogen's staging and
    retired trees always are, since the manifest is the first file written."""
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        return False
    names = os.listdir(path)
    manifest = path / MANIFEST
    return not names or (MANIFEST in names and stat.S_ISREG(os.lstat(manifest).st_mode))


def remove_tree(path: Path, best_effort: bool = False) -> None:
    """Remove a tree of slogen's even where a directory in it is read-only or
    unreadable; ``best_effort`` when what is left is only litter a later run removes."""

    def writable_then_retry(function: object, failed: str, _: object) -> None:
        parent = os.path.dirname(failed)
        os.chmod(parent, stat.S_IMODE(os.lstat(parent).st_mode) | stat.S_IRWXU)
        if os.path.isdir(failed) and not os.path.islink(failed):
            os.chmod(failed, stat.S_IMODE(os.lstat(failed).st_mode) | stat.S_IRWXU)
            shutil.rmtree(failed, onerror=writable_then_retry)
        else:
            os.unlink(failed)

    try:
        if os.path.lexists(path):
            shutil.rmtree(path, onerror=writable_then_retry)
    except OSError:
        if not best_effort:
            raise


def new_staging(directory: Path) -> Path:
    """An empty directory beside ``directory`` for the new tree, with the old
    directory's mode (or a new directory's usual one), so the swap changes no mode."""
    staging = Path(tempfile.mkdtemp(prefix=staging_prefix(directory, "new"), dir=directory.parent))
    if directory.is_dir():
        os.chmod(staging, stat.S_IMODE(os.stat(directory).st_mode))
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)
    return staging


def fill(
    staging: Path,
    files: Mapping[str, bytes],
    old: Path | None = None,
    present: Mapping[str, Entry] | None = None,
) -> None:
    """Write the generated files into the (fresh, private) staging tree. A file whose
    bytes ``present`` shows already in the ``old`` tree is hard-linked from there
    rather than written again: after a one-spec edit nearly every file is unchanged,
    and linking them costs a tenth of writing them."""
    made: set[Path] = set()
    for path, content in files.items():
        target = staging / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        entry = (present or {}).get(path)
        if old is not None and entry is not None and entry.is_file_with(content):
            try:
                os.link(old / path, target, follow_symlinks=False)
                continue
            except OSError:
                pass  # no hard links here (or the file just went): write it
        target.write_bytes(content)


def carry_over(directory: Path, staging: Path, kept: Mapping[str, Entry], shown: str) -> None:
    """Put what the user added to the output into the new tree as it is: a file keeps
    its bytes and mode (hard-linked, else copied), a symlink the same target (never
    followed), a directory its mode, even when empty. Something that stands where
    slogen writes is refused, so that nothing the user made is lost."""
    for path, entry in kept.items():
        target = staging / path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if entry.kind == DIRECTORY:
                if not target.is_dir() or target.is_symlink():
                    target.mkdir()
            elif entry.kind == LINK:
                os.symlink(os.fsdecode(entry.data or b""), target)
            else:
                _carry_file(directory / path, target)
        except (FileExistsError, NotADirectoryError):
            raise _in_the_way(shown, path, entry) from None
    for path in sorted(kept, reverse=True):
        if kept[path].kind == DIRECTORY:
            os.chmod(staging / path, kept[path].mode)


def _carry_file(source: Path, target: Path) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def _in_the_way(shown: str, path: str, entry: Entry) -> Exception:
    return refuse(
        f"{shown}/{path}",
        f"{entry.describe()} stands where slogen writes generated files",
        "move or remove it; slogen does not replace what it did not write",
    )


def swap(staging: Path, directory: Path) -> None:
    """Put the staging tree in the output directory's place; on failure the old tree
    is back where it was."""
    if not os.path.lexists(directory):
        os.rename(staging, directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=staging_prefix(directory, "old"), dir=directory.parent))
    retired.rmdir()
    os.rename(directory, retired)
    try:
        os.rename(staging, directory)
    except OSError:
        os.rename(retired, directory)
        raise
    remove_tree(retired, best_effort=True)
