"""promtool and amtool behind one thin layer: find them, run them, report plainly.

Both come from Debian's ``prometheus`` and ``prometheus-alertmanager`` packages. A
different binary can be chosen with ``SLOGEN_PROMTOOL`` / ``SLOGEN_AMTOOL``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from slogen.alertmanager.matchers import quote
from slogen.errors import ToolError

_PACKAGES = {"promtool": "prometheus", "amtool": "prometheus-alertmanager"}
TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class ToolResult:
    """What a tool said about some files."""

    command: tuple[str, ...]
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def __str__(self) -> str:
        verdict = "ok" if self.ok else f"failed (exit {self.returncode})"
        return f"$ {' '.join(self.command)}: {verdict}\n{self.output.rstrip()}"


def locate(tool: str) -> str:
    """Path of a tool, or ToolError saying how to install it."""
    override = os.environ.get(f"SLOGEN_{tool.upper()}")
    found = override or shutil.which(tool)
    if not found:
        raise ToolError(
            f"{tool} not found on PATH; install Debian's {_PACKAGES[tool]} package "
            f"(apt-get install {_PACKAGES[tool]}) or set SLOGEN_{tool.upper()}"
        )
    return found


def run(tool: str, args: Sequence[str | Path], cwd: Path | None = None) -> ToolResult:
    command = (locate(tool), *(str(a) for a in args))
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"{' '.join(command)} did not finish in {TIMEOUT_SECONDS}s") from None
    except OSError as error:
        raise ToolError(f"cannot run {command[0]}: {error.strerror or error}") from None
    return ToolResult(command, completed.returncode, completed.stdout + completed.stderr)


def check_rules(files: Sequence[Path]) -> ToolResult:
    """``promtool check rules``: syntax, PromQL and templates of rule files."""
    return run("promtool", ["check", "rules", *files])


def test_rules(files: Sequence[Path]) -> ToolResult:
    """``promtool test rules``: unit tests of rule behaviour."""
    return run("promtool", ["test", "rules", *files])


def check_config(files: Sequence[Path]) -> ToolResult:
    """``amtool check-config``: an Alertmanager config loads (routes, receivers, rules)."""
    return run("amtool", ["check-config", *files])


def route_test(config: Path, labels: Mapping[str, str], expected: Sequence[str]) -> ToolResult:
    """``amtool config routes test``: the receivers an alert with ``labels`` reaches;
    fails unless they are exactly ``expected``, in order."""
    matchers = [f"{name}={quote(value)}" for name, value in sorted(labels.items())]
    return run(
        "amtool",
        [
            "config",
            "routes",
            "test",
            f"--config.file={config}",
            f"--verify.receivers={','.join(expected)}",
            *matchers,
        ],
    )
