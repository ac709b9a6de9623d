"""Service dependencies (``depends_on``): checked here, used by routing to inhibit.

When a service that others depend on is down, every service above it burns its
budget too; only the root cause should page. A dependency must name a known service
and the graph must have no cycle: with a cycle, two services' pages would silence
each other's burn alerts and nobody would be told.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence

from slogen.errors import Problem
from slogen.spec.loader import ServiceFile


def dependency_problems(
    services: Sequence[ServiceFile], siblings: Collection[str] = ()
) -> list[Problem]:
    """Unknown, self and cyclic dependencies, each located at the ``depends_on`` entry.

    ``siblings`` are services known to exist but not loaded (beside a file given
    alone): naming one is fine; cycles are found among the loaded services only."""
    by_name = {file.spec.service: file for file in services}
    problems = []
    for file in services:
        spec = file.spec
        seen: set[str] = set()
        for index, needed in enumerate(spec.depends_on):
            where = file.source.locate(("depends_on", index))
            if needed == spec.service:
                problems.append(Problem(where, f"{needed!r} cannot depend on itself"))
            elif needed in seen:
                problems.append(Problem(where, f"{needed!r} is listed twice"))
            elif needed not in by_name and needed not in siblings:
                close = difflib.get_close_matches(needed, by_name, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(
                    Problem(
                        where,
                        f"no service {needed!r} among the specs",
                        hint + "known: " + ", ".join(sorted({*by_name, *siblings})),
                    )
                )
            seen.add(needed)
    if not problems:
        problems.extend(_cycles(by_name))
    return problems


def _cycles(by_name: dict[str, ServiceFile]) -> list[Problem]:
    """One problem per cycle, reported at the first service of the cycle by name."""
    graph = {
        name: sorted(set(file.spec.depends_on) & set(by_name)) for name, file in by_name.items()
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    problems = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for needed in graph[name]:
            if state.get(needed) == 1:
                cycle = [*path[path.index(needed) :], needed]
                first = min(cycle[:-1])
                file = by_name[first]
                problems.append(
                    Problem(
                        file.source.locate(("depends_on",)),
                        "dependencies form a cycle: " + " -> ".join(cycle),
                        "a service's burn alerts are silenced while what it depends on "
                        "pages; in a cycle both would be silenced; remove one edge",
                    )
                )
            elif needed not in state:
                visit(needed, [*path, needed])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return problems
