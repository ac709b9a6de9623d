"""Start-up cost of the CLI: what a commit hook or an editor integration waits for.

Prints the median wall and CPU time of N runs of ``slogen validate``, ``slogen
generate --check`` and a regenerate without promtool on the example specs and on one
SLO, each in a fresh interpreter; the median time an interpreter spends importing
``slogen.cli``, dependencies included; and whether ``validate`` imported any of the
slow optional modules (``-X importtime``). Wall times depend on the machine and its
load; CPU times much less so: compare figures from one quiet machine.

    python benchmarks/bench_startup.py [--runs N] [--specs DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
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


def run_seconds(command: Sequence[str], cwd: Path, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each run; a failing run stops the benchmark (it measured
    nothing). CPU time (user + system of the child) moves far less than wall time when
    the machine is busy, so it is the figure to compare across runs."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        times.append((wall, cpu))
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
            "slogen validate specs": run_seconds([*slogen, "validate", "specs"], work, args.runs),
            "slogen generate --check": run_seconds(
                [*slogen, "generate", "--check"], work, args.runs
            ),
            "slogen generate, no promtool": run_seconds(
                [*slogen, "generate", "--no-verify"], work, args.runs
            ),
            "generate, 1 SLO, no promtool": run_seconds(
                [*slogen, "generate", "--no-verify"], small, args.runs
            ),
        }
        imports = import_seconds("slogen.cli", args.runs)
        heavy = heavy_imports(["-m", "slogen", "validate", "specs"], work)
    print(
        f"start-up, median of {args.runs} runs, each in a fresh interpreter "
        f"(specs: {args.specs.name}/, one SLO for the last):"
    )
    print(f"  {'':<30} {'wall':>8} {'CPU':>8} {'min wall':>9}")
    print(
        f"  {'import slogen.cli':<30} {statistics.median(imports):7.3f}s {'':>8} "
        f"{min(imports):8.3f}s"
    )
    for name, times in figures.items():
        wall = [w for w, _ in times]
        cpu = [c for _, c in times]
        print(
            f"  {name:<30} {statistics.median(wall):7.3f}s {statistics.median(cpu):7.3f}s "
            f"{min(wall):8.3f}s"
        )
    print(f"  heavy modules imported by validate: {', '.join(heavy) or 'none'}")
    print(f"  (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
