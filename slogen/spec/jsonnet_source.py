"""Jsonnet specs: evaluated with the ``jsonnet`` package, then validated like YAML.

A ``.jsonnet`` file evaluates to one service spec (an object) or several (an array),
so a team can stamp the same SLOs over many services. Imports are confined: a file
may import ``slogen.libsonnet`` (the helper library shipped with slogen) and regular
files inside its own spec tree, nothing else, so evaluating a spec never reads an
arbitrary file of the machine it runs on, nor blocks on a pipe.

Jsonnet is a full language: a spec can loop for ever or ask for all the memory there
is, inside C++ that Ctrl-C cannot interrupt. So evaluation runs in a child process
(:mod:`slogen.spec.jsonnet_child`) with a memory limit, under a deadline this process
enforces; one child serves every Jsonnet file of a run, since starting one costs tens
of milliseconds.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

from slogen.errors import Location, Problem, SpecError
from slogen.spec.jsonnet_child import MEMORY_EXIT
from slogen.spec.yaml_source import MAX_DEPTH, SourceDocument, read_text

HELPER = "slogen.libsonnet"
JSONNET_SUFFIXES = (".jsonnet",)
_CHILD = Path(__file__).with_name("jsonnet_child.py")


@dataclass(frozen=True)
class JsonnetLimits:
    """What one Jsonnet spec file may take to evaluate.

    ``seconds``: wall-clock time per file (10 s; a real spec takes milliseconds).
    ``memory_mib``: address space of the evaluating process (1024 MiB, of which the
    interpreter itself takes some 30). ``output_mib``: the JSON the file evaluates to
    (64 MiB)."""

    seconds: float = 10.0
    memory_mib: int = 1024
    output_mib: int = 64


DEFAULT_LIMITS = JsonnetLimits()
"""The limits ``load`` applies unless given others."""


def helper_library() -> bytes:
    return resources.files("slogen").joinpath(HELPER).read_bytes()


class _Failed(Exception):
    """The child gave no answer: it ran out of time or memory, or died."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class JsonnetEvaluator:
    """Evaluates Jsonnet files in one child process, started at the first file and
    replaced after a file that kills it; :meth:`close` (or the ``with`` block of
    :func:`evaluator`) ends it."""

    def __init__(self, limits: JsonnetLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._child: subprocess.Popen[bytes] | None = None

    def evaluate(
        self, source: str, path: str, root: Path, ext_vars: Mapping[str, str]
    ) -> dict[str, str]:
        """The child's answer for one file: ``json`` (the output) or ``error``."""
        child = self._start()
        request = {
            "source": source,
            "path": path,
            "root": str(root.resolve()),
            "shown_root": str(root),
            "ext_vars": dict(ext_vars),
            "seconds": self.limits.seconds,
        }
        try:
            _send(child, request)
            return self._answer(child)
        except BaseException:
            self.close()  # a deadline, a dead child or Ctrl-C: never leave it running
            raise

    def close(self) -> None:
        """Stop the child, if there is one."""
        child, self._child = self._child, None
        if child is None:
            return
        if child.poll() is None:
            child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        memory = self.limits.memory_mib * 2**20
        child = subprocess.Popen(
            [sys.executable, "-E", "-s", str(_CHILD), str(memory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,  # stderr is shared, so that std.trace still shows
        )
        self._child = child
        _send(child, {"helper": helper_library().decode("utf-8")})
        return child

    def _answer(self, child: subprocess.Popen[bytes]) -> dict[str, str]:
        assert child.stdout is not None
        limit = self.limits.output_mib * 2**20
        deadline = time.monotonic() + self.limits.seconds
        received = bytearray()
        while not received.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Failed(
                    f"Jsonnet evaluation did not finish within {self.limits.seconds:g} s",
                    "look for a loop or recursion that does not end; a spec evaluates "
                    "in milliseconds",
                )
            ready, _, _ = select.select([child.stdout], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(child.stdout.fileno(), 1 << 20)
            if not chunk:
                raise self._death(child)
            received += chunk
            if len(received) > limit + 2**20:
                raise _Failed(
                    f"Jsonnet output is larger than {self.limits.output_mib} MiB",
                    "a spec evaluates to a few kilobytes of JSON",
                )
        answer: dict[str, str] = json.loads(received)
        return answer

    def _death(self, child: subprocess.Popen[bytes]) -> _Failed:
        code = child.wait()
        if code == -signal.SIGXCPU:
            return _Failed(
                f"Jsonnet evaluation did not finish within {self.limits.seconds:g} s of CPU",
                "look for a loop or recursion that does not end",
            )
        if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS, MEMORY_EXIT):
            return _Failed(
                f"Jsonnet evaluation used more than {self.limits.memory_mib} MiB of memory",
                "look for arrays or strings that grow without bound",
            )
        return _Failed(f"the Jsonnet evaluator stopped unexpectedly (exit code {code})", "")


@contextmanager
def evaluator(limits: JsonnetLimits | None = None) -> Iterator[JsonnetEvaluator]:
    """One evaluator for a run: its child process ends with the block."""
    found = JsonnetEvaluator(limits or DEFAULT_LIMITS)
    try:
        yield found
    finally:
        found.close()


def _send(child: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
    stream: IO[bytes] | None = child.stdin
    assert stream is not None
    try:
        stream.write(json.dumps(message).encode("utf-8") + b"\n")
        stream.flush()
    except BrokenPipeError:
        pass  # the child died: reading its answer reports why


def read_jsonnet(
    path: str,
    display: str,
    relative: str,
    root: Path,
    ext_vars: Mapping[str, str],
    engine: JsonnetEvaluator | None = None,
) -> list[SourceDocument]:
    """Evaluate a Jsonnet spec; one document per service it defines.

    Without an ``engine``, a child process is started for this file alone."""
    source = read_text(path, display)
    if engine is None:
        with evaluator() as own:
            return read_jsonnet(path, display, relative, root, ext_vars, own)
    try:
        answer = engine.evaluate(source, path, root, ext_vars)
    except _Failed as failed:
        raise SpecError([Problem(Location(display), failed.message, failed.hint)]) from None
    if "error" in answer:
        lines = answer["error"].strip().splitlines() or ["evaluation failed"]
        where = "; ".join(line.strip() for line in lines[1:3] if line.strip())
        confined = str(root.resolve())
        raise SpecError(
            [Problem(Location(display), f"Jsonnet: {lines[0]}", where.replace(confined, str(root)))]
        )
    return _documents(answer["json"], display, relative)


def _documents(text: str, display: str, relative: str) -> list[SourceDocument]:
    """The service documents of a Jsonnet file's output, nested no deeper than YAML's."""
    too_deep = SpecError(
        [
            Problem(
                Location(display),
                f"evaluates to values nested more than {MAX_DEPTH} levels deep",
                "a spec needs a handful of levels; look for a function that nests its own result",
            )
        ]
    )
    try:
        data: Any = json.loads(text)
    except RecursionError:
        raise too_deep from None
    if _depth(data) > MAX_DEPTH:
        raise too_deep
    if isinstance(data, dict):
        return [SourceDocument(display, relative, data)]
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        return [
            SourceDocument(f"{display}[{index}]", relative, item) for index, item in enumerate(data)
        ]
    raise SpecError(
        [
            Problem(
                Location(display),
                f"evaluates to {type(data).__name__}, not a service spec",
                "a .jsonnet spec evaluates to one service object or an array of them",
            )
        ]
    )


def _depth(data: Any) -> int:
    """How deeply lists and objects nest, without recursion (the data may be deep)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth + 1 > MAX_DEPTH:
                return depth + 1
            deepest = max(deepest, depth + 1)
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return deepest
