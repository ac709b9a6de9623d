"""Start-up cost of the CLI: what a commit hook or an editor integration waits for.

Prints the median wall time of N runs of ``slogen validate`` and ``slogen generate
--check`` on the example specs, each in a fresh interpreter, and the median time an
interpreter spends importing ``slogen.cli``, dependencies included; and whether
``validate`` imported any of the slow optional modules (``-X importtime``). Wall
times depend on the machine and its load: compare figures from one quiet machine.

    python benchmarks/bench_startup.py [--runs N] [--specs DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import MINIMAL_SPEC  # noqa: E402  (the one-SLO spec the tests use)

# -X importtime writes "import time: <self us> | <cumulative us> | <indented name>"
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$")


def wall_seconds(command: Sequence[str], cwd: Path, runs: int) -> list[float]:
    """Wall time of each run; a failing run stops the benchmark (it measured nothing)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stderr}")
    return times


def import_seconds(module: str, runs: int) -> list[float]:
    """Time to import ``module`` in a fresh interpreter, dependencies included, per run."""
    probe = (
        "import time; start = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - start)"
    )
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", probe], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]


def heavy_imports(command: Sequence[str], cwd: Path) -> list[str]:
    """Which of the slow optional modules a command imports (it should import none)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    names = {m.group(1) for line in done.stderr.splitlines() if (m := IMPORT_LINE.match(line))}
    return sorted(names & {"grafanalib", "_jsonnet", "slogen.testgen.oracle"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--specs", type=Path, default=ROOT / "specs")
    args = parser.parse_args()
    script = Path(sys.executable).with_name("slogen")  # what a hook runs
    slogen = [str(script)] if script.exists() else [sys.executable, "-m", "slogen"]
    with tempfile.TemporaryDirectory() as scratch:
        work, small = Path(scratch) / "examples", Path(scratch) / "small"
        shutil.copytree(args.specs, work / "specs")
        (small / "specs").mkdir(parents=True)
        (small / "specs" / "shop.yaml").write_text(MINIMAL_SPEC)
        for tree in (work, small):
            subprocess.run(
                [*slogen, "generate", "--no-verify"], cwd=tree, check=True, capture_output=True
            )
        figures = {
            "import slogen.cli": import_seconds("slogen.cli", args.runs),
            "slogen validate specs": wall_seconds([*slogen, "validate", "specs"], work, args.runs),
            "slogen generate --check": wall_seconds(
                [*slogen, "generate", "--check"], work, args.runs
            ),
            "generate, 1 SLO, no promtool": wall_seconds(
                [*slogen, "generate", "--no-verify"], small, args.runs
            ),
        }
        heavy = heavy_imports(["-m", "slogen", "validate", "specs"], work)
    print(
        f"start-up, median of {args.runs} runs (specs: {args.specs.name}/, one SLO for the last):"
    )
    for name, times in figures.items():
        print(f"  {name:<30} {statistics.median(times):.3f} s  (min {min(times):.3f} s)")
    print(f"  heavy modules imported by validate: {', '.join(heavy) or 'none'}")
    print(f"  (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
