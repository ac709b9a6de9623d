"""Compile throughput: what ``slogen generate`` costs on N SLOs, full and after an edit.

For each N, N synthetic SLOs (services of ten, cycling through events, latency, ``up``
and ``freshness`` SLIs, a third of the first two grouped by cluster) are written as
specs to a scratch directory, and the CLI is run as a user runs it:

- ``full``: ``slogen generate`` into an empty directory, promtool verification included;
- ``no verify``: the same with ``--no-verify``;
- ``one edit``: one SLO's objective changed, then ``slogen generate`` again (the
  pre-commit hook's path: every unrelated service is reused from the manifest);
- ``check``: ``slogen generate --check`` on the result.

Each N starts with an empty cache of the proof search (``SLOGEN_CACHE_DIR`` in the
scratch directory): ``full`` is a first run, the later ones find what it kept, as a
pre-commit hook's runs do.

Reported per run: wall seconds, CPU seconds of slogen and its children (promtool, the
build's worker processes), and the largest resident set of any of them; then the
tree's files and MiB, and its proofs' share.

    python benchmarks/bench_compile.py [--slos 10,100,1000] [--rounds 5] [--against REV]

A shared or virtual machine moves single runs by a fifth either way (CPU seconds
too): ``--rounds`` repeats each count from scratch and shows the median and range of
wall and CPU seconds, and the largest peak of any round. Within a day the drift can
exceed what a change saves, so ``--against REV`` measures a change the only fair way:
this tree and REV (checked out in a scratch git worktree) run in turn, round after
round, on the same specs, and the table shows both side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SLOS_PER_SERVICE = 10
REPOSITORY = Path(__file__).resolve().parent.parent


def service_spec(service: int, slos: int) -> str:
    """One service with ``slos`` SLOs, cycling through four SLI kinds as a large
    repository holds them: request events, latency, an ``up`` probe and a batch job's
    ``freshness``; every third events or latency SLO is grouped by cluster."""
    lines = [
        f"service: svc-{service:05d}",
        f"team: team-{service % 50:02d}",
        "runbook: https://runbooks.example.com/{service}#{slo}",
        "slos:",
    ]
    for n in range(slos):
        job = f'job="svc-{service:05d}", handler="/api/{n}"'
        lines.append(f"  - name: slo-{n:02d}")
        kind = n % 4
        if kind == 0:
            lines += [
                "    objective: 99.9",
                "    sli:",
                "      events:",
                f'        errors: http_requests_total{{{job}, code=~"5.."}}',
                f"        total: http_requests_total{{{job}}}",
            ]
        elif kind == 1:
            lines += [
                "    objective: 99",
                "    sli:",
                "      latency:",
                f"        histogram: http_request_duration_seconds{{{job}}}",
                "        threshold: 250ms",
            ]
        elif kind == 2:
            lines += [
                "    objective: 99.5",
                "    sli:",
                "      up:",
                f'        metric: probe_success{{job="blackbox", instance="svc-{service}-{n}"}}',
            ]
        else:
            lines += [
                "    objective: 99",
                "    sli:",
                "      freshness:",
                f'        timestamp: job_last_success_timestamp_seconds{{job="batch-{n}"}}',
                "        max_age: 2h",
            ]
        if kind < 2 and (n // 4) % 3 == 0:
            lines.insert(len(lines) - 5, "    group_by: [cluster]")  # after the name
    return "\n".join(lines) + "\n"


def write_specs(directory: Path, slos: int) -> None:
    directory.mkdir(parents=True)
    for service in range(0, slos, SLOS_PER_SERVICE):
        count = min(SLOS_PER_SERVICE, slos - service)
        (directory / f"svc-{service:05d}.yaml").write_text(service_spec(service, count))


def run(args: list[str], cache: Path, code: Path = REPOSITORY) -> tuple[float, float, float]:
    """Wall and CPU seconds of one ``slogen`` run and its children, and the peak RSS
    (MiB) of any process waited for so far; ``code`` is the source tree to run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "slogen", *args],
        capture_output=True,
        text=True,
        env=_environment(cache, code),
    )
    wall = time.perf_counter() - start
    if done.returncode not in (0,):
        sys.exit(f"slogen {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def _environment(cache: Path, code: Path) -> dict[str, str]:
    """The run's environment: its own cache, ``code`` first on the path, and bytecode
    written (each tree is compiled once, not on every run, whatever the shell says)."""
    environ = {**os.environ, "SLOGEN_CACHE_DIR": str(cache), "PYTHONPATH": str(code)}
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    return environ


Figures = tuple[float, float, float]
"""Wall seconds, CPU seconds and peak RSS (MiB) of one run."""


def measure(slos: int, code: Path = REPOSITORY) -> tuple[dict[str, Figures], str]:
    """One round for N SLOs from scratch with the source tree ``code``: each run's
    figures, and the tree's size."""
    found: dict[str, Figures] = {}
    with tempfile.TemporaryDirectory(prefix=f"compile-{slos}-") as scratch:
        specs, out = Path(scratch) / "specs", Path(scratch) / "generated"
        cache = Path(scratch) / "cache"
        write_specs(specs, slos)
        found["full"] = run(["generate", str(specs), "-o", str(out)], cache, code)
        nv = ["generate", str(specs), "-o", str(out) + "-nv", "--no-verify"]
        found["no verify"] = run(nv, cache, code)
        edited = sorted(specs.glob("*.yaml"))[-1]  # not the first of any proof key
        edited.write_text(edited.read_text().replace("objective: 99.9", "objective: 99.8", 1))
        found["one edit"] = run(["generate", str(specs), "-o", str(out)], cache, code)
        check = ["generate", str(specs), "-o", str(out), "--check"]
        found["check"] = run(check, cache, code)
        files = [p for p in out.rglob("*") if p.is_file()]
        proofs = [p for p in files if p.relative_to(out).parts[0] == "tests"]
        size = sum(p.stat().st_size for p in files) / 2**20
        proof_size = sum(p.stat().st_size for p in proofs) / 2**20
        tree = (
            f"| {slos:,} | tree | {len(files):,} files, {size:.1f} MiB; proofs "
            f"{len(proofs):,} files, {proof_size:.1f} MiB | | |"
        )
    return found, tree


def _shown(values: list[float]) -> str:
    """The median, and the range when there are several rounds."""
    middle = f"{statistics.median(values):.2f}"
    return middle if len(values) == 1 else f"{middle} ({min(values):.2f}-{max(values):.2f})"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: at least one round")
    return value


@contextlib.contextmanager
def checked_out(revision: str) -> Iterator[Path]:
    """``revision`` of this repository in a scratch worktree, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="compile-base-") as scratch:
        tree = Path(scratch) / "tree"
        added = subprocess.run(
            ["git", "-C", str(REPOSITORY), "worktree", "add", "--detach", str(tree), revision],
            capture_output=True,
            text=True,
        )
        if added.returncode != 0:
            sys.exit(f"--against {revision}: git could not check it out:\n{added.stderr}")
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "-C", str(REPOSITORY), "worktree", "remove", "--force", str(tree)],
                capture_output=True,
            )


def compare(counts: list[int], rounds: int, revision: str) -> None:
    """This tree and ``revision`` in turn, round after round; medians side by side."""
    with checked_out(revision) as base:
        codes = {"this tree": REPOSITORY, revision: base}
        for code in codes.values():  # compiled once before timing, as the other is
            measure(SLOS_PER_SERVICE, code)
        print(f"| SLOs | run | wall s: this tree | {revision} | CPU s: this tree | {revision} |")
        print("|---|---|---|---|---|---|")
        for slos in counts:
            found: dict[str, list[dict[str, Figures]]] = {name: [] for name in codes}
            for index in range(rounds):
                order = list(codes.items())
                for name, code in order if index % 2 == 0 else reversed(order):
                    found[name].append(measure(slos, code)[0])
            for run_name in found["this tree"][0]:
                walls, cpus = [], []
                for name in codes:
                    figures = [one[run_name] for one in found[name]]
                    walls.append(_shown([wall for wall, _, _ in figures]))
                    cpus.append(_shown([cpu for _, cpu, _ in figures]))
                print(f"| {slos:,} | {run_name} | {' | '.join(walls + cpus)} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", default="10,100,1000", help="comma-separated SLO counts")
    parser.add_argument(
        "--rounds",
        type=_positive,
        default=1,
        help="rounds from scratch per count; the median is shown, with the range "
        "(peak memory: the largest of any round)",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="also run git revision REV, in turn with this tree, and show both",
    )
    args = parser.parse_args()
    counts = sorted({int(n) for n in args.slos.split(",")})
    if args.against:
        compare(counts, args.rounds, args.against)
        return
    print("| SLOs | run | wall s | CPU s | peak RSS MiB |")
    print("|---|---|---|---|---|")
    for slos in counts:
        rounds = [measure(slos) for _ in range(args.rounds)]
        for name in rounds[0][0]:
            walls, cpus, peaks = zip(*(found[name] for found, _ in rounds), strict=True)
            row = f"| {slos:,} | {name} | {_shown(list(walls))} | {_shown(list(cpus))} |"
            print(f"{row} {max(peaks):.0f} |", flush=True)
        print(rounds[0][1], flush=True)


if __name__ == "__main__":
    main()
