"""The output tree: written whole or not at all, and compared byte for byte.

A run builds the complete tree in a temporary sibling directory and swaps it in only
at the end, so a failure leaves the previous output untouched. A manifest lists the
files slogen wrote: those that no spec produces any more are removed, and files it
never wrote (a kustomization.yaml beside the manifests, say) are carried over as they
are. A non-empty directory without a manifest is never replaced.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from slogen.errors import Location, Problem, SpecError

MANIFEST = ".slogen-manifest"
_MANIFEST_HEADER = "# Files written by slogen. The whole directory is regenerated on every run.\n"


def with_manifest(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files plus the manifest that lists them, sorted by path."""
    listing = _MANIFEST_HEADER + "".join(f"{path}\n" for path in sorted(files))
    tree = dict(files)
    tree[MANIFEST] = listing.encode("utf-8")
    return dict(sorted(tree.items()))


PENDING = ("missing", "changed", "not generated any more")
"""How each kind of stale file is named before a write."""
WRITTEN = ("created", "updated", "removed")
"""The same kinds after the write that fixed them."""


@dataclass(frozen=True)
class Staleness:
    """How a directory differs from what slogen would write there."""

    missing: tuple[str, ...]
    changed: tuple[str, ...]
    extra: tuple[str, ...]
    diffs: Mapping[str, str]

    @property
    def stale(self) -> bool:
        return bool(self.missing or self.changed or self.extra)

    @property
    def paths(self) -> tuple[str, ...]:
        """Every stale path, sorted: what a commit of the output would have to include."""
        return tuple(sorted((*self.missing, *self.changed, *self.extra)))

    def report(
        self,
        directory: str,
        diff_lines: int = 20,
        total_lines: int = 120,
        width: int = 160,
        written: bool = False,
    ) -> str:
        """Every stale file, then a unified diff excerpt of the changed ones.

        The list is complete; the excerpt is bounded (``diff_lines`` per file,
        ``total_lines`` in all, none when it is 0; lines cut at ``width``) so that a CI
        log or a commit hook stays readable when a defaults change touches every file.
        Paths are in sorted order, so the same trees always give the same text.
        ``written`` says what was done (created, updated, removed) rather than what is
        to do, for the report after a write."""
        missing, changed, extra = WRITTEN if written else PENDING
        kinds = {p: missing for p in self.missing}
        kinds |= {p: changed for p in self.changed}
        kinds |= {p: extra for p in self.extra}
        lines = [f"{kinds[p]}: {directory}/{p}" for p in self.paths]
        if not self.changed or total_lines <= 0:
            return "\n".join(lines)
        lines.append(f"diff excerpts ({directory}/ on disk -> what the specs generate):")
        budget = total_lines
        shown = 0
        for path in sorted(self.changed):
            if budget <= 0:
                break
            excerpt = self.diffs[path].splitlines()
            taken = excerpt[: min(diff_lines, budget)]
            lines.extend("    " + _cut(line, width) for line in taken)
            if len(excerpt) > len(taken):
                lines.append(f"    ... {len(excerpt) - len(taken)} more diff lines")
            budget -= len(taken)
            shown += 1
        if shown < len(self.changed):
            lines.append(f"... diffs of {len(self.changed) - shown} more changed files not shown")
        return "\n".join(lines)


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 3] + "..."


def read_tree(directory: Path) -> dict[str, bytes]:
    """Every file under a directory, keyed by its POSIX path relative to it."""
    if not directory.is_dir():
        return {}
    return {
        file.relative_to(directory).as_posix(): file.read_bytes()
        for file in sorted(directory.rglob("*"))
        if file.is_file()
    }


def owned(present: Mapping[str, bytes]) -> frozenset[str]:
    """The files a previous run wrote, as its manifest lists them."""
    listing = present.get(MANIFEST, b"").decode("utf-8", "replace").splitlines()
    return frozenset(line for line in listing if line and not line.startswith("#")) | (
        {MANIFEST} if MANIFEST in present else set()
    )


def compare(files: Mapping[str, bytes], directory: Path) -> Staleness:
    """Compare the tree slogen would write with what the directory holds."""
    return _compare(files, read_tree(directory))


def _compare(files: Mapping[str, bytes], present: Mapping[str, bytes]) -> Staleness:
    wanted = with_manifest(files)
    previous = owned(present)
    changed = tuple(p for p in wanted if p in present and present[p] != wanted[p])
    diffs = {p: _diff(p, present[p], wanted[p]) for p in changed}
    return Staleness(
        missing=tuple(p for p in wanted if p not in present),
        changed=changed,
        extra=tuple(p for p in present if p in previous and p not in wanted),
        diffs=diffs,
    )


def _diff(path: str, old: bytes, new: bytes) -> str:
    return "".join(
        difflib.unified_diff(
            old.decode("utf-8", "replace").splitlines(keepends=True),
            new.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=f"{path} (on disk)",
            tofile=f"{path} (from specs)",
            n=1,
        )
    )


def write(files: Mapping[str, bytes], directory: Path) -> Staleness:
    """Replace ``directory`` with exactly these files (plus the manifest), atomically
    per directory: on any error the previous tree stays as it was."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise _refuse(directory, "is a file, not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not (directory / MANIFEST).is_file():
        raise _refuse(
            directory,
            f"is not empty and has no {MANIFEST}, so slogen did not write it",
        )
    present = read_tree(directory)
    changes = _compare(files, present)
    if not changes.stale:
        return changes
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.new-", dir=directory.parent))
    try:
        for path, content in with_manifest(files).items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        _carry_over_unowned(directory, present, staging, files)
        os.chmod(staging, 0o755)
        _swap(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return changes


def _carry_over_unowned(
    directory: Path, present: Mapping[str, bytes], staging: Path, files: Mapping[str, bytes]
) -> None:
    """Copy the files a user put into the output directory into the new tree."""
    previous = owned(present)
    for path in present:
        if path not in previous and path not in files and path != MANIFEST:
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(directory / path, target, follow_symlinks=False)


def _swap(staging: Path, directory: Path) -> None:
    if not directory.exists():
        staging.rename(directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
    retired.rmdir()
    directory.rename(retired)
    try:
        staging.rename(directory)
    except OSError:
        retired.rename(directory)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def write_atomically(path: Path, content: bytes) -> None:
    """Replace one file so that readers see the old or the new bytes, never a mix.

    A symlink is followed (the file it points at is replaced, the link kept); the
    file keeps its mode, and a new one gets the usual 0644 less the umask, so that
    a server running as another user can read it."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.new-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        if path.exists():
            shutil.copymode(path, temporary)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o644 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _refuse(directory: Path, why: str) -> SpecError:
    return SpecError(
        [
            Problem(
                Location(str(directory)),
                f"refusing to write output: the directory {why}",
                "choose an output directory that slogen owns (-o), or empty this one",
            )
        ]
    )
