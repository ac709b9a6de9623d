"""The output tree: written whole or not at all, and compared byte for byte.

A run builds the complete tree in a temporary sibling directory and swaps it in only
at the end, so a failure leaves the previous output untouched. A manifest lists the
files slogen wrote: those that no spec produces any more are removed, and files it
never wrote (a kustomization.yaml beside the manifests, say) are carried over as they
are. A non-empty directory without a manifest is never replaced.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from slogen.output_guard import (
    check_file_target,
    check_output_location,
    check_writable,
    existing_ancestor,
    io_failure,
    refuse,
    resolve_output,
)
from slogen.output_tree import DIRECTORY, FILE, MANIFEST, Entry, read_paths, walk
from slogen.staging import carry_over, fill, locked, new_staging, remove_tree, swap

__all__ = ["MANIFEST", "Staleness", "check_output_location", "compare", "write", "write_atomically"]
_MANIFEST_HEADER = (
    "# Files written by slogen. The whole directory is regenerated on every run; a\n"
    "# file's recipe (a digest of what it was built from) and content digest let a run\n"
    "# reuse what has not changed.\n"
)
Recipes = Mapping[str, str]
"""The recipe each file was built from, by path (``slogen.recipes``)."""


def with_manifest(files: Mapping[str, bytes], recipes: Recipes | None = None) -> dict[str, bytes]:
    """The files plus the manifest that lists them, sorted by path, each with its
    recipe and content digest where it has a recipe."""
    listing = _MANIFEST_HEADER + "".join(
        _listed(path, files[path], recipes) for path in sorted(files)
    )
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


def _listed(path: str, content: bytes, recipes: Recipes | None) -> str:
    recipe = (recipes or {}).get(path)
    if recipe is None:
        return f"{path}\n"
    return f"{path}\t{recipe}\t{content_digest(content)}\n"


def content_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:32]


def _manifest_lines(present: Mapping[str, Entry]) -> list[list[str]]:
    """The manifest's entries, each ``[path]`` or ``[path, recipe, content digest]``
    (a manifest that is not a regular file slogen can read lists nothing)."""
    manifest = present.get(MANIFEST)
    if manifest is None or manifest.kind != FILE or manifest.data is None:
        return []
    listing = manifest.data.decode("utf-8", "replace").splitlines()
    return [line.split("\t") for line in listing if line and not line.startswith("#")]


def owned(present: Mapping[str, Entry]) -> frozenset[str]:
    """The files a previous run wrote, as its manifest lists them."""
    listed = _manifest_lines(present)
    return frozenset(fields[0] for fields in listed) | ({MANIFEST} if listed else frozenset())


def previous_outputs(directory: Path) -> dict[str, dict[str, bytes]]:
    """What a previous run wrote to ``directory``, by recipe: only the recipes whose
    every file is still on disk, a regular file, with the content the manifest
    recorded (a file edited by hand is built again). Read as :func:`compare` reads,
    never through a symlink; nothing when there is no readable manifest."""
    root = Path(os.path.abspath(directory)).resolve()
    if not root.is_dir():
        return {}
    listed = [f for f in _manifest_lines(read_paths(root, [MANIFEST])) if len(f) == 3]
    present = read_paths(root, sorted({path for path, _, _ in listed}))
    found: dict[str, dict[str, bytes]] = {}
    broken: set[str] = set()
    for path, recipe, digest in listed:
        entry = present.get(path)
        data = entry.data if entry is not None and entry.kind == FILE else None
        if data is None or content_digest(data) != digest:
            broken.add(recipe)
        else:
            found.setdefault(recipe, {})[path] = data
    return {recipe: files for recipe, files in found.items() if recipe not in broken}


def compare(
    files: Mapping[str, bytes], directory: Path, recipes: Recipes | None = None
) -> Staleness:
    """Compare the tree slogen would write with what the directory holds.

    Only the paths slogen writes or wrote are looked at, and none through a symlink:
    a link where a generated file belongs is reported as changed by its target
    string, and a file below a linked directory as missing, so a ``--check`` never
    shows the contents of something outside the output tree. A symlinked output
    directory is followed, as :func:`write` follows it."""
    root = Path(os.path.abspath(directory)).resolve()
    paths = sorted(set(with_manifest(files)) | owned(read_paths(root, [MANIFEST])))
    return _compare(files, read_paths(root, paths, files), recipes)


def _compare(
    files: Mapping[str, bytes],
    present: Mapping[str, Entry],
    recipes: Recipes | None = None,
    wanted: Mapping[str, bytes] | None = None,
) -> Staleness:
    """``wanted`` is ``with_manifest(files, recipes)`` where the caller has it already:
    the manifest digests every file, which a large tree feels."""
    wanted = with_manifest(files, recipes) if wanted is None else wanted
    previous = owned(present)
    changed = tuple(p for p in wanted if p in present and not present[p].is_file_with(wanted[p]))
    diffs = _Diffs({p: (present[p], wanted[p]) for p in changed})
    return Staleness(
        missing=tuple(p for p in wanted if p not in present),
        changed=changed,
        extra=tuple(p for p in present if p in previous and p not in wanted),
        diffs=diffs,
    )


class _Diffs(Mapping[str, str]):
    """Each changed file's diff, made when it is first read: a write reports how many
    files changed, not how, and diffing a large dashboard costs more than writing it."""

    def __init__(self, pairs: Mapping[str, tuple[Entry, bytes]]) -> None:
        self._pairs = pairs
        self._made: dict[str, str] = {}

    def __getitem__(self, path: str) -> str:
        if path not in self._made:
            self._made[path] = _diff(path, *self._pairs[path])
        return self._made[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)


def _diff(path: str, old: Entry, new: bytes) -> str:
    if old.kind != FILE or old.data is None:
        return f"{path}: on disk {old.describe()}; the specs generate a regular file\n"
    return "".join(
        difflib.unified_diff(
            old.data.decode("utf-8", "replace").splitlines(keepends=True),
            new.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=f"{path} (on disk)",
            tofile=f"{path} (from specs)",
            n=1,
        )
    )


def write(files: Mapping[str, bytes], directory: Path, recipes: Recipes | None = None) -> Staleness:
    """Replace ``directory`` with exactly these files (plus the manifest) and what the
    user added to it, atomically per directory: on any error the previous tree stays
    as it was, and no staging tree is left beside it.

    A symlinked output directory is followed: the tree is staged beside the link's
    target and swapped in there, so the link is kept and keeps pointing at the new
    tree. Nothing is written through a symlink inside the tree. Refused, with nothing
    changed: a directory slogen did not write, a read-only output directory (or a
    read-only directory in it, or parent), the paths :func:`resolve_output` rejects,
    and something of the user's standing where a generated file goes."""
    shown = Path(directory)
    target = resolve_output(shown)
    try:
        return _write(files, shown, target, recipes)
    except OSError as error:
        raise io_failure(shown, error, "write the output") from error


