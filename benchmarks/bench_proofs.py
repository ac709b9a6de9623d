"""Proof cost: CPU seconds of ``promtool test rules`` on the proofs of one large service.

A service with many SLOs (42 by default, the size of a Kubernetes distribution's
Pyrra set) is compiled once; each generated proof file
(``tests/<service>/<slo>[.from-5m].<step>.test.yml``) is then run by ``promtool test
rules`` one at a time. Reported: the files and tests per step, the CPU seconds
promtool used (user + system, from ``getrusage`` of the children) and wall seconds;
then the totals and the wall time of ``slogen check``'s own way of running them (two
promtools at once). The SLIs rotate over five kinds: errors/total, good/total, a
classic-histogram latency bound, a ``ratio`` of sums of rates, and a ``ratio`` whose
errors add two counters (proven from the 5m recordings), each SLO on its own ``job``.

    python benchmarks/bench_proofs.py [--slos 42] [--window 7d] [--objective 99.5]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import slogen
from slogen import tools, verify

SLIS = (
    'events: {{errors: \'api_requests_total{{job="{job}",code=~"5.."}}\', '
    "total: 'api_requests_total{{job=\"{job}\"}}'}}",
    'events: {{good: \'api_requests_total{{job="{job}",code!~"5.."}}\', '
    "total: 'api_requests_total{{job=\"{job}\"}}'}}",
    "latency: {{histogram: 'api_request_duration_seconds{{job=\"{job}\"}}', threshold: 250ms}}",
    'ratio: {{errors: \'sum(rate(api_requests_total{{job="{job}",code=~"5.."}}[$window]))\', '
    "total: 'sum(rate(api_requests_total{{job=\"{job}\"}}[$window]))'}}",
    'ratio: {{errors: \'sum(rate(api_requests_total{{job="{job}",code=~"5.."}}[$window])) '
    '+ sum(rate(api_timeouts_total{{job="{job}"}}[$window]))\', '
    "total: 'sum(rate(api_requests_total{{job=\"{job}\"}}[$window]))'}}",
)


def spec(slos: int, window: str, objective: str) -> str:
    """One service of ``slos`` SLOs, the SLI kinds in turn."""
    lines = [
        "service: platform",
        "team: sre",
        "runbook: false",
        f"window: {window}",
        "slos:",
    ]
    for index in range(slos):
        sli = SLIS[index % len(SLIS)].format(job=f"job{index}")
        lines += [f"  - name: slo{index}", f"    objective: {objective}", f"    sli: {{{sli}}}"]
    return "\n".join(lines) + "\n"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, default=42)
    parser.add_argument("--window", default="7d")
    parser.add_argument("--objective", default="99.5")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slogen-bench-proofs-") as scratch:
        root = Path(scratch)
        (root / "specs").mkdir()
        (root / "specs" / "platform.yaml").write_text(spec(args.slos, args.window, args.objective))
        bundle = slogen.compile(slogen.load([root / "specs"]))
        bundle.write(root / "out")
        proofs = sorted(p for p in bundle.files if p.startswith("tests/") and "test.yml" in p)
        print(f"{args.slos} SLOs, window {args.window}, objective {args.objective}%")
        print(f"{'step':<10} {'files':>5} {'tests':>5} {'cpu s':>8} {'wall s':>7}")
        rows: dict[str, list[float]] = {}
        failures = 0
        for path in proofs:
            before_cpu, before_wall = _children_cpu(), time.perf_counter()
            result = subprocess.run(
                [tools.locate("promtool"), "test", "rules", str(root / "out" / path)],
                capture_output=True,
                text=True,
                check=False,
            )
            failures += result.returncode != 0
            step = ("from-5m " if ".from-5m." in path else "") + path.split(".")[-3]
            row = rows.setdefault(step, [0, 0, 0.0, 0.0])
            row[0] += 1
            row[1] += bundle.files[path].count(b"\n- input_series:")
            row[2] += _children_cpu() - before_cpu
            row[3] += time.perf_counter() - before_wall
        totals = [sum(row[i] for row in rows.values()) for i in range(4)]
        for step, (files, tests, cpu, wall) in [*sorted(rows.items()), ("total", totals)]:
            print(f"{step:<10} {files:>5.0f} {tests:>5.0f} {cpu:>8.1f} {wall:>7.1f}")
        if failures:
            print(f"{failures} proof files failed", file=sys.stderr)
        start = time.perf_counter()
        failed = [r for r in verify.prove(dict(bundle.files)) if not r.ok]
        print(f"slogen check's proof run (two at once): {time.perf_counter() - start:.1f} s wall")
        if failed:
            print(f"{len(failed)} proof files failed", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
