"""Where slogen may write, checked before anything is written.

Every refusal is a :class:`SpecError` naming the path, what is wrong with it and what
to do, so the CLI exits 2 with a message instead of a traceback, and nothing on disk
has changed when it is raised.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from slogen.errors import Location, Problem, SpecError

SpecPaths = str | Path | Sequence[str | Path]


def refuse(path: Path | str, why: str, hint: str) -> SpecError:
    """The error for an output slogen will not write, with what to do instead."""
    return SpecError([Problem(Location(str(path)), f"refusing to write output: {why}", hint)])


def check_output_location(output: str | Path, spec_paths: SpecPaths) -> None:
    """Refuse an output directory inside a spec directory, or one holding a spec path.

    Spec directories are read whole, so generated files written into one are read as
    specs on the next run and every run fails from then on; a spec inside the output
    directory would be carried over or removed with it. Paths are compared with their
    symlinks resolved, so a link does not hide the overlap."""
    out = Path(output).resolve()
    for given in [spec_paths] if isinstance(spec_paths, str | Path) else spec_paths:
        spec = Path(given).resolve()
        if spec == out or spec.is_relative_to(out):
            what = "is" if spec == out else "contains"
            raise refuse(
                output,
                f"the output directory {what} the spec path {given}",
                "write the output beside the specs (-o generated), not over them",
            )
        if spec.is_dir() and out.is_relative_to(spec):
            raise refuse(
                output,
                f"the output directory is inside the spec directory {given}, whose "
                "files would all be read as specs on the next run",
                "write the output beside the specs (-o generated), not inside them",
            )


def resolve_output(directory: Path) -> Path:
    """The absolute directory to replace: a symlinked output directory is followed, so
    the link's target is updated in place and the link itself is kept.

    A link to a missing directory is followed too (that is where a run killed in the
    middle of its swap leaves the link, and the old tree is put back there), as long
    as the directory it would be in exists. Refused: the filesystem root, the current
    directory or one that contains it (the swap would move the working directory
    away), a link into a missing directory, a mount point (it cannot be renamed), and
    a path that is, or runs through, something other than a directory."""
    target = Path(os.path.abspath(directory)).resolve()
    if target == target.parent:
        raise refuse(directory, "it is the filesystem root", "name a directory for the output")
    if Path.cwd().resolve().is_relative_to(target):
        raise refuse(
            directory,
            "it is the current directory or contains it, and slogen replaces the output "
            "directory whole",
            "run slogen from outside it, or name a subdirectory",
        )
    if os.path.lexists(directory) and not target.parent.is_dir():
        raise refuse(
            directory,
            f"it is a symbolic link to {target}, whose directory does not exist",
            "create the directory it points to, or remove the link",
        )
    _check_directory_path(directory, target)
    if os.path.ismount(target):
        raise refuse(
            directory,
            "it is a mount point, which cannot be replaced by another directory",
            "write to a directory inside it",
        )
    return target


def _check_directory_path(directory: Path, target: Path) -> None:
    """The target, if it exists, and its nearest existing ancestor are directories."""
    if target.exists() and not target.is_dir():
        raise refuse(
            directory,
            "it is a file, not a directory",
            "choose an output directory that slogen owns (-o), or empty this one",
        )
    ancestor = existing_ancestor(target)
    if not ancestor.is_dir():
        raise refuse(
            directory,
            f"{ancestor} is a file, so no directory can be made below it",
            "choose another output directory (-o)",
        )


def existing_ancestor(path: Path) -> Path:
    """The nearest of ``path``'s parents that exists (the root always does)."""
    for parent in path.parents:
        if os.path.lexists(parent):
            return parent
    return Path(path.anchor)


def check_file_target(shown: Path | str, target: Path, parents: bool) -> None:
    """Refuse a single-file output that cannot be written, before writing it: a
    directory, a missing parent (unless ``parents`` may be made), a parent that is a
    file, a read-only file or directory."""
    if target.is_dir():
        raise refuse(shown, "it is a directory", "name a file to write (-o FILE)")
    ancestor = existing_ancestor(target)
    if ancestor != target.parent and not parents:
        raise refuse(
            shown,
            f"its directory {target.parent} does not exist",
            "create the directory first, or name a file in an existing one",
        )
    if not ancestor.is_dir():
        raise refuse(shown, f"{ancestor} is a file, not a directory", "name another file (-o)")
    check_writable(ancestor, shown, "the directory")
    if target.exists():
        check_writable(target, shown, "the file")


def check_writable(path: Path, shown_as: Path | str, role: str) -> None:
    """Refuse to change a directory (or file) the user made read-only.

    ``os.access`` answers for a normal user and for a read-only file system; root is
    allowed everything, so for root a path with no write bit at all (``chmod a-w``)
    counts as read-only too: that mode says "do not change this" whoever runs
    slogen. ``role`` says what the path is to the output, for the message."""
    reason = _read_only_reason(path)
    if reason:
        raise refuse(
            shown_as,
            f"{role} {path} {reason}",
            "make it writable (chmod u+w), or choose another output (-o)",
        )


def _read_only_reason(path: Path) -> str:
    info = os.stat(path)
    mode = stat.S_IMODE(info.st_mode)
    needed = os.W_OK | (os.X_OK if stat.S_ISDIR(info.st_mode) else 0)
    if os.statvfs(path).f_flag & os.ST_RDONLY:
        return "is on a read-only file system"
    if not os.access(path, needed):
        return f"is not writable for you (mode {mode:04o}, owner uid {info.st_uid})"
    if os.geteuid() == 0 and not mode & 0o222:
        return f"is read-only (mode {mode:04o}); slogen does not override that even as root"
    return ""


def io_failure(path: Path | str, error: OSError, doing: str) -> SpecError:
    """An operating system error while writing, as a located message, not a traceback."""
    where = error.filename if error.filename else path
    return SpecError(
        [
            Problem(
                Location(os.fsdecode(where)),
                f"cannot {doing}: {error.strerror or error}",
                "check the permissions and free space of the output's file system",
            )
        ]
    )
