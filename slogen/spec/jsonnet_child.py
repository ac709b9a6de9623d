"""The process that evaluates Jsonnet specs, apart from the one that loads them.

The Jsonnet evaluator is C++ that never returns to Python while it runs: a ``tailstrict``
loop spins for ever, ignores Ctrl-C and may take all the memory there is. Here it runs
in a child process with an address-space limit (``RLIMIT_AS``) and a CPU-time limit
(``RLIMIT_CPU``, a backstop should the parent die); the parent enforces the wall-clock
deadline and kills this process when it passes (see :mod:`slogen.spec.jsonnet_source`).

Run as a script (``python -E -s jsonnet_child.py MEMORY_BYTES``), not as part of the
package, so that it starts in a few tens of milliseconds without importing slogen. It
reads one JSON request per line on stdin (the helper library first, then one spec
file's text and settings per line) and answers each with one JSON line on stdout:
``{"json": text}`` or ``{"error": message}``. It ignores SIGINT: Ctrl-C goes to the
parent, which kills it.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING or __package__:
    from slogen.spec.regular_files import RefusedFile, read_regular
else:  # run as a script beside it: importing the package would import all of slogen
    from regular_files import RefusedFile, read_regular

HELPER = "slogen.libsonnet"
MAX_TRACE = 5
MEMORY_EXIT = 3
"""The exit code when Python ran out of memory (the C++ evaluator aborts instead)."""


def main(argv: list[str]) -> int:
    """Serve evaluations until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    memory = int(argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    import _jsonnet  # after the limit, so that its allocations count too

    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    helper = json.loads(requests.readline())["helper"]
    for line in requests:
        request = json.loads(line)
        _limit_cpu(float(request["seconds"]))
        answer = _evaluate(_jsonnet, helper, request)
        answers.write(json.dumps(answer).encode() + b"\n")
        answers.flush()
    return 0


def _limit_cpu(seconds: float) -> None:
    """Allow this evaluation ``seconds`` of CPU beyond what the process used so far
    (and a second more, so that the parent's deadline is what the user sees)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    limit = int(spent + seconds) + 2
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))


def _evaluate(engine: Any, helper: str, request: dict[str, Any]) -> dict[str, str]:
    """Evaluate one spec file (read by the parent, which reports its encoding) with
    imports confined to its spec tree."""
    path, root, shown_root = request["path"], Path(request["root"]), request["shown_root"]

    def imported(directory: str, name: str) -> tuple[str, bytes]:
        if name == HELPER:
            return HELPER, helper.encode()
        target = (Path(directory) / name).resolve()
        if not target.is_relative_to(root):
            raise RuntimeError(
                f"{name!r} is outside the spec tree {shown_root}; a spec may import "
                f"{HELPER} and files under {shown_root} only"
            )
        try:
            return str(target), read_regular(target)
        except RefusedFile as refused:
            raise RuntimeError(f"{name!r} {refused.message}") from None

    try:
        text = engine.evaluate_snippet(
            path,
            request["source"],
            ext_vars=request["ext_vars"],
            import_callback=imported,
            max_trace=MAX_TRACE,
        )
    except RuntimeError as error:
        return {"error": str(error)}
    return {"json": text}


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except MemoryError:
        os._exit(MEMORY_EXIT)
