"""Results of pure steps, kept between runs: parsed specs, resolved services, proof
searches and detection figures.

A run that rebuilds one edited service still reads every spec and needs every SLO's
proof coverage (its service's document and the run's summary print it). Parsing a
spec file is a pure function of its bytes and of slogen's code, and the scenario
search one of a profile and the code, so each result is kept in a file named by a
digest of the code and of what it was computed from, and read back while neither
changes. What is read is what the step would return, so output stays byte for byte
that of a run without the cache.

The files live in ``$SLOGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/slogen``, else
``~/.cache/slogen`` (made private); ``SLOGEN_CACHE_DIR=off`` keeps none, and one that
another user could write to is not used. Keys also hold the Python, pydantic and
PyYAML versions. Old entries are not removed: the directory can be deleted at any
time. A missing, unreadable or unwritable cache only costs the work: errors reading
or writing it are ignored, and a file is written under a temporary name and renamed,
so a reader never sees half of one. Only results are kept: a step that raises (a
spec with problems) is run again next time, so its errors are reported afresh.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import pydantic
import yaml

from slogen.recipes import code_digest

CACHE_ENV = "SLOGEN_CACHE_DIR"
OFF = "off"
T = TypeVar("T")


def cache_directory(environ: Mapping[str, str] = os.environ) -> Path | None:
    """Where the results are kept; None when the cache is off or there is no home
    directory to keep it in."""
    chosen = environ.get(CACHE_ENV)
    if chosen == OFF:
        return None
    if chosen:
        return Path(chosen)
    base = environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no HOME and no passwd entry (some containers)
            return None
    return Path(base) / "slogen"


@functools.cache
def _runtime() -> str:
    """What besides slogen's code a kept result depends on: Python and the libraries
    that parse and validate specs."""
    return f"{sys.version}\0{pydantic.VERSION}\0{yaml.__version__}"


def trusted(directory: Path) -> bool:
    """Whether results read from ``directory`` can be believed: it is the user's own and
    no one else can write to it. A pickle runs code when it is loaded, so a cache
    another user could write to (a shared ``/tmp`` path) is neither read nor written."""
    try:
        info = directory.lstat()
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and mine and not info.st_mode & 0o022


def remembered(
    kind: str, key: object, compute: Callable[[], T], keep: Callable[[T], bool] = lambda _: True
) -> T:
    """``compute()``, or what it returned for ``key`` before with the same code; a
    result ``keep`` refuses is returned but not kept."""
    directory = cache_directory()
    if directory is None:
        return compute()
    digest = hashlib.sha256(f"{code_digest()}\0{_runtime()}\0{kind}\0{key!r}".encode())
    path = directory / f"{kind}-{digest.hexdigest()[:40]}.pickle"
    if trusted(directory):
        try:
            with path.open("rb") as kept:
                found: T = pickle.load(kept)
            return found
        except Exception:  # missing, damaged or foreign: computed again
            pass
    value = compute()
    if keep(value):
        _keep(path, value)
    return value


def _keep(path: Path, value: object) -> None:
    """Write ``value`` where a later run looks for it, or nothing: a directory that
    cannot be made private, or a value that does not pickle, only costs the work."""
    directory = path.parent
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return
    if not trusted(directory):
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:  # an OSError, or a value pickle refuses
        with contextlib.suppress(OSError):
            temporary.unlink()
