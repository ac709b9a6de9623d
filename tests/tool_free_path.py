"""A PATH on which the external tools are missing and everything else is still there.

Dropping whole directories from PATH to hide promtool works only while the tools live
in a directory of their own (``.tools/usr/bin``); where Debian's packages put them in
``/usr/bin`` beside ``bash``, ``git`` and ``python3``, it hides those too. Instead, a
directory of links to every other program on PATH stands in for PATH itself.
"""

from __future__ import annotations

import os
from pathlib import Path

TOOLS = ("promtool", "amtool", "prometheus", "prometheus-alertmanager", "vmalert")


def path_without_tools(directory: Path, path: str | None = None) -> str:
    """A PATH (one directory, made under ``directory``) that finds what ``path`` finds,
    except the tools: the first program of each name, as the shell would pick it."""
    shadow = directory / "bin-without-tools"
    shadow.mkdir(parents=True, exist_ok=True)
    for entry in (path if path is not None else os.environ["PATH"]).split(os.pathsep):
        if not entry or not Path(entry).is_dir():
            continue
        for program in sorted(Path(entry).iterdir()):
            link = shadow / program.name
            if program.name in TOOLS or link.is_symlink() or link.exists():
                continue
            if program.is_file() and os.access(program, os.X_OK):
                link.symlink_to(program.resolve())
    return str(shadow)