def _write(
    files: Mapping[str, bytes], shown: Path, target: Path, recipes: Recipes | None
) -> Staleness:
    _make_parent(shown, target)
    with locked(target):
        present = _present(files, shown, target)
        wanted = with_manifest(files, recipes)
        changes = _compare(files, present, recipes, wanted)
        if not changes.stale:
            return changes
        _check_writable(shown, target, present)
        staging = new_staging(target)
        try:
            fill(staging, wanted, target, present)
            carry_over(target, staging, _kept(present, files), str(shown))
            swap(staging, target)
        finally:
            remove_tree(staging, best_effort=True)
    return changes


def _make_parent(shown: Path, target: Path) -> None:
    """Create the output's missing parents, after checking the first existing one
    can be written, so a read-only ancestor is a message rather than a traceback."""
    if target.parent.is_dir():
        return
    ancestor = existing_ancestor(target)
    check_writable(ancestor, shown, "the directory")
    target.parent.mkdir(parents=True, exist_ok=True)


def _present(files: Mapping[str, bytes], shown: Path, target: Path) -> dict[str, Entry]:
    """Everything in the output directory, with the bytes of what slogen writes or
    wrote; refused when it is not empty and has no manifest."""
    if not target.exists():
        return {}
    manifest = read_paths(target, [MANIFEST])
    if os.listdir(target) and not owned(manifest):
        raise refuse(
            shown,
            f"the directory is not empty and has no {MANIFEST}, so slogen did not write it",
            "choose an output directory that slogen owns (-o), or empty this one",
        )
    compared = set(with_manifest(files)) | owned(manifest)
    return walk(target, compared.__contains__, files)


def _check_writable(shown: Path, target: Path, present: Mapping[str, Entry]) -> None:
    """The swap changes the output's parent and replaces every directory in the tree,
    so each must be writable; checked before anything is staged."""
    check_writable(target.parent, shown, "the parent directory")
    if target.exists():
        check_writable(target, shown, "the output directory")
    for path, entry in present.items():
        if entry.kind == DIRECTORY:
            check_writable(target / path, shown, "the directory")


def _kept(present: Mapping[str, Entry], files: Mapping[str, bytes]) -> dict[str, Entry]:
    """What the user added: everything slogen neither wrote nor writes now, except the
    directories that only hold (or held) slogen's files, which come and go with them.
    A link where slogen has a directory is the user's, and so is in the way."""
    previous = owned(present)
    slogens = {
        str(parent) for path in (*previous, *files) for parent in PurePosixPath(path).parents
    }
    return {
        path: entry
        for path, entry in present.items()
        if path not in previous
        and path not in files
        and not (path in slogens and entry.kind == DIRECTORY)
    }


def write_atomically(path: Path, content: bytes, *, parents: bool = True) -> None:
    """Replace one file so that readers see the old or the new bytes, never a mix.

    A symlink is followed (the file it points at is replaced, the link kept); the
    file keeps its mode, and a new one gets the usual 0644 less the umask, so that
    a server running as another user can read it. ``parents`` creates missing parent
    directories (an import's new spec directory); without it a missing parent is
    refused, since a mistyped ``-o`` would otherwise make directories nobody asked
    for. Also refused, with nothing written (SpecError): a directory at ``path``, a
    read-only file or directory, a parent that is a file."""
    target = Path(os.path.abspath(path)).resolve()
    check_file_target(path, target, parents)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _replace(target, content)
    except OSError as error:
        raise io_failure(path, error, "write the file") from error


def _replace(path: Path, content: bytes) -> None:
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
