"""promtool, amtool and vmalert behind one thin layer: find them, run them, report
plainly.

They come from Debian's ``prometheus``, ``prometheus-alertmanager`` and
``victoria-metrics`` packages (``make tools`` unpacks any that are missing into
.tools/). A different binary can be chosen with ``SLOGEN_PROMTOOL``, ``SLOGEN_AMTOOL``,
``SLOGEN_VMALERT`` or ``SLOGEN_VICTORIA_METRICS``.
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
from slogen.parallel import cores

_PACKAGES = {
    "promtool": "prometheus",
    "amtool": "prometheus-alertmanager",
    "vmalert": "victoria-metrics",
    "victoria-metrics": "victoria-metrics",
}
# vmalert reads ``-rule`` as a comma-separated list of glob patterns.
_VMALERT_PATTERN = frozenset(",*?[")
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
    variable = "SLOGEN_" + tool.upper().replace("-", "_")
    found = os.environ.get(variable) or shutil.which(tool)
    if not found:
        raise ToolError(
            f"{tool} not found on PATH; install Debian's {_PACKAGES[tool]} package "
            f"(apt-get install {_PACKAGES[tool]}) or set {variable}"
        )
    return found


def run(
    tool: str,
    args: Sequence[str | Path],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> ToolResult:
    """Run a tool to completion; ``env`` adds to (never replaces) the environment."""
    command = (locate(tool), *(str(a) for a in args))
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env={**os.environ, **env} if env else None,
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


def check_rules(files: Sequence[Path], *, side_by_side: int = 1) -> ToolResult:
    """``promtool check rules``: syntax, PromQL and templates of rule files.

    ``side_by_side``: how many such checks run at the same time (a large tree is
    checked in parts); past one, each gets the Go settings of :func:`_go_sharing`."""
    env = _go_sharing(side_by_side) if side_by_side > 1 else None
    return run("promtool", ["check", "rules", *files], env=env)


def _go_sharing(checks: int) -> dict[str, str]:
    """Go runtime settings for one of ``checks`` promtool checks sharing the machine:
    threads for its share of the cores, and the heap let grow to five times what is
    live before collecting. On two cores, checking a thousand SLOs' rule files in two
    runs took 1.6 s and 3.0 s of CPU with Go's defaults, 1.2 s and 2.2 s so (at most
    90 MB instead of 45 MB for 500 files). ``promtool test rules`` keeps Go's defaults:
    there one thread made a proof file slower and the heap twice as large. Settings
    the user made are kept."""
    wanted = {"GOMAXPROCS": str(max(1, cores() // checks)), "GOGC": "400"}
    return {name: value for name, value in wanted.items() if name not in os.environ}


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


def vmalert_dry_run(files: Sequence[Path]) -> ToolResult:
    """``vmalert -dryRun``: VictoriaMetrics' rule loader parses every file, its
    MetricsQL parser every expression and its template engine every annotation.

    All files go to one run, which reports every rejected rule with its file. vmalert
    would read a comma in a path as a list separator and ``*?[`` as a glob, so such
    paths are refused rather than silently checking other files.
    """
    for path in files:
        if _VMALERT_PATTERN & set(str(path)):
            raise ToolError(
                f"{path}: vmalert cannot be given a rule file whose path has , * ? or ["
            )
    return run("vmalert", ["-dryRun", "-loggerLevel=WARN", *(f"-rule={f}" for f in files)])
