"""Results of pure steps, kept between runs: parsed spec files and proof searches.

A run that rebuilds one edited service still reads every spec and needs every SLO's
proof coverage (its service's document and the run's summary print it). Parsing a
spec file is a pure function of its bytes and of slogen's code, and the scenario
search one of a profile and the code, so each result is kept in a file named by a
digest of the code and of what it was computed from, and read back while neither
changes. What is read is what the step would return, so output stays byte for byte
that of a run without the cache.

The files live in ``$SLOGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/slogen``, else
``~/.cache/slogen``; ``SLOGEN_CACHE_DIR=off`` keeps none. A missing, unreadable or
unwritable cache only costs the work: errors reading or writing it are ignored, and
a file is written under a temporary name and renamed, so a reader never sees half of
one. Only results are kept: a step that raises (a spec with problems) is run again
next time, so its errors are reported afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from slogen.recipes import code_digest

CACHE_ENV = "SLOGEN_CACHE_DIR"
OFF = "off"
T = TypeVar("T")


def cache_directory(environ: Mapping[str, str] = os.environ) -> Path | None:
    """Where the results are kept; None when the cache is off."""
    chosen = environ.get(CACHE_ENV)
    if chosen == OFF:
        return None
    if chosen:
        return Path(chosen)
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "slogen"


def remembered(
    kind: str, key: object, compute: Callable[[], T], keep: Callable[[T], bool] = lambda _: True
) -> T:
    """``compute()``, or what it returned for ``key`` before with the same code; a
    result ``keep`` refuses is returned but not kept."""
    directory = cache_directory()
    if directory is None:
        return compute()
    name = hashlib.sha256(f"{code_digest()}\0{kind}\0{key!r}".encode()).hexdigest()[:40]
    path = directory / f"{kind}-{name}.pickle"
    try:
        with path.open("rb") as kept:
            found: T = pickle.load(kept)
        return found
    except Exception:  # missing, damaged or foreign: searched again
        pass
    value = compute()
    if keep(value):
        _keep(path, value)
    return value


def _keep(path: Path, value: object) -> None:
    """Write ``value`` where a later run looks for it, or nothing."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
