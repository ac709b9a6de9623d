"""Independent units of output built on every core the process may use.

A service's files read nothing another service's files are built from, so a large
tree's services are built in worker processes (a thousand SLOs on two cores: 4.0 s
of building in one process, 2.9 s of wall time in two). Workers are forked: they
start with the model and the proof plans already in memory, and send back only
bytes. Below
``PARALLEL_FROM`` units, or where fork is not available, everything runs here: a
small tree gains nothing from starting processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

Maker = Callable[[], dict[str, bytes]]
PARALLEL_FROM = 16
MAX_WORKERS = 4

_inherited: Sequence[Maker] = ()
"""The makers, in a forked worker only: set once by :func:`_inherit`, then read."""


def build_all(makers: Sequence[Maker], done: Callable[[], None]) -> list[dict[str, bytes]]:
    """Every maker's files, in the order given; ``done()`` after each one."""
    count = workers()
    fork = "fork" in multiprocessing.get_all_start_methods()
    if len(makers) < PARALLEL_FROM or count < 2 or not fork:
        results = []
        for make in makers:
            results.append(make())
            done()
        return results
    context = multiprocessing.get_context("fork")
    found: list[dict[str, bytes] | None] = [None] * len(makers)
    with ProcessPoolExecutor(count, context, initializer=_inherit, initargs=(makers,)) as pool:
        futures = {pool.submit(_make, index): index for index in range(len(makers))}
        for future in as_completed(futures):
            found[futures[future]] = future.result()
            done()
    return [files for files in found if files is not None]


def workers() -> int:
    """How many processes may work side by side: one per core, ``MAX_WORKERS`` at the
    most, since the cores a process may run on can be many more than a container's
    CPU quota lets it use."""
    return min(cores(), MAX_WORKERS)


def cores() -> int:
    """The cores this process may run on (Linux knows its affinity; others say all)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _inherit(makers: Sequence[Maker]) -> None:
    global _inherited
    _inherited = makers


def _make(index: int) -> dict[str, bytes]:
    return _inherited[index]()
